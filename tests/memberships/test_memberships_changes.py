"""Changing and ending memberships: ETags, status transitions, the end cascade."""

from typing import Any

import httpx
import pytest

from app.clock import today
from tests.factories import create_company, create_membership
from tests.helpers import fetch
from tests.memberships.conftest import Registry

pytestmark = pytest.mark.usefixtures("backend")


async def _membership(
    client: httpx.AsyncClient, registry: Registry, **overrides: Any
) -> dict[str, Any]:
    company = await create_company(client)
    body = {"organisation_id": company["id"], "network_id": await registry.network()}
    body.update(overrides)
    return await create_membership(client, **body)


async def _patch(
    client: httpx.AsyncClient, membership: dict[str, Any], body: dict[str, Any], etag: str
) -> httpx.Response:
    return await client.patch(
        f"/v1/memberships/{membership['id']}", json=body, headers={"If-Match": etag}
    )


async def test_patch_requires_the_current_etag(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    created = await _membership(client, registry)
    url = f"/v1/memberships/{created['id']}"

    missing = await client.patch(url, json={"kind": "observer"})
    assert (missing.status_code, missing.json()["code"]) == (428, "if_match_required")
    stale = await _patch(client, created, {"kind": "observer"}, '"5"')
    assert (stale.status_code, stale.json()["code"]) == (412, "etag_mismatch")
    assert await fetch(client, url) == created

    changed = await _patch(client, created, {"kind": "observer", "ends_on": "2026-12-31"}, '"1"')
    assert changed.status_code == 200, changed.text
    assert (changed.json()["kind"], changed.json()["ends_on"]) == ("observer", "2026-12-31")
    assert changed.headers["etag"] == '"2"'
    cleared = await _patch(client, created, {"ends_on": None}, '"2"')
    assert cleared.json()["ends_on"] is None
    nulled = await _patch(client, created, {"starts_on": None}, '"3"')
    assert (nulled.status_code, nulled.json()["code"]) == (422, "validation_failed")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (["applied", "suspended"], 409, "invalid_status_transition"),
        (["active", "applied"], 409, "invalid_status_transition"),
        (["active", "suspended", "applied"], 409, "invalid_status_transition"),
        (["applied", "ended"], 422, "use_end_action"),
        (["active", "ended"], 422, "use_end_action"),
    ],
)
async def test_status_transitions_refused(
    client: httpx.AsyncClient, registry: Registry, path: list[str], status: int, code: str
) -> None:
    membership = await _membership(client, registry, status=path[0])
    for step in path[1:-1]:
        allowed = await _patch(client, membership, {"status": step}, "*")
        assert allowed.status_code == 200, allowed.text
    url = f"/v1/memberships/{membership['id']}"
    before = await fetch(client, url)
    response = await _patch(client, membership, {"status": path[-1]}, "*")
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await fetch(client, url) == before


