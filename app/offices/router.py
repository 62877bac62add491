"""HTTP for a network's offices: parse, call one service function, answer."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Row
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import IfMatchHeader, require_if_match
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.api.types import IsoDate
from app.offices import service
from app.offices.models import OfficeKind, OfficeTerm
from app.offices.repository import OfficeTermFilter
from app.offices.schemas import OfficeTermCreate, OfficeTermRead, OfficeTermUpdate

router = APIRouter(prefix="/v1/networks", tags=["offices"])

TermSort = Annotated[
    str,
    Query(pattern=r"^-?starts_on$", description="`starts_on`; `-` for descending (the default)."),
]


def _location(term: OfficeTerm) -> str:
    return f"/v1/networks/{term.network_id}/offices/{term.id}"


def _one(term: Row[Any] | OfficeTerm) -> Response:
    return resource_response(service.describe_term(term), version=term.version)


@router.get(
    "/{network_id}/offices",
    response_model=Page[OfficeTermRead],
    summary="List a network's office terms",
    description="The whole history, newest first by default. `current=true` keeps the terms "
    "covering today, `current=false` the past and future ones; `on` the terms covering a day.",
    responses=problem_responses(400, 404),
)
async def list_office_terms(
    network_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    office: OfficeKind | None = None,
    current: Annotated[
        bool | None, Query(description="Terms covering today (in KLYNGE_TIME_ZONE).")
    ] = None,
    on: Annotated[IsoDate | None, Query(description="Terms covering this day.")] = None,
    sort: TermSort = "-starts_on",
) -> Response:
    where = OfficeTermFilter(office=office, current=current, on=on)
    rows, order = await service.list_terms(session, caller, network_id, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [service.describe_term(row) for row in items], next_cursor)


@router.post(
    "/{network_id}/offices",
    status_code=201,
    response_model=OfficeTermRead,
    summary="Record an office term",
    description="A chair's term runs two years unless `ends_on` is sent. A chair, vice chair "
    "or secretary never has two holders on the same day (409 `office_term_overlap`); a board "
    "has any number of members. The network's ETag changes too, since it shows its office "
    "holders. Admins and the network's coordinators only.",
    responses=problem_responses(400, 404, 409),
)
async def create_office_term(
    network_id: uuid.UUID,
    body: OfficeTermCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        term = await service.create_term(session, caller, network_id, body)
        return created_response(_one(term), _location(term))

    return await idempotency.run(
        create,
        authorise=lambda: service.authorise_create_term(session, caller, network_id),
    )


@router.get(
    "/{network_id}/offices/{term_id}",
    response_model=OfficeTermRead,
    summary="Get an office term",
    responses=problem_responses(404),
)
async def get_office_term(
    network_id: uuid.UUID, term_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(await service.read_term(session, caller, network_id, term_id))


@router.patch(
    "/{network_id}/offices/{term_id}",
    response_model=OfficeTermRead,
    summary="Change an office term's dates",
    description="Requires `If-Match`. Set `ends_on` to step down early. Terms are never "
    "deleted, so the history stays. Changed dates change the network's ETag too. Admins "
    "and the network's coordinators only.",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_office_term(
    network_id: uuid.UUID,
    term_id: uuid.UUID,
    body: OfficeTermUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    term = await service.term_to_change(session, caller, network_id, term_id)
    require_if_match(if_match, term.version)
    return _one(await service.update_term(session, term, body))
