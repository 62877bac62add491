"""The request's database session: the one commit point.

It commits after the endpoint returns and before the response is sent
(`scope="function"`), and rolls back on any error. Nothing else in a request commits.
A GET's or HEAD's session on PostgreSQL is in autocommit (each statement its own
transaction, so nothing is left to commit); what it must do atomically goes in
`app.db.atomic`.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    reads_only = request.method in _READ_ONLY_METHODS
    # Reads: no transaction block on PostgreSQL (app/db.py create_autocommit_read_sessionmaker).
    sessionmaker = state.request_read_sessionmaker if reads_only else state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


@dataclass(frozen=True, slots=True)
class Transactions:
    """The request's sessions for a use case that must not hold one transaction across
    slow work (a sign-in's Argon2, during which SQLite's write lock would be held): it
    opens short `begin()` blocks of its own, each its own commit point, instead of
    taking SessionDep. `writes` take SQLite's write lock first, as SessionDep's do."""

    writes: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]


def _transactions(request: Request) -> Transactions:
    state = request.app.state
    return Transactions(writes=state.sessionmaker, reads=state.read_sessionmaker)


TransactionsDep = Annotated[Transactions, Depends(_transactions)]
