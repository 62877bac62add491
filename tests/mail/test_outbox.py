"""Queueing: rows in the caller's transaction, each dedupe key once."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import utcnow
from app.mail.models import OutboxStatus
from app.mail.outbox import OutgoingMail, enqueue, enqueue_many
from tests.mail.helpers import outbox_rows


async def test_enqueue_adds_a_pending_row_due_now(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = utcnow()
    async with sessions() as session, session.begin():
        queued = await enqueue(
            session,
            recipient="anna@example.test",
            subject="Hello",
            body_text="Body",
            calendar=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            calendar_method="REQUEST",
            dedupe_key="test:1",
        )
    assert queued is not None

    [row] = await outbox_rows(sessions)
    assert row.id == queued.id
    assert (row.recipient, row.subject, row.body_text) == ("anna@example.test", "Hello", "Body")
    assert row.calendar == "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert row.calendar_method == "REQUEST"
    assert (row.status, row.attempts, row.dedupe_key) == (OutboxStatus.PENDING, 0, "test:1")
    assert before <= row.next_attempt_at <= utcnow()
    assert row.locked_until is None
    assert row.sent_at is None


async def test_a_rolled_back_transaction_queues_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        await session.begin()
        await enqueue(session, recipient="a@example.test", subject="S", body_text="B")
        await session.rollback()
    assert await outbox_rows(sessions) == []


async def test_the_same_dedupe_key_is_queued_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        first = await enqueue(
            session, recipient="a@example.test", subject="S", body_text="B", dedupe_key="k"
        )
    async with sessions() as session, session.begin():
        second = await enqueue(
            session, recipient="a@example.test", subject="S2", body_text="B2", dedupe_key="k"
        )
        # Messages without a key are never taken for duplicates.
        plain = await enqueue(session, recipient="a@example.test", subject="S", body_text="B")
        also_plain = await enqueue(session, recipient="a@example.test", subject="S", body_text="B")

    assert first is not None
    assert second is None
    assert plain is not None
    assert also_plain is not None
    rows = await outbox_rows(sessions)
    assert len(rows) == 3
    assert [row.subject for row in rows if row.dedupe_key == "k"] == ["S"]


async def test_duplicates_within_one_batch_are_queued_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mail = OutgoingMail(recipient="a@example.test", subject="S", body_text="B", dedupe_key="k")
    async with sessions() as session, session.begin():
        added = await enqueue_many(session, [mail, mail, OutgoingMail("b@x.test", "S", "B")])
    assert len(added) == 2
    assert len(await outbox_rows(sessions)) == 2


async def test_concurrent_transactions_with_the_same_dedupe_key_queue_one_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def queue_in_its_own_transaction(n: int) -> bool:
        async with sessions() as session, session.begin():
            queued = await enqueue(
                session, recipient=f"{n}@example.test", subject="S", body_text="B", dedupe_key="k"
            )
            # On PostgreSQL the others are inside their transactions too, their INSERT
            # waiting for this one; on SQLite they wait for the write lock.
            await asyncio.sleep(0.05)
            return queued is not None

    results = await asyncio.gather(*(queue_in_its_own_transaction(n) for n in range(3)))

    assert sorted(results) == [False, False, True]
    assert len(await outbox_rows(sessions)) == 1
