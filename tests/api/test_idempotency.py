"""`Idempotency-Key` on creates: replay, refusal of reuse, and scope in time."""

import asyncio
import hashlib
import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker, utcnow
from app.idempotency.models import IdempotencyRecord
from app.idempotency.service import fingerprint, purge_expired
from tests.factories import company_body

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
    # A loser that raced past the key lookup is stopped by the unique organisation
    # number (or, failing that, the unique key), each with its own code.
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] in {
                "organisation_number_taken",
                "idempotency_key_in_flight",
            }
    assert await _company_count(client) == 1


def test_fingerprint_cannot_be_recomputed_without_the_server_secret() -> None:
    body = b'{"email": "kari@example.com", "password": "guessable-password"}'
    plain = hashlib.sha256(b"POST /v1/users\n" + body).hexdigest()
    ours = fingerprint("POST", "/v1/users", body, b"server secret")
    assert ours != plain
    assert ours != fingerprint("POST", "/v1/users", body, b"another secret")
    assert ours == fingerprint("POST", "/v1/users", body, b"server secret")
