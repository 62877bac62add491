"""Requiring parent membership of a network that already has members, or moving one that
requires it: its active members must already hold a covering parent membership."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_membership, create_network
from tests.helpers import fetch, patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def _member(
    client: httpx.AsyncClient, company: dict[str, Any], network: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    return await create_membership(
        client, organisation_id=company["id"], network_id=network["id"], **fields
    )


async def test_requiring_parent_membership_needs_covered_members(
    client: httpx.AsyncClient,
) -> None:
    kfh = await create_network(client, name="KFH")
    group = await create_network(client, name="Industrigruppen", parent_id=kfh["id"])
    url = f"/v1/networks/{group['id']}"
    covered, uncovered, short, applicant = [await create_company(client) for _ in range(4)]
    await _member(client, covered, kfh, starts_on="2020-01-01")
    await _member(client, covered, group, starts_on="2024-01-01")
    await _member(client, uncovered, group, starts_on="2024-01-01")
    # A parent membership that ends before the group membership does holds too little.
    await _member(client, short, kfh, starts_on="2020-01-01", ends_on="2026-12-31")
    await _member(client, short, group, starts_on="2024-01-01")
    # Applications need no cover until they become active.
    await _member(client, applicant, group, status="applied", starts_on="2024-01-01")

    response = await patch_current(client, url, requires_parent_membership=True)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "parent_membership_missing"
    assert problem["uncovered_count"] == 2
    assert problem["detail"].startswith("2 active membership(s)")
    stored = await fetch(client, url)
    assert (stored["requires_parent_membership"], stored["version"]) == (False, 1)

    # Once those members hold a covering parent membership, the rule can be set.
    await _member(client, uncovered, kfh, starts_on="2023-01-01")
    short_in_group = await client.get(
        "/v1/memberships", params={"organisation_id": short["id"], "network_id": group["id"]}
    )
    [membership] = short_in_group.json()["items"]
    ended = await client.post(
        f"/v1/memberships/{membership['id']}/end", json={"ends_on": "2026-06-30"}
    )
    assert ended.status_code == 200, ended.text
    response = await patch_current(client, url, requires_parent_membership=True)
    assert response.status_code == 200, response.text
    assert response.json()["requires_parent_membership"] is True


async def test_moving_a_network_that_requires_parent_membership(
    client: httpx.AsyncClient,
) -> None:
    kfh = await create_network(client, name="KFH")
    gic = await create_network(client, name="GIC")
    group = await create_network(
        client, name="Industrigruppen", parent_id=kfh["id"], requires_parent_membership=True
    )
    url = f"/v1/networks/{group['id']}"
    first, second = await create_company(client), await create_company(client)
    for company in (first, second):
        await _member(client, company, kfh, starts_on="2020-01-01")
        await _member(client, company, group, starts_on="2024-01-01")
    await _member(client, first, gic, starts_on="2020-01-01")

    response = await patch_current(client, url, parent_id=gic["id"])
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "parent_membership_missing"
    assert response.json()["uncovered_count"] == 1
    assert response.json()["parent_network_id"] == gic["id"]
    assert (await fetch(client, url))["parent_id"] == kfh["id"]

    # Dropping the requirement in the same change lets it move.
    response = await patch_current(
        client, url, parent_id=gic["id"], requires_parent_membership=False
    )
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] == gic["id"]
