"""Passwords and tokens never reach a log line or a response that is not theirs."""

import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import SignInFailure, SignInSession, User
from tests.auth.helpers import PASSWORD, bearer, rows, sign_in, tokens

pytestmark = pytest.mark.usefixtures("backend")

WRONG_PASSWORD = "a wrong but memorable passphrase"
NEW_PASSWORD = "the next long passphrase"


async def test_no_password_or_token_in_logs(
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    engine: AsyncEngine,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Everything, SQL statements with their parameters included.
    caplog.set_level(logging.DEBUG)
    # (alembic.ini sets SQLAlchemy's to WARNING when the test databases are migrated.)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    created = await client.post(
        "/v1/users", json={"email": "kari@example.com", "password": PASSWORD}
    )
    assert created.status_code == 201, created.text
    client.headers.pop("Authorization")

    failed = await sign_in(anonymous_client, "kari@example.com", WRONG_PASSWORD)
    first = await tokens(anonymous_client, "kari@example.com")
    refreshed = await anonymous_client.post(
        "/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    second = refreshed.json()
    etag = (
        await anonymous_client.get("/v1/users/me", headers=bearer(second["access_token"]))
    ).headers["etag"]
    changed = await anonymous_client.patch(
        "/v1/users/me",
        json={"current_password": PASSWORD, "password": NEW_PASSWORD},
        headers={**bearer(second["access_token"]), "If-Match": etag},
    )
    await anonymous_client.post("/v1/auth/logout", headers=bearer(second["access_token"]))

    assert failed.status_code == 401
    assert changed.status_code == 200, changed.text
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text + repr([r.__dict__ for r in caplog.records])
    # The capture works: the SQL that wrote the failure was logged, with its parameters,
    # and so were the sign-in events.
    assert "INSERT INTO sign_in_failures" in logged
    assert "sign_in_failed" in logged
    assert "signed_in" in logged
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "new password": NEW_PASSWORD,
        "access token": first["access_token"],
        "refresh token": first["refresh_token"],
        "second access token": second["access_token"],
        "second refresh token": second["refresh_token"],
    }
    for name, secret in secrets.items():
        assert secret not in logged, f"the {name} was logged"

    # Nor is any of it stored, except as a hash.
    stored = repr(
        [row.__dict__ for row in await rows(engine, User)]
        + [row.__dict__ for row in await rows(engine, SignInSession)]
        + [row.__dict__ for row in await rows(engine, SignInFailure)]
    )
    for name, secret in secrets.items():
        assert secret not in stored, f"the {name} was stored"


async def test_no_user_answer_mentions_a_password(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    created = await client.post(
        "/v1/users", json={"email": "ola@example.com", "password": PASSWORD}
    )
    user_id = created.json()["id"]
    answers = [
        created,
        await client.get(f"/v1/users/{user_id}"),
        await client.get("/v1/users"),
        await client.patch(
            f"/v1/users/{user_id}", json={"password": NEW_PASSWORD}, headers={"If-Match": '"1"'}
        ),
    ]
    client.headers.pop("Authorization")
    access = (await tokens(anonymous_client, "ola@example.com", NEW_PASSWORD))["access_token"]
    answers.append(await anonymous_client.get("/v1/users/me", headers=bearer(access)))

    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert "password" not in answer.text.lower()
        assert "hash" not in answer.text.lower()
