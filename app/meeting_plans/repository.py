"""Queries of the year's plan. Each loads everything of one kind for the network at once,
so a plan runs the same statements for 5 members or 500."""

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.companies.models import Organisation
from app.db import advisory_xact_lock
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from app.memberships.models import Membership
from app.memberships.repository import member_on_day


def _hosted_visit(network_id: uuid.UUID) -> ColumnElement[bool]:
    """A company visit of the network that was, or will be, hosted: not cancelled, with
    a host."""
    return and_(
        Meeting.network_id == network_id,
        Meeting.kind == MeetingKind.COMPANY_VISIT,
        Meeting.status != MeetingStatus.CANCELLED,
        Meeting.host_organisation_id.is_not(None),
    )


class MeetingPlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, network_id: uuid.UUID, year: int) -> None:
        """One plan of a network's year at a time: a second run waits for the first to
        commit, then finds its meetings (SQLite's write lock does this already)."""
        await advisory_xact_lock(self.session, f"meeting-plans:{network_id}:{year}")

    async def plan_meetings(self, network_id: uuid.UUID, year: int) -> list[Meeting]:
        """The meetings an earlier run of this year's plan created."""
        rows = await self.session.scalars(
            select(Meeting)
            .where(Meeting.network_id == network_id, Meeting.plan_year == year)
            .order_by(Meeting.plan_slot)
        )
        return list(rows)

    async def member_periods(
        self, network_id: uuid.UUID, days: Collection[date]
    ) -> list[tuple[date, date | None, Organisation]]:
        """The `member` memberships that make their organisation a member on at least
        one of `days` (`member_on_day`: an ended membership counts until its last day),
        with their organisations (not archived ones), in one joined query."""
        if not days:
            return []
        rows = await self.session.execute(
            select(Membership.starts_on, Membership.ends_on, Organisation)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(
                Membership.network_id == network_id,
                or_(*(member_on_day(day) for day in sorted(days))),
                Organisation.archived_at.is_(None),
            )
        )
        return [(row[0], row[1], row[2]) for row in rows]

    async def last_visits(
        self, network_id: uuid.UUID, before: datetime
    ) -> Sequence[tuple[uuid.UUID, datetime]]:
        """When each organisation last hosted a company visit before `before`; cancelled
        visits were not hosted."""
        rows = await self.session.execute(
            select(Meeting.host_organisation_id, func.max(Meeting.starts_at))
            .where(_hosted_visit(network_id), Meeting.starts_at < before)
            .group_by(Meeting.host_organisation_id)
        )
        return [(host_id, last) for host_id, last in rows if host_id is not None]

    async def other_visits(
        self, network_id: uuid.UUID, year: int, starts: datetime, ends: datetime
    ) -> list[tuple[uuid.UUID, datetime, str]]:
        """Host, start and zone of the hosted company visits in [starts, ends) that are
        not meetings of `year`'s plan: visits created by hand (or moved there from
        another year's plan)."""
        rows = await self.session.execute(
            select(Meeting.host_organisation_id, Meeting.starts_at, Meeting.time_zone).where(
                _hosted_visit(network_id),
                Meeting.starts_at >= starts,
                Meeting.starts_at < ends,
                or_(Meeting.plan_year.is_(None), Meeting.plan_year != year),
            )
        )
        return [(host_id, when, zone) for host_id, when, zone in rows if host_id is not None]

    async def last_municipal_host(
        self, network_id: uuid.UUID, before: datetime
    ) -> uuid.UUID | None:
        """The host of the latest municipal meeting before `before` that was not cancelled."""
        return await self.session.scalar(
            select(Meeting.host_organisation_id)
            .where(
                Meeting.network_id == network_id,
                Meeting.kind == MeetingKind.MUNICIPAL,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.host_organisation_id.is_not(None),
                Meeting.starts_at < before,
            )
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
            .limit(1)
        )

    def add_all(self, meetings: Sequence[Meeting]) -> None:
        self.session.add_all(meetings)
