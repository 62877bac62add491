"""Use cases for meeting participants: invite the member representatives, add and
remove people, answers and attendance.

Participants are personal data. The network's managers (admins, its coordinators) and
its members read a meeting's participants; someone invited from outside the network reads
only their own invitation; anyone else who sees the meeting is refused (401/403). E-mail
addresses are shown to managers and to each participant on their own row only (`Viewer`).
Changes belong to managers, except a person's answer to their own invitation.

Every use case first finds the meeting as the caller may see it (404), then checks the
caller's rights (401/403), then locks the meeting row so its state holds, then checks
that state (409), so a refused request changes nothing and holds no lock.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape
from app.auth.policy import ensure, ensure_fields_allowed, refusal
from app.companies.models import Organisation
from app.companies.repository import OrganisationRepository
from app.companies.schemas import CompanyRef
from app.db import utcnow
from app.errors import Conflict, Forbidden, InvalidField, not_found, register_constraint_error
from app.meetings import notifications
from app.meetings.access import (
    belongs_to_network,
    lock_meeting,
    meeting_to_manage,
    visible_meeting,
)
from app.meetings.models import Meeting, MeetingStatus
from app.meetings.times import local_day
from app.participants import rules
from app.participants.models import Participant, ParticipantRole
from app.participants.repository import (
    ORGANISATION_PREFIX,
    PERSON_PREFIX,
    ParticipantFilter,
    ParticipantRepository,
    ParticipantShapes,
)
from app.participants.schemas import (
    AttendanceUpdate,
    ParticipantCreate,
    ParticipantRead,
    ParticipantUpdate,
)
from app.people.models import Person
from app.people.repository import PersonRepository
from app.people.schemas import PersonRef

# What a member may change on their own invitation.
_MEMBER_FIELDS = frozenset({"answer"})


def _already_invited(existing_id: uuid.UUID | None = None) -> Conflict:
    extra = {} if existing_id is None else {"existing_id": str(existing_id)}
    return Conflict(
        "This person (or this e-mail address) is already invited to the meeting.",
        code="already_invited",
        **extra,
    )


# Two adds of the same person racing past the check meet the unique keys; the client
# still gets the rule's own answer.
register_constraint_error("uq_meeting_participants_meeting_id_person_id", _already_invited())
register_constraint_error("uq_meeting_participants_meeting_id_email", _already_invited())


async def invite_representatives(session: AsyncSession, meeting: Meeting) -> list[Participant]:
    """Add the current representatives of every member organisation; returns the new ones.

    "Current" is the meeting's own day where it is held: every representative of every
    organisation that is a member of the meeting's network that day (`member_on_day`: a
    company that has given notice is one until its last day). People
    already invited (or invited as a guest with their e-mail) are skipped, and a person
    representing two organisations is invited once, for the older membership. Reads the
    flushed state; two queries (the representatives, the insert) whatever their number.
    """
    repository = ParticipantRepository(session)
    found = await repository.representatives_to_invite(meeting, local_day(meeting))
    invited: dict[uuid.UUID, Participant] = {}
    for row in found:
        if row.person_id in invited:
            continue
        invited[row.person_id] = Participant(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            person_id=row.person_id,
            organisation_id=row.organisation_id,
            role=ParticipantRole.REPRESENTATIVE,
        )
    new = list(invited.values())
    if new:
        repository.add(*new)
        await session.flush()
    return new


@dataclass(frozen=True, slots=True)
class Viewer:
    """What one caller sees of one meeting's participants."""

    manages: bool
    person_id: uuid.UUID | None
    # Set for a caller who sees only their own invitation (invited from outside).
    only_person_id: uuid.UUID | None = None

    @classmethod
    def manager(cls, caller: Caller) -> "Viewer":
        return cls(manages=True, person_id=caller.person_id)

    def shows_email(self, person_id: uuid.UUID | None) -> bool:
        """Addresses are for managers, and for the participant on their own row (that of
        `person_id`)."""
        own = self.person_id is not None and person_id == self.person_id
        return self.manages or own


SHAPES = ParticipantShapes(
    participant=RowShape(ParticipantRead),
    person=RowShape(PersonRef),
    organisation=RowShape(CompanyRef),
)


def describe_participant(participant: Row[Any] | Participant, viewer: Viewer) -> dict[str, Any]:
    """The representation, from a read's row (person and organisation joined under
    their prefixes) or a write's object (with both loaded): e-mail addresses only where
    `viewer` may see them."""
    show_email = viewer.shows_email(participant.person_id)
    email = participant.email if show_email else None
    if isinstance(participant, Participant):
        person = participant.person
        organisation = participant.organisation
        extra: dict[str, Any] = {
            "email": email,
            "person": None
            if person is None
            else SHAPES.person.of_object(person, email=person.email if show_email else None),
            "organisation": None
            if organisation is None
            else SHAPES.organisation.of_object(organisation),
        }
        return SHAPES.participant.of_object(participant, **extra)
    mapping = participant._mapping
    joined_person = SHAPES.person.of_joined(mapping, PERSON_PREFIX)
    if joined_person is not None and not show_email:
        joined_person["email"] = None
    return SHAPES.participant.of_row(
        mapping,
        email=email,
        person=joined_person,
        organisation=SHAPES.organisation.of_joined(mapping, ORGANISATION_PREFIX),
    )


