"""Queueing mail: rows written in the caller's transaction, sent later by app/mail/sender.py.

Nothing here talks to an SMTP server, so a request that queues mail is never slowed or
failed by one. A message commits with the change that caused it, or not at all.

Rows are written with one `INSERT … ON CONFLICT (dedupe_key) DO NOTHING … RETURNING` per
batch (both PostgreSQL and SQLite speak it): a message whose `dedupe_key` is already
queued, even by a concurrent transaction that commits first, is simply not added, and no
savepoint or error handling is needed. Being a statement rather than an ORM flush, it is
not copied into the audit trail: the queue is bookkeeping, and its bodies are personal data
the trail need not hold twice.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import dialect_insert, utcnow
from app.mail.models import OutboxMessage, OutboxStatus

# Rows per INSERT: 16 parameters each stays far below SQLite's 32,766 bound variables.
_BATCH = 500


@dataclass(frozen=True)
class OutgoingMail:
    """One e-mail to queue. `calendar` is an iCalendar object (RFC 6047's text/calendar
    part) whose METHOD is `calendar_method`."""

    recipient: str
    subject: str
    body_text: str
    calendar: bytes | None = None
    calendar_method: str | None = None
    dedupe_key: str | None = None


async def enqueue(
    session: AsyncSession,
    *,
    recipient: str,
    subject: str,
    body_text: str,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; None when `dedupe_key` is taken."""
    queued = await enqueue_many(
        session,
        [
            OutgoingMail(
                recipient=recipient,
                subject=subject,
                body_text=body_text,
                calendar=calendar,
                calendar_method=calendar_method,
                dedupe_key=dedupe_key,
            )
        ],
    )
    return queued[0] if queued else None


async def enqueue_many(session: AsyncSession, mails: Sequence[OutgoingMail]) -> list[OutboxMessage]:
    """Queue several messages with one statement per 500; returns the rows added (those
    whose `dedupe_key` was already queued are left out)."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    keys_seen: set[str] = set()
    for mail in mails:
        if mail.dedupe_key is not None:
            if mail.dedupe_key in keys_seen:
                continue
            keys_seen.add(mail.dedupe_key)
        rows.append(_row(mail, now))
    insert = dialect_insert(session)
    added: list[OutboxMessage] = []
    for start in range(0, len(rows), _BATCH):
        statement = (
            insert(OutboxMessage)
            .values(rows[start : start + _BATCH])
            .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
            .returning(OutboxMessage)
        )
        added.extend((await session.scalars(statement)).all())
    return added


def _row(mail: OutgoingMail, now: datetime) -> dict[str, Any]:
    # Every column is given, so each row of a multi-row VALUES has the same shape and no
    # default depends on how SQLAlchemy fills them in a bulk statement.
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "dedupe_key": mail.dedupe_key,
        "recipient": mail.recipient,
        "subject": mail.subject,
        "body_text": mail.body_text,
        "calendar": mail.calendar.decode() if mail.calendar is not None else None,
        "calendar_method": mail.calendar_method,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "locked_until": None,
        "last_error": None,
        "sent_at": None,
    }


async def list_messages(
    session: AsyncSession, statuses: Sequence[OutboxStatus], *, limit: int
) -> list[OutboxMessage]:
    """Messages in `statuses`, the next due first (what `klynge outbox` shows)."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(statuses))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def retry_failed(session: AsyncSession, *, now: datetime) -> int:
    """Put every failed message back in the queue, due `now` with no attempts used (what
    `klynge outbox --retry-failed` does once the cause is fixed); returns how many.
    `last_error` stays, to say what went wrong last time."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            locked_until=None,
            version=OutboxMessage.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount
