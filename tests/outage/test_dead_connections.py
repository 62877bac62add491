"""Pooled connections the server closed (a restart, an idle limit, an operator's
pg_terminate_backend) are not pinged before each use: they are replaced at checkout, or
at worst fail one request with 503 and Retry-After. Never a 500."""

import asyncio

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import create_company

pytestmark = pytest.mark.usefixtures("backend")


async def _terminate_pooled_backends(database_url: str) -> int:
    """End every other session on the test database, waiting until each has gone."""
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        ended: int = await connection.fetchval(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
            " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return ended


def _skip_unless_postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to close connections")


async def test_reads_and_writes_after_the_server_closed_every_pooled_connection(
    backend: str, database_url: str, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    _skip_unless_postgresql(backend)
    company = await create_company(client)
    assert (await client.get("/v1/companies")).status_code == 200
    assert await _terminate_pooled_backends(database_url) >= 1
    await asyncio.sleep(0.05)  # the closed sockets reach the event loop

    read = await client.get(f"/v1/companies/{company['id']}")
    assert read.status_code == 200, read.text
    assert read.json()["id"] == company["id"]
    await _terminate_pooled_backends(database_url)
    await asyncio.sleep(0.05)
    written = await client.post("/v1/people", json={"full_name": "After The Restart"})
    assert written.status_code == 201, written.text


async def test_a_connection_closed_at_the_moment_of_use_is_a_503_then_recovers(
    backend: str, database_url: str, client: httpx.AsyncClient
) -> None:
    """No pause between the termination and the request: asyncpg may not have seen the
    socket end yet, so the statement itself can fail. That one answer may be a 503 with
    Retry-After (the connection is discarded), never a 500; the next is served."""
    _skip_unless_postgresql(backend)
    await create_company(client)
    statuses = []
    for _ in range(5):
        assert (await client.get("/v1/companies")).status_code == 200
        await _terminate_pooled_backends(database_url)
        response = await client.get("/v1/companies")
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["Retry-After"]
        else:
            assert response.status_code == 200, response.text
    assert (await client.get("/v1/companies")).status_code == 200
    assert 500 not in statuses
