"""Reading the audit trail: the secretariat's alone."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.audit.models import AuditEvent
from app.audit.repository import AuditEventFilter, AuditEventRepository
from app.auth import policy
from app.errors import not_found

_ADMINS_ONLY = (
    "Only the secretariat (an admin or a read or write API key) may read the audit trail."
)


def _ensure_reads_trail(caller: Caller) -> None:
    policy.ensure_admin_reads(caller, _ADMINS_ONLY)


async def list_events(
    session: AsyncSession, caller: Caller, where: AuditEventFilter, sort: str, page: PageParams
) -> tuple[list[AuditEvent], SortOrder]:
    _ensure_reads_trail(caller)
    return await AuditEventRepository(session).list(where, sort, page)


async def get_event(session: AsyncSession, caller: Caller, event_id: uuid.UUID) -> AuditEvent:
    _ensure_reads_trail(caller)
    found = await AuditEventRepository(session).get(event_id)
    if found is None:
        raise not_found("audit_event")
    return found
