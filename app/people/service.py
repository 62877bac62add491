"""Use cases for people: register, change, delete."""

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape, rows_by_parent
from app.auth.policy import ensure, ensure_admin, ensure_fields_allowed, refusal
from app.companies.repository import OrganisationRepository
from app.companies.schemas import CompanyRef
from app.db import utcnow
from app.errors import Conflict, InvalidField, not_found, register_constraint_error
from app.people.models import Affiliation, Person
from app.people.repository import ORGANISATION_PREFIX, PersonFilter, PersonRepository
from app.people.schemas import (
    AffiliationRead,
    AffiliationWrite,
    PersonCreate,
    PersonInclude,
    PersonRead,
    PersonUpdate,
)

# The unique index still decides when two requests register one address at once.
register_constraint_error(
    "uq_people_email",
    Conflict("Another person is already registered with this e-mail address.", code="email_taken"),
)


# What a signed-in user keeps up to date on their own record; their affiliations (and
# with them, what they may change and see) are the secretariat's.
SELF_EDITABLE_FIELDS = frozenset({"full_name", "email", "phone"})


def _ensure_sees_people(caller: Caller) -> None:
    """People are personal data: the public (anonymous, the website's key) is refused
    outright, 401 or 403, rather than shown an empty registry."""
    if not caller.sees_personal_data:
        raise refusal(caller, "People's records are personal data; sign in to see them.")


async def get_person(session: AsyncSession, caller: Caller, person_id: uuid.UUID) -> Person:
    """The person as an ORM object (with their affiliations), for the writes that change it."""
    _ensure_sees_people(caller)
    person = await PersonRepository(session).get(caller, person_id)
    if person is None:
        raise not_found("person")
    return person


PERSON = RowShape(PersonRead)
AFFILIATION = RowShape(AffiliationRead)
COMPANY_REF = RowShape(CompanyRef)


