"""/v1/api-keys: shown once, stored hashed, scoped, expiring and revocable."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKey, ApiKeyScope
from app.db import create_sessionmaker, utcnow
from app.idempotency.models import IdempotencyRecord
from tests.auth.helpers import bearer, rows
from tests.callers import api_key_headers, user_headers
from tests.helpers import UNKNOWN_ID, assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def _create(client: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post("/v1/api-keys", json={"name": "Script", **body})
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


async def test_the_key_is_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await client.post("/v1/api-keys", json={"name": "Website", "scopes": ["public"]})

    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    key = created.pop("key")
    assert key.startswith(created["prefix"] + "_")
    assert response.headers["location"] == f"/v1/api-keys/{created['id']}"
    assert created["scopes"] == ["public"]
    assert created["revoked_at"] is None
    # Never again: not on reads, not in lists.
    again = await client.get(f"/v1/api-keys/{created['id']}")
    assert again.json() == {**created, "last_used_at": again.json()["last_used_at"]}
    listed = await client.get("/v1/api-keys")
    assert key not in listed.text
    assert key.split("_", 2)[2] not in again.text + listed.text
    # The database holds the prefix and a hash, nothing from which the key comes back.
    async with engine.connect() as connection:
        stored = (await connection.execute(text("SELECT * FROM api_keys"))).all()
    dumped = repr(stored)
    secret = key.split("_", 2)[2]
    assert secret not in dumped
    assert key not in dumped
    # And the key works.
    website = await anonymous_client.get("/v1/networks", headers=bearer(key))
    assert website.status_code == 200, website.text


async def test_scopes_and_expiry_are_checked(client: httpx.AsyncClient) -> None:
    for scopes in ([], ["admin"]):
        response = await client.post("/v1/api-keys", json={"name": "x", "scopes": scopes})
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["field"].startswith("body.scopes"), problem
    for scopes in (["public", "read"], ["public", "write"]):
        response = await client.post("/v1/api-keys", json={"name": "x", "scopes": scopes})
        problem = assert_problem(response, 422, "invalid_scopes")
        assert problem["errors"][0]["field"] == "body.scopes"
    past = (utcnow() - timedelta(days=1)).isoformat()
    response = await client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["read"], "expires_at": past}
    )
    assert_problem(response, 422, "expires_in_the_past")
    naive = await client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["read"], "expires_at": "2099-01-01T00:00:00"}
    )
    assert_problem(naive, 422, "validation_failed")
    both = await _create(client, scopes=["write", "read", "read"])
    assert both["scopes"] == ["read", "write"]


async def test_revoked_and_expired_keys_are_refused(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    revoked = await _create(client, scopes=["read"])
    expiring = await _create(
        client, scopes=["read"], expires_at=(utcnow() + timedelta(hours=1)).isoformat()
    )

    first = await client.post(f"/v1/api-keys/{revoked['id']}/revoke")
    second = await client.post(f"/v1/api-keys/{revoked['id']}/revoke")

    assert first.status_code == 200, first.text
    assert first.json()["revoked_at"] is not None
    assert second.json()["revoked_at"] == first.json()["revoked_at"]
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == expiring["prefix"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    client.headers.pop("Authorization")
    for made, code in ((revoked, "api_key_revoked"), (expiring, "api_key_expired")):
        response = await anonymous_client.get("/v1/networks", headers=bearer(str(made["key"])))
        assert_problem(response, 401, code)
        assert response.headers["www-authenticate"].startswith("Bearer")
    wrong_secret = str(expiring["prefix"]) + "_not-the-secret"
    assert_problem(
        await anonymous_client.get("/v1/networks", headers=bearer(wrong_secret)),
        401,
        "invalid_api_key",
    )


async def test_a_public_key_cannot_write_and_a_read_key_only_reads(
    anonymous_client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    public = await api_key_headers(engine, ApiKeyScope.PUBLIC)
    read = await api_key_headers(engine, ApiKeyScope.READ)
    member = await user_headers(application)
    body = {"name": "x", "scopes": ["read"]}

    # Whatever a domain's own rules say, the website's key changes nothing.
    assert (await anonymous_client.post("/v1/networks", json={}, headers=public)).status_code == 403
    assert_problem(
        await anonymous_client.post("/v1/api-keys", json=body, headers=public),
        403,
        "read_only_credentials",
    )
    assert_problem(await anonymous_client.get("/v1/api-keys", headers=public), 403, "forbidden")
    assert_problem(await anonymous_client.get("/v1/api-keys", headers=member), 403, "forbidden")
    assert_problem(
        await anonymous_client.post("/v1/api-keys", json=body, headers=member), 403, "forbidden"
    )
    assert_problem(await anonymous_client.get("/v1/api-keys"), 401, "authentication_required")
    assert (await anonymous_client.get("/v1/api-keys", headers=read)).status_code == 200
    assert_problem(
        await anonymous_client.post("/v1/api-keys", json=body, headers=read),
        403,
        "read_only_credentials",
    )


async def test_list_filters_and_reads(client: httpx.AsyncClient) -> None:
    kept = await _create(client, name="Kept", scopes=["read"])
    gone = await _create(client, name="Gone", scopes=["read"])
    await client.post(f"/v1/api-keys/{gone['id']}/revoke")

    names = [k["name"] for k in (await fetch(client, "/v1/api-keys?sort=name"))["items"]]
    assert names[:2] == ["Gone", "Kept"]
    revoked = (await fetch(client, "/v1/api-keys?revoked=true"))["items"]
    assert [k["id"] for k in revoked] == [gone["id"]]
    active = (await fetch(client, "/v1/api-keys?revoked=false"))["items"]
    assert kept["id"] in [k["id"] for k in active]
    assert_problem(await client.get(f"/v1/api-keys/{UNKNOWN_ID}"), 404, "api_key_not_found")
    stale = await client.post(f"/v1/api-keys/{kept['id']}/revoke", headers={"If-Match": '"9"'})
    assert_problem(stale, 412, "etag_mismatch")


async def test_a_retried_create_makes_no_second_key_and_never_shows_it_again(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers = {"Idempotency-Key": "make-the-website-key"}
    body = {"name": "Website", "scopes": ["public"]}

    first = await client.post("/v1/api-keys", json=body, headers=headers)
    retry = await client.post("/v1/api-keys", json=body, headers=headers)

    assert first.status_code == 201, first.text
    problem = assert_problem(retry, 409, "api_key_already_created")
    assert problem["api_key_id"] == first.json()["id"]
    assert first.json()["key"] not in retry.text
    [record] = await rows(engine, IdempotencyRecord)
    assert first.json()["key"].split("_", 2)[2].encode() not in record.response_body
    async with create_sessionmaker(engine)() as session:
        names = list(await session.scalars(select(ApiKey.name).where(ApiKey.name == "Website")))
    assert names == ["Website"]


async def test_last_use_is_recorded_at_most_once_a_minute(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await client.post("/v1/api-keys", json={"name": "Script", "scopes": ["read"]})
    created = response.json()
    url = f"/v1/api-keys/{created['id']}"
    assert created["last_used_at"] is None
    key_headers = {"Authorization": f"Bearer {created['key']}"}

    assert (await anonymous_client.get("/v1/networks", headers=key_headers)).status_code == 200
    first_use = (await fetch(client, url))["last_used_at"]
    assert first_use is not None

    # Within the minute a second use writes nothing.
    assert (await anonymous_client.get("/v1/networks", headers=key_headers)).status_code == 200
    assert (await fetch(client, url))["last_used_at"] == first_use

    # Once the recorded use is older than a minute, the next use moves it forward.
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == created["prefix"])
            .values(last_used_at=utcnow() - timedelta(minutes=5))
        )
    stale = (await fetch(client, url))["last_used_at"]
    assert (await anonymous_client.get("/v1/networks", headers=key_headers)).status_code == 200
    assert (await fetch(client, url))["last_used_at"] > stale


async def test_key_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: object
) -> None:
    async def page(limit: int) -> tuple[int, int]:
        with count_queries() as log:  # type: ignore[operator]
            response = await client.get("/v1/api-keys", params={"limit": limit})
        assert response.status_code == 200
        return int(log.count), len(response.json()["items"])

    one, rows_seen = await page(1)
    assert rows_seen == 1  # the fixture's own key
    for _ in range(49):
        await api_key_headers(engine, ApiKeyScope.READ)
    fifty, rows_seen = await page(50)
    assert rows_seen == 50
    assert fifty == one
