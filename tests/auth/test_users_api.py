"""/v1/users: the secretariat's, and nobody else's."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.credentials import verify_password
from app.auth.models import ApiKeyScope, SignInSession, User
from app.idempotency.models import IdempotencyRecord
from tests.audit.helpers import audit_events
from tests.auth.helpers import bearer, make_sign_in, make_user, rows, tokens
from tests.callers import api_key_headers, user_headers
from tests.factories import create_network, create_person
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, next_link, patch_current

pytestmark = pytest.mark.usefixtures("backend")

NEW_PASSWORD = "a brand new passphrase"


async def test_create_get_list_and_change_a_user(client: httpx.AsyncClient) -> None:
    person = await create_person(client)

    created = await client.post(
        "/v1/users",
        json={"email": "Ola@Example.com", "password": NEW_PASSWORD, "person_id": person["id"]},
    )

    assert created.status_code == 201, created.text
    user = created.json()
    assert created.headers["location"] == f"/v1/users/{user['id']}"
    assert created.headers["etag"] == '"1"'
    assert user["email"] == "ola@example.com"
    assert user["person_id"] == person["id"]
    assert user["is_admin"] is False
    assert user["disabled_at"] is None
    assert "password" not in created.text
    assert await fetch(client, f"/v1/users/{user['id']}") == user

    changed = await patch_current(client, f"/v1/users/{user['id']}", is_admin=True, person_id=None)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["is_admin"], changed.json()["person_id"]) == (True, None)
    assert changed.headers["etag"] == '"2"'

    page = await fetch(client, "/v1/users?q=OLA&is_admin=true")
    assert [item["id"] for item in page["items"]] == [user["id"]]
    assert (await fetch(client, "/v1/users?is_admin=false"))["items"] == []
    assert "password" not in str(page)


async def test_user_rules(client: httpx.AsyncClient) -> None:
    body = {"email": "taken@example.com", "password": NEW_PASSWORD}
    assert (await client.post("/v1/users", json=body)).status_code == 201

    assert_problem(await client.post("/v1/users", json=body), 409, "email_taken")
    unknown_person = await client.post(
        "/v1/users", json={**body, "email": "x@example.com", "person_id": UNKNOWN_ID}
    )
    problem = assert_problem(unknown_person, 422, "unknown_person")
    assert problem["errors"] == [{"field": "body.person_id", "message": "No person has this id."}]
    short = await client.post(
        "/v1/users", json={**body, "email": "y@example.com", "password": "short"}
    )
    problem = assert_problem(short, 422, "validation_failed")
    assert problem["errors"][0]["field"] == "body.password"
    assert "short" not in short.text.replace("at least", "")  # the input is never echoed
    assert_problem(await client.get(f"/v1/users/{UNKNOWN_ID}"), 404, "user_not_found")
    other = (await client.post("/v1/users", json={**body, "email": "other@example.com"})).json()
    clash = await patch_current(client, f"/v1/users/{other['id']}", email="taken@example.com")
    assert_problem(clash, 409, "email_taken")
    nulled = await patch_current(client, f"/v1/users/{other['id']}", is_admin=None)
    assert_problem(nulled, 422, "validation_failed")
    stale = await client.patch(
        f"/v1/users/{other['id']}", json={"is_admin": True}, headers={"If-Match": '"9"'}
    )
    assert_problem(stale, 412, "etag_mismatch")
    assert_problem(
        await client.patch(f"/v1/users/{other['id']}", json={"is_admin": True}),
        428,
        "if_match_required",
    )


async def test_disabling_or_a_new_password_ends_the_users_sign_ins(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    access, _ = await make_sign_in(application, user.id)
    url = f"/v1/users/{user.id}"

    disabled = await patch_current(client, url, disabled=True)

    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled_at"] is not None
    sign_ins = await rows(engine, SignInSession)
    assert sign_ins
    assert all(s.revoked_at is not None for s in sign_ins)
    client_headers = dict(client.headers)
    client.headers.pop("Authorization")
    assert_problem(await client.get("/v1/users/me", headers=bearer(access)), 401, "token_revoked")
    assert_problem(
        await client.post(
            "/v1/auth/token", data={"username": user.email, "password": user.password}
        ),
        401,
        "user_disabled",
    )
    client.headers.update(client_headers)
    assert (await fetch(client, "/v1/users?disabled=true"))["items"][0]["id"] == str(user.id)

    enabled = await patch_current(client, url, disabled=False, password=NEW_PASSWORD)
    assert enabled.json()["disabled_at"] is None
    [stored] = await rows(engine, User, User.id == user.id)
    assert verify_password(NEW_PASSWORD, stored.password_hash)
    assert NEW_PASSWORD not in stored.password_hash


@pytest.mark.parametrize("change", [{"disabled": True}, {"is_admin": False}])
async def test_disabling_or_demoting_an_admin_revokes_the_api_keys_they_made(
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    application: FastAPI,
    change: dict[str, bool],
) -> None:
    """A key acts as the secretariat whoever holds it, and its maker saw it whole: it
    must not outlive its maker's rights."""
    admin = await user_headers(application, is_admin=True)
    admin_id = (await anonymous_client.get("/v1/users/me", headers=admin)).json()["id"]
    colleague = await user_headers(application, is_admin=True)

    async def make_key(headers: dict[str, str], name: str) -> dict[str, str]:
        response = await anonymous_client.post(
            "/v1/api-keys", json={"name": name, "scopes": ["read"]}, headers=headers
        )
        assert response.status_code == 201, response.text
        made: dict[str, str] = response.json()
        return made

    theirs = [await make_key(admin, "Export"), await make_key(admin, "Website")]
    # (`client` and `anonymous_client` are one client: it sends the write key by default.)
    kept = [await make_key(colleague, "Colleague's"), await make_key({}, "Script")]

    changed = await patch_current(client, f"/v1/users/{admin_id}", **change)

    assert changed.status_code == 200, changed.text
    for made in theirs:
        stored = await fetch(client, f"/v1/api-keys/{made['id']}")
        assert stored["revoked_at"] is not None
        used = await anonymous_client.get("/v1/networks", headers=bearer(made["key"]))
        assert_problem(used, 401, "api_key_revoked")
        # The trail says who revoked it: the caller who changed the user.
        [revoked] = await audit_events(client, resource_id=made["id"], action="update")
        assert revoked["actor_type"] == "api_key"
        assert revoked["after"]["revoked_at"] is not None
    for made in kept:
        assert (await fetch(client, f"/v1/api-keys/{made['id']}"))["revoked_at"] is None
        used = await anonymous_client.get("/v1/networks", headers=bearer(made["key"]))
        assert used.status_code == 200, used.text
    # Given their rights back, they get no key back: they make new ones.
    undo = {field: not value for field, value in change.items()}
    assert (await patch_current(client, f"/v1/users/{admin_id}", **undo)).status_code == 200
    for made in theirs:
        assert (await fetch(client, f"/v1/api-keys/{made['id']}"))["revoked_at"] is not None


