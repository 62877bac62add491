"""HTTP for minutes and action items: parse, call one service function, answer.

The minutes hang off their meeting (`/v1/meetings/{id}/minutes`, per agenda item under
`/agenda-items/{id}`); action items are read and changed as `/v1/action-items`, so one
can be followed across meetings (`?assignee=me&status=open`).
"""

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
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.minutes import action_items, service
from app.minutes.models import ActionItem, ActionItemStatus
from app.minutes.repository import ActionItemFilter
from app.minutes.schemas import (
    ActionItemCreate,
    ActionItemRead,
    ActionItemUpdate,
    AgendaItemMinutes,
    AgendaItemMinutesUpdate,
    MinutesRead,
)

router = APIRouter(prefix="", tags=["minutes"])

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_MANAGERS = " Admins and the network's coordinators only."
_WRITABLE = (
    " Only once the meeting has started (or is held; 409 `meeting_not_started`), never for "
    "a cancelled one (409 `meeting_cancelled`), and not once the minutes are published "
    "(409 `minutes_published`). Writing anything makes the minutes a draft."
)

ActionItemSort = Annotated[
    str,
    Query(
        pattern=r"^-?(due_on|created_at)$",
        description="`due_on` (the default; items without a due date last), `created_at`; "
        "`-` for descending.",
    ),
]


def _one(item: ActionItem) -> Response:
    return resource_response(ActionItemRead.of(item), version=item.version)


@router.get(
    "/v1/meetings/{meeting_id:uuid}/minutes",
    response_model=MinutesRead,
    summary="Get a meeting's minutes",
    description="Every agenda item in agenda order with its notes, decisions and action "
    "items. Admins and the network's coordinators read them in any state (`status` null "
    "while nothing is written); members of the network once they are published (404 "
    "`minutes_not_found` before); anyone else who sees the meeting is refused.",
    responses=problem_responses(404),
)
async def get_minutes(meeting_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    return json_response(MinutesRead.of(*await service.get_minutes(session, caller, meeting_id)))


@router.patch(
    "/v1/meetings/{meeting_id:uuid}/agenda-items/{item_id:uuid}/minutes",
    response_model=AgendaItemMinutes,
    summary="Write an agenda item's notes and decisions",
    description="Requires `If-Match` with the agenda item's ETag (its `version`); answers "
    "with the item's new ETag." + _WRITABLE + _MANAGERS,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def write_item_minutes(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    body: AgendaItemMinutesUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    meeting, item = await service.agenda_item_to_change(session, caller, meeting_id, item_id)
    require_if_match(if_match, item.version)
    item, actions = await service.write_item_minutes(session, meeting, item, body)
    return resource_response(AgendaItemMinutes.of(item, actions), version=item.version)


@router.post(
    "/v1/meetings/{meeting_id:uuid}/minutes/publish",
    response_model=MinutesRead,
    summary="Publish a meeting's minutes",
    description="The meeting must be held (409 `meeting_not_held`; 409 `meeting_cancelled` "
    "for a cancelled one) and have draft minutes "
    "(409 `no_minutes`; 409 `minutes_published` when already published). Published "
    "minutes are read-only, except an action item's status, and readable by the "
    "network's members. `If-Match` with the meeting's ETag is optional; checked when sent "
    "(412 when stale, and nothing is published)." + _MANAGERS,
    responses=problem_responses(404, 409, 412),
)
async def publish_minutes(
    meeting_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    meeting = await service.meeting_to_publish(session, caller, meeting_id)
    check_if_match_when_sent(if_match, meeting.version)
    return json_response(MinutesRead.of(*await service.publish_minutes(session, meeting)))


@router.post(
    "/v1/meetings/{meeting_id:uuid}/agenda-items/{item_id:uuid}/action-items",
    status_code=201,
    response_model=ActionItemRead,
    summary="Add an action item to an agenda item",
    description="What is to be done, by whom (a person from the registry; 422 "
    "`unknown_person`) and by when; it starts `open`." + _WRITABLE + _MANAGERS,
    responses=problem_responses(400, 404, 409),
)
async def create_action_item(
    meeting_id: uuid.UUID,
    item_id: uuid.UUID,
    body: ActionItemCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        action = await action_items.create_action_item(session, caller, meeting_id, item_id, body)
        return created_response(_one(action), f"/v1/action-items/{action.id}")

    async def authorise() -> None:
        await service.authorise_item_minutes(session, caller, meeting_id, item_id)

    return await idempotency.run(create, authorise=authorise)


@router.get(
    "/v1/action-items",
    response_model=Page[ActionItemRead],
    summary="List action items across meetings",
    description="Keyset-paginated. Admins see every action item, coordinators those of "
    "their networks, members of a network those of its published minutes, and everyone "
    "the items assigned to them in published minutes, in whatever network; nobody else "
    "any (the list is narrowed, never refused). Each item names its `assignee`. The "
    "`assignee` filter is a person id or `me`, the caller's own person: anonymous callers "
    "get 401, callers not linked to a person 422 `no_linked_person`.",
    responses=problem_responses(400),
)
async def list_action_items(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    assignee: Annotated[
        str | None,
        Query(pattern=f"^(me|{_UUID})$", description="A person id, or `me`."),
    ] = None,
    status: ActionItemStatus | None = None,
    meeting_id: uuid.UUID | None = None,
    network_id: uuid.UUID | None = None,
    sort: ActionItemSort = "due_on",
) -> Response:
    where = ActionItemFilter(status=status, meeting_id=meeting_id, network_id=network_id)
    rows, order = await action_items.list_action_items(session, caller, assignee, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [ActionItemRead.of(row) for row in items], next_cursor)


@router.get(
    "/v1/action-items/{action_item_id}",
    response_model=ActionItemRead,
    summary="Get an action item",
    description="Readable as in the list: managers always, members of the network and the "
    "assignee once the minutes are published.",
    responses=problem_responses(404),
)
async def get_action_item(
    action_item_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    return _one(await action_items.get_action_item(session, caller, action_item_id))


@router.patch(
    "/v1/action-items/{action_item_id}",
    response_model=ActionItemRead,
    summary="Change an action item",
    description="Requires `If-Match`. While the minutes are a draft, admins and the "
    "network's coordinators change anything (under the meeting rules of the minutes: 409 "
    "`meeting_not_started`, `meeting_cancelled`). Once published only `status` changes "
    "(any other field: 409 `minutes_published`). The assignee may change `status` "
    "themself once the minutes are published, a member of the network or not (any other "
    "field: 403 `field_not_allowed`). `done` records `done_at`; "
    "reopening clears it.",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_action_item(
    action_item_id: uuid.UUID,
    body: ActionItemUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    item = await action_items.action_item_to_change(session, caller, action_item_id, body)
    require_if_match(if_match, item.version)
    return _one(await action_items.update_action_item(session, caller, item, body))


@router.delete(
    "/v1/action-items/{action_item_id}",
    status_code=204,
    summary="Delete an action item",
    description="Only from draft minutes (409 `minutes_published` once published; the "
    "meeting rules of the minutes apply). `If-Match` is optional; checked when sent (412 "
    "when stale)." + _MANAGERS,
    responses=problem_responses(404, 409, 412),
)
async def delete_action_item(
    action_item_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    item = await action_items.action_item_to_change(session, caller, action_item_id, None)
    check_if_match_when_sent(if_match, item.version)
    await action_items.delete_action_item(session, item)
    return Response(status_code=204)
