"""HTTP for fee schedules: parse, call one service function, answer."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import (
    IfMatchHeader,
    OptionalIfMatchHeader,
    check_if_match_when_sent,
    require_if_match,
)
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.fee_schedules import service
from app.fee_schedules.models import FeeSchedule
from app.fee_schedules.repository import FeeScheduleFilter
from app.fee_schedules.schemas import FeeScheduleCreate, FeeScheduleRead, FeeScheduleUpdate

router = APIRouter(prefix="/v1/fee-schedules", tags=["fees"])

FeeScheduleSort = Annotated[
    str,
    Query(pattern=r"^-?(year|created_at)$", description="`year`, `created_at`; `-` descends."),
]
_ADMIN_ONLY = " Only the secretariat: 401 anonymous, 403 any other caller."


def _one(schedule: FeeSchedule) -> Response:
    return resource_response(FeeScheduleRead.of(schedule), version=schedule.version)


@router.post(
    "",
    status_code=201,
    response_model=FeeScheduleRead,
    summary="Create a network's fee schedule for a year",
    description="Each line is a flat `amount` or `tiers` by number of employees, with its "
    "VAT category (S with a rate, 25.00 by default; E with `vat_exemption_reason`; O). "
    "`billable_kinds` says which membership kinds pay (members by default). 422 "
    "`fee_line_amount_or_tiers`, `fee_tiers_out_of_order`, `invalid_vat_rate`, "
    "`vat_exemption_reason_required`, `vat_exemption_reason_not_allowed` (on the line's "
    "field) and `unknown_network`; 409 `fee_schedule_exists` when the network has one for "
    "the year." + _ADMIN_ONLY,
    responses=problem_responses(400, 409),
)
async def create_fee_schedule(
    body: FeeScheduleCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        schedule = await service.create_fee_schedule(session, caller, body)
        return created_response(_one(schedule), f"/v1/fee-schedules/{schedule.id}")

    return await idempotency.run(create, authorise=lambda: service.authorise_create(caller))


@router.get(
    "",
    response_model=Page[FeeScheduleRead],
    summary="List fee schedules",
    description="Keyset-paginated; filter by network and year." + _ADMIN_ONLY,
    responses=problem_responses(400),
)
async def list_fee_schedules(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    network_id: uuid.UUID | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    sort: FeeScheduleSort = "-year",
) -> Response:
    where = FeeScheduleFilter(network_id=network_id, year=year)
    rows, order = await service.list_fee_schedules(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [FeeScheduleRead.of(row) for row in items], next_cursor)


@router.get(
    "/{fee_schedule_id}",
    response_model=FeeScheduleRead,
    summary="Get a fee schedule",
    description=_ADMIN_ONLY.strip(),
    responses=problem_responses(404),
)
async def get_fee_schedule(
    fee_schedule_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(await service.get_fee_schedule(session, caller, fee_schedule_id))


@router.patch(
    "/{fee_schedule_id}",
    response_model=FeeScheduleRead,
    summary="Change a fee schedule",
    description="Only the fields sent change; `lines` replaces every line. Invoices "
    "already made by the fee run keep their own copies. Requires `If-Match`." + _ADMIN_ONLY,
    responses=problem_responses(400, 404, 412, 428),
)
async def update_fee_schedule(
    fee_schedule_id: uuid.UUID,
    body: FeeScheduleUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    schedule = await service.fee_schedule_to_change(session, caller, fee_schedule_id)
    require_if_match(if_match, schedule.version)
    return _one(await service.update_fee_schedule(session, schedule, body))


@router.delete(
    "/{fee_schedule_id}",
    status_code=204,
    summary="Delete a fee schedule",
    description="Allowed even after a fee run: its invoices keep their own copies of the "
    "lines, amounts, terms and text. `If-Match` is optional; checked when sent (412 when "
    "stale)." + _ADMIN_ONLY,
    responses=problem_responses(404, 412),
)
async def delete_fee_schedule(
    fee_schedule_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    schedule = await service.fee_schedule_to_change(session, caller, fee_schedule_id)
    check_if_match_when_sent(if_match, schedule.version)
    await service.delete_fee_schedule(session, schedule)
    return Response(status_code=204)
