"""`build_calendar`, read back with the `icalendar` package: identity, status, times in
their zone across a daylight saving change, escaping, and the invitation parts."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from app.calendars.ics import build_calendar
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from tests.calendars.helpers import NEXT_YEAR, at


def meeting(**fields: Any) -> Meeting:
    starts_at = fields.pop("starts_at", at(1, 14, 8))
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "network_id": uuid.uuid4(),
        "kind": MeetingKind.REGULAR,
        "title": "Process industry council",
        "description": None,
        "time_zone": "Europe/Oslo",
        "place_name": None,
        "place_address": None,
        "online_url": None,
        "status": MeetingStatus.PLANNED,
        "sequence": 0,
        "created_at": datetime(2026, 5, 1, 10, tzinfo=UTC),
        "updated_at": datetime(2026, 6, 2, 11, 30, tzinfo=UTC),
        "version": 1,
        **fields,
    }
    return Meeting(starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), **values)


def read(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(data: bytes) -> Any:
    (event,) = read(data).walk("VEVENT")
    return event


def test_calendar_header_and_identity() -> None:
    first = meeting(sequence=3)
    data = build_calendar([first], method="PUBLISH", calendar_name="GIC Offshore forum")
    calendar = read(data)
    assert str(calendar["prodid"]) == "-//Klynge//Meetings//EN"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "GIC Offshore forum"
    assert calendar.refresh_interval == timedelta(hours=1)
    event = only_event(data)
    assert str(event["uid"]) == f"{first.id}@klynge"
    assert event.decoded("sequence") == 3
    assert event.decoded("created") == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert event.decoded("last-modified") == datetime(2026, 6, 2, 11, 30, tzinfo=UTC)
    stamp = event.decoded("dtstamp")
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)


def test_uid_is_stable_between_builds() -> None:
    same = meeting()
    once = only_event(build_calendar([same]))
    again = only_event(build_calendar([same]))
    assert str(once["uid"]) == str(again["uid"]) == f"{same.id}@klynge"


def test_no_method_or_name_unless_given() -> None:
    calendar = read(build_calendar([meeting()]))
    assert "method" not in calendar
    assert "x-wr-calname" not in calendar


def test_an_empty_calendar_is_valid() -> None:
    calendar = read(build_calendar([], method="PUBLISH", calendar_name="Nothing yet"))
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE") == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (MeetingStatus.PLANNED, "TENTATIVE"),
        (MeetingStatus.CONFIRMED, "CONFIRMED"),
        (MeetingStatus.HELD, "CONFIRMED"),
        (MeetingStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_status(status: MeetingStatus, expected: str) -> None:
    assert str(only_event(build_calendar([meeting(status=status)]))["status"]) == expected


def test_method_cancel_cancels_whatever_the_status() -> None:
    data = build_calendar([meeting(status=MeetingStatus.CONFIRMED)], method="CANCEL")
    assert str(read(data)["method"]) == "CANCEL"
    assert str(only_event(data)["status"]) == "CANCELLED"


def test_times_are_local_in_the_meetings_zone_across_daylight_saving() -> None:
    winter = meeting(starts_at=at(1, 14, 8))  # 09:00 in Oslo, CET
    spring = meeting(starts_at=at(4, 15, 7))  # 09:00 in Oslo, CEST
    swedish = meeting(starts_at=at(4, 15, 11, 30), time_zone="Europe/Stockholm")
    data = build_calendar([winter, spring, swedish])
    by_uid = {str(event["uid"]): event for event in read(data).walk("VEVENT")}

    start = by_uid[f"{winter.id}@klynge"].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Oslo"
    assert (start.hour, start.minute, start.utcoffset()) == (9, 0, timedelta(hours=1))
    assert start.astimezone(UTC) == winter.starts_at

    start = by_uid[f"{spring.id}@klynge"].decoded("dtstart")
    assert (start.hour, start.utcoffset()) == (9, timedelta(hours=2))
    assert start.astimezone(UTC) == spring.starts_at
    end = by_uid[f"{spring.id}@klynge"].decoded("dtend")
    assert (end.hour, end.astimezone(UTC)) == (12, spring.ends_at)

    start = by_uid[f"{swedish.id}@klynge"].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Stockholm"
    assert (start.hour, start.minute, start.utcoffset()) == (13, 30, timedelta(hours=2))
    assert start.astimezone(UTC) == swedish.starts_at

    # The wire form: a local time and its zone's name, not UTC.
    text = data.decode()
    assert f"DTSTART;TZID=Europe/Oslo:{NEXT_YEAR}0114T090000" in text
    assert f"DTSTART;TZID=Europe/Oslo:{NEXT_YEAR}0415T090000" in text
    assert f"DTSTART;TZID=Europe/Stockholm:{NEXT_YEAR}0415T133000" in text


def test_one_vtimezone_per_zone_used_with_its_daylight_saving_rule() -> None:
    data = build_calendar(
        [
            meeting(starts_at=at(1, 14, 8)),
            meeting(starts_at=at(4, 15, 7)),
            meeting(starts_at=at(4, 15, 7), time_zone="Europe/Stockholm"),
        ]
    )
    zones = {str(zone["tzid"]): zone for zone in read(data).walk("VTIMEZONE")}
    assert sorted(zones) == ["Europe/Oslo", "Europe/Stockholm"]
    oslo = zones["Europe/Oslo"]
    daylight = oslo.walk("DAYLIGHT")
    assert daylight, "the summer time rule is missing"
    assert daylight[0]["tzoffsetto"].td == timedelta(hours=2)
    assert any(part["tzoffsetto"].td == timedelta(hours=1) for part in oslo.walk("STANDARD"))
    # The change in March of the meetings' year is in it.
    changes = [part.decoded("dtstart") for part in daylight]
    changes += [rdate.dt for part in daylight for rdate in _rdates(part)]
    assert any(change.year == NEXT_YEAR and change.month == 3 for change in changes)


def _rdates(component: Any) -> list[Any]:
    value = component.get("rdate")
    if value is None:
        return []
    periods = value if isinstance(value, list) else [value]
    return [dt for period in periods for dt in period.dts]


def test_text_is_escaped_and_reads_back_unchanged() -> None:
    title = "Herøya; Göteborg, and more"
    description = "Line one, with a comma; and a semicolon\nLine two: Æ Ø Å ä ö\\end"
    data = build_calendar(
        [
            meeting(
                title=title,
                description=description,
                place_name="Herøya Forskningspark",
                place_address="Hydrovegen 55, 3936 Porsgrunn",
                online_url="https://meet.example.no/j/123?pwd=a,b",
            )
        ],
        calendar_name="Göteborg; Västra, Götaland",
    )
    text = data.decode()
    assert "SUMMARY:Herøya\\; Göteborg\\, and more" in text
    assert "Line one\\, with a comma\\; and a semicolon\\nLine two" in text
    event = only_event(data)
    assert str(event["summary"]) == title
    assert str(event["description"]) == description
    assert str(event["location"]) == "Herøya Forskningspark, Hydrovegen 55, 3936 Porsgrunn"
    assert str(event["url"]) == "https://meet.example.no/j/123?pwd=a,b"
    assert str(read(data)["x-wr-calname"]) == "Göteborg; Västra, Götaland"


def test_long_non_ascii_lines_are_folded_and_read_back() -> None:
    title = "Møte på Herøya " * 12
    data = build_calendar([meeting(title=title)])
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert str(only_event(data)["summary"]) == title


def test_location_with_only_a_link_has_none() -> None:
    event = only_event(build_calendar([meeting(online_url="https://meet.example.no/x")]))
    assert "location" not in event
    assert str(event["url"]) == "https://meet.example.no/x"


def test_invitation_has_organizer_and_attendee() -> None:
    data = build_calendar(
        [meeting(status=MeetingStatus.CONFIRMED, sequence=1)],
        method="REQUEST",
        organizer="Klynge Secretariat <post@klynge.example.no>",
        attendee=("kari@example.no", "Nordmann, Kari"),
    )
    assert str(read(data)["method"]) == "REQUEST"
    event = only_event(data)
    organizer = event["organizer"]
    assert str(organizer) == "mailto:post@klynge.example.no"
    assert organizer.params["CN"] == "Klynge Secretariat"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:kari@example.no"
    assert dict(attendee.params) == {
        "CN": "Nordmann, Kari",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        # Replies would go to a mailbox nobody reads: none is asked for.
        "RSVP": "FALSE",
    }
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("sequence") == 1


def test_bare_organizer_and_attendee_without_a_name() -> None:
    event = only_event(
        build_calendar(
            [meeting()],
            method="REQUEST",
            organizer="post@klynge.example.no",
            attendee=("guest@example.se", None),
        )
    )
    assert str(event["organizer"]) == "mailto:post@klynge.example.no"
    assert "CN" not in event["organizer"].params
    assert "CN" not in event["attendee"].params
    assert event["attendee"].params["RSVP"] == "FALSE"


def test_a_published_calendar_has_its_organizer_and_no_attendee() -> None:
    data = build_calendar(
        [meeting(), meeting()], method="PUBLISH", organizer="Klynge <post@klynge.example.no>"
    )
    for event in read(data).walk("VEVENT"):
        assert str(event["organizer"]) == "mailto:post@klynge.example.no"
        assert event["organizer"].params["CN"] == "Klynge"
        assert "attendee" not in event
