"""The parent-membership rule over whole periods, and shortening a parent membership.

Where a network requires it, an active membership needs one active membership of the
parent network holding its whole period; a parent membership cannot be shortened out
from under the active memberships that depend on it (the end action does that, with
its cascade).
"""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_membership
from tests.helpers import fetch, patch_current
from tests.memberships.conftest import Registry

pytestmark = pytest.mark.usefixtures("backend")


async def _tree(registry: Registry) -> tuple[str, str]:
    kfh = await registry.network(name="KFH")
    group = await registry.network(
        name="Industrigruppen", parent_id=kfh, requires_parent_membership=True
    )
    return kfh, group


async def _count(client: httpx.AsyncClient, network_id: str) -> int:
    response = await client.get("/v1/memberships", params={"network_id": network_id})
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


async def test_parent_membership_must_hold_the_whole_period(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    kfh, group = await _tree(registry)
    await create_membership(
        client,
        organisation_id=company["id"],
        network_id=kfh,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    in_group = {"organisation_id": company["id"], "network_id": group, "status": "active"}

    for ends_on in (None, "2027-01-31"):
        # Covered on the first day, but not to the end.
        response = await client.post(
            "/v1/memberships", json={**in_group, "starts_on": "2026-03-01", "ends_on": ends_on}
        )
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "parent_membership_required"
        assert response.json()["parent_network_id"] == kfh
    assert await _count(client, group) == 0

    # Through the parent's last day is fine, and then it cannot be stretched past it.
    held = await create_membership(client, **in_group, starts_on="2026-03-01", ends_on="2026-12-31")
    url = f"/v1/memberships/{held['id']}"
    for change in ({"ends_on": None}, {"ends_on": "2027-01-01"}):
        response = await patch_current(client, url, **change)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "parent_membership_required"
    assert (await fetch(client, url))["ends_on"] == "2026-12-31"
    shortened = await patch_current(client, url, ends_on="2026-06-30")
    assert shortened.status_code == 200, shortened.text


async def test_open_ended_membership_needs_an_open_ended_parent(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    kfh, group = await _tree(registry)
    parent = await create_membership(
        client, organisation_id=company["id"], network_id=kfh, starts_on="2026-01-01"
    )
    child = await create_membership(
        client, organisation_id=company["id"], network_id=group, starts_on="2026-01-01"
    )
    assert (parent["ends_on"], child["ends_on"]) == (None, None)

    # An application needs no cover; becoming active with an open end does.
    other = await create_company(client)
    await create_membership(
        client,
        organisation_id=other["id"],
        network_id=kfh,
        starts_on="2026-01-01",
        ends_on="2030-12-31",
    )
    applied = await create_membership(
        client,
        organisation_id=other["id"],
        network_id=group,
        status="applied",
        starts_on="2026-02-01",
    )
    url = f"/v1/memberships/{applied['id']}"
    refused = await patch_current(client, url, status="active")
    assert (refused.status_code, refused.json()["code"]) == (409, "parent_membership_required")
    joined = await patch_current(client, url, status="active", ends_on="2030-12-31")
    assert joined.status_code == 200, joined.text


@pytest.mark.parametrize(
    "change",
    [{"ends_on": "2026-12-31"}, {"starts_on": "2025-01-01"}],
    ids=["end-set", "start-later"],
)
async def test_shortening_a_parent_membership_with_dependents_is_refused(
    client: httpx.AsyncClient, registry: Registry, change: dict[str, Any]
) -> None:
    company = await create_company(client)
    kfh, group = await _tree(registry)
    pair = {"organisation_id": company["id"]}
    parent = await create_membership(client, **pair, network_id=kfh, starts_on="2024-01-01")
    child = await create_membership(client, **pair, network_id=group, starts_on="2024-06-01")

    url = f"/v1/memberships/{parent['id']}"
    response = await patch_current(client, url, **change)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "has_dependent_memberships"
    assert problem["dependent_ids"] == [child["id"]]
    assert f"{url}/end" in problem["detail"]
    assert await fetch(client, url) == parent
    assert await fetch(client, f"/v1/memberships/{child['id']}") == child

    # The end action is the way: it ends the dependent on the same date.
    ended = await client.post(f"/v1/memberships/{parent['id']}/end", json={"ends_on": "2026-12-31"})
    assert ended.status_code == 200, ended.text
    assert [item["id"] for item in ended.json()["ended_dependents"]] == [child["id"]]


async def test_shortening_keeps_going_while_dependents_stay_covered(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    kfh, group = await _tree(registry)
    pair = {"organisation_id": company["id"]}
    parent = await create_membership(client, **pair, network_id=kfh, starts_on="2024-01-01")
    await create_membership(
        client, **pair, network_id=group, starts_on="2024-06-01", ends_on="2026-06-30"
    )
    # An application in the child network is not yet a membership that needs cover.
    await create_membership(
        client, **pair, network_id=group, status="applied", starts_on="2027-01-01"
    )

    url = f"/v1/memberships/{parent['id']}"
    response = await patch_current(client, url, ends_on="2026-12-31")
    assert response.status_code == 200, response.text
    response = await patch_current(client, url, ends_on="2026-06-29")
    assert (response.status_code, response.json()["code"]) == (409, "has_dependent_memberships")
