"""Reading the audit trail: the secretariat's alone."""

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape
from app.audit.repository import AuditEventFilter, AuditEventRepository
from app.audit.schemas import AuditEventRead
from app.auth import policy
from app.errors import not_found

_ADMINS_ONLY = (
    "Only the secretariat (an admin or a read or write API key) may read the audit trail."
)


def _ensure_reads_trail(caller: Caller) -> None:
    policy.ensure_admin_reads(caller, _ADMINS_ONLY)


EVENT = RowShape(AuditEventRead)


def describe_event(row: Row[Any]) -> dict[str, Any]:
    """The representation of an event read (events are written only by the recorder)."""
    return EVENT.of_row(row)


async def list_events(
    session: AsyncSession, caller: Caller, where: AuditEventFilter, sort: str, page: PageParams
) -> tuple[list[Row[Any]], SortOrder]:
    _ensure_reads_trail(caller)
    return await AuditEventRepository(session).read_page(EVENT, where, sort, page)


async def read_event(session: AsyncSession, caller: Caller, event_id: uuid.UUID) -> Row[Any]:
    _ensure_reads_trail(caller)
    found = await AuditEventRepository(session).read_one(EVENT, event_id)
    if found is None:
        raise not_found("audit_event")
    return found
