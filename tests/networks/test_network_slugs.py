"""Slugs are unique among siblings, held by the database too: UNIQUE (parent_id, slug),
and for roots (whose NULL parents no unique key compares) a partial unique index."""

import asyncio
from typing import Any

import httpx
import pytest

from app.networks import service
from tests.factories import create_network

pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize("check_runs", [True, False], ids=["slowed-check", "no-check"])
@pytest.mark.parametrize("under_parent", [False, True], ids=["roots", "siblings"])
async def test_concurrent_creates_of_one_slug(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    check_runs: bool,
    under_parent: bool,
) -> None:
    # slowed-check: without locking both requests pass the check before either inserts.
    # no-check: only the database refuses, and the answer still carries the rule's code.
    original_check = service._check_slug

    async def changed_check(*args: Any, **kwargs: Any) -> None:
        if check_runs:
            await original_check(*args, **kwargs)
            await asyncio.sleep(0.1)

    monkeypatch.setattr(service, "_check_slug", changed_check)
    body: dict[str, Any] = {"slug": "twice", "name": "Twice", "visibility": "open"}
    if under_parent:
        body["parent_id"] = (await create_network(client))["id"]
    responses = await asyncio.gather(
        client.post("/v1/networks", json=body), client.post("/v1/networks", json=body)
    )
    assert sorted(response.status_code for response in responses) == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] == "slug_taken"
    listed = (await client.get("/v1/networks", params={"q": "Twice"})).json()["items"]
    assert len(listed) == 1


async def test_one_slug_under_two_parents(client: httpx.AsyncClient) -> None:
    first, second = await create_network(client), await create_network(client)
    made = [
        await create_network(client, slug="working-group", parent_id=parent["id"])
        for parent in (first, second)
    ]
    assert [network["slug"] for network in made] == ["working-group", "working-group"]
    # Moving one beside the other is refused, as a create there would be.
    response = await client.patch(
        f"/v1/networks/{made[1]['id']}",
        json={"parent_id": first["id"]},
        headers={"If-Match": f'"{made[1]["version"]}"'},
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "slug_taken"
    # Renamed apart before the tables are emptied (every network made a root first).
    for network in made:
        renamed = await client.patch(
            f"/v1/networks/{network['id']}",
            json={"slug": f"group-{network['id'][:8]}"},
            headers={"If-Match": '"1"'},
        )
        assert renamed.status_code == 200, renamed.text