async def _viewer(session: AsyncSession, caller: Caller, meeting: Meeting) -> Viewer:
    """Managers and members of the meeting's network see every participant; a person
    invited to the meeting sees their own row; anyone else is refused (401 anonymous,
    403 others) — they may see the meeting, but its participants are personal data."""
    if caller.manages_network(meeting.network_id):
        return Viewer.manager(caller)
    if belongs_to_network(caller, meeting):
        return Viewer(manages=False, person_id=caller.person_id)
    person_id = caller.person_id
    if person_id is not None and await ParticipantRepository(session).is_invited(
        meeting.id, person_id
    ):
        return Viewer(manages=False, person_id=person_id, only_person_id=person_id)
    raise refusal(
        caller,
        "Participants are personal data: for the network's coordinators and members, and "
        "for each participant their own invitation.",
    )


async def _participant(
    session: AsyncSession, meeting: Meeting, participant_id: uuid.UUID, viewer: Viewer
) -> Participant:
    participant = await ParticipantRepository(session).get(
        meeting.id, participant_id, only_person_id=viewer.only_person_id
    )
    if participant is None:
        raise not_found("participant")
    return participant


async def list_participants(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    where: ParticipantFilter,
    sort: str,
    page: PageParams,
) -> tuple[list[Row[Any]], SortOrder, Viewer]:
    meeting = await visible_meeting(session, caller, meeting_id)
    viewer = await _viewer(session, caller, meeting)
    rows, order = await ParticipantRepository(session).read_page(
        SHAPES, meeting.id, where, sort, page, only_person_id=viewer.only_person_id
    )
    return rows, order, viewer


async def read_participant(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, participant_id: uuid.UUID
) -> tuple[Row[Any], Viewer]:
    meeting = await visible_meeting(session, caller, meeting_id)
    viewer = await _viewer(session, caller, meeting)
    row = await ParticipantRepository(session).read_one(
        SHAPES, meeting.id, participant_id, only_person_id=viewer.only_person_id
    )
    if row is None:
        raise not_found("participant")
    return row, viewer


async def authorise_add_participant(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID
) -> None:
    """Also run before an idempotent replay (app/api/idempotency.py)."""
    await meeting_to_manage(session, caller, meeting_id)


async def _person_or_guest(
    session: AsyncSession, caller: Caller, data: ParticipantCreate
) -> Person | None:
    """The person from the registry, or None for a guest with a name and an e-mail."""
    if data.person_id is not None:
        if data.name is not None or data.email is not None:
            raise InvalidField(
                "person_id",
                "Send either `person_id` or a guest's `name` and `email`, not both.",
                code="person_or_guest",
            )
        person = await PersonRepository(session).get(caller, data.person_id)
        if person is None:
            raise InvalidField(
                "person_id", f"No person with id {data.person_id}.", code="unknown_person"
            )
        return person
    missing = "name" if data.name is None else "email" if data.email is None else None
    if missing is not None:
        raise InvalidField(
            missing,
            "Send a `person_id` from the registry, or a guest's `name` and `email`.",
            code="person_or_guest",
        )
    return None


async def _organisation(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID | None
) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = await OrganisationRepository(session).get(caller, organisation_id)
    if organisation is None:
        raise InvalidField(
            "organisation_id",
            f"No organisation with id {organisation_id}.",
            code="unknown_organisation",
        )
    return organisation


async def _check_agenda_item(
    session: AsyncSession, meeting: Meeting, agenda_item_id: uuid.UUID | None
) -> None:
    if agenda_item_id is None:
        return
    if not await ParticipantRepository(session).is_agenda_item_of(meeting.id, agenda_item_id):
        # Names no id: agenda items belong to a network, and this may be another's.
        raise InvalidField(
            "agenda_item_id",
            "The meeting has no agenda item with this id.",
            code="unknown_agenda_item",
        )


async def add_participant(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, data: ParticipantCreate
) -> Participant:
    """Invite someone. On a confirmed meeting the invitation e-mail is queued at once;
    on a planned one it goes out when the meeting is confirmed."""
    # A share lock: the meeting's status holds until the invitation is written, while
    # other participants' changes go on.
    meeting = await meeting_to_manage(session, caller, meeting_id, lock="share")
    rules.check_invitations_open(meeting)
    person = await _person_or_guest(session, caller, data)
    organisation = await _organisation(session, caller, data.organisation_id)
    await _check_agenda_item(session, meeting, data.agenda_item_id)
    repository = ParticipantRepository(session)
    existing = await repository.already_invited(
        meeting.id,
        person.id if person is not None else None,
        person.email if person is not None else data.email,
    )
    if existing is not None:
        raise _already_invited(existing.id)
    participant = Participant(
        meeting_id=meeting.id,
        network_id=meeting.network_id,
        person_id=person.id if person is not None else None,
        name=data.name if person is None else None,
        email=data.email if person is None else None,
        organisation_id=data.organisation_id,
        role=data.role,
        agenda_item_id=data.agenda_item_id,
    )
    participant.person = person
    participant.organisation = organisation
    repository.add(participant)
    await session.flush()
    if meeting.status == MeetingStatus.CONFIRMED:
        await notifications.send_invitations(session, meeting)
        # The mail sets `invited_at` and may reload the row with other relationships;
        # the answer shows the stored row with its own.
        await session.flush()
        invited = await repository.get(meeting.id, participant.id, reload=True)
        return invited or participant
    return participant


