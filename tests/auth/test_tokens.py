"""Access and refresh tokens: rotation, sign-out, and every way a token is refused."""

import base64
import hmac
import json
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import SignInSession, User
from app.db import create_sessionmaker, utcnow
from tests.auth.helpers import bearer, make_sign_in, make_user, rows, tokens
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


def assert_refused(response: httpx.Response, code: str) -> None:
    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == 'Bearer realm="klynge"'


async def test_refresh_rotates_and_refuses_the_used_token(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    first = await tokens(anonymous_client, user.email)
    [before] = await rows(engine, SignInSession)

    refreshed = await anonymous_client.post(
        "/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.headers["cache-control"] == "no-store"
    second = refreshed.json()
    assert second["refresh_token"] != first["refresh_token"]
    [after] = await rows(engine, SignInSession)
    assert after.id == before.id
    assert after.refresh_token_hash != before.refresh_token_hash
    assert after.previous_refresh_token_hash == before.refresh_token_hash
    me = await anonymous_client.get("/v1/users/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200, me.text

    again = await anonymous_client.post(
        "/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert again.status_code == 200, again.text


async def test_reusing_a_rotated_refresh_token_ends_the_sign_in(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """RFC 9700 §4.14.2: the token a refresh used up comes back, so someone holds a copy;
    the whole sign-in ends, the newer refresh token and its access token included."""
    user = await make_user(engine)
    mine = await tokens(anonymous_client, user.email)
    other = await tokens(anonymous_client, user.email)  # another sign-in of the user
    a = mine["refresh_token"]
    rotated = await anonymous_client.post("/v1/auth/refresh", json={"refresh_token": a})
    assert rotated.status_code == 200, rotated.text
    b = rotated.json()
    assert (
        await anonymous_client.get("/v1/users/me", headers=bearer(b["access_token"]))
    ).status_code == 200

    reused = await anonymous_client.post("/v1/auth/refresh", json={"refresh_token": a})

    assert_refused(reused, "refresh_token_reused")
    [ended] = await rows(engine, SignInSession, SignInSession.id == _session_id(mine))
    assert ended.revoked_at is not None
    newer = await anonymous_client.post(
        "/v1/auth/refresh", json={"refresh_token": b["refresh_token"]}
    )
    assert_refused(newer, "token_revoked")
    me = await anonymous_client.get("/v1/users/me", headers=bearer(b["access_token"]))
    assert_refused(me, "token_revoked")
    assert_refused(
        await anonymous_client.post("/v1/auth/refresh", json={"refresh_token": a}),
        "refresh_token_reused",
    )
    # Only that sign-in ends: the user's other one goes on.
    elsewhere = await anonymous_client.get("/v1/users/me", headers=bearer(other["access_token"]))
    assert elsewhere.status_code == 200, elsewhere.text


def _session_id(issued: dict[str, str]) -> uuid.UUID:
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    return uuid.UUID(claims["sid"])


async def test_refresh_refusals(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    _, revoked = await make_sign_in(application, user.id, revoked=True)
    _, expired = await make_sign_in(
        application, user.id, expires_at=utcnow() - timedelta(seconds=1)
    )
    disabled_user = await make_user(engine, disabled=True)
    _, of_disabled = await make_sign_in(application, disabled_user.id)

    async def refresh(token: str) -> httpx.Response:
        return await anonymous_client.post("/v1/auth/refresh", json={"refresh_token": token})

    assert_refused(await refresh("klr_never-issued"), "invalid_refresh_token")
    assert_refused(await refresh(revoked), "token_revoked")
    assert_refused(await refresh(expired), "token_expired")
    assert_refused(await refresh(of_disabled), "user_disabled")
    assert_problem(
        await anonymous_client.post("/v1/auth/refresh", json={}), 422, "validation_failed"
    )


async def test_sign_out_ends_the_access_and_the_refresh_token(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    mine = await tokens(anonymous_client, user.email)
    elsewhere = await tokens(anonymous_client, user.email)

    response = await anonymous_client.post("/v1/auth/logout", headers=bearer(mine["access_token"]))

    assert response.status_code == 204, response.text
    me = await anonymous_client.get("/v1/users/me", headers=bearer(mine["access_token"]))
    assert_refused(me, "token_revoked")
    refreshed = await anonymous_client.post(
        "/v1/auth/refresh", json={"refresh_token": mine["refresh_token"]}
    )
    assert_refused(refreshed, "token_revoked")
    # Only that sign-in ends: the user's other one goes on.
    other = await anonymous_client.get("/v1/users/me", headers=bearer(elsewhere["access_token"]))
    assert other.status_code == 200, other.text


async def test_sign_out_needs_a_signed_in_user(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    assert_problem(await client.post("/v1/auth/logout"), 403, "user_required")
    anonymous_client.headers.pop("Authorization")
    assert_refused(await anonymous_client.post("/v1/auth/logout"), "authentication_required")


async def test_refused_access_tokens(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    settings = application.state.settings
    user = await make_user(engine)
    disabled_user = await make_user(engine, disabled=True)
    expired, _ = await make_sign_in(application, user.id, issued_at=utcnow() - timedelta(hours=2))
    revoked, _ = await make_sign_in(application, user.id, revoked=True)
    of_disabled, _ = await make_sign_in(application, disabled_user.id)
    valid, _ = await make_sign_in(application, user.id)
    claims = jwt.decode(valid, settings.jwt_secret.get_secret_value(), algorithms=["HS256"])
    other_key = jwt.encode(claims, "another-secret-that-is-long-enough-for-hs256", "HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    not_access = jwt.encode(
        {**claims, "typ": "refresh"}, settings.jwt_secret.get_secret_value(), "HS256"
    )
    unknown_session = jwt.encode(
        {**claims, "sid": str(uuid.uuid4())}, settings.jwt_secret.get_secret_value(), "HS256"
    )

    cases = {
        expired: "token_expired",
        revoked: "token_revoked",
        of_disabled: "user_disabled",
        "not.a.token": "invalid_token",
        "garbage": "invalid_token",
        other_key: "invalid_token",
        unsigned: "invalid_token",
        not_access: "invalid_token",
        unknown_session: "invalid_token",
    }
    for token, code in cases.items():
        response = await anonymous_client.get("/v1/users/me", headers=bearer(token))
        assert_refused(response, code)
        # Reads that need no credentials refuse bad ones too, never answering as anonymous.
        assert_refused(await anonymous_client.get("/v1/networks", headers=bearer(token)), code)

    basic = await anonymous_client.get("/v1/networks", headers={"Authorization": "Basic eDp5"})
    assert_refused(basic, "invalid_authorization")
    assert (await anonymous_client.get("/v1/users/me", headers=bearer(valid))).status_code == 200


# Claims of the wrong JSON type in a correctly signed token: the signature proves only
# that the server's secret signed it, not that its claims are what Klynge writes.
_WRONG_CLAIMS = {
    "sid-number": {"sid": 12345},
    "sid-list": {"sid": ["x"]},
    "sid-null": {"sid": None},
    "sid-object": {"sid": {"id": "x"}},
    "sid-bool": {"sid": True},
    "sid-not-a-uuid": {"sid": "not-a-uuid"},
    "sub-number": {"sub": 12345},
    "sub-list": {"sub": []},
    "sub-null": {"sub": None},
    "sub-object": {"sub": {}},
    "exp-text": {"exp": "tomorrow"},
    "exp-list": {"exp": [1]},
    "exp-null": {"exp": None},
    "iat-text": {"iat": "now"},
    "typ-list": {"typ": ["access"]},
    "typ-null": {"typ": None},
}


@pytest.mark.parametrize("case", sorted(_WRONG_CLAIMS))
async def test_a_signed_token_with_claims_of_the_wrong_type_is_refused(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, case: str
) -> None:
    secret = application.state.settings.jwt_secret.get_secret_value()
    valid, _ = await make_sign_in(application, (await make_user(engine)).id)
    claims = jwt.decode(valid, secret, algorithms=["HS256"])
    # Encoded by hand: PyJWT refuses to sign some of these claims (a non-numeric exp).
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    payload = _b64(json.dumps({**claims, **_WRONG_CLAIMS[case]}).encode())
    signature = _b64(hmac.new(secret.encode(), f"{header}.{payload}".encode(), "sha256").digest())
    token = f"{header}.{payload}.{signature}"
    for url in ("/v1/users/me", "/v1/networks"):
        assert_refused(await anonymous_client.get(url, headers=bearer(token)), "invalid_token")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_disabling_a_user_refuses_their_current_token(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)
    access = (await tokens(anonymous_client, user.email))["access_token"]
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(update(User).where(User.id == user.id).values(disabled_at=utcnow()))

    assert_refused(
        await anonymous_client.get("/v1/users/me", headers=bearer(access)), "user_disabled"
    )
