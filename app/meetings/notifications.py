"""E-mail about meetings: invitations, updates and cancellations, queued in the outbox.

Each message goes to one participant and carries the meeting as an iCalendar object
addressed to them (RFC 6047: METHOD:REQUEST for invitations and updates, METHOD:CANCEL),
so their calendar adds, moves or removes the event by its UID. Nothing is sent here: the
rows join the caller's transaction and the sender delivers them once it commits.

Every message has a dedupe key naming the participant, the method and the meeting's
SEQUENCE, so calling these twice for the same state queues nothing twice, and an update
at the SEQUENCE someone was just invited at is the invitation they already have.

Who gets what:
- invitations: every participant not yet invited who has an address (their own as a
  guest, else their person's); `invited_at` is set for them. Someone with no address is
  left uninvited, not marked, so they are invited once they have one;
- updates: every invited participant who has not declined;
- cancellations: every invited participant, or only the ones given (someone removed).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.calendars.ics import Method, build_calendar
from app.config import get_settings
from app.db import utcnow
from app.mail.messages import one_line
from app.mail.outbox import OutgoingMail, enqueue_many
from app.meetings.models import Meeting, MeetingStatus
from app.participants.models import Answer, Participant
from app.people.models import Person

log = structlog.get_logger(__name__)


async def send_invitations(session: AsyncSession, meeting: Meeting) -> None:
    """Queue an invitation (METHOD:REQUEST) for every participant not yet invited."""
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD):
        return  # nobody is invited to what will not or did not happen
    participants = await _participants(session, meeting, Participant.invited_at.is_(None))
    invited_at = utcnow()
    mails: list[OutgoingMail] = []
    for participant in participants:
        address = _address(participant, participant.person)
        if address is None:
            log.info("participant_not_invited_no_address", participant_id=str(participant.id))
            continue
        mails.append(_mail(meeting, participant, participant.person, address, "REQUEST"))
        participant.invited_at = invited_at
    await enqueue_many(session, mails)


async def send_updates(session: AsyncSession, meeting: Meeting) -> None:
    """Queue an update (METHOD:REQUEST, the new SEQUENCE) for every invited participant
    who has not declined."""
    if meeting.status is MeetingStatus.CANCELLED:
        return  # the cancellation said all there is to say
    participants = await _participants(
        session,
        meeting,
        Participant.invited_at.is_not(None),
        or_(Participant.answer.is_(None), Participant.answer != Answer.DECLINED),
    )
    await enqueue_many(
        session,
        [
            _mail(meeting, participant, participant.person, address, "REQUEST", update=True)
            for participant in participants
            if (address := _address(participant, participant.person)) is not None
        ],
    )


async def send_cancellations(
    session: AsyncSession, meeting: Meeting, participants: Sequence[Participant] | None = None
) -> None:
    """Queue METHOD:CANCEL for every invited participant, or only `participants`."""
    if participants is None:
        chosen = await _participants(session, meeting, Participant.invited_at.is_not(None))
        people = {p.person_id: p.person for p in chosen if p.person is not None}
    else:
        # Given rows may be about to be deleted, and their `person` may not be loaded:
        # their people are fetched by id, in one query.
        chosen = [p for p in participants if p.invited_at is not None]
        people = await _people(session, {p.person_id for p in chosen if p.person_id})
    mails: list[OutgoingMail] = []
    for participant in chosen:
        person = people.get(participant.person_id)
        address = _address(participant, person)
        if address is not None:
            mails.append(_mail(meeting, participant, person, address, "CANCEL"))
    await enqueue_many(session, mails)


async def _participants(
    session: AsyncSession, meeting: Meeting, *conditions: ColumnElement[bool]
) -> list[Participant]:
    """The meeting's participants meeting `conditions`, with their people and agenda
    items, in one query. What the caller added or changed is flushed first, so the query
    sees it. Rows already in the session keep what they hold (the same values, once
    flushed) and the relationships the caller loaded; only unloaded people and items are
    filled in. (populate_existing would reset every other `lazy="raise"` relationship the
    caller set, such as a new participant's organisation, and make it raise.)"""
    await session.flush()
    statement = (
        select(Participant)
        .where(Participant.meeting_id == meeting.id, *conditions)
        .options(joinedload(Participant.person), joinedload(Participant.agenda_item))
        .order_by(Participant.created_at, Participant.id)
    )
    return list((await session.scalars(statement)).all())


async def _people(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID | None, Person]:
    if not ids:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(ids)))
    return {person.id: person for person in rows}


