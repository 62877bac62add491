"""HTTP for memberships: parse, call one service function, answer.

There is no DELETE: memberships are history. They end with `POST /{id}/end`.
"""

import uuid
from typing import Annotated

from fastapi import Body, Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import (
    IfMatchHeader,
    OptionalIfMatchHeader,
    check_if_match_when_sent,
    etag_of,
    require_if_match,
)
from app.api.idempotency import IdempotencyDep
from app.api.include import include_query, parse_include
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.api.types import IsoDate
from app.memberships import service
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from app.memberships.repository import MembershipFilter, readable_include
from app.memberships.schemas import (
    MembershipCreate,
    MembershipEnd,
    MembershipEnded,
    MembershipInclude,
    MembershipRead,
    MembershipUpdate,
)

router = APIRouter(prefix="/v1/memberships", tags=["memberships"])

MembershipSort = Annotated[
    str,
    Query(
        pattern=r"^-?(starts_on|created_at)$",
        description="`starts_on`, `created_at`; `-` for descending.",
    ),
]
IncludeParam = Annotated[str | None, include_query(MembershipInclude)]


def _location(membership_id: uuid.UUID) -> str:
    return f"/v1/memberships/{membership_id}"


def _one(membership: Membership) -> Response:
    return resource_response(service.describe_membership(membership), version=membership.version)


@router.post(
    "",
    status_code=201,
    response_model=MembershipRead,
    summary="Apply for or register a membership",
    description="Checks that the organisation and network exist and are not archived, that "
    "the period overlaps no other membership of the pair, that representatives are "
    "affiliated with the organisation, and — for an active membership of a network that "
    "requires it — one active membership of the parent network holding the whole period "
    "(an open-ended membership needs an open-ended parent membership; 409 "
    "`parent_membership_required`, with `parent_network_id` when the caller may see the "
    "parent network). Admins and the network's coordinators only.",
    responses=problem_responses(400, 409),
)
async def create_membership(
    body: MembershipCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        membership = await service.create_membership(session, caller, body)
        return created_response(_one(membership), _location(membership.id))

    return await idempotency.run(
        create, authorise=lambda: service.authorise_create_membership(caller, body)
    )


@router.get(
    "",
    response_model=Page[MembershipRead],
    summary="List memberships",
    description="Keyset-paginated. `active_on` keeps memberships whose period covers the day. "
    "Only memberships of networks the caller may see are listed (a filter by another "
    "network's id finds none); `include=representatives` embeds people's records only for "
    "signed-in users and admins.",
    responses=problem_responses(400),
)
async def list_memberships(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    network_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    status: MembershipStatus | None = None,
    kind: MembershipKind | None = None,
    active_on: Annotated[IsoDate | None, Query(description="A day the period covers.")] = None,
    sort: MembershipSort = "-starts_on",
    include: IncludeParam = None,
) -> Response:
    where = MembershipFilter(
        network_id=network_id,
        organisation_id=organisation_id,
        status=status,
        kind=kind,
        active_on=active_on,
    )
    included = readable_include(caller, parse_include(include, MembershipInclude))
    rows, order = await service.list_memberships(session, caller, where, sort, page, included)
    items, next_cursor = cut_page(rows, order, page)
    reads = await service.describe_memberships(session, items, included)
    return page_response(request, reads, next_cursor)


@router.get(
    "/{membership_id}",
    response_model=MembershipRead,
    summary="Get a membership",
    responses=problem_responses(404),
)
async def get_membership(
    membership_id: uuid.UUID, session: SessionDep, caller: CallerDep, include: IncludeParam = None
) -> Response:
    included = readable_include(caller, parse_include(include, MembershipInclude))
    read = await service.read_membership(session, caller, membership_id, included)
    return resource_response(read, version=read["version"])


@router.patch(
    "/{membership_id}",
    response_model=MembershipRead,
    summary="Change a membership",
    description="Requires `If-Match`. Status moves applied→active, active→suspended and "
    "suspended→active; `representatives`, when sent, replaces the list. An active "
    "membership of a network that requires it must keep an active parent membership "
    "holding its whole period (409 `parent_membership_required`). Shortening an active "
    "membership (a later `starts_on`, an earlier or newly set `ends_on`) that active "
    "memberships of child networks depend on is refused with 409 "
    "`has_dependent_memberships` (listing them in `dependent_ids`): shorten or end those "
    "first, or use `POST /v1/memberships/{id}/end`, which ends them on the same date. "
    "Ended memberships do not change: any change is 409 `membership_ended`. Admins and the "
    "network's coordinators only.",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_membership(
    membership_id: uuid.UUID,
    body: MembershipUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    membership = await service.membership_to_change(session, caller, membership_id)
    require_if_match(if_match, membership.version)
    return _one(await service.update_membership(session, caller, membership, body))


@router.post(
    "/{membership_id}/end",
    response_model=MembershipEnded,
    summary="End a membership",
    description="From applied (a declined application), active or suspended; an ended "
    "membership answers 409 `membership_ended`. Also ends, on the same date, the "
    "organisation's memberships of child networks that require this network's membership, "
    "and so on down the tree; the response lists them in `ended_dependents`. `If-Match` "
    "is optional; checked when sent (412 when stale, and nothing is ended). Admins and the "
    "network's coordinators only.",
    responses=problem_responses(400, 404, 409, 412),
)
async def end_membership(
    membership_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    body: Annotated[MembershipEnd | None, Body()] = None,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    membership = await service.membership_to_change(session, caller, membership_id)
    check_if_match_when_sent(if_match, membership.version)
    ended, dependents = await service.end_membership(session, membership, body or MembershipEnd())
    result = {
        "membership": service.describe_membership(ended),
        "ended_dependents": [service.describe_membership(row) for row in dependents],
    }
    return json_response(result, headers={"ETag": etag_of(ended.version)})
