"""`/v1/calendar-tokens`: made by signed-in users and API keys, shown once, listed
without the secret, revoked; who may make which feed."""

import hashlib
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.calendars.models import CalendarToken
from app.db import create_sessionmaker
from tests.calendars.helpers import (
    add_member,
    closed_network,
    feed_path,
    make_token,
    open_network,
)
from tests.callers import api_key_headers, user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def test_create_shows_the_token_once_and_stores_only_its_hash(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    response = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": network_id, "label": "  My phone "},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/calendar-tokens/{created['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["etag"] == f'"{created["version"]}"'
    secret = created["token"]
    assert len(secret) >= 43
    assert created["kind"] == "network"
    assert created["network_id"] == network_id
    assert created["person_id"] is None
    assert created["label"] == "My phone"
    assert created["prefix"] == secret[:8]
    assert created["revoked_at"] is None
    assert created["last_used_at"] is None
    assert created["feed_url"] == f"http://klynge.test/v1/calendar-feeds/{secret}.ics"
    assert feed_path(created)

    async with create_sessionmaker(engine)() as session:
        row = await session.scalar(
            select(CalendarToken).where(CalendarToken.id == uuid.UUID(created["id"]))
        )
    assert row is not None
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.token_hash, row.prefix, row.label)
    assert row.api_key_id is not None  # the admin key of `client` owns it
    assert row.user_id is None

    # Never again: not in the list, not in the token's own answer.
    listed = await client.get("/v1/calendar-tokens")
    one = await client.get(f"/v1/calendar-tokens/{created['id']}")
    for answer in (listed, one):
        assert answer.status_code == 200
        assert secret not in answer.text
        assert "feed_url" not in answer.text
        assert '"token"' not in answer.text
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    assert one.json()["prefix"] == created["prefix"]


async def test_feed_url_uses_the_public_url_when_set(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    network_id = await open_network(client)
    settings = application.state.settings
    original = settings.public_url
    settings.public_url = "https://klynge.example.no/"
    try:
        created = await make_token(client, kind="network", network_id=network_id)
    finally:
        settings.public_url = original
    assert created["feed_url"] == (
        f"https://klynge.example.no/v1/calendar-feeds/{created['token']}.ics"
    )


async def test_a_retry_with_the_same_key_does_not_show_the_token_again(
    client: httpx.AsyncClient,
) -> None:
    network_id = await open_network(client)
    body = {"kind": "network", "network_id": network_id}
    headers = {"Idempotency-Key": "feed-1"}
    first = await client.post("/v1/calendar-tokens", json=body, headers=headers)
    again = await client.post("/v1/calendar-tokens", json=body, headers=headers)
    assert first.status_code == 201
    problem = assert_problem(again, 409, "calendar_token_already_created")
    assert problem["calendar_token_id"] == first.json()["id"]
    assert first.json()["token"] not in again.text
    assert len((await fetch(client, "/v1/calendar-tokens"))["items"]) == 1


async def test_anonymous_callers_have_no_tokens(client: httpx.AsyncClient) -> None:
    network_id = await open_network(client)
    token = await make_token(client, kind="network", network_id=network_id)
    admin = {"Authorization": client.headers.pop("Authorization")}
    created = await client.post(
        "/v1/calendar-tokens", json={"kind": "network", "network_id": network_id}
    )
    assert_problem(created, 401, "authentication_required")
    for path in ("/v1/calendar-tokens", f"/v1/calendar-tokens/{token['id']}"):
        assert_problem(await client.get(path), 401, "authentication_required")
    deleted = await client.delete(f"/v1/calendar-tokens/{token['id']}")
    assert_problem(deleted, 401, "authentication_required")
    listed = await client.get("/v1/calendar-tokens", headers=admin)
    assert [item["revoked_at"] for item in listed.json()["items"]] == [None]


async def test_read_only_keys_make_no_tokens(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    for scope in (ApiKeyScope.READ, ApiKeyScope.PUBLIC):
        response = await client.post(
            "/v1/calendar-tokens",
            json={"kind": "network", "network_id": network_id},
            headers=await api_key_headers(engine, scope),
        )
        assert_problem(response, 403, "read_only_credentials")
    assert (await fetch(client, "/v1/calendar-tokens"))["items"] == []


async def test_a_network_feed_needs_a_network_the_caller_may_see(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    closed = await closed_network(client)
    outsider = await user_headers(application)
    hidden = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": closed},
        headers=outsider,
    )
    unknown = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": UNKNOWN_ID},
        headers=outsider,
    )
    assert_problem(hidden, 404, "network_not_found")
    assert hidden.json() == unknown.json()
    assert closed not in hidden.text
    # A member of the closed network may.
    member = await add_member(client, application, closed)
    made = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": closed},
        headers=member.headers,
    )
    assert made.status_code == 201, made.text
    assert (await fetch(client, "/v1/calendar-tokens"))["items"][0]["id"] == made.json()["id"]


