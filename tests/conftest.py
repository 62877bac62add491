"""Fixtures: every API test runs once on SQLite and once on PostgreSQL."""

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import String, cast, delete, event, update
from sqlalchemy.ext.asyncio import AsyncEngine

import app.models  # noqa: F401 - every table on Base.metadata
from app import migrate
from app.auth.models import ApiKeyScope
from app.config import Settings, get_settings
from app.db import Base
from app.invoices.models import Invoice
from app.main import create_app
from app.networks.models import Network
from tests import databases
from tests.callers import api_key_headers

# The API refuses to start without a signing secret (there is none in the code): the
# tests sign with a random one of their own, which the servers they start inherit.
os.environ["KLYNGE_JWT_SECRET"] = secrets.token_urlsafe(48)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql" and not databases.postgres_reachable():
        if databases.postgres_required():
            pytest.fail(
                f"PostgreSQL is required (CI or KLYNGE_TEST_POSTGRES_URL set) but "
                f"{databases.postgres_base_url()} is unreachable"
            )
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 and KLYNGE_TEST_POSTGRES_URL not set")
    return name


@pytest.fixture(scope="session")
async def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if backend == "postgresql":
        url = await databases.create_postgres_database()
    else:
        url = databases.sqlite_url(tmp_path_factory.mktemp("sqlite"))
    # The schema comes from the migrations, exactly as in production.
    await databases.run_in_thread(migrate.upgrade, url)
    yield url
    if backend == "postgresql":
        await databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
async def application(database_url: str) -> AsyncIterator[FastAPI]:
    settings = Settings(database_url=database_url, environment="test", log_json=False)
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
def engine(application: FastAPI) -> AsyncEngine:
    result: AsyncEngine = application.state.engine
    return result


async def _empty_all_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        # ON DELETE RESTRICT acts row by row on SQLite, so the tree is cut first; as roots,
        # networks that shared a slug under different parents would clash, so each takes
        # its id as slug.
        await connection.execute(
            update(Network).values(
                parent_id=None,
                requires_parent_membership=False,
                slug=cast(Network.id, String),
            )
        )
        # Credit notes point at the invoices they credit (and their lines at the lines):
        # they go first, taking their lines with them.
        await connection.execute(delete(Invoice).where(Invoice.credited_invoice_id.is_not(None)))
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def anonymous_client(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no credentials; every table is emptied after the test."""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        yield client
    await _empty_all_tables(application.state.engine)


@pytest.fixture
async def client(anonymous_client: httpx.AsyncClient, application: FastAPI) -> httpx.AsyncClient:
    """The secretariat: a client with a `write` API key, so it may do everything."""
    anonymous_client.headers.update(
        await api_key_headers(application.state.engine, ApiKeyScope.WRITE)
    )
    return anonymous_client


@pytest.fixture
def command_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`klynge` commands read the database URL from the environment, like in production."""
    monkeypatch.setenv("KLYNGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def bare_client(
    application: FastAPI, client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials of its own: each request sends its caller's headers.
    (Depends on `client`, whose fixture empties the tables after the test.)"""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as bare:
        yield bare


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine: AsyncEngine) -> Any:
    """`with count_queries() as log:` records every SQL statement sent in the block."""

    @contextmanager
    def counting() -> Iterator[QueryLog]:
        log = QueryLog()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # Transaction control is not a query (SQLite's BEGIN is sent explicitly).
            if not statement.lstrip().upper().startswith("BEGIN"):
                log.statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)

    return counting
