"""SQLite as the embedded default is configured for concurrent readers and real keys."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKey
from app.db import UTCDateTime, create_sessionmaker


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite settings")
    async with engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
    assert (journal, foreign_keys) == ("wal", 1)


async def test_timestamps_and_json_columns_come_back_as_stored(
    engine: AsyncEngine, client: object
) -> None:
    """asyncpg's timestamps pass through untouched (already aware UTC); SQLite's naive
    ones are made UTC. JSON columns (written and read with orjson) keep every value."""
    oslo_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    processor = UTCDateTime().dialect_impl(engine.dialect).result_processor(engine.dialect, None)
    assert (processor is None) == (engine.dialect.driver == "asyncpg")
    scopes = ["read", "æøå ☃", "\u0000-free"]
    async with create_sessionmaker(engine).begin() as session:
        key = ApiKey(
            name="stored",
            prefix="klk_0badc0de",
            secret_hash="x" * 64,
            scopes=scopes,
            expires_at=oslo_noon,
        )
        session.add(key)
    async with create_sessionmaker(engine)() as session:
        expires_at, stored_scopes = (
            await session.execute(
                select(ApiKey.expires_at, ApiKey.scopes).where(ApiKey.id == key.id)
            )
        ).one()
    assert expires_at == oslo_noon
    assert expires_at.utcoffset() == timedelta(0)
    assert expires_at.tzinfo is UTC
    assert stored_scopes == scopes
