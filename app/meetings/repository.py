"""Queries for meetings. Every read for a caller narrows by `meeting_visible_condition`,
so a closed network's meetings are hidden, and shown to the people invited to them, in one
place.

The rule checks (`is_member_on`, `any_invited`) see every row: a rule must hold
whatever the caller may read.
"""

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.meetings.schemas import MeetingInclude, ParticipantTally
from app.memberships.models import Membership
from app.memberships.repository import member_on_day
from app.minutes.models import ActionItem
from app.networks.visibility import in_visible_network, network_visible
from app.participants.models import Participant

SORTS = {"starts_at": Meeting.starts_at}


@dataclass(frozen=True, slots=True)
class MeetingFilter:
    network_id: uuid.UUID | None = None
    kind: MeetingKind | None = None
    status: MeetingStatus | None = None
    host_organisation_id: uuid.UUID | None = None
    # Half-open: starts_after <= starts_at < starts_before.
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    # Upcoming only: meetings that have not ended by this instant.
    not_ended_at: datetime | None = None


def meeting_visible_condition(caller: Caller) -> ColumnElement[bool]:
    """The SQL condition on `Meeting` for the meetings `caller` may see: those of the
    networks they see (`in_visible_network`; admins see all), and those they are invited
    to as a person (`meeting_participants.person_id`), in whatever network. An invited
    partner from outside a closed network reads and answers their own invitation; the
    network's other meetings stay hidden from them."""
    if caller.is_admin:
        return true()
    in_network = in_visible_network(caller, Meeting.network_id)
    if caller.person_id is None:
        return in_network
    # Correlated to the enclosing query's `meetings` only: left to auto-correlate, the
    # EXISTS would also take a `meeting_participants` of the enclosing query (one that
    # joins participants) for its own and lose its FROM.
    invited = (
        exists()
        .where(Participant.meeting_id == Meeting.id, Participant.person_id == caller.person_id)
        .correlate(Meeting)
    )
    return or_(in_network, invited)


def _loaders(caller: Caller, include: Iterable[MeetingInclude]) -> list[Any]:
    # One SELECT ... IN per relationship, whatever the number of rows.
    wanted = set(include)
    loaders: list[Any] = []
    if MeetingInclude.NETWORK in wanted:
        # A meeting may be seen through an invitation alone: the network it belongs to
        # is then loaded as None (shown as null), so a closed network's name and slug
        # reach only those who see the network itself.
        network = (
            Meeting.network if caller.is_admin else Meeting.network.and_(network_visible(caller))
        )
        loaders.append(selectinload(network))
    if MeetingInclude.HOST in wanted:
        loaders.append(selectinload(Meeting.host))
    return loaders


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[Meeting], caller: Caller) -> Select[Meeting]:
        # A filter by a hidden network's id finds nothing, as for an unknown one.
        return stmt.where(meeting_visible_condition(caller))

    async def get(
        self, caller: Caller, meeting_id: uuid.UUID, include: Iterable[MeetingInclude] = ()
    ) -> Meeting | None:
        stmt = self._visible(select(Meeting).where(Meeting.id == meeting_id), caller)
        return await self.session.scalar(stmt.options(*_loaders(caller, include)))

    async def lock(self, meeting_id: uuid.UUID, *, shared: bool = False) -> Meeting | None:
        """The meeting read again, its row locked until the request ends: FOR UPDATE, or
        FOR SHARE when `shared` (PostgreSQL; SQLite renders no lock clause and needs none:
        a writing request holds the database's write lock from its first statement, `BEGIN
        IMMEDIATE`). `populate_existing` replaces what the session held with the stored
        state, which another request may have changed before the lock was granted. None
        when the row was deleted meanwhile."""
        stmt = (
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .with_for_update(read=shared)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def list(
        self,
        caller: Caller,
        where: MeetingFilter,
        sort: str,
        page: PageParams,
        include: Iterable[MeetingInclude] = (),
    ) -> tuple[list[Meeting], SortOrder]:
        order = resolve_sort(sort, SORTS, Meeting.id)
        stmt = self._visible(select(Meeting), caller)
        if where.network_id is not None:
            stmt = stmt.where(Meeting.network_id == where.network_id)
        if where.kind is not None:
            stmt = stmt.where(Meeting.kind == where.kind)
        if where.status is not None:
            stmt = stmt.where(Meeting.status == where.status)
        if where.host_organisation_id is not None:
            stmt = stmt.where(Meeting.host_organisation_id == where.host_organisation_id)
        if where.starts_after is not None:
            stmt = stmt.where(Meeting.starts_at >= where.starts_after)
        if where.starts_before is not None:
            stmt = stmt.where(Meeting.starts_at < where.starts_before)
        if where.not_ended_at is not None:
            stmt = stmt.where(Meeting.ends_at >= where.not_ended_at)
        stmt = apply_keyset(stmt, order, page).options(*_loaders(caller, include))
        rows = await self.session.scalars(stmt)
        return list(rows), order

    async def tallies(
        self, meeting_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, ParticipantTally]:
        """Answer and attendance counts of the meetings' participants: one grouped query
        for a whole page. A meeting without participants gets an empty tally."""
        found: defaultdict[uuid.UUID, ParticipantTally] = defaultdict(ParticipantTally)
        if not meeting_ids:
            return found
        stmt = (
            select(
                Participant.meeting_id,
                Participant.answer,
                Participant.attended,
                func.count(Participant.id),
            )
            .where(Participant.meeting_id.in_(set(meeting_ids)))
            .group_by(Participant.meeting_id, Participant.answer, Participant.attended)
        )
        for meeting_id, answer, attended, count in await self.session.execute(stmt):
            tally = found[meeting_id]
            tally.answers[answer] += count
            tally.attendance[attended] += count
        return found

    async def any_invited(self, meeting_id: uuid.UUID) -> bool:
        """Whether an invitation to the meeting has gone out (a participant has
        `invited_at`)."""
        invited = exists().where(
            Participant.meeting_id == meeting_id, Participant.invited_at.is_not(None)
        )
        return bool(await self.session.scalar(select(invited)))

    async def is_member_on(
        self, organisation_id: uuid.UUID, network_id: uuid.UUID, day: date
    ) -> bool:
        """Whether the organisation is a member of the network on `day` (`member_on_day`:
        a company that has given notice is a member until its last day)."""
        stmt = select(Membership.id).where(
            Membership.organisation_id == organisation_id,
            Membership.network_id == network_id,
            member_on_day(day),
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    def add(self, meeting: Meeting) -> None:
        self.session.add(meeting)

    async def delete(self, meeting: Meeting) -> None:
        """Delete the meeting with its action items, participants and agenda items, all
        through the unit of work so the audit trail records each (the database's ON DELETE
        CASCADE then finds none). Children first: participants may point at agenda items."""
        action_items = await self.session.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting.id)
        )
        participants = await self.session.scalars(
            select(Participant).where(Participant.meeting_id == meeting.id)
        )
        for row in [*action_items, *participants]:
            await self.session.delete(row)
        await self.session.flush()
        items = await self.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
        )
        for item in items:
            await self.session.delete(item)
        await self.session.flush()
        await self.session.delete(meeting)
