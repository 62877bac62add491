"""A GET's session on PostgreSQL runs each statement as its own transaction; `atomic`
gives the few statements that must stand or fall together a transaction of their own.
On SQLite (and in writing requests) it is a savepoint in the request's transaction."""

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import atomic, utcnow
from app.people.models import Person

pytestmark = pytest.mark.usefixtures("backend")


class _Undo(Exception):
    pass


def _get_sessions(application: FastAPI) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = application.state.request_read_sessionmaker
    return sessions


async def _add_person(session: AsyncSession, name: str) -> None:
    now = utcnow()
    await session.execute(
        insert(Person).values(
            id=uuid.uuid4(), full_name=name, version=1, created_at=now, updated_at=now
        )
    )


async def _add_then_fail(session: AsyncSession, name: str) -> None:
    async with atomic(session):
        await _add_person(session, name)
        raise _Undo


async def _stored(application: FastAPI, name: str) -> int:
    async with application.state.read_sessionmaker() as session:
        count: int = await session.scalar(
            select(func.count()).select_from(Person).where(Person.full_name == name)
        )
    return count


async def test_each_statement_of_a_get_on_postgresql_is_its_own_transaction(
    backend: str, application: FastAPI
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite reads keep their transaction")
    async with _get_sessions(application)() as session:
        outside = [await session.scalar(text("SELECT txid_current()")) for _ in range(2)]
        async with atomic(session):
            inside = [await session.scalar(text("SELECT txid_current()")) for _ in range(2)]
    assert outside[0] != outside[1]
    assert inside[0] == inside[1]


async def test_atomic_commits_together_and_undoes_together(
    application: FastAPI,
    client: httpx.AsyncClient,  # empties the tables afterwards
) -> None:
    async with _get_sessions(application)() as session:
        async with atomic(session):
            await _add_person(session, "Kept One")
            await _add_person(session, "Kept Two")
        with pytest.raises(_Undo):
            await _add_then_fail(session, "Undone One")
        # After a failed block the session goes on (a savepoint, or a block of its own).
        assert await session.scalar(select(func.count()).select_from(Person)) >= 2
        await session.commit()
    assert await _stored(application, "Kept One") == 1
    assert await _stored(application, "Kept Two") == 1
    assert await _stored(application, "Undone One") == 0


async def test_a_calendar_feed_still_notes_its_use(client: httpx.AsyncClient) -> None:
    """The one GET that writes: its savepoint became `atomic`, and the write stays."""
    person = (await client.post("/v1/people", json={"full_name": "Feed Reader"})).json()
    made = await client.post(
        "/v1/calendar-tokens", json={"kind": "person", "person_id": person["id"]}
    )
    assert made.status_code == 201, made.text
    feed = await client.get(made.json()["feed_url"])
    assert feed.status_code == 200, feed.text
    token = await client.get(f"/v1/calendar-tokens/{made.json()['id']}")
    assert token.json()["last_used_at"] is not None
