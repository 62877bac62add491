"""iCalendar (RFC 5545) for meetings. STUB: replaced by the calendars work."""

from collections.abc import Sequence
from typing import Literal

from app.meetings.models import Meeting

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def build_calendar(
    meetings: Sequence[Meeting],
    *,
    method: Method | None = None,
    organizer: str | None = None,
    attendee: tuple[str, str | None] | None = None,
    calendar_name: str | None = None,
) -> bytes:
    raise NotImplementedError
