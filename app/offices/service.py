"""Use cases for offices: elect someone for a term, move a term's dates, list the history."""

import uuid
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.periods import check_period
from app.api.reads import RowShape, rows_by_parent
from app.auth.policy import ensure_manages_network
from app.clock import today
from app.errors import Conflict, InvalidField, not_found, register_constraint_error

# networks.service imports this module too (for office holders); the cycle is safe
# because each side only uses the other inside functions.
from app.networks import service as networks
from app.networks.repository import NetworkRepository
from app.offices.models import OfficeKind, OfficeTerm
from app.offices.repository import OfficeTermFilter, OfficeTermRepository
from app.offices.schemas import OfficeHolder, OfficeTermCreate, OfficeTermRead, OfficeTermUpdate
from app.people.repository import PersonRepository

CHAIR_TERM_YEARS = 2


def _seat_taken(office: OfficeKind, existing: OfficeTerm | None = None) -> Conflict:
    extra = {} if existing is None else {"existing_id": str(existing.id)}
    held = "" if existing is None else f" (term {existing.id}, from {existing.starts_on})"
    return Conflict(
        f"The network already has a {office.value.replace('_', ' ')} in that period{held}; "
        "end that term first (PATCH its `ends_on`).",
        code="office_term_overlap",
        **extra,
    )


# A concurrent election that slips past the service's check is refused by PostgreSQL's
# exclusion constraint; the client still gets the rule's own code.
register_constraint_error(
    "ex_office_terms_single_seat",
    Conflict(
        "A single-seat office would have two holders on the same day; another term was "
        "recorded at the same time. Read the terms and retry.",
        code="office_term_overlap",
    ),
)


def default_chair_end(starts_on: date) -> date:
    """The day before the second anniversary; a term from 29 February ends on 28 February."""
    try:
        anniversary = starts_on.replace(year=starts_on.year + CHAIR_TERM_YEARS)
    except ValueError:
        anniversary = date(starts_on.year + CHAIR_TERM_YEARS, 3, 1)
    return anniversary - timedelta(days=1)


async def _check_seat(
    repository: OfficeTermRepository,
    network_id: uuid.UUID,
    office: OfficeKind,
    starts_on: date,
    ends_on: date | None,
    exclude_id: uuid.UUID | None = None,
) -> None:
    if not office.single_seat:
        return
    existing = await repository.find_overlapping(
        network_id, office, starts_on, ends_on, exclude_id=exclude_id
    )
    if existing is not None:
        raise _seat_taken(office, existing)


async def get_term(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, term_id: uuid.UUID
) -> OfficeTerm:
    """The term as an ORM object, for the writes that change it."""
    await networks.get_network(session, caller, network_id)
    term = await OfficeTermRepository(session).get(caller, network_id, term_id)
    if term is None:
        raise not_found("office_term")
    return term


OFFICE_TERM = RowShape(OfficeTermRead)


def describe_term(term: Row[Any] | OfficeTerm) -> dict[str, Any]:
    """The representation, from a read's row or a write's object (its holder loaded)."""
    if isinstance(term, OfficeTerm):
        return OFFICE_TERM.of_object(term, person_name=term.person.full_name)
    return OFFICE_TERM.of_row(term)


async def read_term(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, term_id: uuid.UUID
) -> Row[Any]:
    # The network first: a hidden one answers 404 `network_not_found`, as before.
    await networks.get_network(session, caller, network_id)
    row = await OfficeTermRepository(session).read_one(caller, OFFICE_TERM, network_id, term_id)
    if row is None:
        raise not_found("office_term")
    return row


async def list_terms(
    session: AsyncSession,
    caller: Caller,
    network_id: uuid.UUID,
    where: OfficeTermFilter,
    sort: str,
    page: PageParams,
) -> tuple[list[Row[Any]], SortOrder]:
    await networks.get_network(session, caller, network_id)
    return await OfficeTermRepository(session).read_page(
        caller, OFFICE_TERM, network_id, where, sort, page, today()
    )


async def term_to_change(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, term_id: uuid.UUID
) -> OfficeTerm:
    """The term the caller is about to change: 404 when they may not see it, then 401/403
    unless they manage its network. Called before the router checks `If-Match`."""
    term = await get_term(session, caller, network_id, term_id)
    ensure_manages_network(caller, term.network_id)
    return term


async def authorise_create_term(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID
) -> None:
    """404 when the caller may not see the network, then 401/403 unless they manage it;
    also run before an idempotent replay (app/api/idempotency.py)."""
    await networks.get_network(session, caller, network_id)
    ensure_manages_network(caller, network_id)


async def create_term(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, data: OfficeTermCreate
) -> OfficeTerm:
    await authorise_create_term(session, caller, network_id)
    repository = OfficeTermRepository(session)
    person = await PersonRepository(session).get(caller, data.person_id)
    if person is None:
        raise InvalidField(
            "person_id", f"No person with id {data.person_id}.", code="unknown_person"
        )
    ends_on = data.ends_on
    if "ends_on" not in data.model_fields_set and data.office is OfficeKind.CHAIR:
        ends_on = default_chair_end(data.starts_on)
    check_period(data.starts_on, ends_on)
    await _check_seat(repository, network_id, data.office, data.starts_on, ends_on)
    term = OfficeTerm(
        network_id=network_id,
        person_id=person.id,
        office=data.office,
        starts_on=data.starts_on,
        ends_on=ends_on,
    )
    term.person = person
    repository.add(term)
    await session.flush()
    await _holders_changed(session, network_id)
    return term


async def _holders_changed(session: AsyncSession, network_id: uuid.UUID) -> None:
    # The network's representation embeds its office holders, so its ETag must move.
    # After the term's own flush: a concurrent election then meets the seat's constraint
    # (409) before it could wait on the network row.
    await NetworkRepository(session).touch(network_id)


async def update_term(
    session: AsyncSession, term: OfficeTerm, data: OfficeTermUpdate
) -> OfficeTerm:
    """Move the dates of a term from `term_to_change`."""
    changes = data.model_dump(exclude_unset=True)
    starts_on: date = changes.get("starts_on", term.starts_on)
    ends_on: date | None = changes.get("ends_on", term.ends_on)
    check_period(starts_on, ends_on)
    await _check_seat(
        OfficeTermRepository(session),
        term.network_id,
        term.office,
        starts_on,
        ends_on,
        exclude_id=term.id,
    )
    if (starts_on, ends_on) == (term.starts_on, term.ends_on):
        return term
    term.starts_on = starts_on
    term.ends_on = ends_on
    await session.flush()
    await _holders_changed(session, term.network_id)
    return term


OFFICE_HOLDER = RowShape(OfficeHolder)


async def current_holders(
    session: AsyncSession, caller: Caller, network_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Who holds which office today, per network (each an `OfficeHolder`'s JSON values):
    one query for any number of networks."""
    if not network_ids:
        return {}
    rows = await OfficeTermRepository(session).read_current(
        caller, OFFICE_HOLDER, network_ids, today()
    )
    return {
        network_id: [OFFICE_HOLDER.of_row(row) for row in terms]
        for network_id, terms in rows_by_parent(rows, "network_id").items()
    }
