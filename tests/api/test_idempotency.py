"""`Idempotency-Key` on creates: replay, refusal of reuse, and scope in time."""

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.companies import service as companies_service
from app.db import create_sessionmaker, utcnow
from app.idempotency.models import IdempotencyRecord
from app.idempotency.service import fingerprint, purge_expired
from tests.callers import user_headers
from tests.factories import company_body, create_company, create_network, create_person
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def _company_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/companies", params={"limit": 200})).json()["items"])


async def test_same_key_and_body_replays_the_first_answer(client: httpx.AsyncClient) -> None:
    body = company_body()
    headers = {"Idempotency-Key": "create-ineos-1"}
    first = await client.post("/v1/companies", json=body, headers=headers)
    second = await client.post("/v1/companies", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotency-replayed"] == "true"
    assert "idempotency-replayed" not in first.headers
    assert await _company_count(client) == 1


async def test_key_order_and_whitespace_do_not_change_the_fingerprint(
    client: httpx.AsyncClient,
) -> None:
    body = company_body()
    headers = {"Idempotency-Key": "k-json", "content-type": "application/json"}
    first = await client.post("/v1/companies", content=json.dumps(body), headers=headers)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    second = await client.post("/v1/companies", content=reordered, headers=headers)
    assert second.json()["id"] == first.json()["id"]


async def test_same_key_with_another_body_is_refused(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "reused"}
    first = await client.post("/v1/companies", json=company_body(), headers=headers)
    assert first.status_code == 201
    second = await client.post("/v1/companies", json=company_body(), headers=headers)
    assert second.status_code == 422
    assert second.json()["code"] == "idempotency_key_reused"
    assert await _company_count(client) == 1


async def test_failed_create_is_not_remembered(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = await client.post(
        "/v1/companies", json=company_body(organisation_number="923609017"), headers=headers
    )
    assert bad.status_code == 422
    good = await client.post("/v1/companies", json=company_body(), headers=headers)
    assert good.status_code == 201


async def test_without_key_each_post_creates(client: httpx.AsyncClient) -> None:
    await client.post("/v1/companies", json=company_body())
    await client.post("/v1/companies", json=company_body())
    assert await _company_count(client) == 2


async def test_keys_are_kept_24_hours_then_purged(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    body = company_body()
    headers = {"Idempotency-Key": "ttl"}
    first = await client.post("/v1/companies", json=body, headers=headers)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        record = await session.scalar(select(IdempotencyRecord))
        assert record is not None
        assert record.expires_at - record.created_at >= timedelta(hours=24)

    # Nothing is purged while the key is young.
    async with sessionmaker() as session, session.begin():
        assert await purge_expired(session, utcnow()) == 0

    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    # An expired key is forgotten: the same request now creates again (and clashes on
    # the organisation number, which proves it was not replayed).
    again = await client.post("/v1/companies", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["code"] == "organisation_number_taken"
    assert again.json()["existing_id"] == first.json()["id"]

    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    async with sessionmaker() as session, session.begin():
        assert await purge_expired(session, utcnow()) == 1
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


async def test_racing_retries_create_once(client: httpx.AsyncClient) -> None:
    body = company_body()
    headers = {"Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *(client.post("/v1/companies", json=body, headers=headers) for _ in range(4))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses[0] == 201
    assert set(statuses) <= {201, 409}
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1, "every 201 must be the same organisation (a replay)"
    # A retry is never taken for another create (refused by the first one's own row):
    # it is told the key is in flight, or replays the answer.
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "idempotency_key_in_flight"
    assert await _company_count(client) == 1


async def test_a_retry_while_the_first_try_runs_is_not_taken_for_another_create(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first try is slowed down inside its create, after its key was looked up; the
    # retry comes while it runs. The retry must not run the create again (and clash with
    # the caller's own new organisation): it is told the key is in flight, or, where the
    # database makes it wait for the first (SQLite's one writer), gets its answer.
    original_check = companies_service._check_identifiers
    first_is_inside = asyncio.Event()

    async def slow_check(*args: Any, **kwargs: Any) -> None:
        await original_check(*args, **kwargs)
        first_is_inside.set()
        await asyncio.sleep(0.5)

    monkeypatch.setattr(companies_service, "_check_identifiers", slow_check)
    body = company_body()
    headers = {"Idempotency-Key": "retried-while-running"}
    first = asyncio.create_task(client.post("/v1/companies", json=body, headers=headers))
    await asyncio.wait_for(first_is_inside.wait(), timeout=5)
    retry = await client.post("/v1/companies", json=body, headers=headers)
    created = await first
    assert created.status_code == 201, created.text
    if retry.status_code == 409:
        problem = assert_problem(retry, 409, "idempotency_key_in_flight")
        assert retry.headers["retry-after"] == "1"
        assert created.json()["id"] not in problem["detail"]
    else:
        assert retry.status_code == 201, retry.text
        assert retry.headers["idempotency-replayed"] == "true"
        assert retry.json() == created.json()
    # Once the first try has finished, a retry gets its answer.
    later = await client.post("/v1/companies", json=body, headers=headers)
    assert later.status_code == 201
    assert later.headers["idempotency-replayed"] == "true"
    assert later.json()["id"] == created.json()["id"]
    assert await _company_count(client) == 1


async def test_a_retry_after_a_first_try_that_failed_creates(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key in flight whose first try then fails holds nothing: the next retry creates.
    original_check = companies_service._check_identifiers
    calls = 0

    async def fails_once(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the first try breaks")
        await original_check(*args, **kwargs)

    monkeypatch.setattr(companies_service, "_check_identifiers", fails_once)
    body = company_body()
    headers = {"Idempotency-Key": "first-try-failed"}
    failed = await client.post("/v1/companies", json=body, headers=headers)
    assert_problem(failed, 500, "internal_error")
    retried = await client.post("/v1/companies", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotency-replayed" not in retried.headers
    assert await _company_count(client) == 1


def test_fingerprint_cannot_be_recomputed_without_the_server_secret() -> None:
    body = b'{"email": "kari@example.com", "password": "guessable-password"}'
    plain = hashlib.sha256(b"POST /v1/users\n" + body).hexdigest()
    ours = fingerprint("POST", "/v1/users", body, b"server secret")
    assert ours != plain
    assert ours != fingerprint("POST", "/v1/users", body, b"another secret")
    assert ours == fingerprint("POST", "/v1/users", body, b"server secret")


async def _records(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0)


# What a coordinator of a closed network creates, and what they get for a retry of it
# once they coordinate it no more: a refusal, as for a first try, never the replay. The
# office's network is hidden from them by then, so that one is a 404.
_RETRIED_CREATES = {
    "memberships": (403, "forbidden"),
    "offices": (404, "network_not_found"),
    "networks": (403, "forbidden"),
    "people": (403, "forbidden"),
    "companies": (403, "forbidden"),
}


@pytest.mark.parametrize("resource", sorted(_RETRIED_CREATES))
async def test_a_retry_is_authorised_again_before_it_is_replayed(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, resource: str
) -> None:
    closed = (await create_network(client, visibility="closed"))["id"]
    organisation = (await create_company(client))["id"]
    person = (await create_person(client))["id"]
    url, body = {
        "memberships": (
            "/v1/memberships",
            {
                "organisation_id": organisation,
                "network_id": closed,
                "kind": "member",
                "status": "active",
                "starts_on": "2026-01-01",
            },
        ),
        "offices": (
            f"/v1/networks/{closed}/offices",
            {"person_id": person, "office": "board_member", "starts_on": "2026-01-01"},
        ),
        "networks": (
            "/v1/networks",
            {"parent_id": closed, "slug": "below", "name": "Below", "visibility": "closed"},
        ),
        "people": ("/v1/people", {"full_name": "Kari Nordmann"}),
        "companies": ("/v1/companies", company_body()),
    }[resource]
    coordinator = await user_headers(application, coordinates=[closed])
    headers = {**coordinator, "Idempotency-Key": f"retry-{resource}"}

    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    replay = await client.post(url, json=body, headers=headers)
    assert replay.headers["idempotency-replayed"] == "true"

    user_id = (await client.get("/v1/users/me", headers=coordinator)).json()["id"]
    removed = await client.delete(f"/v1/users/{user_id}/coordinated-networks/{closed}")
    assert removed.status_code == 204, removed.text

    retried = await client.post(url, json=body, headers=headers)
    status, code = _RETRIED_CREATES[resource]
    assert_problem(retried, status, code)
    assert "idempotency-replayed" not in retried.headers
    assert first.json()["id"] not in retried.text
    assert "location" not in retried.headers
    # The answer stays stored for its owner; it is only not handed out without the right.
    assert await _records(engine) == 1


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/users", {"email": "retried@example.com", "password": "a long enough password"}),
        ("/v1/api-keys", {"name": "Retried key", "scopes": ["read"]}),
    ],
    ids=["users", "api-keys"],
)
async def test_the_secretariats_creates_are_authorised_again_before_a_replay(
    client: httpx.AsyncClient, engine: AsyncEngine, application: FastAPI, url: str, body: Any
) -> None:
    admin = await user_headers(application, is_admin=True, email="demoted@example.com")
    headers = {**admin, "Idempotency-Key": "secretariat-retry"}
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text

    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(User).where(User.email == "demoted@example.com").values(is_admin=False)
        )
    retried = await client.post(url, json=body, headers=headers)
    assert_problem(retried, 403, "forbidden")
    assert "idempotency-replayed" not in retried.headers
    assert first.json()["id"] not in retried.text
