"""Passwords and tokens never reach a log line or a response that is not theirs."""

import logging

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.credentials import split_api_key
from app.auth.models import SignInFailure, SignInSession, User
from tests.auth.helpers import PASSWORD, bearer, klynge, rows, sign_in, tokens
from tests.callers import user_headers

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


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # (alembic.ini sets SQLAlchemy's to WARNING when a database is migrated.)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")


@pytest.mark.usefixtures("command_database")
async def test_no_api_key_in_logs_or_later_answers(
    anonymous_client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A key is shown whole once, in the answer that creates it (or the command's output):
    never in a log line, a later answer or a stored row. Its prefix may be anywhere."""
    _log_everything(caplog)
    admin = await user_headers(application, is_admin=True)

    async def create_once() -> httpx.Response:
        return await anonymous_client.post(
            "/v1/api-keys",
            json={"name": "Website", "scopes": ["read", "write"]},
            headers={**admin, "Idempotency-Key": "make-the-website-key"},
        )

    created = await create_once()
    assert created.status_code == 201, created.text
    made = await klynge("api-key", "create", "--name", "Nightly export", "--scope", "read")
    assert made.exit_code == 0, made.output
    _log_everything(caplog)  # the command migrated first
    keys = {"API-made key": created.json()["key"], "CLI-made key": made.stdout.strip()}

    later = [await create_once()]  # a retry: 409, and not the key again
    assert later[0].status_code == 409, later[0].text
    for key in keys.values():
        # Used to read, to write (refused for the read-only one), and mistyped.
        later.append(await anonymous_client.get("/v1/networks", headers=bearer(key)))
        later.append(
            await anonymous_client.post(
                "/v1/users",
                json={"email": f"made-with-{key[4:12]}@example.com", "password": PASSWORD},
                headers=bearer(key),
            )
        )
        later.append(await anonymous_client.get("/v1/networks", headers=bearer(key + "x")))
    listed = await anonymous_client.get("/v1/api-keys", headers=admin)
    later.append(listed)
    for item in listed.json()["items"]:
        later.append(await anonymous_client.get(f"/v1/api-keys/{item['id']}", headers=admin))
        later.append(
            await anonymous_client.post(f"/v1/api-keys/{item['id']}/revoke", headers=admin)
        )
    later += [
        await anonymous_client.get("/v1/networks", headers=bearer(key)) for key in keys.values()
    ]
    later.append(await anonymous_client.get("/v1/audit-events?limit=200", headers=admin))

    assert [answer.status_code for answer in later] == [
        409, 200, 201, 401, 200, 403, 401, 200, 200, 200, 200, 200, 401, 401, 200,
    ]  # fmt: skip
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text + repr([r.__dict__ for r in caplog.records])
    # The capture works: the SQL of the keys' creation and revocation, with parameters.
    assert "INSERT INTO api_keys" in logged
    assert "UPDATE api_keys" in logged
    async with engine.connect() as connection:
        stored = repr(
            [
                (await connection.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
                for table in ("api_keys", "idempotency_records", "audit_events")
            ]
        )
    for name, key in keys.items():
        prefix, secret = split_api_key(key)
        assert prefix in stored  # what names a key is no secret
        for part in (key, secret):
            assert part not in logged, f"the {name} was logged"
            assert part not in stored, f"the {name} was stored"
            for answer in later:
                assert part not in answer.text, f"the {name} was in {answer.request.url}"
                assert part not in repr(answer.headers), f"the {name} was in a header"


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
