"""The sender's claims on outbox rows: taking due messages, recording what became of each,
and giving back the ones it did not try. Each step is its own short transaction; none is
open while the SMTP server is talked to.

A claim sets `locked_until` (now + claim seconds) and adds one to `attempts`. The pair of
values the claim wrote is its token: a later step changes the row only while the row is
still pending and still holds both (`_still_ours`). A sender that was too slow, whose
claim expired and was taken by another sender (which writes its own `locked_until` and
`attempts`), or given back by one, changes nothing: the other sender's claim wins.
(`attempts` alone could repeat, since giving back lowers it; `locked_until` never does,
as a new claim is only possible after the old one expired and sets a later expiry.)

The rows are changed with UPDATE statements, not through the ORM, so a claim or a retry
is not an audit event (the trail records what people did, not the queue's bookkeeping).
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.mail.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class ClaimedMessage:
    id: uuid.UUID
    recipient: str
    subject: str
    body_text: str
    calendar: str | None
    calendar_method: str | None
    # The claim token: the values this claim wrote.
    attempts: int  # including the one being made
    locked_until: datetime


async def claim_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    limit: int,
    claim_seconds: float,
) -> list[ClaimedMessage]:
    """Claim up to `limit` due messages, the longest waiting first. PostgreSQL takes the
    rows with `FOR UPDATE SKIP LOCKED`, so any number of senders share the queue without
    waiting for each other; SQLite's sessions take the write lock first (BEGIN IMMEDIATE,
    see app/db.py), so claims queue."""
    locked_until = now + timedelta(seconds=claim_seconds)
    async with sessionmaker() as session, session.begin():
        due = (
            select(
                OutboxMessage.id,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body_text,
                OutboxMessage.calendar,
                OutboxMessage.calendar_method,
                OutboxMessage.attempts,
            )
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            # PostgreSQL only; SQLite renders nothing and relies on its write lock.
            .with_for_update(skip_locked=True)
        )
        rows = (await session.execute(due)).all()
        if not rows:
            return []
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(
                locked_until=locked_until,
                attempts=OutboxMessage.attempts + 1,
                version=OutboxMessage.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return [
        ClaimedMessage(
            id=row.id,
            recipient=row.recipient,
            subject=row.subject,
            body_text=row.body_text,
            calendar=row.calendar,
            calendar_method=row.calendar_method,
            attempts=row.attempts + 1,
            locked_until=locked_until,
        )
        for row in rows
    ]


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    message: ClaimedMessage,
    values: Mapping[str, Any],
) -> bool:
    """Write `values` to the message's row and end the claim, in a transaction of its
    own; False (and nothing written) when the claim was lost."""
    async with sessionmaker() as session, session.begin():
        return await _update_if_ours(session, message, values) == 1


async def give_back(
    sessionmaker: async_sessionmaker[AsyncSession], messages: Sequence[ClaimedMessage]
) -> int:
    """End the claims on messages that were not tried: the attempt the claim added is
    taken back, and `next_attempt_at` is left alone, so each keeps its place in the
    queue. Returns how many were still ours."""
    if not messages:
        return 0
    returned = 0
    async with sessionmaker() as session, session.begin():
        for message in messages:
            returned += await _update_if_ours(
                session, message, {"attempts": OutboxMessage.attempts - 1}
            )
    return returned


async def _update_if_ours(
    session: AsyncSession, message: ClaimedMessage, values: Mapping[str, Any]
) -> int:
    result = await session.execute(
        update(OutboxMessage)
        .where(_still_ours(message))
        .values(locked_until=None, version=OutboxMessage.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def _still_ours(message: ClaimedMessage) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.id == message.id,
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.attempts == message.attempts,
        OutboxMessage.locked_until == message.locked_until,
    )
