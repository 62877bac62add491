"""/v1/users/me: a user reads themselves and changes their password, nothing else."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.credentials import verify_password
from app.auth.models import SignInFailure, User
from tests.auth.helpers import PASSWORD, bearer, make_user, rows, sign_in, tokens
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

NEW_PASSWORD = "a brand new passphrase"


async def _me(client: httpx.AsyncClient, access: str) -> httpx.Response:
    return await client.get("/v1/users/me", headers=bearer(access))


async def _patch_me(client: httpx.AsyncClient, access: str, body: object) -> httpx.Response:
    etag = (await _me(client, access)).headers["etag"]
    return await client.patch(
        "/v1/users/me", json=body, headers={**bearer(access), "If-Match": etag}
    )


async def test_a_user_changes_their_password(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    mine = await tokens(anonymous_client, user.email)
    elsewhere = await tokens(anonymous_client, user.email)

    response = await _patch_me(
        anonymous_client,
        mine["access_token"],
        {"current_password": PASSWORD, "password": NEW_PASSWORD},
    )

    assert response.status_code == 200, response.text
    assert "password" not in response.text
    assert response.json()["coordinated_network_ids"] == []
    assert_problem(await sign_in(anonymous_client, user.email), 401, "invalid_credentials")
    await tokens(anonymous_client, user.email, NEW_PASSWORD)
    # This sign-in goes on; the one elsewhere (the old password's) has ended.
    assert (await _me(anonymous_client, mine["access_token"])).status_code == 200
    assert_problem(await _me(anonymous_client, elsewhere["access_token"]), 401, "token_revoked")


async def test_the_current_password_is_required_and_checked(
    anonymous_client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_account", 2)
    user = await make_user(engine)
    access = (await tokens(anonymous_client, user.email))["access_token"]

    missing = await _patch_me(anonymous_client, access, {"password": NEW_PASSWORD})
    problem = assert_problem(missing, 422, "current_password_required")
    assert problem["errors"][0]["field"] == "body.current_password"
    wrong = await _patch_me(
        anonymous_client, access, {"current_password": "not my password", "password": NEW_PASSWORD}
    )
    problem = assert_problem(wrong, 422, "wrong_password")
    assert problem["errors"][0]["field"] == "body.current_password"
    too_short = await _patch_me(
        anonymous_client, access, {"current_password": PASSWORD, "password": "short"}
    )
    assert_problem(too_short, 422, "validation_failed")

    # A wrong current password counts like a wrong sign-in: a stolen token is no way to
    # guess the password.
    assert len(await rows(engine, SignInFailure)) == 1
    await _patch_me(
        anonymous_client, access, {"current_password": "guess", "password": NEW_PASSWORD}
    )
    limited = await _patch_me(
        anonymous_client, access, {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert_problem(limited, 429, "too_many_sign_in_attempts")
    [stored] = await rows(engine, User, User.id == user.id)
    assert verify_password(PASSWORD, stored.password_hash)


async def test_a_member_cannot_raise_their_own_rights(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    access = (await tokens(anonymous_client, user.email))["access_token"]

    for body, refused in (
        ({"is_admin": True}, ["is_admin"]),
        ({"email": "boss@example.com", "person_id": None}, ["email", "person_id"]),
        ({"disabled": False, "current_password": PASSWORD, "password": NEW_PASSWORD}, ["disabled"]),
        ({"is_admin": "yes please"}, ["is_admin"]),
    ):
        response = await _patch_me(anonymous_client, access, body)
        problem = assert_problem(response, 403, "field_not_allowed")
        assert problem["fields"] == refused

    [stored] = await rows(engine, User, User.id == user.id)
    assert (stored.is_admin, stored.email, stored.version) == (False, user.email, 1)
    assert verify_password(PASSWORD, stored.password_hash)
    # The admin-only route refuses the member as well.
    patched = await anonymous_client.patch(
        f"/v1/users/{user.id}", json={"is_admin": True}, headers={**bearer(access), "If-Match": "*"}
    )
    assert_problem(patched, 403, "forbidden")


async def test_me_needs_a_signed_in_user(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    assert_problem(await client.get("/v1/users/me"), 403, "user_required")
    patched = await client.patch("/v1/users/me", json={}, headers={"If-Match": "*"})
    assert_problem(patched, 403, "user_required")
    client.headers.pop("Authorization")
    assert_problem(await anonymous_client.get("/v1/users/me"), 401, "authentication_required")


async def test_changing_me_requires_if_match(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    access = (await tokens(anonymous_client, user.email))["access_token"]
    body = {"current_password": PASSWORD, "password": NEW_PASSWORD}

    missing = await anonymous_client.patch("/v1/users/me", json=body, headers=bearer(access))
    assert_problem(missing, 428, "if_match_required")
    stale = await anonymous_client.patch(
        "/v1/users/me", json=body, headers={**bearer(access), "If-Match": '"7"'}
    )
    assert_problem(stale, 412, "etag_mismatch")
    unchanged = await _patch_me(anonymous_client, access, {})
    assert unchanged.status_code == 200, unchanged.text