async def participant_to_change(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    participant_id: uuid.UUID,
    data: ParticipantUpdate,
) -> tuple[Meeting, Participant, Viewer]:
    """The participant the caller is about to change with `data`: 404 when they may not
    see the meeting, 401/403 when they may not change anything or see its participants,
    404 for a participant they cannot see, then 403 unless they manage the network or
    answer their own invitation; only managers may clear an answer (422). Then the
    meeting is share-locked, so its state holds until the change is written. Called
    before the router checks `If-Match`."""
    meeting = await visible_meeting(session, caller, meeting_id)
    ensure(caller, caller.sees_personal_data, "Sign in to answer an invitation.")
    viewer = await _viewer(session, caller, meeting)
    participant = await _participant(session, meeting, participant_id, viewer)
    if not viewer.manages:
        ensure_fields_allowed(caller, set(data.model_fields_set), set(_MEMBER_FIELDS))
        if caller.person_id is None or caller.person_id != participant.person_id:
            raise Forbidden(
                "You may answer only your own invitation; the secretariat and the "
                "network's coordinators answer for others.",
                code="not_your_answer",
            )
        if "answer" in data.model_fields_set and data.answer is None:
            raise InvalidField(
                "answer",
                "Answer accepted, declined or tentative; only the secretariat and the "
                "network's coordinators clear an answer.",
                code="answer_required",
            )
    return await lock_meeting(session, meeting, shared=True), participant, viewer


async def update_participant(
    session: AsyncSession, meeting: Meeting, participant: Participant, data: ParticipantUpdate
) -> Participant:
    """Change a participant from `participant_to_change`."""
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return participant
    rules.check_not_cancelled(meeting)
    if "answer" in changes:
        rules.check_answers_open(meeting)
    if "attended" in changes:
        rules.check_attendance_open(meeting)
    if "agenda_item_id" in changes:
        await _check_agenda_item(session, meeting, data.agenda_item_id)
    if "answer" in changes and data.answer != participant.answer:
        # A manager may clear a mistaken answer: then there is no time of answering either.
        participant.answer = data.answer
        participant.answered_at = None if data.answer is None else utcnow()
    for field in ("attended", "role", "agenda_item_id"):
        if field in changes:
            setattr(participant, field, changes[field])
    await session.flush()
    return participant


async def record_attendance(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, data: AttendanceUpdate
) -> list[Participant]:
    """Who came and who did not, for many participants at once; all or nothing."""
    meeting = await meeting_to_manage(session, caller, meeting_id, lock="share")
    both = set(data.attended) & set(data.absent)
    if both:
        index = next(i for i, pid in enumerate(data.absent) if pid in both)
        raise InvalidField(
            f"absent.{index}",
            "A participant cannot be both in `attended` and in `absent`.",
            code="participant_in_both_lists",
        )
    rules.check_attendance_open(meeting)
    wanted = dict.fromkeys(data.attended, True) | dict.fromkeys(data.absent, False)
    rows = await ParticipantRepository(session).of_meeting(meeting.id, wanted)
    found = {row.id for row in rows}
    for field, ids in (("attended", data.attended), ("absent", data.absent)):
        for index, participant_id in enumerate(ids):
            if participant_id not in found:
                raise InvalidField(
                    f"{field}.{index}",
                    "The meeting has no participant with this id.",
                    code="unknown_participant",
                )
    for row in rows:
        row.attended = wanted[row.id]
    await session.flush()
    return rows


async def participant_to_remove(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, participant_id: uuid.UUID
) -> tuple[Meeting, Participant]:
    """404 when the caller may not see the meeting, 401/403 unless they manage its
    network, then 404 for an unknown participant; the meeting share-locked. Called before
    `If-Match` is checked."""
    meeting = await meeting_to_manage(session, caller, meeting_id, lock="share")
    return meeting, await _participant(session, meeting, participant_id, Viewer.manager(caller))


async def remove_participant(
    session: AsyncSession, meeting: Meeting, participant: Participant
) -> None:
    """Withdraw an invitation. Someone already invited gets a cancellation, queued before
    the row goes (the outbox keeps what it needs, not a reference to the participant); a
    cancelled meeting's participants had theirs when it was cancelled."""
    rules.check_removal_open(meeting)
    if participant.invited_at is not None and meeting.status != MeetingStatus.CANCELLED:
        await notifications.send_cancellations(session, meeting, [participant])
    await ParticipantRepository(session).delete(participant)
    await session.flush()
