"""A meeting's e-mail from the API to the inbox: invited, moved, cancelled through the
meetings and participants endpoints, delivered by the sender to a real SMTP server, and
each calendar read back with `icalendar`. The SEQUENCE is the service's own doing."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.mail.sender import deliver_due
from app.meetings.models import Meeting
from tests.factories import MEETING_DAY, NEXT_YEAR, create_meeting, create_network, utc_on
from tests.mail.helpers import MailServer, Received, outbox_rows

GUEST = "gro@example.test"
# The meeting moves five weeks on: a Thursday in mid-April, after the change to summer time.
MOVED_DAY = MEETING_DAY + timedelta(weeks=5)


async def patch_meeting(
    client: httpx.AsyncClient, meeting_id: str, **changes: Any
) -> dict[str, Any]:
    """PATCH /v1/meetings/{id} with If-Match the ETag just read."""
    url = f"/v1/meetings/{meeting_id}"
    current = await client.get(url)
    assert current.status_code == 200, current.text
    response = await client.patch(url, json=changes, headers={"If-Match": current.headers["ETag"]})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def deliver(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, server: MailServer
) -> Received:
    """Run one pass; exactly one message must arrive, to the guest."""
    before = len(server.received)
    report = await deliver_due(sessions, settings)
    assert (len(report.sent), report.failed, report.retrying) == (1, [], [])
    [received] = server.received[before:]
    assert received.recipients == [GUEST]
    return received


def the_event(received: Received, method: str) -> Any:
    assert received.part("text/calendar").get_param("method") == method
    calendar = received.calendar
    assert str(calendar["METHOD"]) == method
    [event] = calendar.walk("VEVENT")
    return event


def assert_starts(event: Any, instant: datetime) -> None:
    """DTSTART is a local time in Oslo (TZID) that is `instant` in UTC."""
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("DTSTART") == instant


async def test_invitation_update_and_cancellation_reach_the_guest_with_a_rising_sequence(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    network = await create_network(client)
    # 09:00-12:00 Oslo time on MEETING_DAY, a Thursday in March (winter time, UTC+1).
    meeting = await create_meeting(client, network["id"], title="Spring meeting")
    meeting_id = meeting["id"]
    confirmed = await patch_meeting(client, meeting_id, status="confirmed")
    assert confirmed["sequence"] == 0
    added = await client.post(
        f"/v1/meetings/{meeting_id}/participants",
        json={"name": "Gro Gjest", "email": GUEST, "role": "guest"},
    )
    assert added.status_code == 201, added.text
    assert smtp_server.received == []  # queued with the request, not sent from it

    invitation = await deliver(sessions, mail_settings, smtp_server)

    event = the_event(invitation, "REQUEST")
    assert str(event["UID"]) == f"{meeting_id}@klynge"
    assert int(event["SEQUENCE"]) == 0
    assert_starts(event, utc_on(MEETING_DAY, 8))
    assert str(event["ATTENDEE"]) == f"mailto:{GUEST}"
    assert invitation.message["Subject"] == (
        f"Invitation: Spring meeting — Thu {MEETING_DAY.day} Mar {NEXT_YEAR} 09:00"
    )

    # Moved to 10:00 on MOVED_DAY, after the change to summer time (UTC+2).
    moved = await patch_meeting(
        client,
        meeting_id,
        starts_at=f"{MOVED_DAY}T10:00:00+02:00",
        ends_at=f"{MOVED_DAY}T13:00:00+02:00",
    )
    assert moved["sequence"] == 1
    update = await deliver(sessions, mail_settings, smtp_server)

    event = the_event(update, "REQUEST")
    assert str(event["UID"]) == f"{meeting_id}@klynge"
    assert int(event["SEQUENCE"]) == 1
    assert_starts(event, utc_on(MOVED_DAY, 8))
    assert update.message["Subject"] == (
        f"Updated: Spring meeting — Thu {MOVED_DAY.day} Apr {NEXT_YEAR} 10:00"
    )
    assert (
        f"Thursday {MOVED_DAY.day} April {NEXT_YEAR}, 10:00 to 13:00 (Europe/Oslo)" in update.text
    )

    cancelled = await patch_meeting(client, meeting_id, status="cancelled")
    assert cancelled["sequence"] == 2
    cancellation = await deliver(sessions, mail_settings, smtp_server)

    event = the_event(cancellation, "CANCEL")
    assert str(event["UID"]) == f"{meeting_id}@klynge"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2
    assert_starts(event, utc_on(MOVED_DAY, 8))
    assert cancellation.message["Subject"] == (
        f"Cancelled: Spring meeting — Thu {MOVED_DAY.day} Apr {NEXT_YEAR} 10:00"
    )
    assert "“Spring meeting” is cancelled." in cancellation.text

    # Three messages, three Message-IDs, nothing more queued.
    assert len({r.message_id for r in smtp_server.received}) == 3
    assert (await deliver_due(sessions, mail_settings)).claimed == 0


async def test_a_title_with_line_breaks_makes_a_one_line_subject(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    network = await create_network(client)
    meeting = await create_meeting(client, network["id"], title="Spring meeting")
    # The API refuses line breaks in a title now; one stored before that still mails.
    async with sessions.begin() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == uuid.UUID(meeting["id"]))
            .values(title="Spring\nmeeting")
        )
    await patch_meeting(client, meeting["id"], status="confirmed")
    added = await client.post(
        f"/v1/meetings/{meeting['id']}/participants",
        json={"name": "Gro Gjest", "email": GUEST, "role": "guest"},
    )
    assert added.status_code == 201, added.text
    # Collapsed when queued, not only when sent.
    [queued] = await outbox_rows(sessions)
    assert queued.subject == (
        f"Invitation: Spring meeting — Thu {MEETING_DAY.day} Mar {NEXT_YEAR} 09:00"
    )

    invitation = await deliver(sessions, mail_settings, smtp_server)

    assert invitation.message["Subject"] == queued.subject
