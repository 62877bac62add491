"""Telling "the database is unreachable" apart from every other database error.

An outage reaches the code in many shapes: asyncpg raises `ConnectionRefusedError` or a
`TimeoutError` while connecting, PostgreSQL answers "the database system is starting up"
or "shutting down" with its own SQLSTATE, a connection cut mid-request surfaces as an
`InterfaceError` ("connection is closed") or as asyncpg's `InternalClientError` ("cannot
switch to state"), and SQLAlchemy wraps most of them (`DBAPIError.orig`, whose cause is
the driver's exception). All of them mean the same to a client: retry shortly (503).
Anything else is a bug or a rule and is answered as such.
"""

import errno
import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc as sa_exc

# SQLSTATE classes and codes that say the server cannot serve us right now.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset(
    {
        "08",  # connection exception
        "53",  # insufficient resources (too many connections, out of memory or disk)
        "57",  # operator intervention: shutting down, starting up, statement_timeout
        "58",  # system error (I/O)
    }
)
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "55P03",  # lock_not_available: a lock wait ran out
    }
)

# SQLite's busy or unreadable database: "database is locked", "unable to open database
# file", "disk I/O error". Its other OperationalErrors ("no such table") are bugs.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")

# A socket that cannot reach the server (a plain OSError carries only its errno).
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.EPIPE,
    }
)

# The driver's own words for a connection that is gone.
_CLOSED_CONNECTION = ("connection is closed", "connection was closed", "cannot switch to state")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it wraps: SQLAlchemy's `.orig`, then causes and contexts."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _means_unavailable(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror | sa_exc.TimeoutError):
        # Refused, reset or timed-out connections (connect or command timeout), a host
        # name that does not resolve; SQLAlchemy's TimeoutError is a pool with no free
        # connection left.
        return True
    if isinstance(error, OSError):
        # asyncpg joins the failures of several addresses into one OSError ("Multiple
        # exceptions: …"), whose parts are in its message, not its chain.
        return error.errno in _NETWORK_ERRNOS or "connect call failed" in str(error).lower()
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, asyncpg.PostgresError):
        sqlstate = str(getattr(error, "sqlstate", "") or "")
        return sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES
    if isinstance(error, asyncpg.InterfaceError | asyncpg.exceptions.InternalClientError):
        message = str(error).lower()
        return any(words in message for words in _CLOSED_CONNECTION)
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(words in message for words in _SQLITE_UNAVAILABLE)
    return False


def is_database_unavailable(error: BaseException) -> bool:
    """Whether `error`, or anything it wraps, says the database cannot be reached now."""
    return any(_means_unavailable(inner) for inner in _chain(error))
