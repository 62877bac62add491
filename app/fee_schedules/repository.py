"""Queries for fee schedules. Only admins read them, so no visibility narrowing."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.fee_schedules.models import FeeSchedule

SORTS = {"year": FeeSchedule.year, "created_at": FeeSchedule.created_at}


@dataclass(frozen=True, slots=True)
class FeeScheduleFilter:
    network_id: uuid.UUID | None = None
    year: int | None = None


class FeeScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, schedule_id: uuid.UUID) -> FeeSchedule | None:
        return await self.session.get(FeeSchedule, schedule_id)

    async def for_network_year(self, network_id: uuid.UUID, year: int) -> FeeSchedule | None:
        stmt = select(FeeSchedule).where(
            FeeSchedule.network_id == network_id, FeeSchedule.year == year
        )
        return await self.session.scalar(stmt)

    async def list(
        self, where: FeeScheduleFilter, sort: str, page: PageParams
    ) -> tuple[list[FeeSchedule], SortOrder]:
        order = resolve_sort(sort, SORTS, FeeSchedule.id)
        stmt = select(FeeSchedule)
        if where.network_id is not None:
            stmt = stmt.where(FeeSchedule.network_id == where.network_id)
        if where.year is not None:
            stmt = stmt.where(FeeSchedule.year == where.year)
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
        return list(rows), order

    def add(self, schedule: FeeSchedule) -> None:
        self.session.add(schedule)

    async def delete(self, schedule: FeeSchedule) -> None:
        await self.session.delete(schedule)
