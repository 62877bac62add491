"""Queries for the audit trail. It is only ever appended to (by app/audit/recorder.py)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.audit.models import AuditEvent

SORTS = {"occurred_at": AuditEvent.occurred_at}


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

    async def get(self, event_id: uuid.UUID) -> AuditEvent | None:
        return await self.session.get(AuditEvent, event_id)

    async def list(
        self, where: AuditEventFilter, sort: str, page: PageParams
    ) -> tuple[list[AuditEvent], SortOrder]:
        order = resolve_sort(sort, SORTS, AuditEvent.id)
        stmt = select(AuditEvent)
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
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
        return list(rows), order
