"""SQLite as the embedded default is configured for concurrent readers and real keys."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: AsyncEngine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite settings")
    async with engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
    assert (journal, foreign_keys) == ("wal", 1)
