"""Reading back the meeting e-mail the real code queued in `mail_outbox`.

Each row is reduced to what the tests compare: which of the meeting e-mail functions
wrote it (its subject's prefix: an invitation, an update or a cancellation), its
calendar METHOD, its recipient, the participant it is for and the meeting's SEQUENCE.
The SEQUENCE is read from the dedupe key and checked against the attached calendar, so
the two cannot disagree unnoticed.
"""

import uuid
from dataclasses import dataclass

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.mail.models import OutboxMessage

# The subject's prefix names the function that queued the message.
_KINDS = {"Invitation": "invitation", "Updated": "update", "Cancelled": "cancellation"}


@dataclass(frozen=True, order=True)
class Mail:
    """One queued meeting message, as a value to compare."""

    kind: str  # invitation | update | cancellation
    method: str  # the calendar's METHOD: REQUEST | CANCEL
    recipient: str
    participant_id: str
    sequence: int


def _mail(row: OutboxMessage, meeting_id: str) -> Mail:
    assert row.dedupe_key is not None, row.subject
    meeting, mid, participant, participant_id, method, sequence = row.dedupe_key.split(":")
    assert (meeting, mid, participant) == ("meeting", meeting_id, "participant"), row.dedupe_key
    assert row.calendar_method == method.upper(), (row.calendar_method, row.dedupe_key)
    assert row.calendar is not None
    calendar = Calendar.from_ical(row.calendar)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == row.calendar_method
    assert str(event["UID"]) == f"{meeting_id}@klynge"
    assert event.decoded("SEQUENCE") == int(sequence), (event["SEQUENCE"], row.dedupe_key)
    prefix = row.subject.split(":", 1)[0]
    assert prefix in _KINDS, row.subject
    return Mail(_KINDS[prefix], row.calendar_method, row.recipient, participant_id, int(sequence))


async def meeting_mail(engine: AsyncEngine, meeting_id: str) -> list[Mail]:
    """Every message queued about the meeting, sorted (rows queued in one transaction
    have no order of their own)."""
    uuid.UUID(meeting_id)  # a typo here must not match nothing and pass
    async with create_sessionmaker(engine, writes=False)() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"meeting:{meeting_id}:%"))
        )
        return sorted(_mail(row, meeting_id) for row in rows)
