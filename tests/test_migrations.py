"""The migrations build the schema the models describe, and unbuild it again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from app import migrate
from app.db import Base, create_engine
from tests import databases


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": migrate.include_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _run(engine: AsyncEngine, function: object) -> object:
    async with engine.connect() as connection:
        return await connection.run_sync(function)  # type: ignore[arg-type]


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    assert await _run(engine, _differences) == []


@pytest.mark.usefixtures("backend")
async def test_upgrade_downgrade_upgrade(backend: str, tmp_path: object) -> None:
    if backend == "postgresql":
        url = await databases.create_postgres_database()
    else:
        url = databases.sqlite_url(tmp_path)  # type: ignore[arg-type]
    engine = create_engine(url)
    try:
        await databases.run_in_thread(migrate.upgrade, url)
        assert await _run(engine, _tables) == set(Base.metadata.tables)
        await databases.run_in_thread(migrate.downgrade, url, "base")
        assert await _run(engine, _tables) == set()
        await databases.run_in_thread(migrate.upgrade, url)
        assert await _run(engine, _differences) == []
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await databases.drop_postgres_database(url)
