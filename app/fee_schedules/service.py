"""Use cases for fee schedules: what each network's members pay in a year.

Everything here is the secretariat's: changes need `ensure_admin` (before any lookup, so
a refused caller learns nothing about what exists), reads `ensure_admin_reads` (a `read`
API key may read).

A schedule may be deleted or changed whatever has been billed by it: the fee run copies
its lines, amounts, terms and text into each invoice, so invoices never depend on it.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.auth.policy import ensure_admin, ensure_admin_reads
from app.errors import Conflict, InvalidField, not_found, register_constraint_error
from app.fee_schedules.lines import stored_lines
from app.fee_schedules.models import FeeSchedule
from app.fee_schedules.repository import FeeScheduleFilter, FeeScheduleRepository
from app.fee_schedules.schemas import FeeScheduleCreate, FeeScheduleUpdate
from app.networks.repository import NetworkRepository
from app.sellers.models import SellerSettings

DEFAULT_PAYMENT_TERMS_DAYS = 30
_ADMINS_ONLY = "Only the secretariat (an admin) may see fee schedules."


def _exists(year: int | None = None) -> Conflict:
    which = "this year" if year is None else str(year)
    return Conflict(
        f"The network already has a fee schedule for {which}; change that one instead.",
        code="fee_schedule_exists",
    )


# Two creates for the same network and year that race past the check: the unique key
# refuses the second, which still gets the rule's own answer.
register_constraint_error("uq_fee_schedules_network_id_year", _exists())


def ensure_sees_fee_schedules(caller: Caller) -> None:
    ensure_admin_reads(caller, _ADMINS_ONLY)


async def get_fee_schedule(
    session: AsyncSession, caller: Caller, schedule_id: uuid.UUID
) -> FeeSchedule:
    ensure_sees_fee_schedules(caller)
    schedule = await FeeScheduleRepository(session).get(schedule_id)
    if schedule is None:
        raise not_found("fee_schedule")
    return schedule


async def fee_schedule_to_change(
    session: AsyncSession, caller: Caller, schedule_id: uuid.UUID
) -> FeeSchedule:
    """The schedule an admin is about to change or delete; refuses anyone else first."""
    ensure_admin(caller)
    return await get_fee_schedule(session, caller, schedule_id)


async def list_fee_schedules(
    session: AsyncSession, caller: Caller, where: FeeScheduleFilter, sort: str, page: PageParams
) -> tuple[list[FeeSchedule], SortOrder]:
    ensure_sees_fee_schedules(caller)
    return await FeeScheduleRepository(session).list(where, sort, page)


async def authorise_create(caller: Caller) -> None:
    """Also run before an idempotent replay (app/api/idempotency.py)."""
    ensure_admin(caller)


async def _default_payment_terms(session: AsyncSession, seller_id: uuid.UUID | None) -> int:
    if seller_id is None:
        return DEFAULT_PAYMENT_TERMS_DAYS
    stmt = select(SellerSettings.default_payment_terms_days).where(
        SellerSettings.organisation_id == seller_id
    )
    days = await session.scalar(stmt)
    return DEFAULT_PAYMENT_TERMS_DAYS if days is None else days


async def create_fee_schedule(
    session: AsyncSession, caller: Caller, data: FeeScheduleCreate
) -> FeeSchedule:
    await authorise_create(caller)
    lines = stored_lines(data.lines)
    network = await NetworkRepository(session).get(caller, data.network_id)
    if network is None:
        raise InvalidField(
            "network_id", f"No network with id {data.network_id}.", code="unknown_network"
        )
    repository = FeeScheduleRepository(session)
    if await repository.for_network_year(data.network_id, data.year) is not None:
        raise _exists(data.year)
    terms = data.payment_terms_days
    if terms is None:
        terms = await _default_payment_terms(session, network.administered_by_id)
    schedule = FeeSchedule(
        network_id=data.network_id,
        year=data.year,
        currency=data.currency,
        payment_terms_days=terms,
        invoice_text=data.invoice_text,
        billable_kinds=[kind.value for kind in data.billable_kinds],
        lines=lines,
    )
    repository.add(schedule)
    await session.flush()
    return schedule


async def update_fee_schedule(
    session: AsyncSession, schedule: FeeSchedule, data: FeeScheduleUpdate
) -> FeeSchedule:
    """Change a schedule from `fee_schedule_to_change`; invoices already made keep theirs."""
    lines = None if data.lines is None else stored_lines(data.lines)
    changes = data.model_dump(exclude_unset=True, exclude={"lines", "billable_kinds"})
    for field, value in changes.items():
        setattr(schedule, field, value)
    if data.billable_kinds is not None:
        schedule.billable_kinds = [kind.value for kind in data.billable_kinds]
    if lines is not None:
        schedule.lines = lines
    await session.flush()
    return schedule


async def delete_fee_schedule(session: AsyncSession, schedule: FeeSchedule) -> None:
    await FeeScheduleRepository(session).delete(schedule)
    await session.flush()
