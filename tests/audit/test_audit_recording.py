"""Every change is recorded in its own transaction: who, when, what, before and after."""

import uuid
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope, User
from app.calendars.models import CalendarToken
from app.companies.models import Organisation
from app.db import create_sessionmaker, utcnow
from tests.audit.helpers import audit_events, created_id
from tests.callers import api_key_headers, user_headers
from tests.factories import company_body, create_company, create_network, create_person
from tests.helpers import assert_problem, fetch, patch_current

pytestmark = pytest.mark.usefixtures("backend")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


# Columns the API never sets but the row has: the whole row is recorded on create.
_ENTITY_COLUMNS = {"id", "created_at", "updated_at"}


async def test_create_update_delete_of_a_company_are_recorded(client: httpx.AsyncClient) -> None:
    key_id = await created_id(client, "api_keys")
    company = await create_company(client, employees=120)
    url = f"/v1/companies/{company['id']}"
    assert (await patch_current(client, url, employees=135, notes="Grew")).status_code == 200
    assert (await client.delete(url)).status_code == 204

    deleted, updated, created = await audit_events(
        client, resource_type="organisations", resource_id=company["id"]
    )
    assert [created["action"], updated["action"], deleted["action"]] == [
        "create",
        "update",
        "delete",
    ]
    for event in (created, updated, deleted):
        assert (event["actor_type"], event["actor_id"]) == ("api_key", key_id)
    assert created["occurred_at"] < updated["occurred_at"] < deleted["occurred_at"]

    assert created["before"] is None
    after = created["after"]
    assert after["id"] == company["id"]
    assert after["legal_name"] == company["legal_name"]
    assert after["organisation_number"] == company["organisation_number"]
    assert (after["kind"], after["country"], after["language"]) == ("company", "NO", "nb")
    assert (after["employees"], after["notes"], after["archived_at"]) == (120, None, None)
    # The stored values, not the values before the flush filled them in.
    assert _instant(after["created_at"]) == _instant(company["created_at"])
    assert _instant(after["updated_at"]) == _instant(company["updated_at"])
    assert "version" not in after
    assert after.keys() >= _ENTITY_COLUMNS

    # Only what changed, without the bookkeeping columns updated_at and version.
    assert updated["before"] == {"employees": 120, "notes": None}
    assert updated["after"] == {"employees": 135, "notes": "Grew"}

    # The whole row as it was when deleted.
    assert deleted["after"] is None
    assert deleted["before"]["employees"] == 135
    assert deleted["before"]["version"] == 2
    assert deleted["before"]["legal_name"] == company["legal_name"]


