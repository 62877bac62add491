"""The request's database session: the one commit point.

It commits after the endpoint returns and before the response is sent
(`scope="function"`), and rolls back on any error. Nothing else in a request commits.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    reads_only = request.method in _READ_ONLY_METHODS
    sessionmaker = state.read_sessionmaker if reads_only else state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
