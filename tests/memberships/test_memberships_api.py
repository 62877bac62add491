"""Memberships over HTTP: the rules on create and change, and their error codes."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_membership
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.memberships.conftest import Registry

pytestmark = pytest.mark.usefixtures("backend")


async def _all(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/v1/memberships", params={"limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _refused(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, code: str
) -> dict[str, Any]:
    before = await _all(client)
    problem = assert_problem(await client.post("/v1/memberships", json=body), status, code)
    assert await _all(client) == before
    return problem


async def test_create_returns_the_membership(client: httpx.AsyncClient, registry: Registry) -> None:
    company = await create_company(client)
    network = await registry.network()
    person = await registry.person(company["id"])
    body = {
        "organisation_id": company["id"],
        "network_id": network,
        "kind": "partner",
        "status": "active",
        "starts_on": "2026-02-01",
        "ends_on": "2027-01-31",
        "representatives": [{"person_id": person, "role": "deputy"}],
    }
    response = await client.post("/v1/memberships", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["organisation_id"] == company["id"]
    assert created["network_id"] == network
    assert (created["kind"], created["status"]) == ("partner", "active")
    assert (created["starts_on"], created["ends_on"]) == ("2026-02-01", "2027-01-31")
    assert created["representatives"] == [{"person_id": person, "role": "deputy", "person": None}]
    assert created["organisation"] is None
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/memberships/{created['id']}"

    fetched = await client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == created


async def test_defaults_to_an_application_as_member(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    network = await registry.network()
    response = await client.post(
        "/v1/memberships",
        json={"organisation_id": company["id"], "network_id": network, "starts_on": "2026-03-01"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["kind"], created["status"], created["ends_on"]) == ("member", "applied", None)
    assert created["representatives"] == []


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    body = {"organisation_id": company["id"], "network_id": await registry.network()}
    body["starts_on"] = "2026-01-01"
    headers = {"Idempotency-Key": "membership-1"}
    first = await client.post("/v1/memberships", json=body, headers=headers)
    again = await client.post("/v1/memberships", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert [item["id"] for item in await _all(client)] == [first.json()["id"]]


async def test_unknown_or_archived_organisation_and_network(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    network = await registry.network()
    base = {"organisation_id": company["id"], "network_id": network, "starts_on": "2026-01-01"}

    problem = await _refused(
        client, {**base, "organisation_id": UNKNOWN_ID}, 422, "unknown_organisation"
    )
    assert problem["errors"][0]["field"] == "body.organisation_id"
    problem = await _refused(client, {**base, "network_id": UNKNOWN_ID}, 422, "unknown_network")
    assert problem["errors"][0]["field"] == "body.network_id"

    archived_network = await registry.network(status="archived")
    await _refused(client, {**base, "network_id": archived_network}, 409, "network_archived")

    archived = await client.post(f"/v1/companies/{company['id']}/archive")
    assert archived.status_code == 200
    await _refused(client, base, 409, "organisation_archived")


async def test_period_must_not_end_before_it_starts(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    body = {
        "organisation_id": company["id"],
        "network_id": await registry.network(),
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-30",
    }
    problem = await _refused(client, body, 422, "invalid_period")
    assert problem["errors"][0]["field"] == "body.ends_on"
    # One day is a valid period.
    await create_membership(client, **{**body, "ends_on": "2026-05-01"})


async def test_created_status_is_applied_or_active(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    body = {"organisation_id": company["id"], "network_id": await registry.network()}
    body.update(starts_on="2026-01-01", status="suspended")
    await _refused(client, body, 422, "validation_failed")
    # Pydantic would read 0 as a Unix timestamp; the API takes YYYY-MM-DD only.
    await _refused(client, {**body, "status": "active", "starts_on": 0}, 422, "validation_failed")


async def test_periods_of_one_pair_never_overlap(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    network = await registry.network()
    pair = {"organisation_id": company["id"], "network_id": network}
    first = await create_membership(client, **pair, starts_on="2024-01-01", ends_on="2025-12-31")

    problem = await _refused(client, {**pair, "starts_on": "2025-12-31"}, 409, "membership_overlap")
    assert problem["existing_id"] == first["id"]
    await _refused(
        client,
        {**pair, "starts_on": "2023-01-01", "ends_on": "2024-01-01"},
        409,
        "membership_overlap",
    )
    # Open-ended before an existing one reaches over it.
    await _refused(
        client, {**pair, "starts_on": "2020-01-01", "ends_on": None}, 409, "membership_overlap"
    )

    # The day after is free, and other pairs are unaffected.
    await create_membership(client, **pair, starts_on="2026-01-01")
    other_network = await registry.network()
    await create_membership(client, **{**pair, "network_id": other_network}, starts_on="2025-06-01")


async def test_representatives_must_exist_be_affiliated_and_unique(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    other = await create_company(client)
    insider = await registry.person(company["id"])
    outsider = await registry.person(other["id"])
    base = {"organisation_id": company["id"], "network_id": await registry.network()}
    base["starts_on"] = "2026-01-01"

    def with_people(*people: str) -> dict[str, Any]:
        return {**base, "representatives": [{"person_id": p, "role": "deputy"} for p in people]}

    problem = await _refused(client, with_people(insider, UNKNOWN_ID), 422, "unknown_person")
    assert problem["errors"][0]["field"] == "body.representatives.1.person_id"
    await _refused(client, with_people(outsider), 422, "representative_not_affiliated")
    await _refused(client, with_people(insider, insider), 422, "duplicate_representative")

    created = await create_membership(
        client,
        **base,
        representatives=[{"person_id": insider, "role": "union_representative"}],
    )
    assert created["representatives"][0]["role"] == "union_representative"


async def test_active_membership_needs_active_parent_membership(
    client: httpx.AsyncClient, registry: Registry
) -> None:
    company = await create_company(client)
    kfh = await registry.network(name="KFH")
    group = await registry.network(
        name="Industrigruppen", parent_id=kfh, requires_parent_membership=True
    )
    in_group = {"organisation_id": company["id"], "network_id": group, "status": "active"}

    problem = await _refused(
        client, {**in_group, "starts_on": "2026-01-01"}, 409, "parent_membership_required"
    )
    assert problem["parent_network_id"] == kfh

    # An application to the parent is not yet a membership of it.
    parent = await create_membership(
        client,
        organisation_id=company["id"],
        network_id=kfh,
        status="applied",
        starts_on="2026-01-01",
    )
    await _refused(
        client, {**in_group, "starts_on": "2026-01-01"}, 409, "parent_membership_required"
    )
    # An application to the child needs nothing yet.
    applied = await create_membership(
        client, **{**in_group, "status": "applied"}, starts_on="2026-03-01"
    )
    refused = await client.patch(
        f"/v1/memberships/{applied['id']}", json={"status": "active"}, headers={"If-Match": '"1"'}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "parent_membership_required"

    activated = await client.patch(
        f"/v1/memberships/{parent['id']}", json={"status": "active"}, headers={"If-Match": '"1"'}
    )
    assert activated.status_code == 200, activated.text
    # The parent membership must cover the child's first day.
    await _refused(
        client,
        {**in_group, "starts_on": "2025-12-31", "ends_on": "2026-02-01"},
        409,
        "parent_membership_required",
    )
    joined = await client.patch(
        f"/v1/memberships/{applied['id']}", json={"status": "active"}, headers={"If-Match": '"1"'}
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["status"] == "active"
    # Moving an active child's start outside the parent's period is refused as well.
    moved = await client.patch(
        f"/v1/memberships/{applied['id']}",
        json={"starts_on": "2025-06-01"},
        headers={"If-Match": '"2"'},
    )
    assert moved.status_code == 409
    assert moved.json()["code"] == "parent_membership_required"


async def test_unknown_membership_is_not_found(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get(f"/v1/memberships/{UNKNOWN_ID}"),
        await client.patch(f"/v1/memberships/{UNKNOWN_ID}", json={}, headers={"If-Match": "*"}),
        await client.post(f"/v1/memberships/{UNKNOWN_ID}/end", json={}),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "membership_not_found"
    assert (await client.delete(f"/v1/memberships/{UNKNOWN_ID}")).status_code == 405
