"""A meeting's time: IANA zones, wall-clock times read in them, and UTC for storage.

The API takes `starts_at`/`ends_at` as ISO 8601 date-times. With an offset they name one
instant; without one they are wall-clock times in the meeting's `time_zone` (what a
secretary types: "09:00 in Oslo"), so the offset that applies that day — winter or
summer time — is found here, not guessed by the client. Stored values are UTC; answers
carry the meeting zone's offset of that instant.

Range checks and zone lookups raise domain errors (`InvalidField`), not schema errors:
a value the OpenAPI document calls valid must not fail schema validation.
"""

import re
from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field

from app.api.types import FIRST_DAY, LAST_DAY, iso_date_time
from app.errors import InvalidField
from app.meetings.models import Meeting

# RFC 3339 date-times, the offset optional; seconds too (`2027-03-11T09:00`).
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$"
)
# The product's calendar range (`app.api.types`), checked again on the instant once the
# zone is known: a time on the last day can lie in the next year in UTC.
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year
# A host's own default zone, not an IANA name: the same text would mean other things on
# other servers.
_NOT_ZONES = frozenset({"localtime"})


# Pydantic would also read `1700000000` as a Unix time and `2027-03-11` as midnight.
MeetingTime = iso_date_time(
    _DATE_TIME,
    "expected an ISO 8601 date-time such as 2027-03-11T09:00:00+01:00",
    Field(
        description="ISO 8601. With an offset (`+01:00`, `Z`) it is that instant; without "
        "one it is the wall-clock time in the meeting's `time_zone`. Answered in the "
        "meeting's zone, with the offset that applies on that day.",
        examples=["2027-03-11T09:00:00+01:00"],
    ),
)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def zone_named(name: str, field: str = "time_zone") -> ZoneInfo:
    """The IANA zone `name` (exact spelling, e.g. `Europe/Oslo`), or 422 on `field`."""
    if name not in _known_zones():
        raise InvalidField(
            field,
            f"{name!r} is not an IANA time zone; use a name such as Europe/Oslo or "
            "Europe/Stockholm.",
            code="unknown_time_zone",
        )
    return ZoneInfo(name)


def _out_of_range(field: str) -> InvalidField:
    return InvalidField(
        field,
        f"The time must lie between the years {FIRST_YEAR} and {LAST_YEAR}.",
        code="time_out_of_range",
    )


def to_utc(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    """The instant `value` names: as given with an offset, or read in `zone` without one.

    A wall-clock time that does not exist in the zone (skipped when clocks go forward,
    e.g. 02:30 on the last Sunday of March in Europe) is refused rather than moved; one
    that happens twice (clocks going back) is taken as the first.
    """
    if value.tzinfo is None:
        local = value.replace(tzinfo=zone)
        try:
            instant = local.astimezone(UTC)
        except OverflowError as exc:
            raise _out_of_range(field) from exc
        if instant.astimezone(zone).replace(tzinfo=None) != value:
            raise InvalidField(
                field,
                f"{value.isoformat()} does not exist in {zone.key}: the clocks skip it "
                "(daylight saving time begins). Give a time outside the gap, or an offset.",
                code="nonexistent_local_time",
            )
    else:
        try:
            instant = value.astimezone(UTC)
        except OverflowError as exc:
            raise _out_of_range(field) from exc
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise _out_of_range(field)
    return instant


def in_zone(instant: datetime, time_zone: str) -> datetime:
    """A stored UTC instant as the meeting's zone shows it (`2027-03-11T09:00:00+01:00`)."""
    return instant.astimezone(ZoneInfo(time_zone))


def local_day(meeting: Meeting) -> date:
    """The calendar day the meeting starts on where it is held (not UTC's day)."""
    return in_zone(meeting.starts_at, meeting.time_zone).date()