async def test_a_users_changes_are_recorded_as_the_users(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    headers = await user_headers(application, is_admin=True)
    user_id = await created_id(client, "users")
    response = await client.post("/v1/companies", json=company_body(), headers=headers)
    assert response.status_code == 201, response.text

    (event,) = await audit_events(client, resource_type="organisations")
    assert (event["actor_type"], event["actor_id"], event["action"]) == ("user", user_id, "create")
    assert (await audit_events(client, actor_id=user_id)) == [event]


async def test_failed_requests_record_nothing(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    url = f"/v1/companies/{company['id']}"
    before = await audit_events(client)

    invalid = await client.post("/v1/companies", json=company_body(organisation_number="923609017"))
    assert_problem(invalid, 422, "invalid_organisation_number")
    taken = await client.post(
        "/v1/companies", json=company_body(organisation_number=company["organisation_number"])
    )
    assert_problem(taken, 409, "organisation_number_taken")
    stale = await client.patch(url, json={"employees": 1}, headers={"If-Match": '"7"'})
    assert_problem(stale, 412, "etag_mismatch")

    assert await audit_events(client) == before


async def test_an_update_that_changes_nothing_is_not_recorded(client: httpx.AsyncClient) -> None:
    company = await create_company(client, employees=10)
    url = f"/v1/companies/{company['id']}"
    assert (await patch_current(client, url, employees=10)).status_code == 200
    assert (await fetch(client, url))["version"] == company["version"]
    events = await audit_events(client, resource_type="organisations")
    assert [event["action"] for event in events] == ["create"]


async def test_only_bookkeeping_columns_changed_is_not_recorded(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    company = await create_company(client)
    async with create_sessionmaker(engine).begin() as session:
        organisation = await session.get_one(Organisation, uuid.UUID(company["id"]))
        organisation.updated_at = utcnow()
    assert (await fetch(client, f"/v1/companies/{company['id']}"))["version"] == 2
    events = await audit_events(client, resource_type="organisations")
    assert [event["action"] for event in events] == ["create"]


async def test_changes_without_a_caller_are_the_systems(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    company = await create_company(client)
    async with create_sessionmaker(engine).begin() as session:
        organisation = await session.get_one(Organisation, uuid.UUID(company["id"]))
        organisation.display_name = "Renamed by a script"
    latest = (await audit_events(client, resource_type="organisations"))[0]
    assert (latest["actor_type"], latest["actor_id"], latest["action"]) == (
        "system",
        None,
        "update",
    )
    assert latest["after"] == {"display_name": "Renamed by a script"}


async def test_secrets_are_never_recorded(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    await user_headers(application)
    await api_key_headers(engine, ApiKeyScope.READ)
    async with create_sessionmaker(engine).begin() as session:
        user = await session.scalar(select(User))
        assert user is not None
        stored_hash = user.password_hash
        user.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$bmV3aGFzaA"
    new_hash = user.password_hash

    (user_update, user_create) = await audit_events(client, resource_type="users")
    assert user_create["after"]["password_hash"] == "***"
    assert user_update["before"] == {"password_hash": "***"}
    assert user_update["after"] == {"password_hash": "***"}
    key_events = await audit_events(client, resource_type="api_keys")
    assert key_events
    for key_event in key_events:
        assert key_event["after"]["secret_hash"] == "***"
        assert key_event["after"]["prefix"].startswith("klk_")

    trail = (await client.get("/v1/audit-events", params={"limit": 200})).text
    assert stored_hash not in trail
    assert new_hash not in trail
    assert "argon2" not in trail


async def test_rows_replaced_through_a_collection_are_recorded(
    client: httpx.AsyncClient,
) -> None:
    first, second = await create_company(client), await create_company(client)
    person = await create_person(
        client, affiliations=[{"organisation_id": first["id"], "position": "ceo"}]
    )
    url = f"/v1/people/{person['id']}"
    response = await patch_current(
        client, url, affiliations=[{"organisation_id": second["id"], "position": "other"}]
    )
    assert response.status_code == 200, response.text

    removed, added, initial = await audit_events(client, resource_type="affiliations")
    # A child added to a new parent's collection carries the parent's id.
    assert initial["action"] == "create"
    assert initial["after"]["person_id"] == person["id"]
    assert initial["after"]["organisation_id"] == first["id"]
    # A stored child dropped from a delete-orphan collection is a delete.
    assert {added["action"], removed["action"]} == {"create", "delete"}
    if added["action"] == "delete":
        added, removed = removed, added
    assert added["after"]["person_id"] == person["id"]
    assert added["after"]["organisation_id"] == second["id"]
    assert removed["resource_id"] == initial["resource_id"]
    assert removed["before"]["organisation_id"] == first["id"]
    assert removed["before"]["position"] == "ceo"


async def test_calendar_feed_token_hashes_are_never_recorded(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = await create_network(client)
    response = await client.post(
        "/v1/calendar-tokens", json={"kind": "network", "network_id": network["id"]}
    )
    assert response.status_code == 201, response.text
    async with create_sessionmaker(engine)() as session:
        stored_hash = await session.scalar(select(CalendarToken.token_hash))
    assert stored_hash

    (event,) = await audit_events(client, resource_type="calendar_tokens")
    assert event["after"]["token_hash"] == "***"
    trail = (await client.get("/v1/audit-events", params={"limit": 200})).text
    assert stored_hash not in trail
    assert response.json()["token"] not in trail
