"""Networks over HTTP: creation rules, status, updates, deletion."""

import httpx
import pytest

from tests.factories import (
    create_company,
    create_meeting,
    create_membership,
    create_network,
    create_person,
)
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def _network_ids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/v1/networks", params={"limit": 200})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_create_applies_defaults(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/networks",
        json={"slug": "gic-offshore-forum", "name": "GIC Offshore forum", "visibility": "open"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/networks/{body['id']}"
    assert body["status"] == "planned"
    assert body["meetings_per_year"] == 0
    assert body["requires_parent_membership"] is False
    assert body["parent_id"] is None
    assert body["administered_by_id"] is None
    assert body["administered_by_inherited"] is False
    assert body["office_holders"] == []
    assert body["parent"] is None
    assert body["administered_by"] is None

    fetched = await client.get(f"/v1/networks/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == body


async def test_factory_body_is_accepted(client: httpx.AsyncClient) -> None:
    created = await create_network(client, visibility="closed")
    assert created["status"] == "active"
    assert created["visibility"] == "closed"
    assert created["meetings_per_year"] == 4


@pytest.mark.parametrize(
    "slug", ["GIC", "gic--forum", "-gic", "gic-", "gic forum", "gic_forum", "a" * 101]
)
async def test_malformed_slug_is_refused(client: httpx.AsyncClient, slug: str) -> None:
    response = await client.post(
        "/v1/networks", json={"slug": slug, "name": "GIC", "visibility": "open"}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == "body.slug"
    assert await _network_ids(client) == []


@pytest.mark.parametrize("meetings", [-1, 53])
async def test_meeting_cadence_is_bounded(client: httpx.AsyncClient, meetings: int) -> None:
    response = await client.post(
        "/v1/networks",
        json={"slug": "gic", "name": "GIC", "visibility": "open", "meetings_per_year": meetings},
    )
    assert_problem(response, 422, "validation_failed")
    assert await _network_ids(client) == []


async def test_slug_is_unique(client: httpx.AsyncClient) -> None:
    first = await create_network(client, slug="industrigruppen")
    response = await client.post(
        "/v1/networks", json={"slug": "industrigruppen", "name": "Other", "visibility": "open"}
    )
    assert_problem(response, 409, "slug_taken")
    assert await _network_ids(client) == [first["id"]]

    other = await create_network(client, slug="other")
    response = await client.patch(
        f"/v1/networks/{other['id']}", json={"slug": "industrigruppen"}, headers={"If-Match": "*"}
    )
    assert_problem(response, 409, "slug_taken")
    assert (await client.get(f"/v1/networks/{other['id']}")).json()["slug"] == "other"


async def test_parent_must_exist(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/networks",
        json={"slug": "child", "name": "Child", "visibility": "open", "parent_id": UNKNOWN_ID},
    )
    problem = assert_problem(response, 422, "unknown_parent")
    assert problem["errors"][0]["field"] == "body.parent_id"
    assert await _network_ids(client) == []


async def test_parent_membership_needs_a_parent(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/networks",
        json={
            "slug": "kfh",
            "name": "KFH",
            "visibility": "open",
            "requires_parent_membership": True,
        },
    )
    assert_problem(response, 422, "parent_required")
    assert await _network_ids(client) == []

    root = await create_network(client)
    child = await create_network(client, parent_id=root["id"], requires_parent_membership=True)
    assert child["requires_parent_membership"] is True
    response = await client.patch(
        f"/v1/networks/{child['id']}", json={"parent_id": None}, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 422, "parent_required")
    fetched = (await client.get(f"/v1/networks/{child['id']}")).json()
    assert fetched["parent_id"] == root["id"]
    assert fetched["version"] == 1

    # Dropping the requirement in the same change lets the network become a root.
    response = await client.patch(
        f"/v1/networks/{child['id']}",
        json={"parent_id": None, "requires_parent_membership": False},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] is None


async def test_administrator_must_be_a_known_association(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    response = await client.post(
        "/v1/networks",
        json={
            "slug": "a",
            "name": "A",
            "visibility": "open",
            "administered_by_id": company["id"],
        },
    )
    problem = assert_problem(response, 422, "administered_by_not_association")
    assert problem["errors"][0]["field"] == "body.administered_by_id"

    response = await client.post(
        "/v1/networks",
        json={"slug": "a", "name": "A", "visibility": "open", "administered_by_id": UNKNOWN_ID},
    )
    assert_problem(response, 422, "unknown_organisation")
    assert await _network_ids(client) == []

    network = await create_network(client)
    response = await client.patch(
        f"/v1/networks/{network['id']}",
        json={"administered_by_id": company["id"]},
        headers={"If-Match": '"1"'},
    )
    assert_problem(response, 422, "administered_by_not_association")
    assert (await client.get(f"/v1/networks/{network['id']}")).json()["version"] == 1


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        ("planned", "active", True),
        ("planned", "archived", True),
        ("active", "archived", True),
        ("archived", "active", True),
        ("active", "active", True),
        ("active", "planned", False),
        ("archived", "planned", False),
    ],
)
async def test_status_transitions(
    client: httpx.AsyncClient, current: str, wanted: str, allowed: bool
) -> None:
    network = await create_network(client, status=current)
    response = await client.patch(
        f"/v1/networks/{network['id']}", json={"status": wanted}, headers={"If-Match": '"1"'}
    )
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == wanted
    else:
        assert_problem(response, 409, "invalid_status_transition")
        assert (await client.get(f"/v1/networks/{network['id']}")).json()["status"] == current


async def test_patch_requires_current_etag(client: httpx.AsyncClient) -> None:
    network = await create_network(client, name="Before")
    url = f"/v1/networks/{network['id']}"
    assert_problem(await client.patch(url, json={"name": "After"}), 428, "if_match_required")
    stale = await client.patch(url, json={"name": "After"}, headers={"If-Match": '"9"'})
    assert_problem(stale, 412, "etag_mismatch")
    assert (await client.get(url)).json()["name"] == "Before"

    ok = await client.patch(
        url,
        json={"name": "After", "description": "Meets four times a year."},
        headers={"If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"'
    assert ok.json()["name"] == "After"
    assert ok.json()["description"] == "Meets four times a year."
    assert ok.json()["slug"] == network["slug"]


async def test_patch_refuses_null_for_required_field(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    response = await client.patch(
        f"/v1/networks/{network['id']}", json={"name": None}, headers={"If-Match": '"1"'}
    )
    assert_problem(response, 422, "validation_failed")


async def test_unknown_network_is_a_problem(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get(f"/v1/networks/{UNKNOWN_ID}"),
        await client.patch(f"/v1/networks/{UNKNOWN_ID}", json={}, headers={"If-Match": "*"}),
        await client.delete(f"/v1/networks/{UNKNOWN_ID}"),
        await client.get(f"/v1/networks/{UNKNOWN_ID}/stats"),
    ):
        assert_problem(response, 404, "network_not_found")


async def test_delete_unused_network(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    assert (await client.delete(f"/v1/networks/{network['id']}")).status_code == 204
    assert (await client.get(f"/v1/networks/{network['id']}")).status_code == 404


async def test_network_in_use_cannot_be_deleted(client: httpx.AsyncClient) -> None:
    with_child = await create_network(client)
    await create_network(client, parent_id=with_child["id"])
    with_member = await create_network(client)
    company = await create_company(client)
    await create_membership(client, organisation_id=company["id"], network_id=with_member["id"])
    with_office = await create_network(client)
    person = await create_person(client)
    response = await client.post(
        f"/v1/networks/{with_office['id']}/offices",
        json={"person_id": person["id"], "office": "board_member", "starts_on": "2026-01-01"},
    )
    assert response.status_code == 201, response.text
    with_meeting = await create_network(client)
    await create_meeting(client, with_meeting["id"])

    for network in (with_child, with_member, with_office, with_meeting):
        response = await client.delete(f"/v1/networks/{network['id']}")
        assert_problem(response, 409, "network_in_use")
        assert (await client.get(f"/v1/networks/{network['id']}")).status_code == 200


async def test_create_is_idempotent_with_key(client: httpx.AsyncClient) -> None:
    body = {"slug": "gic", "name": "GIC", "visibility": "open"}
    headers = {"Idempotency-Key": "create-gic"}
    first = await client.post("/v1/networks", json=body, headers=headers)
    again = await client.post("/v1/networks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert await _network_ids(client) == [first.json()["id"]]
