"""Queries for meetings. Every read for a caller narrows by `meeting_visible_condition`,
so a closed network's meetings are hidden, and shown to the people invited to them, in one
place.

The rule checks (`is_member_on`, `any_invited`) see every row: a rule must hold
whatever the caller may read.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    RowMapping,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import Label

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape, ordered_by
from app.companies.models import Organisation
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.meetings.schemas import MeetingInclude
from app.memberships.models import Membership
from app.memberships.repository import member_on_day
from app.minutes.models import ActionItem
from app.networks.models import Network
from app.networks.visibility import in_visible_network, network_visible
from app.participants.models import Answer, Participant

SORTS = {"starts_at": Meeting.starts_at}
Columns = TypeVarTuple("Columns")


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


# Answer and attendance counts of a meeting's participants, by the column each is labelled.
TALLIES: dict[str, ColumnElement[bool]] = {
    "accepted": Participant.answer == Answer.ACCEPTED,
    "declined": Participant.answer == Answer.DECLINED,
    "tentative": Participant.answer == Answer.TENTATIVE,
    "unanswered": Participant.answer.is_(None),
    "attended": Participant.attended.is_(True),
    "absent": Participant.attended.is_(False),
    "unrecorded": Participant.attended.is_(None),
}
NETWORK_PREFIX, HOST_PREFIX = "network__", "host__"
# Made once: shapes build their columns once per entity (a new alias per request would
# build them anew, and keep every one).
_NETWORK, _HOST = aliased(Network, name="network"), aliased(Organisation, name="host")


@dataclass(frozen=True, slots=True)
class RelatedShapes:
    """The shapes of what `include=` embeds in a meeting."""

    network: RowShape
    host: RowShape


def _tally_counts() -> list[Label[int]]:
    return [func.count(case((condition, 1))).label(name) for name, condition in TALLIES.items()]


def _counted(meeting_ids: Select[Any]) -> Subquery:
    """The participants of the meetings `meeting_ids` selects, counted per meeting (one
    grouped scan of their index); a meeting without participants has no row."""
    return (
        select(Participant.meeting_id, *_tally_counts())
        .where(Participant.meeting_id.in_(meeting_ids))
        .group_by(Participant.meeting_id)
        .subquery("tallies")
    )


def _with_included(
    stmt: Select[Any],
    caller: Caller,
    include: frozenset[MeetingInclude],
    shapes: RelatedShapes,
) -> Select[Any]:
    """`stmt` with the network's and the host's columns of `include` LEFT JOINed. A
    meeting may be seen through an invitation alone: its network's columns are then null
    (shown as null), so a closed network's name and slug reach only those who see the
    network by its own rule (`network_visible`)."""
    if MeetingInclude.NETWORK in include:
        joined = _NETWORK.id == Meeting.network_id
        if not caller.is_admin:
            joined = and_(joined, network_visible(caller, _NETWORK))
        stmt = stmt.add_columns(*shapes.network.columns(_NETWORK, prefix=NETWORK_PREFIX))
        stmt = stmt.outerjoin(_NETWORK, joined)
    if MeetingInclude.HOST in include:
        # Organisations are visible to every caller (`OrganisationRepository._visible`).
        stmt = stmt.add_columns(*shapes.host.columns(_HOST, prefix=HOST_PREFIX))
        stmt = stmt.outerjoin(_HOST, _HOST.id == Meeting.host_organisation_id)
    return stmt


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        # A filter by a hidden network's id finds nothing, as for an unknown one.
        return stmt.where(meeting_visible_condition(caller))

    async def get(self, caller: Caller, meeting_id: uuid.UUID) -> Meeting | None:
        stmt = self._visible(select(Meeting).where(Meeting.id == meeting_id), caller)
        return await self.session.scalar(stmt)

    def _read(
        self,
        caller: Caller,
        shape: RowShape,
        include: frozenset[MeetingInclude],
        related: RelatedShapes,
    ) -> Select[Any]:
        stmt = self._visible(select(*shape.columns(Meeting)), caller)
        return _with_included(stmt, caller, include, related)

    async def _with_tallies(self, stmt: Select[Any], order: SortOrder | None) -> list[Row[Any]]:
        """The rows `stmt` selects, each with its meeting's participant counts (labelled
        as in `TALLIES`; null for a meeting without participants), in one statement: the
        meetings first (a CTE, ordered and limited), then their participants counted."""
        found = stmt.cte("found")
        counted = _counted(select(found.c.id))
        joined = select(found, *[counted.c[name] for name in TALLIES]).outerjoin(
            counted, counted.c.meeting_id == found.c.id
        )
        if order is not None:
            joined = joined.order_by(*ordered_by(found, order))
        return list(await self.session.execute(joined))

    async def read_one(
        self,
        caller: Caller,
        shape: RowShape,
        meeting_id: uuid.UUID,
        include: frozenset[MeetingInclude],
        related: RelatedShapes,
    ) -> Row[Any] | None:
        """The meeting's columns of `shape`, its counts and what `include` embeds, for
        the read path (app/api/reads.py)."""
        stmt = self._read(caller, shape, include, related).where(Meeting.id == meeting_id)
        rows = await self._with_tallies(stmt, None)
        return rows[0] if rows else None

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

    async def read_page(
        self,
        caller: Caller,
        shape: RowShape,
        where: MeetingFilter,
        sort: str,
        page: PageParams,
        include: frozenset[MeetingInclude],
        related: RelatedShapes,
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the meetings `where` selects, as rows like `read_one`'s."""
        order = resolve_sort(sort, SORTS, Meeting.id)
        stmt = self._read(caller, shape, include, related)
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
        return await self._with_tallies(apply_keyset(stmt, order, page), order), order

    async def tallies(self, meeting_id: uuid.UUID) -> RowMapping:
        """A meeting's participant counts, labelled as in `TALLIES` (for the answer to a
        write)."""
        stmt = select(*_tally_counts()).where(Participant.meeting_id == meeting_id)
        return (await self.session.execute(stmt)).mappings().one()

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
