"""Which errors mean "the database is unreachable" (503) and which are bugs or rules:
the driver's own exception classes, as SQLAlchemy hands them on."""

import sqlite3

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sa_exc

from app.auth.credentials import new_api_key
from app.config import Settings
from app.database_outage import is_database_unavailable
from app.main import create_app
from tests.helpers import assert_problem


def _wrapped(driver_error: BaseException) -> sa_exc.DBAPIError:
    """As SQLAlchemy raises it: a DBAPIError whose `orig` is caused by the driver's."""
    adapted = Exception(str(driver_error))
    adapted.__cause__ = driver_error
    return sa_exc.DBAPIError("SELECT 1", None, adapted)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        _wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        _wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients already")),
        _wrapped(asyncpg.exceptions.QueryCanceledError("canceling statement due to timeout")),
        _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        _wrapped(asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed")),
        _wrapped(asyncpg.exceptions.InternalClientError("cannot switch to state 15")),
        _wrapped(sqlite3.OperationalError("database is locked")),
    ],
    ids=lambda error: type(error).__name__ + ":" + str(error)[:40],
)
def test_unreachable_in_every_form(error: BaseException) -> None:
    assert is_database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
        _wrapped(asyncpg.exceptions.PostgresSyntaxError("syntax error")),
        _wrapped(asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence")),
        _wrapped(asyncpg.InterfaceError("the server expects 2 arguments, 1 was passed")),
        _wrapped(sqlite3.OperationalError("no such table: people")),
        FileNotFoundError(2, "No such file or directory"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__ + ":" + str(error)[:40],
)
def test_bugs_and_rules_are_not_outages(error: BaseException) -> None:
    assert not is_database_unavailable(error)


async def test_a_write_to_a_refusing_database_is_503_with_retry_after() -> None:
    app = create_app(
        Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", log_json=False)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        # A well-formed key: checking it is the request's first database work.
        key = {"Authorization": f"Bearer {new_api_key().key}"}
        write = await client.post("/v1/people", json={"full_name": "Kari Nordmann"}, headers=key)
        read = await client.get("/v1/networks")
        ready = await client.get("/health/ready")
    await app.state.engine.dispose()
    for response in (write, read, ready):
        assert_problem(response, 503, "database_unavailable")
        assert response.headers["Retry-After"] == "2"