async def test_a_person_feed_only_for_ones_own_person(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    network_id = await open_network(client)
    member = await add_member(client, application, network_id)
    someone = (await create_person(client))["id"]

    other = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": someone},
        headers=member.headers,
    )
    assert_problem(other, 403, "not_your_calendar")
    unknown = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": UNKNOWN_ID},
        headers=member.headers,
    )
    assert_problem(unknown, 403, "not_your_calendar")
    # A user with no person in the registry has no person feed either.
    nobody = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": someone},
        headers=await user_headers(application),
    )
    assert_problem(nobody, 403, "not_your_calendar")

    own = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": member.person_id},
        headers=member.headers,
    )
    assert own.status_code == 201, own.text
    assert own.json()["person_id"] == member.person_id
    # Admins may make anyone's; an unknown person is a field error.
    assert (await make_token(client, kind="person", person_id=someone))["person_id"] == someone
    assert_problem(
        await client.post("/v1/calendar-tokens", json={"kind": "person", "person_id": UNKNOWN_ID}),
        422,
        "unknown_person",
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"kind": "network"}, "feed_target_missing", "body.network_id"),
        ({"kind": "person"}, "feed_target_missing", "body.person_id"),
        (
            {"kind": "person", "person_id": UNKNOWN_ID, "network_id": UNKNOWN_ID},
            "feed_target_mismatch",
            "body.network_id",
        ),
        (
            {"kind": "network", "network_id": UNKNOWN_ID, "person_id": UNKNOWN_ID},
            "feed_target_mismatch",
            "body.person_id",
        ),
        ({"kind": "company", "network_id": UNKNOWN_ID}, "validation_failed", "body.kind"),
        ({"kind": "network", "network_id": "x"}, "validation_failed", "body.network_id"),
        (
            {"kind": "network", "network_id": UNKNOWN_ID, "token": "mine"},
            "validation_failed",
            "body.token",
        ),
        (
            {"kind": "network", "network_id": UNKNOWN_ID, "label": "x" * 201},
            "validation_failed",
            "body.label",
        ),
    ],
)
async def test_bad_bodies_are_refused_and_make_nothing(
    client: httpx.AsyncClient, body: dict[str, str], code: str, field: str
) -> None:
    problem = assert_problem(await client.post("/v1/calendar-tokens", json=body), 422, code)
    assert field in [error["field"] for error in problem["errors"]]
    assert (await fetch(client, "/v1/calendar-tokens"))["items"] == []


