"""Queries for the audit trail. It is only ever appended to (by app/audit/recorder.py)."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.audit.models import AuditEvent

SORTS = {"occurred_at": AuditEvent.occurred_at}
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class AuditEventFilter:
    resource_type: str | None = None
    resource_id: str | None = None
    action: str | None = None
    actor_type: str | None = None
    actor_id: uuid.UUID | None = None
    # A half-open window: occurred_after <= occurred_at < occurred_before.
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None


class AuditEventRepository:
    """Only admins read the trail; the service checks that, so reads take no caller."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns]) -> Select[*Columns]:
        # The service lets only the secretariat read the trail, which it reads whole; a
        # finer rule would be added in this one place.
        return stmt

    async def read_one(self, shape: RowShape, event_id: uuid.UUID) -> Row[Any] | None:
        """The event's columns of `shape`, for the read path (app/api/reads.py)."""
        stmt = select(*shape.columns(AuditEvent)).where(AuditEvent.id == event_id)
        return (await self.session.execute(self._visible(stmt))).first()

    async def read_page(
        self, shape: RowShape, where: AuditEventFilter, sort: str, page: PageParams
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the events `where` selects, as rows of `shape`'s columns."""
        order = resolve_sort(sort, SORTS, AuditEvent.id)
        stmt = self._visible(select(*shape.columns(AuditEvent)))
        if where.resource_type is not None:
            stmt = stmt.where(AuditEvent.resource_type == where.resource_type)
        if where.resource_id is not None:
            stmt = stmt.where(AuditEvent.resource_id == where.resource_id)
        if where.action is not None:
            stmt = stmt.where(AuditEvent.action == where.action)
        if where.actor_type is not None:
            stmt = stmt.where(AuditEvent.actor_type == where.actor_type)
        if where.actor_id is not None:
            stmt = stmt.where(AuditEvent.actor_id == where.actor_id)
        if where.occurred_after is not None:
            stmt = stmt.where(AuditEvent.occurred_at >= where.occurred_after)
        if where.occurred_before is not None:
            stmt = stmt.where(AuditEvent.occurred_at < where.occurred_before)
        return list(await self.session.execute(apply_keyset(stmt, order, page))), order
