"""Concurrent sign-ins over real HTTP, against `klynge serve` with two worker processes.

Argon2 takes a tenth of a second or more of CPU per password. While a sign-in hashed
inside its writing transaction, SQLite's one write lock was held for that long: 20
concurrent sign-ins queued behind each other past the busy timeout, answered 503, and
ordinary writes waiting behind them failed too.
"""

import asyncio
import secrets
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import SignInFailure, SignInSession
from tests.auth.helpers import make_user, rows
from tests.factories import company_body
from tests.server_process import served

pytestmark = pytest.mark.usefixtures("backend")

SIGN_INS = 60


def _environment(database_url: str) -> dict[str, str]:
    return {
        "KLYNGE_DATABASE_URL": database_url,
        "KLYNGE_JWT_SECRET": secrets.token_urlsafe(32),
        "KLYNGE_LOG_LEVEL": "WARNING",
    }


async def test_sixty_concurrent_sign_ins_all_succeed_beside_ordinary_writes(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str
) -> None:
    user = await make_user(engine)
    async with (
        served(_environment(database_url), workers=2) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=120) as over_http,
    ):

        async def sign_in() -> httpx.Response:
            form = {"username": user.email, "password": user.password}
            return await over_http.post("/v1/auth/token", data=form)

        async def ordinary_write(n: int) -> httpx.Response:
            # Sent while the sign-ins are hashing, one after the other.
            await asyncio.sleep(0.2 + 0.3 * n)
            body = company_body()
            return await over_http.post("/v1/companies", json=body, headers=client.headers)

        started = time.monotonic()
        answers = await asyncio.gather(
            *(sign_in() for _ in range(SIGN_INS)), *(ordinary_write(n) for n in range(5))
        )
        took = time.monotonic() - started

    sign_ins, writes = answers[:SIGN_INS], answers[SIGN_INS:]
    statuses = Counter(answer.status_code for answer in sign_ins)
    assert statuses == {200: SIGN_INS}, [a.text for a in sign_ins if a.status_code != 200][:3]
    assert [write.status_code for write in writes] == [201] * 5, [w.text for w in writes]
    assert len(await rows(engine, SignInSession, SignInSession.user_id == user.id)) == SIGN_INS
    # Right passwords leave no failure behind, and nothing waiting half done.
    assert await rows(engine, SignInFailure) == []
    print(f"{SIGN_INS} concurrent sign-ins on two workers took {took:.1f} s")


async def test_concurrent_wrong_passwords_across_workers_stop_exactly_at_the_limit(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine, database_url: str
) -> None:
    """Checks in progress hold their places in the database, so two processes cannot both
    let a guess through on the same place: 5 wrong passwords are checked (the account's
    default limit), every other concurrent one is refused before its check."""
    user = await make_user(engine)
    async with (
        served(_environment(database_url), workers=2) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=120) as over_http,
    ):
        answers = await asyncio.gather(
            *(
                over_http.post(
                    "/v1/auth/token", data={"username": user.email, "password": f"guess {n}"}
                )
                for n in range(16)
            )
        )

    outcomes = Counter((answer.status_code, answer.json()["code"]) for answer in answers)
    assert outcomes == {(401, "invalid_credentials"): 5, (429, "too_many_sign_in_attempts"): 11}
    failures = await rows(engine, SignInFailure)
    assert len(failures) == 5
    assert all(failure.pending_until is None for failure in failures)