def _address(participant: Participant, person: Person | None) -> str | None:
    return participant.email or (person.email if person is not None else None)


def _mail(
    meeting: Meeting,
    participant: Participant,
    person: Person | None,
    address: str,
    method: Method,
    *,
    update: bool = False,
) -> OutgoingMail:
    name = participant.name or (person.full_name if person is not None else None)
    prefix = "Cancelled" if method == "CANCEL" else "Updated" if update else "Invitation"
    calendar = build_calendar(
        [meeting],
        method=method,
        organizer=get_settings().mail_from,
        attendee=(address, name),
    )
    return OutgoingMail(
        recipient=address,
        # A title may hold line breaks; a header must not.
        subject=f"{prefix}: {one_line(meeting.title)} — {_short_time(meeting)}",
        body_text=_body(meeting, participant, name, method, update=update),
        calendar=calendar,
        calendar_method=method,
        dedupe_key=(
            f"meeting:{meeting.id}:participant:{participant.id}:{method.lower()}:{meeting.sequence}"
        ),
    )


def _local(meeting: Meeting, instant: datetime) -> datetime:
    return instant.astimezone(ZoneInfo(meeting.time_zone))


def _short_time(meeting: Meeting) -> str:
    """`Thu 11 Mar 2027 09:00`, in the meeting's own zone."""
    starts = _local(meeting, meeting.starts_at)
    return f"{starts:%a} {starts.day} {starts:%b %Y %H:%M}"


def _when(meeting: Meeting) -> str:
    """`Thursday 11 March 2027, 09:00 to 12:00 (Europe/Oslo)`; the end's date is repeated
    only when it is another day."""
    starts, ends = _local(meeting, meeting.starts_at), _local(meeting, meeting.ends_at)
    start_day = f"{starts:%A} {starts.day} {starts:%B %Y}"
    end = f"{ends:%H:%M}"
    if ends.date() != starts.date():
        end = f"{ends:%A} {ends.day} {ends:%B %Y}, {end}"
    return f"{start_day}, {starts:%H:%M} to {end} ({meeting.time_zone})"


def _body(
    meeting: Meeting,
    participant: Participant,
    name: str | None,
    method: Method,
    *,
    update: bool,
) -> str:
    title = f"“{meeting.title}”"
    if method == "CANCEL":
        if meeting.status is MeetingStatus.CANCELLED:
            lead = f"{title} is cancelled."
        else:
            lead = f"Your invitation to {title} is withdrawn."
        attached = "The attached calendar event removes it from your calendar."
    elif update:
        lead = f"{title} has changed. These are the current details."
        attached = "The attached calendar event updates the one in your calendar."
    else:
        lead = f"You are invited to {title}."
        attached = "The invitation is attached as a calendar event (invite.ics)."
    lines = [f"Hello {name}," if name else "Hello,", "", lead, ""]
    lines.append(f"When:   {_when(meeting)}")
    place = ", ".join(part for part in (meeting.place_name, meeting.place_address) if part)
    if place:
        lines.append(f"Where:  {place}")
    if meeting.online_url:
        lines.append(f"Online: {meeting.online_url}")
    # A cancellation's participants may come without their agenda item loaded; it
    # names no item.
    if method != "CANCEL" and participant.agenda_item_id is not None:
        item = participant.agenda_item
        if item is not None:
            lines.append(f"You are invited for the agenda item “{item.title}”.")
    if meeting.description and method != "CANCEL":
        lines += ["", meeting.description]
    lines += ["", attached]
    if method != "CANCEL":
        # The calendar event carries RSVP=FALSE: a reply from a calendar app reaches a
        # mailbox no one reads, so the mail says where answers go.
        lines += [
            "Please answer (accept, decline or maybe) in Klynge, or tell the secretariat;",
            "replies sent from a calendar app are not read.",
        ]
    lines.append("")
    return "\n".join(lines)
