"""HTTP for organisations: parse, call one service function, answer."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Row
from starlette.responses import Response

from app.api.caller import Caller
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
from app.companies import service
from app.companies.models import Country, Organisation, OrganisationKind
from app.companies.repository import OrganisationFilter
from app.companies.schemas import CompanyCreate, CompanyRead, CompanyUpdate

router = APIRouter(prefix="/v1/companies", tags=["companies"])

CompanySort = Annotated[
    str,
    Query(
        pattern=r"^-?(name|created_at)$", description="`name`, `created_at`; `-` for descending."
    ),
]


def _location(company_id: uuid.UUID) -> str:
    return f"/v1/companies/{company_id}"


def _one(caller: Caller, organisation: Row[Any] | Organisation) -> Response:
    return resource_response(
        service.describe_organisation(caller, organisation), version=organisation.version
    )


@router.post(
    "",
    status_code=201,
    response_model=CompanyRead,
    summary="Register an organisation",
    description="Organisation and VAT numbers are checked per country and stored normalised. "
    "Admins and network coordinators (who add members); only admins set `notes`.",
    responses=problem_responses(400, 409),
)
async def create_company(
    body: CompanyCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        organisation = await service.create_organisation(session, caller, body)
        return created_response(_one(caller, organisation), _location(organisation.id))

    return await idempotency.run(
        create, authorise=lambda: service.authorise_create_organisation(caller, body)
    )


@router.get(
    "",
    response_model=Page[CompanyRead],
    summary="List organisations",
    description="Keyset-paginated; archived organisations only with `archived=true`. "
    "`notes` is internal: null for anyone but admins.",
    responses=problem_responses(400),
)
async def list_companies(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    kind: OrganisationKind | None = None,
    country: Country | None = None,
    organisation_number: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Search in names.")] = None,
    archived: bool = False,
    sort: CompanySort = "name",
) -> Response:
    where = OrganisationFilter(
        kind=kind, country=country, organisation_number=organisation_number, q=q, archived=archived
    )
    rows, order = await service.list_organisations(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    reads = [service.describe_organisation(caller, row) for row in items]
    return page_response(request, reads, next_cursor)


@router.get(
    "/{company_id}",
    response_model=CompanyRead,
    summary="Get an organisation",
    responses=problem_responses(404),
)
async def get_company(company_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    return _one(caller, await service.read_organisation(session, caller, company_id))


@router.patch(
    "/{company_id}",
    response_model=CompanyRead,
    summary="Change an organisation",
    description="Requires `If-Match` with the ETag from the last read. 409 "
    "`organisation_number_taken` when another organisation has the number; 409 "
    "`organisation_administers_networks` when `kind` changes away from `association` while "
    "it administers networks. Admins change any field; a representative of the organisation "
    "(a signed-in user whose person is affiliated with it) only its contact data: "
    + ", ".join(f"`{name}`" for name in sorted(service.MEMBER_EDITABLE_FIELDS))
    + " (any other field: 403 `field_not_allowed`, nothing changed).",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_company(
    company_id: uuid.UUID,
    body: CompanyUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    organisation = await service.organisation_to_change(session, caller, company_id, body)
    require_if_match(if_match, organisation.version)
    return _one(caller, await service.update_organisation(session, organisation, body))


_IF_MATCH_OPTIONAL = " `If-Match` is optional here; checked when sent (412 when stale)."
_ADMINS_ONLY = " Admins only."


@router.post(
    "/{company_id}/archive",
    response_model=CompanyRead,
    summary="Archive an organisation",
    description="Hides it from lists and keeps its history; referenced organisations are "
    "archived, never deleted. Archiving an archived organisation changes nothing."
    + _IF_MATCH_OPTIONAL
    + _ADMINS_ONLY,
    responses=problem_responses(404, 412),
)
async def archive_company(
    company_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    organisation = await service.organisation_to_change(session, caller, company_id, None)
    check_if_match_when_sent(if_match, organisation.version)
    return _one(caller, await service.archive_organisation(session, organisation))


@router.post(
    "/{company_id}/restore",
    response_model=CompanyRead,
    summary="Restore an archived organisation",
    description="Restoring an organisation that is not archived changes nothing."
    + _IF_MATCH_OPTIONAL
    + _ADMINS_ONLY,
    responses=problem_responses(404, 412),
)
async def restore_company(
    company_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    organisation = await service.organisation_to_change(session, caller, company_id, None)
    check_if_match_when_sent(if_match, organisation.version)
    return _one(caller, await service.restore_organisation(session, organisation))


@router.delete(
    "/{company_id}",
    status_code=204,
    summary="Delete an unreferenced organisation",
    description="Only an organisation nothing refers to can be deleted (e.g. one registered "
    "by mistake); otherwise 409 `organisation_referenced`, whose `referenced_by` lists what "
    "refers to it (`affiliations`, `memberships`, `networks`): archive it instead." + _ADMINS_ONLY,
    responses=problem_responses(404, 409),
)
async def delete_company(company_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    organisation = await service.organisation_to_change(session, caller, company_id, None)
    await service.delete_organisation(session, organisation)
    return Response(status_code=204)