async def test_only_the_secretariat_sees_or_changes_users(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    target = await make_user(engine)
    member = await user_headers(application)
    read_key = await api_key_headers(engine, ApiKeyScope.READ)
    public_key = await api_key_headers(engine, ApiKeyScope.PUBLIC)
    admin_user = await user_headers(application, is_admin=True)
    body = {"email": "new@example.com", "password": NEW_PASSWORD}
    url = f"/v1/users/{target.id}"

    for headers, status in ((member, 403), (public_key, 403), ({}, 401)):
        for path in ("/v1/users", url, f"{url}/coordinated-networks"):
            response = await anonymous_client.get(path, headers=headers)
            assert response.status_code == status, (path, response.text)
        assert (
            await anonymous_client.post("/v1/users", json=body, headers=headers)
        ).status_code == status
        patched = await anonymous_client.patch(
            url, json={"is_admin": True}, headers={**headers, "If-Match": "*"}
        )
        assert patched.status_code == status, patched.text

    # A read key sees everything and changes nothing.
    assert (await anonymous_client.get(url, headers=read_key)).status_code == 200
    refused = await anonymous_client.post("/v1/users", json=body, headers=read_key)
    assert_problem(refused, 403, "read_only_credentials")
    # An admin user is the secretariat too.
    made = await anonymous_client.post("/v1/users", json=body, headers=admin_user)
    assert made.status_code == 201, made.text
    [stored] = await rows(engine, User, User.id == target.id)
    assert stored.is_admin is False


async def test_users_list_is_keyset_paginated_in_fixed_queries(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: object
) -> None:
    for n in range(5):
        await make_user(engine, email=f"user-{n}@example.com")

    first = await client.get("/v1/users?limit=2&sort=-email")
    assert [u["email"] for u in first.json()["items"]] == [
        "user-4@example.com",
        "user-3@example.com",
    ]
    link = next_link(first)
    assert link is not None
    rest = await client.get(link)
    assert [u["email"] for u in rest.json()["items"]] == [
        "user-2@example.com",
        "user-1@example.com",
    ]

    for n in range(5, 50):
        await make_user(engine, email=f"user-{n}@example.com")
    with count_queries() as one:  # type: ignore[operator]
        one_page = await client.get("/v1/users?limit=1")
    with count_queries() as many:  # type: ignore[operator]
        many_page = await client.get("/v1/users?limit=50")
    assert (one_page.status_code, many_page.status_code) == (200, 200)
    assert (len(one_page.json()["items"]), len(many_page.json()["items"])) == (1, 50)
    assert many.count == one.count


async def test_creating_a_user_is_idempotent_without_keeping_the_password(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    body = {"email": "retry@example.com", "password": NEW_PASSWORD}
    headers = {"Idempotency-Key": "create-retry-user"}

    first = await client.post("/v1/users", json=body, headers=headers)
    replay = await client.post("/v1/users", json=body, headers=headers)
    other = await client.post(
        "/v1/users", json={**body, "password": "another long password"}, headers=headers
    )

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotency-replayed"] == "true"
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(await rows(engine, User)) == 1
    [record] = await rows(engine, IdempotencyRecord)
    assert NEW_PASSWORD.encode() not in record.response_body


async def test_coordinated_networks(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    user = await make_user(engine)
    network = await create_network(client)
    url = f"/v1/users/{user.id}/coordinated-networks"

    added = await client.post(url, json={"network_id": network["id"]})

    assert added.status_code == 201, added.text
    assert added.json() == {"network_id": network["id"], "name": network["name"]}
    listed = await fetch(client, url)
    assert listed == {"items": [added.json()], "next_cursor": None}
    assert_problem(
        await client.post(url, json={"network_id": network["id"]}), 409, "already_coordinator"
    )
    assert_problem(await client.post(url, json={"network_id": UNKNOWN_ID}), 422, "unknown_network")
    unknown_user = f"/v1/users/{UNKNOWN_ID}/coordinated-networks"
    assert_problem(
        await client.post(unknown_user, json={"network_id": network["id"]}), 404, "user_not_found"
    )

    removed = await client.delete(f"{url}/{network['id']}")
    assert removed.status_code == 204
    assert (await fetch(client, url))["items"] == []
    assert_problem(
        await client.delete(f"{url}/{network['id']}"), 404, "coordinated_network_not_found"
    )


async def test_a_coordinator_sees_their_networks_on_me(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    network = await create_network(client)
    await client.post(
        f"/v1/users/{user.id}/coordinated-networks", json={"network_id": network["id"]}
    )
    client.headers.pop("Authorization")

    access = (await tokens(anonymous_client, user.email))["access_token"]
    me = await anonymous_client.get("/v1/users/me", headers=bearer(access))

    assert me.status_code == 200, me.text
    assert me.json()["coordinated_network_ids"] == [network["id"]]
    assert me.headers["etag"] == '"1"'
