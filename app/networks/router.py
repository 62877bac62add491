"""HTTP for networks: parse, call the service, answer."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.caller import Caller
from app.api.deps import CallerDep, SessionDep
from app.api.etag import IfMatchHeader, require_if_match
from app.api.idempotency import IdempotencyDep
from app.api.include import include_query, parse_include
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.api.types import IsoDate
from app.networks import service
from app.networks.models import Network, NetworkStatus, Visibility
from app.networks.repository import NetworkFilter, NetworkInclude
from app.networks.schemas import NetworkCreate, NetworkRead, NetworkStats, NetworkUpdate

router = APIRouter(prefix="/v1/networks", tags=["networks"])

NetworkSort = Annotated[
    str,
    Query(
        pattern=r"^-?(name|created_at)$", description="`name`, `created_at`; `-` for descending."
    ),
]
IncludeParam = Annotated[str | None, include_query(NetworkInclude)]


def _location(network_id: uuid.UUID) -> str:
    return f"/v1/networks/{network_id}"


async def _one(session: AsyncSession, caller: Caller, network: Network) -> Response:
    read = await service.describe_written_network(session, caller, network)
    return resource_response(read, version=network.version)


@router.post(
    "",
    status_code=201,
    response_model=NetworkRead,
    summary="Create a network",
    description="Without `administered_by_id` the network inherits its parent's administering "
    "association and follows it when it changes. Admins create any network; a coordinator "
    "creates networks below one they manage, without `administered_by_id` or "
    "`requires_parent_membership` (403 `field_not_allowed`). The slug must be free among "
    "the parent's networks (or among the roots): 409 `slug_taken`. `municipality_id`, the "
    "public body the network meets once a year, must name an organisation of kind "
    "`public_body` (422 `municipality_not_public_body`, `unknown_organisation`).",
    responses=problem_responses(400, 409),
)
async def create_network(
    body: NetworkCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        network = await service.create_network(session, caller, body)
        return created_response(await _one(session, caller, network), _location(network.id))

    return await idempotency.run(
        create, authorise=lambda: service.authorise_create_network(caller, body)
    )


@router.get(
    "",
    response_model=Page[NetworkRead],
    summary="List networks",
    description="Keyset-paginated. `root=true` lists only top-level networks; `parent_id` "
    "lists the children of one network. Closed networks are listed only to their members, "
    "their coordinators and admins; to anyone else they do not exist (nor does the "
    "`parent_id` of a network below one).",
    responses=problem_responses(400),
)
async def list_networks(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    parent_id: uuid.UUID | None = None,
    root: Annotated[bool | None, Query(description="Only networks without a parent.")] = None,
    visibility: Visibility | None = None,
    status: NetworkStatus | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Search in names.")] = None,
    sort: NetworkSort = "name",
    include: IncludeParam = None,
) -> Response:
    includes = parse_include(include, NetworkInclude)
    where = NetworkFilter(parent_id=parent_id, root=root, visibility=visibility, status=status, q=q)
    rows, order = await service.list_networks(session, caller, where, sort, page, includes)
    items, next_cursor = cut_page(rows, order, page)
    reads = await service.describe_networks(session, caller, items, includes)
    return page_response(request, reads, next_cursor)


@router.get(
    "/{network_id}",
    response_model=NetworkRead,
    summary="Get a network",
    responses=problem_responses(404),
)
async def get_network(
    network_id: uuid.UUID, session: SessionDep, caller: CallerDep, include: IncludeParam = None
) -> Response:
    read = await service.read_network(
        session, caller, network_id, parse_include(include, NetworkInclude)
    )
    return resource_response(read, version=read["version"])


@router.patch(
    "/{network_id}",
    response_model=NetworkRead,
    summary="Change a network",
    description="Requires `If-Match`. Moving a network or changing its administering "
    "association carries the change to every descendant that inherits it; a network cannot "
    "move below itself (409 `network_cycle`). Setting `requires_parent_membership`, or "
    "moving a network that requires it, is refused while active memberships of the network "
    "lack an active membership of the (new) parent holding their period (409 "
    "`parent_membership_missing`, with `uncovered_count`). Status moves "
    "planned → active | archived, active → archived, archived → active. The ETag also "
    "changes when office terms are recorded or their dates change. Admins and the network's "
    "coordinators may change it; `parent_id`, `administered_by_id`, "
    "`requires_parent_membership` and `visibility` are the admins' alone (403 "
    "`field_not_allowed`), and `slug`, unique among the parent's networks (409 "
    "`slug_taken`), is changed only by admins and coordinators of the parent. "
    "`municipality_id` must name a public body (422 `municipality_not_public_body`); "
    "`null` ends the yearly municipal meeting in future plans.",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_network(
    network_id: uuid.UUID,
    body: NetworkUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    network = await service.network_to_change(session, caller, network_id, body)
    require_if_match(if_match, network.version)
    return await _one(session, caller, await service.update_network(session, caller, network, body))


@router.delete(
    "/{network_id}",
    status_code=204,
    summary="Delete an unused network",
    description="Only a network with no sub-networks, memberships or office terms can be "
    "deleted (e.g. one created by mistake); otherwise 409 `network_in_use`: archive it "
    "instead. Admins only.",
    responses=problem_responses(404, 409),
)
async def delete_network(network_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    network = await service.network_to_change(session, caller, network_id, None)
    await service.delete_network(session, network)
    return Response(status_code=204)


@router.get(
    "/{network_id}/stats",
    response_model=NetworkStats,
    summary="Key figures of a network",
    description="Members, partners and observers with an active membership covering the "
    "day, and the members' employees and apprentices (unknown counts as 0).",
    responses=problem_responses(404),
)
async def get_network_stats(
    network_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    on: Annotated[
        IsoDate | None,
        Query(description="The day to describe; today in KLYNGE_TIME_ZONE if left out."),
    ] = None,
) -> Response:
    return json_response(await service.network_stats(session, caller, network_id, on))
