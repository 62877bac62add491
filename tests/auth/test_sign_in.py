"""POST /v1/auth/token: the password form, its refusals and the wrong-password limit."""

import asyncio
import hashlib
import hmac
import logging
import re
from collections import Counter
from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth import service
from app.auth.models import SignInFailure, SignInSession, User
from app.db import create_sessionmaker, utcnow
from tests.auth.helpers import PASSWORD, bearer, client_from, make_user, rows, sign_in, tokens
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def test_sign_in_answers_tokens_and_starts_a_session(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    user = await make_user(engine, email="kari@example.com")

    response = await sign_in(anonymous_client, "  Kari@Example.COM ")

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == application.state.settings.access_token_minutes * 60
    assert body["refresh_token"].startswith("klr_")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(user.id)
    [session] = await rows(engine, SignInSession, SignInSession.user_id == user.id)
    assert str(session.id) == claims["sid"]
    assert session.refresh_token_hash != body["refresh_token"]
    assert session.expires_at > utcnow() + timedelta(days=29)
    [stored] = await rows(engine, User, User.id == user.id)
    assert stored.last_sign_in_at is not None
    assert stored.version == 1  # signing in is not an edit: the ETag stays

    me = await anonymous_client.get("/v1/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "kari@example.com"


async def test_wrong_password_and_unknown_email_get_one_answer(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine)

    wrong_password = await sign_in(anonymous_client, user.email, "not the password at all")
    unknown_email = await sign_in(anonymous_client, "nobody@example.com", user.password)

    first = assert_problem(wrong_password, 401, "invalid_credentials")
    second = assert_problem(unknown_email, 401, "invalid_credentials")
    assert first == second
    assert wrong_password.headers["www-authenticate"].startswith("Bearer")
    # Both are failures the limit counts, and the request that wrote them committed.
    failures = await rows(engine, SignInFailure)
    assert sorted(f.email for f in failures) == sorted([user.email, "nobody@example.com"])
    assert {f.address for f in failures} == {"127.0.0.1"}


async def test_disabled_user_with_the_right_password_is_told(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user = await make_user(engine, disabled=True)

    assert_problem(await sign_in(anonymous_client, user.email), 401, "user_disabled")
    # With a wrong password nobody learns that the account is disabled.
    wrong = await sign_in(anonymous_client, user.email, "not the password at all")
    assert_problem(wrong, 401, "invalid_credentials")
    assert await rows(engine, SignInSession) == []


async def test_form_fields_are_required(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.post("/v1/auth/token", data={"username": "a@example.com"})
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == "body.password"


@pytest.mark.parametrize("grant_type", ["", "password"])
async def test_an_empty_or_password_grant_type_signs_in_as_the_document_says(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, grant_type: str
) -> None:
    """A form's empty field counts as left out (FastAPI's form rule), so `grant_type=`
    is the default `password`: the document must allow it, or a client that follows the
    schema is told it sent something invalid that the server then accepts."""
    await make_user(engine, email="kari@example.com")
    form = application.openapi()["components"]["schemas"]["Body_sign_in_v1_auth_token_post"]

    response = await anonymous_client.post(
        "/v1/auth/token",
        data={"username": "kari@example.com", "password": PASSWORD, "grant_type": grant_type},
    )

    assert response.status_code == 200, response.text
    assert re.search(form["properties"]["grant_type"]["pattern"], grant_type)


@pytest.mark.parametrize("grant_type", ["client_credentials", "passwordx", " password"])
async def test_another_grant_type_is_refused(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, grant_type: str
) -> None:
    await make_user(engine, email="kari@example.com")
    form = application.openapi()["components"]["schemas"]["Body_sign_in_v1_auth_token_post"]

    response = await anonymous_client.post(
        "/v1/auth/token",
        data={"username": "kari@example.com", "password": PASSWORD, "grant_type": grant_type},
    )

    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == "body.grant_type"
    assert not re.search(form["properties"]["grant_type"]["pattern"], grant_type)
    assert await rows(engine, SignInSession) == []


async def test_too_many_wrong_passwords_for_an_account(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = application.state.settings
    monkeypatch.setattr(settings, "sign_in_failures_per_account", 3)
    monkeypatch.setattr(settings, "sign_in_failure_window_minutes", 10)
    user = await make_user(engine)
    # From three addresses, so only the account's limit is reached.
    for n in range(3):
        async with client_from(application, f"10.0.0.{n + 1}") as client:
            assert_problem(
                await sign_in(client, user.email, "wrong password"), 401, "invalid_credentials"
            )

    async with client_from(application, "10.0.0.9") as client:
        # Refused before the password is looked at: even the right one.
        refused = await sign_in(client, user.email)
    problem = assert_problem(refused, 429, "too_many_sign_in_attempts")
    retry_after = int(refused.headers["retry-after"])
    assert 590 <= retry_after <= 600
    assert problem["retry_after"] == retry_after
    assert refused.headers["ratelimit-policy"] == "3;w=600"
    assert refused.headers["ratelimit"] == f"limit=3, remaining=0, reset={retry_after}"
    # A refused attempt adds no failure, so waiting is enough.
    assert len(await rows(engine, SignInFailure)) == 3
    # Other accounts are not affected.
    other = await make_user(engine)
    await tokens(anonymous_client, other.email)


async def test_retry_after_counts_from_the_oldest_failure_in_the_window(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_account", 2)
    monkeypatch.setattr(application.state.settings, "sign_in_failure_window_minutes", 15)
    user = await make_user(engine)
    now = utcnow()
    async with create_sessionmaker(engine).begin() as session:
        session.add_all(
            [
                # Out of the window: counts for nothing.
                SignInFailure(
                    email=user.email, address="10.1.1.1", failed_at=now - timedelta(minutes=20)
                ),
                SignInFailure(
                    email=user.email, address="10.1.1.1", failed_at=now - timedelta(minutes=10)
                ),
                SignInFailure(
                    email=user.email, address="10.1.1.2", failed_at=now - timedelta(minutes=1)
                ),
            ]
        )

    refused = await sign_in(anonymous_client, user.email)

    assert_problem(refused, 429, "too_many_sign_in_attempts")
    # The failure 10 minutes ago leaves the 15-minute window in 5 minutes.
    assert 295 <= int(refused.headers["retry-after"]) <= 300


async def test_too_many_wrong_passwords_from_an_address(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_address", 3)
    user = await make_user(engine)
    async with client_from(application, "192.0.2.7") as attacker:
        # Three different accounts, one address: each account is far from its own limit.
        for n in range(3):
            response = await sign_in(attacker, f"guess-{n}@example.com", "password1234")
            assert_problem(response, 401, "invalid_credentials")
        refused = await sign_in(attacker, user.email)
        assert_problem(refused, 429, "too_many_sign_in_attempts")
        window = application.state.settings.sign_in_failure_window_minutes * 60
        assert refused.headers["ratelimit-policy"] == f"3;w={window}"
        assert int(refused.headers["retry-after"]) > 0

    # The account itself is fine from elsewhere.
    await tokens(anonymous_client, user.email)


async def test_a_right_password_clears_the_accounts_failures(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_account", 3)
    user = await make_user(engine)
    for _ in range(2):
        await sign_in(anonymous_client, user.email, "wrong password")

    await tokens(anonymous_client, user.email)

    assert await rows(engine, SignInFailure, SignInFailure.email == user.email) == []
    for _ in range(2):
        await sign_in(anonymous_client, user.email, "wrong password")
    await tokens(anonymous_client, user.email)  # two more were allowed again


@pytest.mark.parametrize("limit", ["account", "address"])
async def test_concurrent_wrong_passwords_stop_at_the_limit(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
) -> None:
    """A check in progress holds its place under the limit, so concurrent attempts do not
    all count the same failures and all get a guess (across processes: see
    test_sign_in_served.py)."""
    monkeypatch.setattr(application.state.settings, f"sign_in_failures_per_{limit}", 3)
    user = await make_user(engine)
    real_check = service.password_matches

    async def slow_check(password: str, password_hash: str | None) -> bool:
        # Widen the gap between the count and the insert, so the race happens every run.
        matched = await real_check(password, password_hash)
        await asyncio.sleep(0.05)
        return matched

    monkeypatch.setattr(service, "password_matches", slow_check)

    async def wrong_sign_in(n: int) -> httpx.Response:
        # One account from many addresses, or many accounts from one address.
        email, address = (
            (user.email, f"10.0.1.{n + 1}")
            if limit == "account"
            else (f"x{n}@example.com", "10.0.2.1")
        )
        async with client_from(application, address) as client:
            return await sign_in(client, email, "wrong password")

    answers = await asyncio.gather(*(wrong_sign_in(n) for n in range(12)))

    outcomes = Counter((answer.status_code, answer.json()["code"]) for answer in answers)
    assert outcomes == {(401, "invalid_credentials"): 3, (429, "too_many_sign_in_attempts"): 9}
    assert len(await rows(engine, SignInFailure)) == 3


def _hmac(application: FastAPI, text: str) -> str:
    secret = application.state.settings.jwt_secret.get_secret_value().encode()
    return "hmac-sha256:" + hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "typed",
    [
        "Correct Horse Battery Staple",  # a password typed into the e-mail field
        "P@ssw0rd-Sommer2026",  # has an "@", but is no e-mail address
        "kari@example",  # no dot in the domain: no user has such an address
    ],
)
async def test_a_login_that_is_no_email_is_neither_logged_nor_stored(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    typed: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_account", 2)
    capsys.readouterr()

    first = await sign_in(anonymous_client, typed, "whatever was typed next")
    # Typed again, however spaced or cased: the same account key, so the limit holds.
    second = await sign_in(anonymous_client, f"  {typed.upper()} ", "another try")
    third = await sign_in(anonymous_client, typed, "a third try")

    assert_problem(first, 401, "invalid_credentials")
    assert_problem(second, 401, "invalid_credentials")
    assert_problem(third, 429, "too_many_sign_in_attempts")
    key = _hmac(application, typed.lower())
    failures = await rows(engine, SignInFailure)
    assert [failure.email for failure in failures] == [key, key]
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text + repr([r.__dict__ for r in caplog.records])
    assert "sign_in_failed" in logged  # the capture works
    assert key in logged  # the attempts can still be told apart and followed
    for spelling in (typed, typed.lower(), typed.upper()):
        assert spelling not in logged
        assert spelling not in repr([failure.__dict__ for failure in failures])


async def test_an_email_login_is_logged_and_counted_normalised(
    application: FastAPI,
    engine: AsyncEngine,
    anonymous_client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = await make_user(engine, email="kari@example.com")
    capsys.readouterr()

    failed = await sign_in(anonymous_client, "  Kari@Example.COM ", "wrong password")

    assert_problem(failed, 401, "invalid_credentials")
    [failure] = await rows(engine, SignInFailure)
    assert failure.email == user.email
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text + repr([r.__dict__ for r in caplog.records])
    assert "sign_in_failed" in logged
    assert user.email in logged
    # The right password clears exactly this key.
    await tokens(anonymous_client, "KARI@example.com")
    assert await rows(engine, SignInFailure) == []


async def test_the_openapi_document_describes_the_password_flow(application: FastAPI) -> None:
    operation = application.openapi()["paths"]["/v1/auth/token"]["post"]
    assert {"401", "429"} <= operation["responses"].keys()
    assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
    schemes = application.openapi()["components"]["securitySchemes"]
    assert schemes["SignIn"]["flows"]["password"]["tokenUrl"] == "/v1/auth/token"
