"""Use cases for organisations: register, change, archive, delete."""

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape
from app.auth.policy import ensure, ensure_admin, ensure_fields_allowed
from app.companies.identifiers import normalise_organisation_number, normalise_vat_number
from app.companies.models import Country, Language, Organisation, OrganisationKind
from app.companies.repository import OrganisationFilter, OrganisationRepository
from app.companies.schemas import CompanyCreate, CompanyRead, CompanyUpdate
from app.db import utcnow
from app.errors import Conflict, not_found, register_constraint_error

register_constraint_error(
    "uq_organisations_country_organisation_number",
    Conflict(
        "That organisation number was registered by a request that finished first.",
        code="organisation_number_taken",
    ),
)

# What an organisation's own representatives keep up to date themselves.
MEMBER_EDITABLE_FIELDS = frozenset(
    {
        "visiting_address",
        "postal_address",
        "invoice_address",
        "invoice_email",
        "peppol_endpoint_id",
        "website",
    }
)

_DEFAULT_LANGUAGE = {Country.NORWAY: Language.NORWEGIAN_BOKMAL, Country.SWEDEN: Language.SWEDISH}


async def get_organisation(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> Organisation:
    organisation = await OrganisationRepository(session).get(caller, organisation_id)
    if organisation is None:
        raise not_found("company")
    return organisation


COMPANY = RowShape(CompanyRead)


def describe_organisation(caller: Caller, organisation: Row[Any] | Organisation) -> dict[str, Any]:
    """The representation, from a read's row or a write's object: business registry data
    for anyone, `notes` for admins only (internal remarks of the secretariat)."""
    hidden: dict[str, Any] = {} if caller.is_admin else {"notes": None}
    if isinstance(organisation, Organisation):
        return COMPANY.of_object(organisation, **hidden)
    return COMPANY.of_row(organisation, **hidden)


async def read_organisation(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> Row[Any]:
    row = await OrganisationRepository(session).read_one(caller, COMPANY, organisation_id)
    if row is None:
        raise not_found("company")
    return row


async def list_organisations(
    session: AsyncSession, caller: Caller, where: OrganisationFilter, sort: str, page: PageParams
) -> tuple[list[Row[Any]], SortOrder]:
    return await OrganisationRepository(session).read_page(caller, COMPANY, where, sort, page)


def _stored_values(data: dict[str, Any]) -> dict[str, Any]:
    """Schema values in the form the columns keep (URLs as text, addresses as dicts)."""
    if data.get("website") is not None:
        data["website"] = str(data["website"])
    return data


async def _check_identifiers(
    repository: OrganisationRepository, organisation: Organisation
) -> None:
    """Normalise the numbers in place and refuse one another organisation already has."""
    organisation.organisation_number = normalise_organisation_number(
        organisation.country, organisation.organisation_number
    )
    if organisation.vat_number is not None:
        organisation.vat_number = normalise_vat_number(
            organisation.country, organisation.vat_number, organisation.organisation_number
        )
    holder = await repository.find_by_number(organisation.country, organisation.organisation_number)
    if holder is not None and holder.id != organisation.id:
        raise Conflict(
            f"Organisation number {organisation.organisation_number} is already registered "
            f"to {holder.display_name} ({holder.id}).",
            code="organisation_number_taken",
            existing_id=str(holder.id),
        )


async def authorise_create_organisation(caller: Caller, data: CompanyCreate) -> None:
    """Whether the caller may register this organisation; also run before an
    idempotent replay (app/api/idempotency.py)."""
    # Coordinators register the organisations they add as members; `notes` stay the
    # secretariat's, as only it reads them.
    ensure(
        caller,
        caller.is_admin or bool(caller.coordinated_network_ids),
        "Only an admin or a network coordinator may register organisations.",
    )
    if not caller.is_admin:
        ensure_fields_allowed(caller, data.model_fields_set, data.model_fields_set - {"notes"})


async def create_organisation(
    session: AsyncSession, caller: Caller, data: CompanyCreate
) -> Organisation:
    await authorise_create_organisation(caller, data)
    repository = OrganisationRepository(session)
    values = _stored_values(data.model_dump(mode="json"))
    values["display_name"] = values["display_name"] or values["legal_name"]
    values["language"] = values["language"] or _DEFAULT_LANGUAGE[data.country]
    organisation = Organisation(**values)
    await _check_identifiers(repository, organisation)
    repository.add(organisation)
    await session.flush()
    return organisation


async def _check_still_administers_nothing(
    repository: OrganisationRepository, organisation: Organisation
) -> None:
    """Only an association administers networks, so one that does must stay one."""
    # Locked first, so a network naming it as administrator cannot commit between the
    # count and the change of kind (app/companies/repository.py: lock).
    await repository.lock(organisation.id)
    count = await repository.administered_network_count(organisation.id)
    if count:
        networks = "a network" if count == 1 else f"{count} networks"
        raise Conflict(
            f"{organisation.display_name} administers {networks} (its own or inherited by "
            "sub-networks), so it must stay an association; give those networks another "
            "administering association first.",
            code="organisation_administers_networks",
        )


async def organisation_to_change(
    session: AsyncSession,
    caller: Caller,
    organisation_id: uuid.UUID,
    data: CompanyUpdate | None,
) -> Organisation:
    """The organisation the caller is about to change with `data`, or archive, restore or
    delete (None): 404 when unknown, then 401/403 when they may not. Called before the
    router checks `If-Match`, so a caller without the right learns nothing from 428/412.

    Admins change anything. A member changes only the contact data of an organisation
    their person is affiliated with; any other field is refused by name, nothing written.
    """
    organisation = await get_organisation(session, caller, organisation_id)
    if data is None or caller.is_admin:
        ensure_admin(caller)
        return organisation
    ensure(
        caller,
        organisation.id in caller.organisation_ids,
        "Only an admin or a representative of this organisation may change it.",
    )
    ensure_fields_allowed(caller, data.model_fields_set, set(MEMBER_EDITABLE_FIELDS))
    return organisation


async def update_organisation(
    session: AsyncSession, organisation: Organisation, data: CompanyUpdate
) -> Organisation:
    """Apply the fields sent to an organisation from `organisation_to_change`; every rule
    is checked before anything changes."""
    repository = OrganisationRepository(session)
    changes = _stored_values(data.model_dump(mode="json", exclude_unset=True))
    new_kind = changes.get("kind", organisation.kind)
    if organisation.kind is OrganisationKind.ASSOCIATION and new_kind != organisation.kind:
        await _check_still_administers_nothing(repository, organisation)
    for field, value in changes.items():
        setattr(organisation, field, value)
    if {"country", "organisation_number", "vat_number"} & changes.keys():
        await _check_identifiers(repository, organisation)
    await session.flush()
    return organisation


async def archive_organisation(session: AsyncSession, organisation: Organisation) -> Organisation:
    if organisation.archived_at is None:
        organisation.archived_at = utcnow()
        await session.flush()
    return organisation


async def restore_organisation(session: AsyncSession, organisation: Organisation) -> Organisation:
    if organisation.archived_at is not None:
        organisation.archived_at = None
        await session.flush()
    return organisation


_REFERENCES = {
    "affiliations": "people's affiliations",
    "memberships": "memberships",
    "networks": "the networks it administers or that meet it yearly",
    "meetings": "meetings it hosted",
    "meeting_participants": "meeting participants who came for it",
    "invoices": "invoices it sent or received",
}


async def delete_organisation(session: AsyncSession, organisation: Organisation) -> None:
    repository = OrganisationRepository(session)
    referenced_by = await repository.referenced_by(organisation.id)
    if referenced_by:
        raise Conflict(
            f"{organisation.display_name} cannot be deleted: it is referenced by "
            f"{_listed([_REFERENCES[name] for name in referenced_by])}. Archive it instead "
            f"(POST /v1/companies/{organisation.id}/archive) so that history stays.",
            code="organisation_referenced",
            referenced_by=list(referenced_by),
        )
    await repository.delete(organisation)
    await session.flush()


def _listed(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]]))
