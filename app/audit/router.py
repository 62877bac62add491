"""HTTP for the audit trail: read-only, for the secretariat."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import json_response, page_response
from app.api.routing import APIRouter
from app.audit import service
from app.audit.repository import AuditEventFilter
from app.audit.schemas import ActorType, AuditAction, AuditEventRead, Instant

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])

AuditSort = Annotated[
    str,
    Query(
        pattern=r"^-?occurred_at$",
        description="`occurred_at`; `-` for descending (the default: newest first).",
    ),
]


@router.get(
    "",
    response_model=Page[AuditEventRead],
    summary="List audit events",
    description="Every change made through the ORM, written in the transaction that made "
    "it: who (user or API key), when, which row, and the values before and after. Admins "
    "and `read`/`write` API keys only (401 anonymous, 403 anyone else). Keyset-paginated, "
    "newest first. `occurred_after` is inclusive and `occurred_before` exclusive; both are "
    "ISO 8601 date-times with an offset.",
    responses=problem_responses(400),
)
async def list_audit_events(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    resource_type: Annotated[
        str | None,
        Query(max_length=50, description="A table name.", examples=["organisations"]),
    ] = None,
    resource_id: Annotated[str | None, Query(max_length=64, description="A row's id.")] = None,
    action: AuditAction | None = None,
    actor_type: ActorType | None = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="A user's or API key's id.")] = None,
    occurred_after: Annotated[
        Instant | None,
        Query(
            description="Events at or after this instant.",
            examples=["2026-01-01T00:00:00Z"],
        ),
    ] = None,
    occurred_before: Annotated[
        Instant | None,
        Query(
            description="Events strictly before this instant.",
            examples=["2026-02-01T00:00:00+01:00"],
        ),
    ] = None,
    sort: AuditSort = "-occurred_at",
) -> Response:
    where = AuditEventFilter(
        resource_type=resource_type,
        resource_id=resource_id,
        action=action.value if action is not None else None,
        actor_type=actor_type.value if actor_type is not None else None,
        actor_id=actor_id,
        occurred_after=occurred_after,
        occurred_before=occurred_before,
    )
    rows, order = await service.list_events(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [service.describe_event(row) for row in items], next_cursor)


@router.get(
    "/{event_id}",
    response_model=AuditEventRead,
    summary="Get an audit event",
    description="Admins and `read`/`write` API keys only. Events never change, so there "
    "is no `ETag`.",
    responses=problem_responses(404),
)
async def get_audit_event(event_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    event = await service.read_event(session, caller, event_id)
    return json_response(service.describe_event(event))
