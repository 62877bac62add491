"""Queries for meeting participants. Participants are read for a meeting the service has
found visible to the caller (`app.meetings.access.visible_meeting`), and narrowed to the
caller's own rows (`person_id`) when the caller may see only their own invitation. The rule
checks (`already_invited`, the representatives to invite) see every row, since a rule must
hold whatever the caller may read.

Every participant handed out carries its `person` and `organisation`, joined into the
same statement, so a page of any size costs one query.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.companies.models import Organisation
from app.meetings.models import AgendaItem, Meeting
from app.memberships.models import Membership, Representative
from app.memberships.repository import member_on_day
from app.participants.models import Answer, Participant, ParticipantRole
from app.people.models import Person

SORTS = {"created_at": Participant.created_at}


@dataclass(frozen=True, slots=True)
class ParticipantFilter:
    role: ParticipantRole | None = None
    answer: Answer | None = None
    # True: only those with no answer yet (`answer=unanswered`).
    unanswered: bool = False
    agenda_item_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RepresentativeToInvite:
    person_id: uuid.UUID
    organisation_id: uuid.UUID


PERSON_PREFIX, ORGANISATION_PREFIX = "person__", "organisation__"


@dataclass(frozen=True, slots=True)
class ParticipantShapes:
    """A participant's shape and those of the person and organisation it embeds."""

    participant: RowShape
    person: RowShape
    organisation: RowShape


class ParticipantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _with_refs(
        self, meeting_id: uuid.UUID, only_person_id: uuid.UUID | None
    ) -> Select[Participant]:
        stmt = (
            select(Participant)
            .outerjoin(Participant.person)
            .outerjoin(Participant.organisation)
            .options(contains_eager(Participant.person), contains_eager(Participant.organisation))
            .where(Participant.meeting_id == meeting_id)
        )
        if only_person_id is not None:
            stmt = stmt.where(Participant.person_id == only_person_id)
        return stmt

    async def get(
        self,
        meeting_id: uuid.UUID,
        participant_id: uuid.UUID,
        *,
        only_person_id: uuid.UUID | None = None,
        reload: bool = False,
    ) -> Participant | None:
        """`only_person_id` finds the row only if it is that person's; `reload`
        overwrites what the session holds of the row with what is stored."""
        stmt = self._with_refs(meeting_id, only_person_id).where(Participant.id == participant_id)
        if reload:
            stmt = stmt.execution_options(populate_existing=True)
        return await self.session.scalar(stmt)

    async def of_meeting(
        self, meeting_id: uuid.UUID, participant_ids: Collection[uuid.UUID]
    ) -> list[Participant]:
        """The meeting's participants among `participant_ids`, in one query."""
        if not participant_ids:
            return []
        stmt = (
            self._with_refs(meeting_id, None)
            .where(Participant.id.in_(set(participant_ids)))
            .order_by(Participant.created_at, Participant.id)
        )
        return list(await self.session.scalars(stmt))

    async def is_invited(self, meeting_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        """Whether the person is a participant of the meeting (of all of it or one item)."""
        invited = exists().where(
            Participant.meeting_id == meeting_id, Participant.person_id == person_id
        )
        return bool(await self.session.scalar(select(invited)))

    async def already_invited(
        self, meeting_id: uuid.UUID, person_id: uuid.UUID | None, email: str | None
    ) -> Participant | None:
        """A participant of the meeting who is the same person or has the same address:
        the person themself, a guest with the person's e-mail, or — for a guest — a
        person from the registry with the guest's e-mail (addresses are lower-cased)."""
        same: list[ColumnElement[bool]] = []
        if person_id is not None:
            same.append(Participant.person_id == person_id)
        if email is not None:
            same.append(Participant.email == email)
            same.append(Participant.person_id.in_(select(Person.id).where(Person.email == email)))
        if not same:
            return None
        stmt = select(Participant).where(Participant.meeting_id == meeting_id, or_(*same))
        return await self.session.scalar(stmt.limit(1))

    async def is_agenda_item_of(self, meeting_id: uuid.UUID, agenda_item_id: uuid.UUID) -> bool:
        stmt = select(AgendaItem.id).where(
            AgendaItem.id == agenda_item_id, AgendaItem.meeting_id == meeting_id
        )
        return await self.session.scalar(stmt) is not None

    async def representatives_to_invite(
        self, meeting: Meeting, day: date
    ) -> list[RepresentativeToInvite]:
        """Every representative of every organisation that is a member of the meeting's
        network on `day` (`member_on_day`: one that has given notice still is until its
        last day), who is not yet a participant (by person, or as a guest with their
        e-mail), in one query. A person representing two organisations comes once per
        organisation; the caller keeps the first (the oldest membership)."""
        not_yet_invited = ~exists().where(
            Participant.meeting_id == meeting.id,
            or_(
                Participant.person_id == Representative.person_id,
                and_(Person.email.is_not(None), Participant.email == Person.email),
            ),
        )
        stmt = (
            select(Representative.person_id, Membership.organisation_id)
            .join(Membership, Membership.id == Representative.membership_id)
            .join(Person, Person.id == Representative.person_id)
            .where(
                Membership.network_id == meeting.network_id,
                member_on_day(day),
                not_yet_invited,
            )
            .order_by(
                Membership.starts_on,
                Membership.created_at,
                Membership.id,
                Representative.created_at,
                Representative.id,
            )
        )
        rows = await self.session.execute(stmt)
        return [
            RepresentativeToInvite(person_id, organisation_id)
            for person_id, organisation_id in rows
        ]

    def add(self, *participants: Participant) -> None:
        self.session.add_all(participants)

    async def delete(self, participant: Participant) -> None:
        await self.session.delete(participant)

    # Last: below it, the name `list` shadows the builtin in annotations.
    def _read(
        self, shapes: ParticipantShapes, meeting_id: uuid.UUID, only_person_id: uuid.UUID | None
    ) -> Select[Any]:
        """A participant's columns with their person's and organisation's LEFT JOINed
        (`PERSON_PREFIX`, `ORGANISATION_PREFIX`), as `_with_refs` joins them."""
        stmt = (
            select(
                *shapes.participant.columns(Participant),
                *shapes.person.columns(Person, prefix=PERSON_PREFIX),
                *shapes.organisation.columns(Organisation, prefix=ORGANISATION_PREFIX),
            )
            .outerjoin(Person, Person.id == Participant.person_id)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.meeting_id == meeting_id)
        )
        if only_person_id is not None:
            stmt = stmt.where(Participant.person_id == only_person_id)
        return stmt

    async def read_one(
        self,
        shapes: ParticipantShapes,
        meeting_id: uuid.UUID,
        participant_id: uuid.UUID,
        *,
        only_person_id: uuid.UUID | None = None,
    ) -> Row[Any] | None:
        """`get` for the read path (app/api/reads.py): rows, not objects."""
        stmt = self._read(shapes, meeting_id, only_person_id).where(
            Participant.id == participant_id
        )
        row: Row[Any] | None = (await self.session.execute(stmt)).first()
        return row

    async def read_page(
        self,
        shapes: ParticipantShapes,
        meeting_id: uuid.UUID,
        where: ParticipantFilter,
        sort: str,
        page: PageParams,
        *,
        only_person_id: uuid.UUID | None = None,
    ) -> tuple[list[Row[Any]], SortOrder]:
        order = resolve_sort(sort, SORTS, Participant.id)
        stmt = self._read(shapes, meeting_id, only_person_id)
        if where.role is not None:
            stmt = stmt.where(Participant.role == where.role)
        if where.answer is not None:
            stmt = stmt.where(Participant.answer == where.answer)
        if where.unanswered:
            stmt = stmt.where(Participant.answer.is_(None))
        if where.agenda_item_id is not None:
            stmt = stmt.where(Participant.agenda_item_id == where.agenda_item_id)
        if where.organisation_id is not None:
            stmt = stmt.where(Participant.organisation_id == where.organisation_id)
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order