def describe_person(
    person: Row[Any] | Person, affiliations: Sequence[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The representation, from a read's row (with its `affiliations`, see
    `describe_people`) or a write's object (its loaded affiliations, nothing embedded)."""
    if isinstance(person, Person):
        return PERSON.of_object(
            person,
            affiliations=[
                AFFILIATION.of_object(row, organisation=None) for row in person.affiliations
            ],
        )
    return PERSON.of_row(person, affiliations=affiliations or [])


async def describe_people(
    session: AsyncSession,
    caller: Caller,
    rows: Sequence[Row[Any]],
    include: frozenset[PersonInclude],
) -> list[dict[str, Any]]:
    """The representations of a read's rows, their affiliations fetched for all of them
    in one query (with the organisations when included)."""
    organisation = COMPANY_REF if PersonInclude.ORGANISATIONS in include else None
    found = await PersonRepository(session).read_affiliations(
        caller, [row.id for row in rows], AFFILIATION, organisation
    )
    by_person = rows_by_parent(found, "person_id")
    return [
        describe_person(
            row,
            [
                AFFILIATION.of_row(
                    affiliation,
                    organisation=None
                    if organisation is None
                    else organisation.of_joined(affiliation._mapping, ORGANISATION_PREFIX),
                )
                for affiliation in by_person.get(row.id, ())
            ],
        )
        for row in rows
    ]


async def read_person(
    session: AsyncSession,
    caller: Caller,
    person_id: uuid.UUID,
    include: frozenset[PersonInclude] = frozenset(),
) -> dict[str, Any]:
    _ensure_sees_people(caller)
    row = await PersonRepository(session).read_one(caller, PERSON, person_id)
    if row is None:
        raise not_found("person")
    [described] = await describe_people(session, caller, [row], include)
    return described


async def list_people(
    session: AsyncSession, caller: Caller, where: PersonFilter, sort: str, page: PageParams
) -> tuple[list[Row[Any]], SortOrder]:
    """A page of rows for `describe_people`."""
    _ensure_sees_people(caller)
    return await PersonRepository(session).read_page(caller, PERSON, where, sort, page)


async def _check_email_free(
    repository: PersonRepository, email: str, person_id: uuid.UUID | None
) -> None:
    holder = await repository.find_by_email(email)
    if holder is not None and holder.id != person_id:
        # No id or name of the holder: people may become invisible to some callers, and
        # an error must not tell them who is registered.
        raise Conflict(f"Another person is already registered with {email}.", code="email_taken")


async def _check_affiliations(
    session: AsyncSession,
    caller: Caller,
    affiliations: Sequence[AffiliationWrite],
    kept: Collection[uuid.UUID] = (),
) -> None:
    """Refuse duplicates and unknown organisations, and new ties to archived ones.

    `kept` are organisations the person is already affiliated with: archiving an
    organisation later must not make the person's other edits impossible.
    """
    seen: set[uuid.UUID] = set()
    for index, affiliation in enumerate(affiliations):
        if affiliation.organisation_id in seen:
            raise InvalidField(
                f"affiliations.{index}.organisation_id",
                f"Organisation {affiliation.organisation_id} is listed more than once; "
                "a person has one affiliation per organisation.",
                code="duplicate_affiliation",
            )
        seen.add(affiliation.organisation_id)

    wanted = [item.organisation_id for item in affiliations if item.organisation_id not in kept]
    found = await OrganisationRepository(session).get_many(caller, wanted)
    for index, affiliation in enumerate(affiliations):
        if affiliation.organisation_id in kept:
            continue
        organisation = found.get(affiliation.organisation_id)
        if organisation is None:
            raise InvalidField(
                f"affiliations.{index}.organisation_id",
                f"No organisation with id {affiliation.organisation_id}.",
                code="unknown_organisation",
            )
        if organisation.archived_at is not None:
            # The request is well-formed; the organisation's state refuses it.
            raise Conflict(
                f"{organisation.display_name} ({organisation.id}) is archived; restore it "
                "before affiliating people with it.",
                code="organisation_archived",
            )


def _new_affiliation(data: AffiliationWrite) -> Affiliation:
    return Affiliation(
        organisation_id=data.organisation_id, position=data.position, title=data.title
    )


def _replace_affiliations(person: Person, wanted: Sequence[AffiliationWrite]) -> bool:
    """Make the person's affiliations match `wanted`; whether anything changed.

    Rows for organisations that stay are updated in place rather than deleted and
    re-inserted: the flush inserts before it deletes, which would trip the
    (person, organisation) unique key.
    """
    current = {affiliation.organisation_id: affiliation for affiliation in person.affiliations}
    wanted_ids = {item.organisation_id for item in wanted}
    changed = False
    for affiliation in list(person.affiliations):
        if affiliation.organisation_id not in wanted_ids:
            person.affiliations.remove(affiliation)
            changed = True
    for item in wanted:
        existing = current.get(item.organisation_id)
        if existing is None:
            person.affiliations.append(_new_affiliation(item))
            changed = True
        elif (existing.position, existing.title) != (item.position, item.title):
            existing.position = item.position
            existing.title = item.title
            changed = True
    return changed


async def authorise_create_person(caller: Caller) -> None:
    """Whether the caller may register people; also run before an idempotent replay."""
    # Coordinators register the people who represent the members they add.
    ensure(
        caller,
        caller.is_admin or bool(caller.coordinated_network_ids),
        "Only an admin or a network coordinator may register people.",
    )


async def create_person(session: AsyncSession, caller: Caller, data: PersonCreate) -> Person:
    await authorise_create_person(caller)
    repository = PersonRepository(session)
    await _check_affiliations(session, caller, data.affiliations)
    if data.email is not None:
        await _check_email_free(repository, data.email, None)
    person = Person(
        full_name=data.full_name,
        email=data.email,
        phone=data.phone,
        affiliations=[_new_affiliation(item) for item in data.affiliations],
    )
    repository.add(person)
    await session.flush()
    return person


async def person_to_change(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID, data: PersonUpdate | None
) -> Person:
    """The person the caller is about to change with `data`, or delete (None): 401/403 for
    the public, 404 when unknown, then 403 when they may not. Called before the router
    checks `If-Match`, so a caller without the right learns nothing from 428/412.

    Admins change anyone; a signed-in user changes only their own record, and only
    `SELF_EDITABLE_FIELDS` of it (any other field is refused by name, nothing written).
    """
    person = await get_person(session, caller, person_id)
    if data is None or caller.is_admin:
        ensure_admin(caller)
        return person
    ensure(
        caller,
        caller.person_id is not None and person.id == caller.person_id,
        "Only an admin or the person themselves may change this record.",
    )
    ensure_fields_allowed(caller, data.model_fields_set, set(SELF_EDITABLE_FIELDS))
    return person


async def update_person(
    session: AsyncSession, caller: Caller, person: Person, data: PersonUpdate
) -> Person:
    """Apply the fields sent to a person from `person_to_change`; every rule is checked
    before anything changes."""
    changes = data.model_dump(exclude_unset=True, exclude={"affiliations"})
    new_email = changes.get("email")
    if new_email is not None and new_email != person.email:
        await _check_email_free(PersonRepository(session), new_email, person.id)
    wanted = data.affiliations if "affiliations" in data.model_fields_set else None
    if wanted is not None:
        kept = {affiliation.organisation_id for affiliation in person.affiliations}
        await _check_affiliations(session, caller, wanted, kept)

    for field, value in changes.items():
        setattr(person, field, value)
    if wanted is not None and _replace_affiliations(person, wanted):
        # Affiliations are part of the person's representation, so their change must
        # move the person's version (its ETag) even when no column of its own did.
        person.updated_at = utcnow()
    await session.flush()
    return person


_REFERENCES = {
    "representatives": "memberships naming them as a representative",
    "office_terms": "office terms, current or past",
    "meeting_participants": "meetings they were invited to",
    "agenda_items": "agenda items they present",
    "action_items": "action items assigned to them",
}


async def delete_person(session: AsyncSession, person: Person) -> None:
    """Delete a person from `person_to_change` (the secretariat's alone)."""
    repository = PersonRepository(session)
    referenced_by = await repository.referenced_by(person.id)
    if referenced_by:
        raise Conflict(
            f"{person.full_name} cannot be deleted: the person is referenced by "
            f"{' and '.join(_REFERENCES[name] for name in referenced_by)}, whose history "
            "is kept.",
            code="person_referenced",
            referenced_by=list(referenced_by),
        )
    await repository.delete(person)
    await session.flush()
