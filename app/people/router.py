"""HTTP for people: parse, call one service function, answer."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import IfMatchHeader, require_if_match
from app.api.idempotency import IdempotencyDep
from app.api.include import include_query, parse_include
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.people import service
from app.people.models import Person, Position
from app.people.repository import PersonFilter
from app.people.schemas import PersonCreate, PersonInclude, PersonRead, PersonUpdate

router = APIRouter(prefix="/v1/people", tags=["people"])

# People are personal data: said once on every route of the registry.
_ACCESS = (
    " People are personal data: without credentials 401, with the website's key 403. "
    "Admins, read keys and network coordinators see the whole registry; any other "
    "signed-in user sees themself, the people of their own organisations, and the "
    "representatives and office holders of the networks they may see. Anyone else is "
    "404, like an unknown id, and left out of lists."
)

PersonSort = Annotated[
    str,
    Query(
        pattern=r"^-?(name|created_at)$", description="`name`, `created_at`; `-` for descending."
    ),
]
PersonIncludeQuery = Annotated[str | None, include_query(PersonInclude)]


def _location(person_id: uuid.UUID) -> str:
    return f"/v1/people/{person_id}"


def _one(person: Person) -> Response:
    return resource_response(service.describe_person(person), version=person.version)


@router.post(
    "",
    status_code=201,
    response_model=PersonRead,
    summary="Register a person",
    description="A contact person, optionally affiliated with organisations (one position "
    "each). The e-mail address is unique and stored lower-cased. An unknown organisation "
    "is 422 `unknown_organisation`; an archived one 409 `organisation_archived`. Admins and "
    "network coordinators (who add members' representatives)." + _ACCESS,
    responses=problem_responses(400, 409),
)
async def create_person(
    body: PersonCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        person = await service.create_person(session, caller, body)
        return created_response(_one(person), _location(person.id))

    return await idempotency.run(create, authorise=lambda: service.authorise_create_person(caller))


@router.get(
    "",
    response_model=Page[PersonRead],
    summary="List people",
    description="Keyset-paginated. `organisation_id` and `position` given together match "
    "people holding that position in that organisation." + _ACCESS,
    responses=problem_responses(400),
)
async def list_people(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    organisation_id: Annotated[
        uuid.UUID | None, Query(description="People affiliated with this organisation.")
    ] = None,
    position: Position | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search in names and e-mail addresses.")
    ] = None,
    sort: PersonSort = "name",
    include: PersonIncludeQuery = None,
) -> Response:
    embed = parse_include(include, PersonInclude)
    where = PersonFilter(organisation_id=organisation_id, position=position, q=q)
    rows, order = await service.list_people(session, caller, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    reads = await service.describe_people(session, caller, items, embed)
    return page_response(request, reads, next_cursor)


@router.get(
    "/{person_id}",
    response_model=PersonRead,
    summary="Get a person",
    description=_ACCESS.strip(),
    responses=problem_responses(404),
)
async def get_person(
    person_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    include: PersonIncludeQuery = None,
) -> Response:
    embed = parse_include(include, PersonInclude)
    read = await service.read_person(session, caller, person_id, embed)
    return resource_response(read, version=read["version"])


@router.patch(
    "/{person_id}",
    response_model=PersonRead,
    summary="Change a person",
    description="Requires `If-Match` with the ETag from the last read. `affiliations`, "
    "when sent, replaces the whole list; a new affiliation with an archived organisation is "
    "409 `organisation_archived` (existing ones may stay and change). Admins change anyone; "
    "a signed-in user only their own record's "
    + ", ".join(f"`{name}`" for name in sorted(service.SELF_EDITABLE_FIELDS))
    + " (any other field: 403 `field_not_allowed`, nothing changed)."
    + _ACCESS,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_person(
    person_id: uuid.UUID,
    body: PersonUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    person = await service.person_to_change(session, caller, person_id, body)
    require_if_match(if_match, person.version)
    return _one(await service.update_person(session, caller, person, body))


@router.delete(
    "/{person_id}",
    status_code=204,
    summary="Delete a person",
    description="Only a person no membership or office refers to can be deleted; otherwise "
    "409 `person_referenced`, whose `referenced_by` lists what refers to them "
    "(`representatives`, `office_terms`). Admins only." + _ACCESS,
    responses=problem_responses(404, 409),
)
async def delete_person(person_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    person = await service.person_to_change(session, caller, person_id, None)
    await service.delete_person(session, person)
    return Response(status_code=204)
