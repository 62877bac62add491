"""Database plumbing: the declarative base, the engine and the session factory.

Every table gets a UUID primary key, UTC timestamps and a version counter that
doubles as the ETag and guards concurrent updates (SQLAlchemy's version_id_col).
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend.

    SQLite has no time zone type and hands back naive values; this makes both
    backends return aware UTC datetimes and refuses naive ones on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # Keyset cursors decode their values by the column's Python type.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Klynge stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # asyncpg decodes timestamptz as an aware datetime in UTC already: no call per
        # value (it was ~4 % of a list's time). SQLite's naive values are made UTC.
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact Decimal with a fixed number of decimals, stored as a scaled integer.

    Money (scale 2: øre/öre), quantities and rates. SQLite has no exact decimal type
    (NUMERIC there is a float), so both backends store integers: sums in SQL stay exact
    and a value with more decimals than the column holds is refused, never rounded.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale).quantize(Decimal(1).scaleb(-self.scale))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Entity:
    """Columns every resource table shares."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __mapper_args__(self) -> dict[str, Any]:
        # `version` is bumped on every UPDATE and checked in its WHERE clause, so two
        # writers of the same row cannot both succeed; it is also the resource's ETag.
        return {"version_id_col": self.version}


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# An execution option on the engine that writing requests use (see app/api/session.py).
SQLITE_WRITE_LOCK = "klynge_sqlite_write_lock"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite sends BEGIN only before the first write, so a service's check (a
        # SELECT) would run outside the transaction that then writes: two requests could
        # both pass "no overlapping term" and both insert. We send BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers run beside the one writer; foreign keys are off by default.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writing transaction takes SQLite's write lock before its first read, so its
        # checks and its writes see one state and concurrent writers queue (WAL readers
        # are not blocked). Read-only transactions take no lock.
        if connection.get_execution_options().get(SQLITE_WRITE_LOCK):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@dataclass(frozen=True)  # no slots: Settings reads the defaults off the class
class DatabaseTimeouts:
    """How long Klynge waits on PostgreSQL before it gives up and answers 503.

    Without them a frozen database (a network partition) holds every request for as long
    as it lasts. `statement` is PostgreSQL's own `statement_timeout` (the server cancels a
    slow statement cleanly); `command` is the client's limit on any one round trip, which
    also covers a server that no longer answers at all, so it is the longer of the two.
    """

    connect: float = 5.0
    statement: float = 15.0
    command: float = 20.0
    # Waiting for a free pooled connection when every one is busy.
    pool: float = 10.0
    # A pooled connection older than this is closed and replaced at its next checkout,
    # before a firewall or the server's idle limit cuts it unannounced.
    recycle: float = 1800.0


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (addresses, settings) written and read with orjson, several times faster
# than the standard library's json on every row of a list.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    timeouts: DatabaseTimeouts | None = None,
) -> AsyncEngine:
    # hide_parameters: a database error's message (logged, and in tracebacks) would
    # otherwise carry the statement's bound values: password hashes, e-mail addresses,
    # names. The statement text is kept; the values never reach a log.
    if is_sqlite(url):
        # aiosqlite runs each connection in its own thread; pooling them buys little
        # and ties them to one event loop, which breaks the CLI and test clients.
        engine = create_async_engine(
            url, echo=echo, poolclass=NullPool, hide_parameters=True, **_JSON_CODEC
        )
        _configure_sqlite(engine)
        return engine
    timeouts = timeouts or DatabaseTimeouts()
    # No pool_pre_ping: it costs every request a round trip (BEGIN; ping; ROLLBACK).
    # Connections are recycled by age instead, one the server closed is replaced at
    # checkout (_replace_closed_connections), and one that dies unnoticed fails its
    # statement as a disconnect: SQLAlchemy discards it and the request answers 503
    # with Retry-After (app/database_outage.py), the next one gets a fresh connection.
    engine = create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        pool_timeout=timeouts.pool,
        pool_recycle=int(timeouts.recycle),
        **_JSON_CODEC,
        connect_args={
            "timeout": timeouts.connect,
            "command_timeout": timeouts.command,
            "server_settings": {"statement_timeout": str(int(timeouts.statement * 1000))},
        },
    )
    _replace_closed_connections(engine)
    return engine


def _replace_closed_connections(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # The server closed this connection while it sat in the pool (a restart,
        # pg_terminate_backend, an idle limit): asyncpg saw the socket end, so this
        # costs no round trip. DisconnectionError makes the pool discard it and hand
        # out another (a new one if need be) instead.
        if record.driver_connection.is_closed():
            raise DisconnectionError("the server closed this pooled connection")


def create_sessionmaker(
    engine: AsyncEngine, *, writes: bool = True
) -> async_sessionmaker[AsyncSession]:
    """Sessions for `engine`; with `writes`, SQLite transactions take the write lock first.

    expire_on_commit=False: responses are built from objects after the commit point.
    """
    bind = engine.execution_options(**{SQLITE_WRITE_LOCK: True}) if writes else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


def create_autocommit_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for GET and HEAD requests: on PostgreSQL without a transaction block.

    PostgreSQL runs each statement of an AUTOCOMMIT connection as its own transaction, so
    a read is its one statement: no BEGIN and COMMIT round trips around it. It sees what
    it would have seen inside a READ COMMITTED block, where every statement takes a fresh
    snapshot too. What must hold across statements (a row lock, writes that stand or fall
    together) goes inside `atomic`. SQLite: the read sessions of `create_sessionmaker`.
    """
    if engine.dialect.name != "postgresql":
        return create_sessionmaker(engine, writes=False)
    bind = engine.execution_options(isolation_level=_AUTOCOMMIT)
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


_AUTOCOMMIT = "AUTOCOMMIT"


@asynccontextmanager
async def atomic(session: AsyncSession) -> AsyncIterator[None]:
    """Statements that succeed or fail together, in any request's session.

    In a transaction (writing requests, SQLite), a savepoint: a failure inside undoes
    only the block, and what it did commits with the request. In an autocommit read
    session (a GET on PostgreSQL), a transaction block of its own on the session's
    connection, committed when the block ends (a GET has no commit point to wait for).
    """
    if session.get_bind().get_execution_options().get("isolation_level") != _AUTOCOMMIT:
        async with session.begin_nested():
            yield
        return
    raw = await (await session.connection()).get_raw_connection()
    async with raw.driver_connection.transaction():  # type: ignore[union-attr]
        yield


def dialect_insert(session: AsyncSession) -> Any:
    """The backend's INSERT, which has ON CONFLICT (both PostgreSQL and SQLite do)."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def enum_column(enum_cls: type[StrEnum], name: str) -> SAEnum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the values."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


async def advisory_xact_lock(session: AsyncSession, key: str) -> None:
    """Hold a named lock until the transaction ends, so racing writers take turns.

    PostgreSQL: a transaction-scoped advisory lock on a hash of `key`. SQLite: nothing to
    do, a writing transaction already holds the database's write lock (see above).
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )
