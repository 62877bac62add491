"""Meeting e-mail end to end: queued by app.meetings.notifications, delivered by the sender
to a real SMTP server, read back and its calendar part parsed with `icalendar`."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings, get_settings
from app.mail.sender import deliver_due
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.meetings.notifications import send_cancellations, send_invitations, send_updates
from app.participants.models import Answer, Participant, ParticipantRole
from app.people.models import Person
from tests.factories import MEETING_DAY, NEXT_YEAR, create_network, utc_on
from tests.mail.helpers import MailServer, Received, outbox_rows

# The meeting is on MEETING_DAY, a Thursday in March next year; moved to the Friday after.
NEXT_DAY = MEETING_DAY + timedelta(days=1)


@dataclass
class World:
    meeting_id: uuid.UUID
    network_id: uuid.UUID
    item_id: uuid.UUID
    # participant ids by a short name
    ids: dict[str, uuid.UUID]


async def add_participant(
    session: AsyncSession, world: World, key: str, **fields: Any
) -> Participant:
    participant = Participant(
        meeting_id=world.meeting_id,
        network_id=world.network_id,
        role=fields.pop("role", ParticipantRole.REPRESENTATIVE),
        **fields,
    )
    session.add(participant)
    await session.flush()
    world.ids[key] = participant.id
    return participant


@pytest.fixture
async def world(client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]) -> World:
    """A confirmed meeting, 09:00-12:00 Oslo time, with: anna (a person with an address),
    bo (a person without one), gro (a guest for one agenda item only)."""
    network = await create_network(client)
    network_id = uuid.UUID(network["id"])
    async with sessions() as session, session.begin():
        meeting = Meeting(
            network_id=network_id,
            kind=MeetingKind.REGULAR,
            title="Spring meeting",
            description="Bring your plans for the year.",
            starts_at=utc_on(MEETING_DAY, 8),
            ends_at=utc_on(MEETING_DAY, 11),
            time_zone="Europe/Oslo",
            place_name="Herøya Forskningspark",
            place_address="Hydrovegen 55, 3936 Porsgrunn",
            status=MeetingStatus.CONFIRMED,
            sequence=0,
        )
        session.add(meeting)
        await session.flush()
        item = AgendaItem(
            meeting_id=meeting.id, network_id=network_id, position=1, title="Hydrogen hub"
        )
        anna = Person(full_name="Anna Berg", email="anna@example.test")
        bo = Person(full_name="Bo Ek", email=None)
        session.add_all([item, anna, bo])
        await session.flush()
        world = World(meeting.id, network_id, item.id, {})
        await add_participant(session, world, "anna", person_id=anna.id)
        await add_participant(session, world, "bo", person_id=bo.id)
        await add_participant(
            session,
            world,
            "gro",
            name="Gro Guest",
            email="gro@example.test",
            role=ParticipantRole.GUEST,
            agenda_item_id=item.id,
        )
    return world


async def invite(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    async with sessions() as session, session.begin():
        meeting = await session.get_one(Meeting, world.meeting_id)
        await send_invitations(session, meeting)


async def participants(
    sessions: async_sessionmaker[AsyncSession], world: World
) -> dict[str, Participant]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Participant).where(Participant.meeting_id == world.meeting_id)
        )
        by_id = {row.id: row for row in rows}
    return {key: by_id[pid] for key, pid in world.ids.items() if pid in by_id}


def organizer_address() -> str:
    return parseaddr(get_settings().mail_from)[1]


def only(server: MailServer, address: str) -> Received:
    [received] = server.by_recipient(address)
    return received


def event_of(received: Received) -> Any:
    [event] = received.calendar.walk("VEVENT")
    return event


async def test_invitations_go_to_everyone_with_an_address_with_a_request_calendar(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await invite(sessions, world)
    assert smtp_server.received == []  # queued, not sent

    await deliver_due(sessions, mail_settings)

    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "anna@example.test",
        "gro@example.test",
    ]
    anna = only(smtp_server, "anna@example.test")
    assert anna.message["Subject"] == (
        f"Invitation: Spring meeting — Thu {MEETING_DAY.day} Mar {NEXT_YEAR} 09:00"
    )
    assert "Hello Anna Berg," in anna.text
    when = f"When:   Thursday {MEETING_DAY.day} March {NEXT_YEAR}, 09:00 to 12:00 (Europe/Oslo)"
    assert when in anna.text
    assert "Where:  Herøya Forskningspark, Hydrovegen 55, 3936 Porsgrunn" in anna.text
    assert "Bring your plans for the year." in anna.text
    assert "agenda item" not in anna.text
    assert "Please answer (accept, decline or maybe) in Klynge" in anna.text
    assert anna.part("text/calendar").get_param("method") == "REQUEST"
    calendar = anna.calendar
    assert str(calendar["METHOD"]) == "REQUEST"
    event = event_of(anna)
    assert str(event["UID"]) == f"{world.meeting_id}@klynge"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == "mailto:anna@example.test"
    assert event["ATTENDEE"].params["CN"] == "Anna Berg"
    assert str(event["ORGANIZER"]) == f"mailto:{organizer_address()}"
    assert event.decoded("DTSTART") == utc_on(MEETING_DAY, 8)

    gro = only(smtp_server, "gro@example.test")
    assert "Hello Gro Guest," in gro.text
    assert "You are invited for the agenda item “Hydrogen hub”." in gro.text
    assert str(event_of(gro)["ATTENDEE"]) == "mailto:gro@example.test"

    invited = await participants(sessions, world)
    assert invited["anna"].invited_at is not None
    assert invited["gro"].invited_at is not None
    # No address, no invitation: bo stays uninvited until he has one.
    assert invited["bo"].invited_at is None


async def test_nobody_is_invited_twice_and_newcomers_are_invited(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await invite(sessions, world)
    await deliver_due(sessions, mail_settings)
    await invite(sessions, world)
    async with sessions() as session, session.begin():
        await add_participant(session, world, "dag", name="Dag Dahl", email="dag@example.test")
    await invite(sessions, world)

    await deliver_due(sessions, mail_settings)

    assert len(smtp_server.by_recipient("anna@example.test")) == 1
    assert len(smtp_server.by_recipient("gro@example.test")) == 1
    assert len(smtp_server.by_recipient("dag@example.test")) == 1
    assert len(await outbox_rows(sessions)) == 3


async def test_invitations_take_a_fixed_number_of_queries(
    world: World, sessions: async_sessionmaker[AsyncSession], count_queries: Any
) -> None:
    async def statements_to_invite() -> int:
        async with sessions() as session, session.begin():
            meeting = await session.get_one(Meeting, world.meeting_id)
            with count_queries() as log:
                await send_invitations(session, meeting)
        return int(log.count)

    few = await statements_to_invite()
    async with sessions() as session, session.begin():
        for n in range(8):
            await add_participant(
                session, world, f"guest{n}", name=f"Guest {n}", email=f"guest{n}@example.test"
            )
    many = await statements_to_invite()

    assert few == many == 2  # the participants with their people and items; the INSERT
    assert len(await outbox_rows(sessions)) == 10


async def test_updates_go_to_the_invited_who_have_not_declined(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    async with sessions() as session, session.begin():
        await add_participant(session, world, "eva", name="Eva Ås", email="eva@example.test")
    await invite(sessions, world)
    await deliver_due(sessions, mail_settings)
    smtp_server.received.clear()
    async with sessions() as session, session.begin():
        eva = await session.get_one(Participant, world.ids["eva"])
        eva.answer = Answer.DECLINED
        # Not yet invited: gets the invitation later, with the details of then.
        await add_participant(session, world, "fia", name="Fia", email="fia@example.test")
        meeting = await session.get_one(Meeting, world.meeting_id)
        meeting.starts_at = utc_on(NEXT_DAY, 8)
        meeting.ends_at = utc_on(NEXT_DAY, 11)
        meeting.sequence = 1
        await send_updates(session, meeting)
        await send_updates(session, meeting)  # twice: still one message each

    await deliver_due(sessions, mail_settings)

    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "anna@example.test",
        "gro@example.test",
    ]
    anna = only(smtp_server, "anna@example.test")
    assert anna.message["Subject"] == (
        f"Updated: Spring meeting — Fri {NEXT_DAY.day} Mar {NEXT_YEAR} 09:00"
    )
    assert "has changed" in anna.text
    when = f"When:   Friday {NEXT_DAY.day} March {NEXT_YEAR}, 09:00 to 12:00 (Europe/Oslo)"
    assert when in anna.text
    assert str(anna.calendar["METHOD"]) == "REQUEST"
    assert int(event_of(anna)["SEQUENCE"]) == 1


async def test_cancellation_goes_to_every_invited_participant(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await invite(sessions, world)
    async with sessions() as session, session.begin():
        anna = await session.get_one(Participant, world.ids["anna"])
        anna.answer = Answer.DECLINED  # declined, yet still told it is off
        meeting = await session.get_one(Meeting, world.meeting_id)
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence = 1
        await send_cancellations(session, meeting)
        # Nobody is invited to, or updated about, a cancelled meeting.
        await add_participant(session, world, "hal", name="Hal", email="hal@example.test")
        await send_invitations(session, meeting)
        await send_updates(session, meeting)

    await deliver_due(sessions, mail_settings)

    cancellations = [r for r in smtp_server.received if str(r.calendar["METHOD"]) == "CANCEL"]
    assert sorted(r.recipients[0] for r in cancellations) == [
        "anna@example.test",
        "gro@example.test",
    ]
    assert smtp_server.by_recipient("hal@example.test") == []
    [gro] = [r for r in cancellations if r.recipients == ["gro@example.test"]]
    assert gro.message["Subject"] == (
        f"Cancelled: Spring meeting — Thu {MEETING_DAY.day} Mar {NEXT_YEAR} 09:00"
    )
    assert "“Spring meeting” is cancelled." in gro.text
    assert "Please answer" not in gro.text
    assert gro.part("text/calendar").get_param("method") == "CANCEL"
    event = event_of(gro)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{world.meeting_id}@klynge"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["ATTENDEE"]) == "mailto:gro@example.test"


async def test_a_removed_participant_alone_gets_a_cancellation(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await invite(sessions, world)
    await deliver_due(sessions, mail_settings)
    smtp_server.received.clear()
    async with sessions() as session, session.begin():
        meeting = await session.get_one(Meeting, world.meeting_id)
        # As the participants service hands it over: the row alone, its person not loaded;
        # bo was never invited, so he gets nothing.
        anna = await session.get_one(Participant, world.ids["anna"])
        bo = await session.get_one(Participant, world.ids["bo"])
        await send_cancellations(session, meeting, [anna, bo])
        await session.delete(anna)

    await deliver_due(sessions, mail_settings)

    [received] = smtp_server.received
    assert received.recipients == ["anna@example.test"]
    assert "Your invitation to “Spring meeting” is withdrawn." in received.text
    assert "Hello Anna Berg," in received.text
    assert str(received.calendar["METHOD"]) == "CANCEL"
    assert str(event_of(received)["ATTENDEE"]) == "mailto:anna@example.test"


async def test_inviting_within_the_callers_session_keeps_what_it_loaded(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    # As the participants service does it: a new row with its relationships set, not
    # yet flushed, then the invitations in the same transaction.
    async with sessions() as session, session.begin():
        meeting = await session.get_one(Meeting, world.meeting_id)
        ivar = Person(full_name="Ivar Is", email="ivar@example.test")
        participant = Participant(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            person_id=None,
            role=ParticipantRole.STAFF,
        )
        participant.person = ivar
        participant.meeting = meeting
        session.add_all([ivar, participant])

        await send_invitations(session, meeting)

        assert participant.invited_at is not None
        assert participant.person is ivar
        assert participant.meeting is meeting

    await deliver_due(sessions, mail_settings)
    assert "Hello Ivar Is," in only(smtp_server, "ivar@example.test").text