async def test_users_see_and_revoke_only_their_own_tokens(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    network_id = await open_network(client)
    kari = await add_member(client, application, network_id)
    ola = await add_member(client, application, network_id)
    karis = [
        await make_token_as(client, kari.headers, network_id, label=f"device {n}") for n in range(3)
    ]
    olas = await make_token_as(client, ola.headers, network_id)

    listed = await client.get("/v1/calendar-tokens", headers=kari.headers)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [t["id"] for t in reversed(karis)]
    hidden = await client.get(f"/v1/calendar-tokens/{olas['id']}", headers=kari.headers)
    unknown = await client.get(f"/v1/calendar-tokens/{UNKNOWN_ID}", headers=kari.headers)
    assert_problem(hidden, 404, "calendar_token_not_found")
    assert hidden.json() == unknown.json()
    refused = await client.delete(f"/v1/calendar-tokens/{olas['id']}", headers=kari.headers)
    assert_problem(refused, 404, "calendar_token_not_found")
    assert (await fetch(client, f"/v1/calendar-tokens/{olas['id']}"))["revoked_at"] is None

    # Admins see everyone's.
    everyone = await fetch(client, "/v1/calendar-tokens?limit=200")
    assert {item["id"] for item in everyone["items"]} == {t["id"] for t in [*karis, olas]}


async def make_token_as(
    client: httpx.AsyncClient, headers: dict[str, str], network_id: str, **body: str
) -> dict[str, str]:
    response = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": network_id, **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    result: dict[str, str] = response.json()
    return result


async def test_revoke_keeps_the_token_listed_and_closes_the_feed(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    network_id = await open_network(client)
    member = await add_member(client, application, network_id)
    token = await make_token_as(client, member.headers, network_id)
    assert (await client.get(feed_path(token))).status_code == 200

    revoked = await client.delete(f"/v1/calendar-tokens/{token['id']}", headers=member.headers)
    assert revoked.status_code == 204
    assert revoked.content == b""
    shown = await fetch(client, f"/v1/calendar-tokens/{token['id']}")
    assert shown["revoked_at"] is not None
    assert shown["version"] > token["version"]  # type: ignore[operator]
    assert_problem(await client.get(feed_path(token)), 404, "calendar_feed_not_found")

    again = await client.delete(f"/v1/calendar-tokens/{token['id']}", headers=member.headers)
    assert again.status_code == 204
    assert (await fetch(client, f"/v1/calendar-tokens/{token['id']}"))["revoked_at"] == shown[
        "revoked_at"
    ]
    listed = await client.get(
        "/v1/calendar-tokens", params={"revoked": "true"}, headers=member.headers
    )
    assert [item["id"] for item in listed.json()["items"]] == [token["id"]]
    active = await client.get(
        "/v1/calendar-tokens", params={"revoked": "false"}, headers=member.headers
    )
    assert active.json()["items"] == []


async def test_admins_revoke_anyones_token(client: httpx.AsyncClient, application: FastAPI) -> None:
    network_id = await open_network(client)
    member = await add_member(client, application, network_id)
    token = await make_token_as(client, member.headers, network_id)
    admin = await user_headers(application, is_admin=True)
    revoked = await client.delete(f"/v1/calendar-tokens/{token['id']}", headers=admin)
    assert revoked.status_code == 204
    assert (await fetch(client, f"/v1/calendar-tokens/{token['id']}"))["revoked_at"] is not None
    assert_problem(
        await client.delete(f"/v1/calendar-tokens/{UNKNOWN_ID}"), 404, "calendar_token_not_found"
    )


async def test_the_list_pages_and_filters_by_kind(
    client: httpx.AsyncClient,
) -> None:
    network_id = await open_network(client)
    person_id = (await create_person(client))["id"]
    made = [await make_token(client, kind="network", network_id=network_id) for _ in range(3)]
    personal = await make_token(client, kind="person", person_id=person_id)

    first = await client.get("/v1/calendar-tokens", params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [item["id"] for item in page["items"]] == [personal["id"], made[2]["id"]]
    assert page["next_cursor"]
    second = await fetch(client, f"/v1/calendar-tokens?limit=2&cursor={page['next_cursor']}")
    assert [item["id"] for item in second["items"]] == [made[1]["id"], made[0]["id"]]
    assert second["next_cursor"] is None

    oldest_first = await fetch(client, "/v1/calendar-tokens?sort=created_at&kind=network")
    assert [item["id"] for item in oldest_first["items"]] == [t["id"] for t in made]
    people = await fetch(client, "/v1/calendar-tokens?kind=person")
    assert [item["id"] for item in people["items"]] == [personal["id"]]
    assert_problem(await client.get("/v1/calendar-tokens?sort=label"), 422, "validation_failed")
    assert_problem(await client.get("/v1/calendar-tokens?cursor=nonsense"), 400, "invalid_cursor")
