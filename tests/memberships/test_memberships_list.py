"""Listing memberships: filters, sorting, keyset pages, includes, query counts, races."""

import asyncio
from typing import Any

import httpx
import pytest

from app.memberships import service
from tests.factories import create_company, create_membership
from tests.helpers import next_link
from tests.memberships.conftest import Registry

pytestmark = pytest.mark.usefixtures("backend")


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/memberships", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_filters(client: httpx.AsyncClient, registry: Registry) -> None:
    yara = await create_company(client)
    ineos = await create_company(client)
    forum, council = await registry.network(), await registry.network()
    old = await create_membership(
        client,
        organisation_id=yara["id"],
        network_id=forum,
        starts_on="2020-01-01",
        ends_on="2022-12-31",
    )
    current = await create_membership(
        client, organisation_id=yara["id"], network_id=forum, starts_on="2023-01-01"
    )
    partner = await create_membership(
        client,
        organisation_id=ineos["id"],
        network_id=council,
        kind="partner",
        status="applied",
        starts_on="2024-06-01",
    )

    assert await _ids(client, network_id=forum) == [current["id"], old["id"]]
    assert await _ids(client, organisation_id=ineos["id"]) == [partner["id"]]
    assert await _ids(client, status="applied") == [partner["id"]]
    assert await _ids(client, kind="partner") == [partner["id"]]
    assert await _ids(client, kind="observer") == []
    assert await _ids(client, active_on="2022-12-31") == [old["id"]]
    assert await _ids(client, active_on="2023-01-01") == [current["id"]]
    assert await _ids(client, active_on="2025-01-01") == [partner["id"], current["id"]]
    assert await _ids(client, active_on="2025-01-01", organisation_id=yara["id"]) == [current["id"]]
    assert await _ids(client, sort="starts_on") == [old["id"], current["id"], partner["id"]]
    assert await _ids(client, sort="created_at") == [old["id"], current["id"], partner["id"]]
    assert await _ids(client, sort="-created_at") == [partner["id"], current["id"], old["id"]]


async def test_bad_list_parameters_are_problems(client: httpx.AsyncClient) -> None:
    for params, status, code in [
        ({"cursor": "not-a-cursor"}, 400, "invalid_cursor"),
        ({"include": "organisation,invoices"}, 422, "validation_failed"),
        ({"sort": "name"}, 422, "validation_failed"),
        ({"status": "dormant"}, 422, "validation_failed"),
        ({"active_on": "tomorrow"}, 422, "validation_failed"),
        ({"active_on": "0"}, 422, "validation_failed"),
    ]:
        response = await client.get("/v1/memberships", params=params)
        assert response.status_code == status, params
        assert response.json()["code"] == code