async def test_status_moves_through_allowed_transitions(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    membership = await _membership(client, registry, status="applied")
    for version, status in enumerate(["active", "suspended", "active", "active"], start=1):
        response = await _patch(client, membership, {"status": status}, f'"{version}"')
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status


async def test_patch_checks_period_and_overlap(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    first = await _membership(client, registry, starts_on="2024-01-01", ends_on="2024-12-31")
    pair = {"organisation_id": first["organisation_id"], "network_id": first["network_id"]}
    second = await create_membership(client, **pair, starts_on="2025-01-01")

    backwards = await _patch(client, second, {"ends_on": "2024-06-30"}, '"1"')
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")
    overlapping = await _patch(client, first, {"ends_on": None}, '"1"')
    assert (overlapping.status_code, overlapping.json()["code"]) == (409, "membership_overlap")
    assert overlapping.json()["existing_id"] == second["id"]
    assert await fetch(client, f"/v1/memberships/{first['id']}") == first
    assert await fetch(client, f"/v1/memberships/{second['id']}") == second
    # Its own old period never counts as an overlap.
    moved = await _patch(client, first, {"starts_on": "2023-07-01"}, '"1"')
    assert moved.status_code == 200, moved.text


async def test_patch_replaces_representatives(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    ceo, deputy, union = [await registry.person(company["id"]) for _ in range(3)]
    membership = await create_membership(
        client,
        organisation_id=company["id"],
        network_id=await registry.network(),
        representatives=[
            {"person_id": ceo, "role": "representative"},
            {"person_id": deputy, "role": "deputy"},
        ],
    )
    wanted = [
        {"person_id": ceo, "role": "deputy"},
        {"person_id": union, "role": "union_representative"},
    ]
    response = await _patch(client, membership, {"representatives": wanted}, '"1"')
    assert response.status_code == 200, response.text
    # The membership row itself did not change, yet the ETag moves with its representatives.
    assert response.headers["etag"] == '"2"'
    stored = await fetch(client, f"/v1/memberships/{membership['id']}")
    got = {(r["person_id"], r["role"]) for r in stored["representatives"]}
    assert got == {(ceo, "deputy"), (union, "union_representative")}

    duplicate = await _patch(client, membership, {"representatives": wanted + wanted[:1]}, '"2"')
    assert (duplicate.status_code, duplicate.json()["code"]) == (422, "duplicate_representative")
    emptied = await _patch(client, membership, {"representatives": []}, '"2"')
    assert emptied.json()["representatives"] == []
    unchanged = await _patch(client, membership, {"representatives": []}, '"3"')
    assert unchanged.headers["etag"] == '"3"'


async def test_end_defaults_to_today_and_only_once(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    membership = await _membership(client, registry, starts_on="2020-01-01")
    response = await client.post(f"/v1/memberships/{membership['id']}/end")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["membership"]["status"] == "ended"
    assert body["membership"]["ends_on"] == today().isoformat()
    assert body["ended_dependents"] == []
    assert response.headers["etag"] == '"2"'

    # One answer for every change to history: the end action, and any PATCH, even one
    # whose status would otherwise be refused for its own reason.
    again = await client.post(f"/v1/memberships/{membership['id']}/end", json={})
    assert (again.status_code, again.json()["code"]) == (409, "membership_ended")
    for change in (
        {"kind": "observer"},
        {"status": "active"},
        {"status": "ended"},
        {"status": "suspended", "ends_on": "2019-01-01"},
    ):
        frozen = await _patch(client, membership, change, '"2"')
        assert (frozen.status_code, frozen.json()["code"]) == (409, "membership_ended"), change
    assert (await fetch(client, f"/v1/memberships/{membership['id']}"))["version"] == 2


async def test_end_checks_if_match_when_sent(client: httpx.AsyncClient, registry: Registry) -> None:
    company = await create_company(client)
    parent_network = await registry.network()
    child_network = await registry.network(
        parent_id=parent_network, requires_parent_membership=True
    )
    pair = {"organisation_id": company["id"], "starts_on": "2024-01-01"}
    parent = await create_membership(client, network_id=parent_network, **pair)
    child = await create_membership(client, network_id=child_network, **pair)
    url = f"/v1/memberships/{parent['id']}/end"

    stale = await client.post(url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"7"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "etag_mismatch")
    # Nothing ended: neither the membership nor the one that depends on it.
    assert await fetch(client, f"/v1/memberships/{parent['id']}") == parent
    assert await fetch(client, f"/v1/memberships/{child['id']}") == child

    current = await client.post(url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"1"'})
    assert current.status_code == 200, current.text
    assert [item["id"] for item in current.json()["ended_dependents"]] == [child["id"]]


async def test_end_declines_an_application_and_checks_the_date(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    application = await _membership(client, registry, status="applied", starts_on="2026-03-01")
    url = f"/v1/memberships/{application['id']}/end"
    early = await client.post(url, json={"ends_on": "2026-02-28"})
    assert (early.status_code, early.json()["code"]) == (422, "invalid_period")
    assert await fetch(client, f"/v1/memberships/{application['id']}") == application

    declined = await client.post(url, json={"ends_on": "2026-03-01"})
    assert declined.status_code == 200, declined.text
    assert declined.json()["membership"]["status"] == "ended"


async def test_suspended_membership_can_end(client: httpx.AsyncClient, registry: Registry) -> None:
    membership = await _membership(client, registry, starts_on="2025-01-01")
    assert (await _patch(client, membership, {"status": "suspended"}, '"1"')).status_code == 200
    response = await client.post(
        f"/v1/memberships/{membership['id']}/end", json={"ends_on": "2025-09-30"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["membership"]["ends_on"] == "2025-09-30"


async def test_ending_kfh_ends_industrigruppen_on_the_same_date(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client, legal_name="Karlskrona Verkstad AB", country="SE")
    other = await create_company(client, country="SE")
    kfh = await registry.network(name="KFH")
    group = await registry.network(
        name="Industrigruppen", parent_id=kfh, requires_parent_membership=True
    )
    working_group = await registry.network(
        name="Arbetsgrupp", parent_id=group, requires_parent_membership=True
    )
    open_forum = await registry.network(name="Öppet forum", parent_id=kfh)

    async def member(organisation: dict[str, Any], network: str, **extra: Any) -> dict[str, Any]:
        body = {"organisation_id": organisation["id"], "network_id": network, **extra}
        return await create_membership(client, **{"starts_on": "2024-01-01", **body})

    in_kfh = await member(company, kfh)
    in_group = await member(company, group, starts_on="2024-02-01")
    in_working_group = await member(company, working_group, status="applied")
    earlier_stop = await member(
        company, working_group, status="applied", starts_on="2023-01-01", ends_on="2023-12-31"
    )
    in_forum = await member(company, open_forum)
    other_in_kfh = await member(other, kfh)
    other_in_group = await member(other, group)

    response = await client.post(
        f"/v1/memberships/{in_kfh['id']}/end", json={"ends_on": "2026-06-30"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["membership"]["status"], body["membership"]["ends_on"]) == ("ended", "2026-06-30")
    ended = {item["id"]: item for item in body["ended_dependents"]}
    assert set(ended) == {in_group["id"], in_working_group["id"], earlier_stop["id"]}
    assert ended[in_group["id"]]["network_id"] == group
    assert (ended[in_group["id"]]["status"], ended[in_group["id"]]["ends_on"]) == (
        "ended",
        "2026-06-30",
    )
    # A dependent that already stopped earlier keeps its own last day.
    assert ended[earlier_stop["id"]]["ends_on"] == "2023-12-31"

    for untouched in (in_forum, other_in_kfh, other_in_group):
        assert await fetch(client, f"/v1/memberships/{untouched['id']}") == untouched
    stored = await fetch(client, f"/v1/memberships/{in_working_group['id']}")
    assert (stored["status"], stored["ends_on"]) == ("ended", "2026-06-30")


async def test_end_refused_when_a_dependent_starts_after_the_date(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    kfh = await registry.network()
    group = await registry.network(parent_id=kfh, requires_parent_membership=True)
    parent = await create_membership(
        client, organisation_id=company["id"], network_id=kfh, starts_on="2024-01-01"
    )
    later = await create_membership(
        client,
        organisation_id=company["id"],
        network_id=group,
        status="applied",
        starts_on="2027-01-01",
    )
    response = await client.post(
        f"/v1/memberships/{parent['id']}/end", json={"ends_on": "2026-06-30"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_period")
    assert later["id"] in response.json()["detail"]
    assert await fetch(client, f"/v1/memberships/{parent['id']}") == parent
    assert await fetch(client, f"/v1/memberships/{later['id']}") == later
