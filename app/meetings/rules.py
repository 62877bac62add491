"""What a meeting's state allows, said the same way by every package.

One code per state, whichever route meets it: a cancelled meeting is 409
`meeting_cancelled`; a held meeting, whose facts are its record, is 409 `meeting_closed`
for changes it no longer takes; published minutes are 409 `minutes_published`; a meeting
that has not started yet is 409 `meeting_not_started` for what needs it to have begun.
The detail may say what was refused; the code never changes.
"""

from datetime import datetime

from app.db import utcnow
from app.errors import Conflict
from app.meetings.models import Meeting, MeetingStatus, MinutesStatus


def has_started(
    meeting: Meeting, now: datetime | None = None, *, starts_at: datetime | None = None
) -> bool:
    """Held, or past its start and not cancelled. `starts_at` asks about a start time a
    change is about to set, before it is written."""
    start = meeting.starts_at if starts_at is None else starts_at
    return started(meeting.status, start, utcnow() if now is None else now)


def started(status: MeetingStatus, starts_at: datetime, now: datetime) -> bool:
    """`has_started` from a meeting's status and start (a read's row has no object)."""
    if status is MeetingStatus.HELD:
        return True
    if status is MeetingStatus.CANCELLED:
        return False
    return starts_at <= now


def meeting_cancelled(detail: str = "The meeting is cancelled; it no longer changes.") -> Conflict:
    return Conflict(detail, code="meeting_cancelled")


def meeting_closed(
    detail: str = "The meeting has been held; its record no longer changes.",
) -> Conflict:
    return Conflict(detail, code="meeting_closed")


def minutes_published(
    detail: str = "The meeting's minutes are published and read-only; only an action item's "
    "status may still change.",
) -> Conflict:
    return Conflict(detail, code="minutes_published")


def meeting_not_started(
    detail: str = "The meeting has not started yet; this is possible once it has.",
) -> Conflict:
    return Conflict(detail, code="meeting_not_started")


def check_not_cancelled(meeting: Meeting, detail: str | None = None) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise meeting_cancelled() if detail is None else meeting_cancelled(detail)


def check_minutes_not_published(meeting: Meeting, detail: str | None = None) -> None:
    if meeting.minutes_status is MinutesStatus.PUBLISHED:
        raise minutes_published() if detail is None else minutes_published(detail)
