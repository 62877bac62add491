"""Test databases: a fresh SQLite file and a fresh PostgreSQL database per run.

PostgreSQL is used when `KLYNGE_TEST_POSTGRES_URL` is set or a server answers on
127.0.0.1:5432. With `CI` set it is mandatory: unreachable means failure, not skip.
"""

import asyncio
import os
import socket
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    return os.environ.get("KLYNGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_reachable() -> bool:
    url = make_url(postgres_base_url())
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def postgres_required() -> bool:
    return bool(os.environ.get("CI")) or "KLYNGE_TEST_POSTGRES_URL" in os.environ


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def create_postgres_database() -> str:
    name = f"klynge_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_dsn(postgres_base_url()))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(postgres_base_url()).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    connection = await asyncpg.connect(_asyncpg_dsn(postgres_base_url()))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'klynge-test.db'}"


async def run_in_thread(function: object, *args: object) -> object:
    # Alembic's env.py calls asyncio.run(); it must not run on the test's event loop.
    return await asyncio.to_thread(function, *args)  # type: ignore[arg-type]
