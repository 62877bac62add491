"""HTTP for a meeting's agenda: parse, call one service function, answer."""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Row
from starlette.responses import Response

from app.agenda import service
from app.agenda.schemas import AgendaItemCreate, AgendaItemRead, AgendaItemUpdate, AgendaOrder
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
from app.meetings.access import meeting_to_manage
from app.meetings.models import AgendaItem

router = APIRouter(prefix="/v1/meetings", tags=["agenda"])

_ACCESS = (
    " Anyone who may see the meeting reads its agenda (the people invited to it too, in "
    "whatever network); the presenter from the registry and the guests are shown only to "
    "admins, the network's coordinators and its members (`null` for everyone else)."
)
_CHANGES = (
    " Admins and the coordinators of the meeting's network only. Not for a cancelled "
    "meeting (409 `meeting_cancelled`) nor once its minutes are published (409 "
    "`minutes_published`)."
)


def _location(item: AgendaItem) -> str:
    return f"/v1/meetings/{item.meeting_id}/agenda-items/{item.id}"


def _one(item: AgendaItem | Row[Any], guests: service.Guests) -> Response:
    return resource_response(service.describe_item(item, guests), version=item.version)


def _page(
    request: Request,
    items: Sequence[AgendaItem | Row[Any]],
    guests: service.Guests,
    next_cursor: str | None,
) -> Response:
    reads = [service.describe_item(item, guests) for item in items]
    return page_response(request, reads, next_cursor)


@router.get(
    "/{meeting_id:uuid}/agenda-items",
    response_model=Page[AgendaItemRead],
    summary="List a meeting's agenda",
    description="The items in their order (`position` 1, 2, …). Keyset-paginated like every "
    "list; with up to 200 items a page, one page holds any real agenda." + _ACCESS,
    responses=problem_responses(400, 404),
)
async def list_agenda_items(
    meeting_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
) -> Response:
    rows, order, guests = await service.list_items(session, caller, meeting_id, page)
    items, next_cursor = cut_page(rows, order, page)
    return _page(request, items, guests, next_cursor)


@router.post(
    "/{meeting_id:uuid}/agenda-items",
    status_code=201,
    response_model=AgendaItemRead,
    summary="Add an agenda item",
    description="At the end, or at `position`, moving the items from there one down. The "
    "presenter is a person from the registry (`presenter_person_id`; 422 `unknown_person`) "
    "or a name (`presenter_name`), not both." + _CHANGES,
    responses=problem_responses(400, 404, 409),
)
async def create_agenda_item(
    meeting_id: uuid.UUID,
    body: AgendaItemCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        item, guests = await service.create_item(session, caller, meeting_id, body)
        return created_response(_one(item, guests), _location(item))

    async def authorise() -> None:
        await meeting_to_manage(session, caller, meeting_id)

    return await idempotency.run(create, authorise=authorise)


# `order` is never read as an item's id: ids take the `uuid` convertor, so another
# method on this path answers 405, not a complaint about the id.
@router.put(
    "/{meeting_id:uuid}/agenda-items/order",
    response_model=Page[AgendaItemRead],
    summary="Reorder a meeting's agenda",
    description="`item_ids` lists every item of the meeting exactly once, in the new order; "
    "the items get positions 1, 2, … in that order. A missing, repeated or unknown id is "
    "refused with 422 `agenda_order_mismatch`, whose `missing` and `duplicates` list item "
    "ids and `unknown` the indexes in `item_ids` of ids that are no item of this meeting; "
    "nothing changes then. Answers the whole agenda in its new order (`next_cursor` is "
    "null)." + _CHANGES,
    responses=problem_responses(400, 404, 409),
)
async def reorder_agenda_items(
    meeting_id: uuid.UUID,
    body: AgendaOrder,
    request: Request,
    session: SessionDep,
    caller: CallerDep,
) -> Response:
    items, guests = await service.reorder_items(session, caller, meeting_id, body)
    return _page(request, items, guests, None)


@router.get(
    "/{meeting_id:uuid}/agenda-items/{item_id:uuid}",
    response_model=AgendaItemRead,
    summary="Get an agenda item",
    description="With its `ETag`." + _ACCESS,
    responses=problem_responses(404),
)
async def get_agenda_item(
    meeting_id: uuid.UUID, item_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(*await service.read_item(session, caller, meeting_id, item_id))


@router.patch(
    "/{meeting_id:uuid}/agenda-items/{item_id:uuid}",
    response_model=AgendaItemRead,
    summary="Change an agenda item",
    description="Requires `If-Match`. Title, description, planned minutes and presenter; the "
    "position changes only by reordering the agenda (`PUT …/agenda-items/order`). A "
    "presenter sent replaces the one before, of either kind; `null` removes it." + _CHANGES,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_agenda_item(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    body: AgendaItemUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    meeting, item = await service.item_to_change(session, caller, meeting_id, item_id)
    require_if_match(if_match, item.version)
    return _one(*await service.update_item(session, caller, meeting, item, body))


@router.delete(
    "/{meeting_id:uuid}/agenda-items/{item_id:uuid}",
    status_code=204,
    summary="Remove an agenda item",
    description="The items after it move up one, so positions keep no gap. Refused while "
    "guests are invited to the item (409 `agenda_item_has_guests`) or once minutes are "
    "written for it (notes, decisions or action items: 409 `agenda_item_has_minutes`). "
    "`If-Match` is optional; checked when sent (412 when stale)." + _CHANGES,
    responses=problem_responses(404, 409, 412),
)
async def delete_agenda_item(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    meeting, item = await service.item_to_change(session, caller, meeting_id, item_id)
    check_if_match_when_sent(if_match, item.version)
    await service.delete_item(session, meeting, item)
    return Response(status_code=204)
