"""Queries for minutes and action items. Meetings are found (and locked) through
`app.meetings.access`; agenda items and the minutes' action items are read for a meeting
already found visible. Action items read on their own (`/v1/action-items`) narrow by
`_action_items_readable` here. Every action item handed out carries its `assignee`, joined
into the same statement, so a page of any size costs one query.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset_nulls_last, resolve_sort
from app.meetings.models import AgendaItem, Meeting, MinutesStatus
from app.minutes.models import ActionItem, ActionItemStatus
from app.networks.visibility import in_visible_network

SORTS = {"due_on": ActionItem.due_on, "created_at": ActionItem.created_at}


@dataclass(frozen=True, slots=True)
class ActionItemFilter:
    assignee_person_id: uuid.UUID | None = None
    status: ActionItemStatus | None = None
    meeting_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None


def _published_meetings() -> Select[uuid.UUID]:
    return select(Meeting.id).where(Meeting.minutes_status == MinutesStatus.PUBLISHED)


def _action_items_readable(caller: Caller) -> ColumnElement[bool]:
    """Managers read every action item of their networks, draft or not; members of a
    network those of its published minutes; an assignee their own items of published
    minutes, in whatever network (someone from outside may have taken a task on); nobody
    else any. The networks of the first two are visible to the caller by definition; the
    visibility rule is added all the same, so this stays a narrowing of what every read
    narrows by."""
    in_network: list[ColumnElement[bool]] = []
    if caller.coordinated_network_ids:
        in_network.append(ActionItem.network_id.in_(caller.coordinated_network_ids))
    if caller.member_network_ids:
        in_network.append(
            and_(
                ActionItem.network_id.in_(caller.member_network_ids),
                ActionItem.meeting_id.in_(_published_meetings()),
            )
        )
    clauses: list[ColumnElement[bool]] = []
    if in_network:
        clauses.append(and_(in_visible_network(caller, ActionItem.network_id), or_(*in_network)))
    if caller.person_id is not None:
        clauses.append(
            and_(
                ActionItem.assignee_person_id == caller.person_id,
                ActionItem.meeting_id.in_(_published_meetings()),
            )
        )
    return or_(*clauses) if clauses else false()


def _with_assignee() -> Select[ActionItem]:
    return (
        select(ActionItem)
        .outerjoin(ActionItem.assignee)
        .options(contains_eager(ActionItem.assignee))
    )


class MinutesRepository:
    """Meetings and agenda items as the minutes see them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def agenda_item(self, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem | None:
        """An item of a meeting already found visible (items share its network)."""
        stmt = select(AgendaItem).where(
            AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id
        )
        return await self.session.scalar(stmt)

    async def agenda_items(self, meeting_id: uuid.UUID) -> list[AgendaItem]:
        stmt = (
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
        return list(await self.session.scalars(stmt))

    async def action_items_of_meeting(self, meeting_id: uuid.UUID) -> list[ActionItem]:
        return await self._action_items(ActionItem.meeting_id == meeting_id)

    async def action_items_of_item(self, item_id: uuid.UUID) -> list[ActionItem]:
        return await self._action_items(ActionItem.agenda_item_id == item_id)

    async def _action_items(self, condition: ColumnElement[bool]) -> list[ActionItem]:
        stmt = _with_assignee().where(condition).order_by(ActionItem.created_at, ActionItem.id)
        return list(await self.session.scalars(stmt))


class ActionItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[ActionItem], caller: Caller) -> Select[ActionItem]:
        if caller.is_admin:
            return stmt
        return stmt.where(_action_items_readable(caller))

    async def get(self, caller: Caller, action_item_id: uuid.UUID) -> ActionItem | None:
        """With its assignee and its meeting (which a change locks), in one query."""
        stmt = self._visible(_with_assignee(), caller).where(ActionItem.id == action_item_id)
        stmt = stmt.join(ActionItem.meeting).options(contains_eager(ActionItem.meeting))
        return await self.session.scalar(stmt)

    async def list(
        self, caller: Caller, where: ActionItemFilter, sort: str, page: PageParams
    ) -> tuple[list[ActionItem], SortOrder]:
        order = resolve_sort(sort, SORTS, ActionItem.id)
        stmt = self._visible(_with_assignee(), caller)
        if where.assignee_person_id is not None:
            stmt = stmt.where(ActionItem.assignee_person_id == where.assignee_person_id)
        if where.status is not None:
            stmt = stmt.where(ActionItem.status == where.status)
        if where.meeting_id is not None:
            stmt = stmt.where(ActionItem.meeting_id == where.meeting_id)
        if where.network_id is not None:
            stmt = stmt.where(ActionItem.network_id == where.network_id)
        rows = await self.session.scalars(apply_keyset_nulls_last(stmt, order, page))
        return list(rows), order

    def add(self, item: ActionItem) -> None:
        self.session.add(item)

    async def delete(self, item: ActionItem) -> None:
        await self.session.delete(item)
