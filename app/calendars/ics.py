"""iCalendar (RFC 5545) for meetings: the feeds, the `.ics` of one meeting and the
`METHOD:REQUEST`/`CANCEL` parts of meeting e-mail (RFC 5546, RFC 6047).

Every meeting is one VEVENT whose UID never changes (`<meeting id>@klynge`) and whose
SEQUENCE is the meeting's own, so a calendar replaces its copy when the time or place
changes. Times are written as local times in the meeting's zone (`DTSTART;TZID=…`) with a
VTIMEZONE for each zone used, so the event stays at 09:00 Oslo time across a daylight
saving change. The `icalendar` package does the escaping and line folding.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from app.meetings.models import Meeting, MeetingStatus

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]

PRODID = "-//Klynge//Meetings//EN"
UID_DOMAIN = "klynge"
# How often subscribers should fetch a published feed again (RFC 7986 and Outlook's name).
_REFRESH_INTERVAL = timedelta(hours=1)

_STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.id}@{UID_DOMAIN}"


def build_calendar(
    meetings: Sequence[Meeting],
    *,
    method: Method | None = None,
    organizer: str | None = None,
    attendee: tuple[str, str | None] | None = None,
    calendar_name: str | None = None,
) -> bytes:
    """One VCALENDAR with a VEVENT per meeting, as UTF-8 bytes.

    `organizer` is an address, bare or with a name (`Klynge <post@example.no>`): every
    method needs one (RFC 5546 3.2.1 for PUBLISH), so feeds pass the secretariat's too.
    `attendee` is `(email, name)` of the one person an invitation is addressed to, asked
    for no calendar reply (RSVP=FALSE).
    With `METHOD:CANCEL` every event is CANCELLED, whatever the meeting's status says.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    if calendar_name is not None:
        calendar.add("x-wr-calname", calendar_name)
    if method == "PUBLISH":
        calendar.add("refresh-interval", _REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    stamp = datetime.now(UTC)
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp, method, organizer, attendee))
    if meetings:
        first, last = _years_spanned(meetings)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def _event(
    meeting: Meeting,
    stamp: datetime,
    method: Method | None,
    organizer: str | None,
    attendee: tuple[str, str | None] | None,
) -> Event:
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    if meeting.description:
        event.add("description", meeting.description)
    location = _location(meeting)
    if location:
        event.add("location", location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    cancelled = method == "CANCEL" or meeting.status is MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else _STATUS[meeting.status])
    if organizer is not None:
        event.add("organizer", _organizer(organizer))
    if attendee is not None:
        event.add("attendee", _attendee(*attendee))
    return event


def _location(meeting: Meeting) -> str:
    return ", ".join(part for part in (meeting.place_name, meeting.place_address) if part)


def _organizer(organizer: str) -> vCalAddress:
    name, address = parseaddr(organizer)
    value = vCalAddress(f"mailto:{address or organizer}")
    if name:
        value.params["CN"] = name
    return value


def _attendee(email: str, name: str | None) -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    value.params["ROLE"] = "REQ-PARTICIPANT"
    value.params["PARTSTAT"] = "NEEDS-ACTION"
    # No reply is asked for: a METHOD:REPLY would go to the ORGANIZER (the sender's
    # mailbox), which nobody reads and nothing processes. People answer through Klynge,
    # as the invitation's text says; with RSVP=FALSE calendars offer no "send reply".
    value.params["RSVP"] = "FALSE"
    if name:
        value.params["CN"] = name
    return value


def _years_spanned(meetings: Sequence[Meeting]) -> tuple[date, date]:
    """The whole years the meetings fall in: each VTIMEZONE lists the zone's changes over
    this span only, not the package's default of 1970-2038 (a hundred lines per zone)."""
    first = min(meeting.starts_at for meeting in meetings)
    last = max(meeting.ends_at for meeting in meetings)
    # A day's margin either side: a meeting's local date may differ from its UTC one.
    return date(first.year - 1, 12, 31), date(last.year + 1, 1, 2)
