"""HTTP for users and their coordinated networks (the secretariat's), and `/me`."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import IfMatchHeader, require_if_match
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_response, problem_responses
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.auth import users
from app.auth.authenticate import SignInSessionId
from app.auth.http import client_address
from app.auth.models import User
from app.auth.repository import UserFilter
from app.auth.schemas import (
    CoordinatedNetwork,
    CoordinatorCreate,
    MeRead,
    MeUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/v1/users", tags=["access"])

UserSort = Annotated[
    str,
    Query(pattern=r"^-?(email|created_at)$", description="`email`, `created_at`; `-` descends."),
]
_ADMIN_ONLY = " Only the secretariat: 401 anonymous, 403 any other caller."


def _one(user: User) -> Response:
    return resource_response(UserRead.model_validate(user), version=user.version)


def _me(user: User, coordinated_network_ids: list[uuid.UUID]) -> Response:
    body = MeRead.model_validate(
        {
            **UserRead.model_validate(user).model_dump(),
            "coordinated_network_ids": coordinated_network_ids,
        }
    )
    return resource_response(body, version=user.version)


# /me first: declared after /{user_id}, "me" would be read (and refused) as an id.
@router.get(
    "/me",
    response_model=MeRead,
    summary="The signed-in user",
    description="Any signed-in user: who they are and the networks they coordinate. "
    "API keys are no user (403).",
    responses=problem_responses(),
)
async def get_me(session: SessionDep, caller: CallerDep) -> Response:
    return _me(*await users.get_me(session, caller))


@router.patch(
    "/me",
    response_model=MeRead,
    summary="Change your own password",
    description="Only `password`, with `current_password` (422 `wrong_password` when it "
    "is wrong; wrong ones count against the sign-in limit, 429). Any other field, such as "
    "`is_admin` or `email`, is refused by name: 403 `field_not_allowed`. Every other "
    "sign-in of the user ends. Requires `If-Match`.",
    responses=problem_responses(400, 412, 428, 429),
)
async def update_me(
    request: Request,
    body: MeUpdate,
    session: SessionDep,
    caller: CallerDep,
    sign_in_session_id: SignInSessionId,
    if_match: IfMatchHeader = None,
) -> Response:
    users.ensure_me_fields(caller, body)
    user, coordinated = await users.get_me(session, caller)
    require_if_match(if_match, user.version)
    address = client_address(request)
    result = await users.change_my_password(
        session, request.app.state.settings, user, body, sign_in_session_id, address
    )
    if isinstance(result, User):
        return _me(result, coordinated)
    # Returned, not raised: the failure the sign-in limit counts must commit.
    return problem_response(result.problem(), headers=result.headers)


@router.post(
    "",
    status_code=201,
    response_model=UserRead,
    summary="Create a user",
    description="A login, optionally linked to a person (422 `unknown_person`); 409 "
    "`email_taken` when another user has the e-mail address." + _ADMIN_ONLY,
    responses=problem_responses(400, 409),
)
async def create_user(
    body: UserCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        user = await users.create_user(session, caller, body)
        return created_response(_one(user), f"/v1/users/{user.id}")

    return await idempotency.run(create, authorise=idempotency.admin_only)


@router.get(
    "",
    response_model=Page[UserRead],
    summary="List users",
    description="Keyset-paginated; `q` searches the e-mail addresses." + _ADMIN_ONLY,
    responses=problem_responses(400),
)
async def list_users(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=100, description="Search in e-mails.")] = None,
    is_admin: bool | None = None,
    disabled: bool | None = None,
    sort: UserSort = "email",
) -> Response:
    where = UserFilter(q=q, is_admin=is_admin, disabled=disabled)
    rows, order = await users.list_users(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [UserRead.model_validate(row) for row in items], next_cursor)


@router.get(
    "/{user_id}",
    response_model=UserRead,
    summary="Get a user",
    description=_ADMIN_ONLY.strip(),
    responses=problem_responses(404),
)
async def get_user(user_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    return _one(await users.get_user(session, caller, user_id))


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    summary="Change a user",
    description="`disabled: true` stops the user (their sign-ins end), `false` lets them "
    "back; a new `password` ends their sign-ins too. Users are not deleted: disable them. "
    "Requires `If-Match`." + _ADMIN_ONLY,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    user = await users.get_user(session, caller, user_id)
    require_if_match(if_match, user.version)
    return _one(await users.update_user(session, caller, user, body))


@router.get(
    "/{user_id}/coordinated-networks",
    response_model=Page[CoordinatedNetwork],
    summary="Networks a user coordinates",
    description="A coordinator manages the network and every network below it. A user "
    "coordinates a handful of networks: one page, `next_cursor` is always null." + _ADMIN_ONLY,
    responses=problem_responses(404),
)
async def list_coordinated_networks(
    request: Request, user_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    items = await users.list_coordinated_networks(session, caller, user_id)
    return page_response(request, items, None)


@router.post(
    "/{user_id}/coordinated-networks",
    status_code=201,
    response_model=CoordinatedNetwork,
    summary="Make a user coordinator of a network",
    description="422 `unknown_network`; 409 `already_coordinator`." + _ADMIN_ONLY,
    responses=problem_responses(400, 404, 409),
)
async def add_coordinated_network(
    user_id: uuid.UUID,
    body: CoordinatorCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        added = await users.add_coordinator(session, caller, user_id, body.network_id)
        return json_response(added, status_code=201)

    return await idempotency.run(create, authorise=idempotency.admin_only)


@router.delete(
    "/{user_id}/coordinated-networks/{network_id}",
    status_code=204,
    summary="End a user's coordination of a network",
    description="404 `coordinated_network_not_found` when the user does not coordinate it."
    + _ADMIN_ONLY,
    responses=problem_responses(404),
)
async def remove_coordinated_network(
    user_id: uuid.UUID, network_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    await users.remove_coordinator(session, caller, user_id, network_id)
    return Response(status_code=204)