async def test_keyset_pages_follow_the_link_header(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    network = await registry.network()
    # Several memberships share a start date, so the id tie-breaker has to carry the pages.
    starts = ["2026-01-01", "2025-01-01", "2026-01-01", "2024-05-01", "2026-01-01", "2025-01-01"]
    starts += ["2023-01-01"]
    for starts_on in starts:
        company = await create_company(client)
        await create_membership(
            client, organisation_id=company["id"], network_id=network, starts_on=starts_on
        )
    everything = (await client.get("/v1/memberships", params={"limit": 200})).json()["items"]
    assert [item["starts_on"] for item in everything] == sorted(starts, reverse=True)

    seen: list[dict[str, Any]] = []
    url: str | None = "/v1/memberships?limit=3&network_id=" + network
    pages = 0
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert len(body["items"]) == (3 if pages < 3 else 1)
        seen.extend(body["items"])
        url = next_link(response)
        assert (url is None) == (body["next_cursor"] is None)
        if url is not None:
            assert f"network_id={network}" in url
    assert pages == 3
    assert seen == everything

    # Paging by creation time crosses pages the same way.
    by_creation: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "sort": "created_at", **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/memberships", params=params)).json()
        by_creation += [item["id"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert by_creation == [item["id"] for item in sorted(everything, key=lambda i: i["created_at"])]


async def test_include_embeds_organisation_network_and_people(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client, legal_name="Yara Norge AS", display_name="Yara")
    network = await registry.network(name="GIC Process industry council")
    person = await registry.person(company["id"])
    created = await create_membership(
        client,
        organisation_id=company["id"],
        network_id=network,
        representatives=[{"person_id": person, "role": "representative"}],
    )

    plain = (await client.get("/v1/memberships")).json()["items"][0]
    assert (plain["organisation"], plain["network"]) == (None, None)
    assert plain["representatives"] == [
        {"person_id": person, "role": "representative", "person": None}
    ]

    params = {"include": "organisation,network,representatives"}
    listed = (await client.get("/v1/memberships", params=params)).json()["items"][0]
    single = (await client.get(f"/v1/memberships/{created['id']}", params=params)).json()
    assert listed == single
    assert listed["organisation"] == {
        "id": company["id"],
        "kind": "company",
        "display_name": "Yara",
        "country": "NO",
        "organisation_number": company["organisation_number"],
    }
    assert listed["network"]["id"] == network
    assert listed["network"]["name"] == "GIC Process industry council"
    assert listed["network"]["visibility"] == "open"
    # The one network reference the networks API embeds too.
    assert set(listed["network"]) == {"id", "slug", "name", "visibility", "status"}
    assert listed["network"]["status"] == "active"
    embedded = listed["representatives"][0]["person"]
    assert embedded["id"] == person
    assert embedded["full_name"].startswith("Test Person")
    assert embedded["email"].startswith("person")

    only_network = await client.get("/v1/memberships", params={"include": "network"})
    item = only_network.json()["items"][0]
    assert item["organisation"] is None
    assert item["network"]["id"] == network
    assert item["representatives"][0]["person"] is None


async def test_query_count_does_not_grow_with_the_page(
    client: httpx.AsyncClient, registry: Registry, count_queries: Any
) -> None:
    networks = [await registry.network() for _ in range(10)]
    companies = [await create_company(client) for _ in range(5)]
    people = [await registry.person(company["id"]) for company in companies]

    async def add(index: int) -> None:
        company, person = companies[index % 5], people[index % 5]
        await create_membership(
            client,
            organisation_id=company["id"],
            network_id=networks[index // 5],
            representatives=[{"person_id": person, "role": "representative"}],
        )

    params = {"include": "organisation,network,representatives", "limit": 50}

    async def count() -> tuple[int, int]:
        with count_queries() as log:
            response = await client.get("/v1/memberships", params=params)
        assert response.status_code == 200
        return log.count, len(response.json()["items"])

    await add(0)
    one, rows = await count()
    assert rows == 1
    for index in range(1, 50):
        await add(index)
    fifty, rows = await count()
    assert rows == 50
    assert fifty == one
    # The caller's API key; the page with its organisations and networks joined; the
    # representatives with their people.
    assert one <= 3

    listed = (await client.get("/v1/memberships", params=params)).json()["items"][0]
    with count_queries() as log:
        single = await client.get(f"/v1/memberships/{listed['id']}", params=params)
    assert single.json() == listed
    assert listed["organisation"] is not None
    assert listed["network"] is not None
    assert listed["representatives"][0]["person"] is not None
    assert log.count <= 3  # the same for one by id


@pytest.mark.parametrize("check_runs", [True, False], ids=["slowed-check", "no-check"])
async def test_concurrent_overlapping_creates_one_wins(
    client: httpx.AsyncClient,
    registry: Registry,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
    check_runs: bool,
) -> None:
    # slowed-check: without locking, both requests would pass the check before either
    # inserts, on every run. no-check: only the database can refuse (PostgreSQL's
    # exclusion constraint; SQLite has none, so that variant is PostgreSQL's alone).
    if not check_runs and backend != "postgresql":
        pytest.skip("SQLite has no exclusion constraint; its rule is the serialised check")
    original_check = service._check_no_overlap

    async def changed_check(*args: Any, **kwargs: Any) -> None:
        if check_runs:
            await original_check(*args, **kwargs)
            await asyncio.sleep(0.1)

    monkeypatch.setattr(service, "_check_no_overlap", changed_check)
    company = await create_company(client)
    network = await registry.network()
    bodies = [
        {"organisation_id": company["id"], "network_id": network, "starts_on": starts_on}
        for starts_on in ("2026-01-01", "2026-06-01")
    ]
    responses = await asyncio.gather(
        *(client.post("/v1/memberships", json=body) for body in bodies)
    )
    assert sorted(response.status_code for response in responses) == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] == "membership_overlap"
    assert len(await _ids(client, network_id=network)) == 1
