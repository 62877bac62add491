"""HTTP for API keys (the secretariat's): create (the key shown once), list, revoke."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import OptionalIfMatchHeader, check_if_match_when_sent
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_response, problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.auth import api_keys
from app.auth.http import NO_STORE
from app.auth.models import ApiKey
from app.auth.repository import ApiKeyFilter
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.errors import problem_document

router = APIRouter(prefix="/v1/api-keys", tags=["access"])

ApiKeySort = Annotated[
    str,
    Query(pattern=r"^-?(name|created_at)$", description="`name`, `created_at`; `-` descends."),
]
# Like the tokens of a sign-in, a new key must not be kept by any cache on the way.
_ADMIN_ONLY = " Only the secretariat: 401 anonymous, 403 any other caller."


def _one(api_key: ApiKey) -> Response:
    return resource_response(ApiKeyRead.model_validate(api_key), version=api_key.version)


def _already_created(api_key: ApiKey) -> Response:
    """What a retry with the same `Idempotency-Key` gets instead of the key: the key was
    shown once and is stored nowhere, not even among the idempotent answers."""
    return problem_response(
        problem_document(
            409,
            "Conflict",
            "api_key_already_created",
            f"This request already created API key {api_key.prefix}; its key was shown once "
            "and is not stored. If it was lost, revoke that key and create another.",
            api_key_id=str(api_key.id),
        )
    )


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    summary="Create an API key",
    description="The answer holds the whole `key`, shown this once: only a hash is kept. "
    "Scopes: `public` (the website's view) or `read` (+ `write`); `public` combines with "
    "nothing (422). A retry with the same `Idempotency-Key` creates nothing and gets 409 "
    "`api_key_already_created` rather than the key again." + _ADMIN_ONLY,
    responses=problem_responses(400, 409),
)
async def create_api_key(
    body: ApiKeyCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    created: list[ApiKey] = []

    async def create() -> Response:
        api_key, key = await api_keys.create_api_key(
            session, caller, body.name, body.scopes, body.expires_at
        )
        created.append(api_key)
        shown = ApiKeyCreated.model_validate(
            {**ApiKeyRead.model_validate(api_key).model_dump(), "key": key}
        )
        response = created_response(
            resource_response(shown, version=api_key.version), f"/v1/api-keys/{api_key.id}"
        )
        response.headers.update(NO_STORE)
        return response

    return await idempotency.run(
        create,
        authorise=idempotency.admin_only,
        kept=lambda _response: _already_created(created[0]),
    )


@router.get(
    "",
    response_model=Page[ApiKeyRead],
    summary="List API keys",
    description="Keyset-paginated, newest first by default; `revoked` filters." + _ADMIN_ONLY,
    responses=problem_responses(400),
)
async def list_api_keys(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    revoked: bool | None = None,
    sort: ApiKeySort = "-created_at",
) -> Response:
    rows, order = await api_keys.list_api_keys(
        session, caller, ApiKeyFilter(revoked=revoked), sort, page
    )
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [ApiKeyRead.model_validate(row) for row in items], next_cursor)


@router.get(
    "/{api_key_id}",
    response_model=ApiKeyRead,
    summary="Get an API key",
    description="Never its key: that was shown once, at creation." + _ADMIN_ONLY,
    responses=problem_responses(404),
)
async def get_api_key(api_key_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    return _one(await api_keys.get_api_key(session, caller, api_key_id))


@router.post(
    "/{api_key_id}/revoke",
    response_model=ApiKeyRead,
    summary="Revoke an API key",
    description="The key stops working at once (401 `api_key_revoked`). Revoking a revoked "
    "key changes nothing. `If-Match` is optional here; checked when sent (412 when stale)."
    + _ADMIN_ONLY,
    responses=problem_responses(404, 412),
)
async def revoke_api_key(
    api_key_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    api_key = await api_keys.get_api_key(session, caller, api_key_id)
    check_if_match_when_sent(if_match, api_key.version)
    return _one(await api_keys.revoke_api_key(session, caller, api_key))
