"""The benchmark's own PostgreSQL database, migrated by the app and filled by COPY.

    .venv/bin/python -m bench.data            # BENCH_SCALE=0.1 for a tenth

Drops and creates `klynge_bench` (BENCH_DB_NAME) on BENCH_PG (127.0.0.1:5432, user
postgres), runs the app's migrations (`alembic upgrade head`), loads every table with
asyncpg's binary COPY, makes a `read` API key with the app's own provisioning function,
and ANALYZEs. What the other steps need (the key, the scale) is kept in a small
`bench_meta` table, so `BENCH_REUSE=1` skips all of it when the database already holds
data at the asked scale.
"""

import asyncio
import dataclasses
import os
import time
from dataclasses import dataclass

import asyncpg
import orjson

from app import migrate
from app.auth.models import ApiKeyScope
from app.auth.provisioning import create_api_key
from bench import data_rows

SERVER = os.environ.get("BENCH_PG", "postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_NAME", "klynge_bench")


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1"))


@dataclass(frozen=True, slots=True)
class Dataset:
    scale: float
    dsn: str  # plain libpq form, for asyncpg and psycopg
    read_key: str
    counts: data_rows.Counts

    def url(self, driver: str = "asyncpg") -> str:
        """The SQLAlchemy URL of the database for `driver` (asyncpg, psycopg)."""
        return self.dsn.replace("postgresql://", f"postgresql+{driver}://", 1)


def _dsn(name: str) -> str:
    return f"postgresql://{SERVER}/{name}"


async def _recreate() -> None:
    admin = await asyncpg.connect(_dsn("postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await admin.close()


async def _stored(wanted: float) -> Dataset | None:
    try:
        connection = await asyncpg.connect(_dsn(DB_NAME))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        value = await connection.fetchval("SELECT value FROM bench_meta WHERE name = 'dataset'")
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await connection.close()
    meta = orjson.loads(value)
    if meta["scale"] != wanted:
        return None
    return Dataset(wanted, _dsn(DB_NAME), meta["read_key"], data_rows.Counts(**meta["counts"]))


async def _copy(tables: data_rows.Tables) -> None:
    connection = await asyncpg.connect(_dsn(DB_NAME))
    try:
        for table, rows in tables.rows.items():
            started = time.perf_counter()
            await connection.copy_records_to_table(
                table, records=rows, columns=list(tables.columns[table])
            )
            print(f"  {table}: {len(rows):,} rows in {time.perf_counter() - started:.1f} s")
    finally:
        await connection.close()


async def _finish(dataset_scale: float, counts: data_rows.Counts) -> Dataset:
    dsn = _dsn(DB_NAME)
    _row, key = await create_api_key(
        dsn.replace("postgresql://", "postgresql+asyncpg://", 1), "bench", [ApiKeyScope.READ], None
    )
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE")
        await connection.execute("CREATE TABLE bench_meta (name text PRIMARY KEY, value text)")
        meta = {"scale": dataset_scale, "read_key": key, "counts": dataclasses.asdict(counts)}
        await connection.execute(
            "INSERT INTO bench_meta VALUES ('dataset', $1)", orjson.dumps(meta).decode()
        )
    finally:
        await connection.close()
    return Dataset(dataset_scale, dsn, key, counts)


async def prepare() -> Dataset:
    """The benchmark database at BENCH_SCALE, made anew unless BENCH_REUSE=1 finds it."""
    wanted = scale()
    if os.environ.get("BENCH_REUSE") == "1" and (found := await _stored(wanted)) is not None:
        print(f"Reusing {DB_NAME} at scale {wanted}.")
        return found
    started = time.perf_counter()
    await _recreate()
    await asyncio.to_thread(migrate.upgrade, _dsn(DB_NAME).replace("://", "+asyncpg://", 1))
    tables, counts = data_rows.build(wanted)
    print(f"Built rows in {time.perf_counter() - started:.1f} s; loading {DB_NAME} by COPY:")
    await _copy(tables)
    dataset = await _finish(wanted, counts)
    print(f"Database ready in {time.perf_counter() - started:.0f} s: {counts}")
    return dataset


if __name__ == "__main__":
    asyncio.run(prepare())
