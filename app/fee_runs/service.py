"""The yearly fee run: one draft invoice per billable membership of a network.

Idempotent by the database: `invoices` has a unique key on (membership_id, fee_year), and
the invoices go in with `INSERT ... ON CONFLICT DO NOTHING RETURNING`, so a rerun, or a
second run at the same time, never bills a membership twice; what the key turned away is
reported `already_invoiced`. On SQLite a writing transaction holds the write lock from its
first statement (app/db.py), so runs there simply take turns.

Rules a reader may look for:
- Every membership whose period meets the year is considered, whatever its status:
  active, suspended (still a member) and ended (billed for the months it was in force).
  A pending application (`applied`) is skipped. A declined application is an `ended`
  membership too, and nothing on the row tells it apart (see `member_on_day` in
  app/memberships/repository.py), so it is billed for its (short) period like any ended
  membership; its draft can be deleted.
- An archived organisation is skipped (`organisation_archived`): invoices to an
  organisation that no longer operates are not sent by the run; restore it and run again.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.audit.models import AuditEvent
from app.auth.policy import ensure_admin
from app.companies.models import Organisation
from app.db import utcnow
from app.errors import Conflict, InvalidField
from app.fee_runs import repository
from app.fee_runs.pricing import (
    BilledPeriod,
    FeeLine,
    PricedLine,
    billed_period,
    parse_lines,
    price_lines,
)
from app.fee_runs.repository import Candidate
from app.fee_runs.schemas import FeeRunCreated, FeeRunSkipped, FeeRunSummary, SkipReason
from app.fee_schedules.models import FeeSchedule
from app.fee_schedules.repository import FeeScheduleRepository
from app.invoices.issuing import check_issuable
from app.invoices.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from app.invoices.money import ZERO, Totals, totals
from app.memberships.models import MembershipStatus
from app.networks.models import Network
from app.networks.repository import NetworkRepository

ProgressCallback = Callable[[int, int], None]
# Rows per INSERT: an invoice row binds 24 values, well inside both backends' limits on
# parameters per statement (SQLAlchemy splits the lines' INSERT further if it must).
CHUNK_SIZE = 1000


@dataclass(frozen=True, slots=True)
class _Planned:
    candidate: Candidate
    period: BilledPeriod
    lines: list[PricedLine]
    totals: Totals


def authorise_fee_run(caller: Caller) -> None:
    """Before any lookup, and before an idempotent replay."""
    ensure_admin(caller)


async def _network(session: AsyncSession, caller: Caller, network_id: uuid.UUID) -> Network:
    network = await NetworkRepository(session).get(caller, network_id)
    if network is None:
        raise InvalidField(
            "network_id", f"No network with id {network_id}.", code="unknown_network"
        )
    return network


async def _schedule(session: AsyncSession, network: Network, year: int) -> FeeSchedule:
    schedule = await FeeScheduleRepository(session).for_network_year(network.id, year)
    if schedule is None:
        raise Conflict(
            f"{network.name} has no fee schedule for {year}; create one with "
            "POST /v1/fee-schedules first.",
            code="fee_schedule_missing",
        )
    return schedule


async def _seller(session: AsyncSession, network: Network) -> Organisation:
    seller_id = network.administered_by_id
    seller = None if seller_id is None else await repository.seller(session, seller_id)
    if seller is None:
        raise Conflict(
            f"{network.name} needs an administering association with invoice settings "
            "(PUT /v1/companies/{id}/invoice-settings) to be the seller of its fees.",
            code="seller_not_set_up",
        )
    return seller


def _check_issuable(schedule: FeeSchedule, lines: Sequence[FeeLine], seller: Organisation) -> None:
    """Refuse a run whose drafts the seller could never issue (409 with the issuing rule's
    code: `seller_not_vat_registered`, `vat_categories_mixed`, `vat_rate_not_allowed`),
    by putting a specimen draft with the schedule's lines through the issue check."""
    specimen = Invoice(
        status=InvoiceStatus.DRAFT,
        currency=schedule.currency,
        # No VAT amount: the VAT exchange rate is the draft's to set before issue, not
        # the run's to refuse.
        tax_amount=ZERO,
        lines=[
            InvoiceLine(
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                vat_exemption_reason=line.vat_exemption_reason,
            )
            for line in lines
        ],
    )
    check_issuable(specimen, seller)


def _skip(candidate: Candidate, reason: SkipReason, detail: str) -> FeeRunSkipped:
    return FeeRunSkipped(
        membership_id=candidate.membership_id,
        organisation_id=candidate.organisation_id,
        reason=reason,
        detail=detail,
    )


def _plan(
    candidate: Candidate, schedule: FeeSchedule, lines: Sequence[FeeLine], billable: set[str]
) -> _Planned | FeeRunSkipped:
    """What one membership gets: an invoice, or the reason it gets none."""
    name = candidate.organisation_name
    if candidate.kind.value not in billable:
        return _skip(
            candidate,
            SkipReason.KIND_NOT_BILLABLE,
            f"{name} is a {candidate.kind.value}; the schedule bills "
            f"{', '.join(sorted(billable))}.",
        )
    if candidate.status is MembershipStatus.APPLIED:
        return _skip(
            candidate,
            SkipReason.APPLICATION_PENDING,
            f"{name} has applied and is not yet a member.",
        )
    if candidate.archived_at is not None:
        return _skip(candidate, SkipReason.ORGANISATION_ARCHIVED, f"{name} is archived.")
    if candidate.invoice_id is not None:
        return _skip(
            candidate,
            SkipReason.ALREADY_INVOICED,
            f"{name} has fee invoice {candidate.invoice_id} for {schedule.year}.",
        )
    period = billed_period(schedule.year, candidate.starts_on, candidate.ends_on)
    if period is None:  # not reached: the query chose memberships that meet the year
        raise ValueError(f"membership {candidate.membership_id} does not meet {schedule.year}")
    priced = price_lines(lines, candidate.employees, period, candidate.language)
    if priced is None:
        return _skip(
            candidate,
            SkipReason.EMPLOYEES_UNKNOWN,
            f"The fee is tiered by employees and {name} has no number of employees.",
        )
    invoice_totals = totals(priced)
    if invoice_totals.payable_amount == ZERO:
        return _skip(candidate, SkipReason.ZERO_AMOUNT, f"{name} would pay nothing.")
    return _Planned(candidate, period, priced, invoice_totals)


def _invoice_row(
    planned: _Planned, schedule: FeeSchedule, seller_id: uuid.UUID, now: Any
) -> dict[str, Any]:
    # A Core INSERT fills no ORM defaults: every NOT NULL column is given here.
    candidate = planned.candidate
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "kind": InvoiceKind.INVOICE,
        "status": InvoiceStatus.DRAFT,
        "seller_id": seller_id,
        "buyer_id": candidate.organisation_id,
        "network_id": schedule.network_id,
        "membership_id": candidate.membership_id,
        "fee_year": schedule.year,
        "currency": schedule.currency,
        "language": candidate.language,
        "payment_terms_days": schedule.payment_terms_days,
        "delivery_starts_on": planned.period.starts_on,
        "delivery_ends_on": planned.period.ends_on,
        "note": schedule.invoice_text,
        "line_extension_amount": planned.totals.line_extension_amount,
        "tax_amount": planned.totals.tax_amount,
        "payable_amount": planned.totals.payable_amount,
        "amount_paid": ZERO,
        "amount_credited": ZERO,
        "reminder_level": 0,
        "reminder_fees": ZERO,
    }


def _line_rows(planned: _Planned, invoice_id: uuid.UUID, now: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "invoice_id": invoice_id,
            "position": position,
            "description": line.description,
            "quantity": Decimal(1),
            "unit_code": "EA",
            "unit_price": line.line_amount,
            "line_amount": line.line_amount,
            "vat_category": line.vat_category,
            "vat_rate": line.vat_rate,
            "vat_exemption_reason": line.vat_exemption_reason,
        }
        for position, line in enumerate(planned.lines, start=1)
    ]


def _created(planned: _Planned, invoice_id: uuid.UUID | None) -> FeeRunCreated:
    return FeeRunCreated(
        membership_id=planned.candidate.membership_id,
        organisation_id=planned.candidate.organisation_id,
        invoice_id=invoice_id,
        months=planned.period.months,
        amount=planned.totals.line_extension_amount,
        payable_amount=planned.totals.payable_amount,
    )


async def _insert(
    session: AsyncSession,
    plans: list[_Planned],
    schedule: FeeSchedule,
    seller_id: uuid.UUID,
    on_progress: ProgressCallback | None,
) -> tuple[list[FeeRunCreated], list[FeeRunSkipped]]:
    created: list[FeeRunCreated] = []
    skipped: list[FeeRunSkipped] = []
    now = utcnow()
    for start in range(0, len(plans), CHUNK_SIZE):
        chunk = plans[start : start + CHUNK_SIZE]
        rows = [_invoice_row(planned, schedule, seller_id, now) for planned in chunk]
        inserted = await repository.insert_invoices(session, rows)
        lines: list[dict[str, Any]] = []
        for planned in chunk:
            invoice_id = inserted.get(planned.candidate.membership_id)
            if invoice_id is None:
                # A run that finished first billed it; the unique key turned this one away.
                skipped.append(
                    _skip(
                        planned.candidate,
                        SkipReason.ALREADY_INVOICED,
                        f"{planned.candidate.organisation_name} was invoiced for "
                        f"{schedule.year} by a run that finished first.",
                    )
                )
                continue
            lines.extend(_line_rows(planned, invoice_id, now))
            created.append(_created(planned, invoice_id))
        await repository.insert_lines(session, lines)
        if on_progress is not None:
            on_progress(start + len(chunk), len(plans))
    return created, skipped


def _record(session: AsyncSession, caller: Caller, summary: FeeRunSummary) -> None:
    # Core inserts pass the audit listener by; the run leaves one event of its own.
    session.add(
        AuditEvent(
            actor_type=caller.actor_type,
            actor_id=caller.actor_id,
            action="create",
            resource_type="fee_runs",
            resource_id=f"{summary.network_id}:{summary.year}",
            before=None,
            after={
                "created_count": summary.created_count,
                "skipped_count": summary.skipped_count,
                "total_amount": f"{summary.total_amount:.2f}",
                "currency": summary.currency.value,
                "seller_id": str(summary.seller_id),
            },
        )
    )


async def run_fee_run(
    session: AsyncSession,
    caller: Caller,
    network_id: uuid.UUID,
    year: int,
    *,
    dry_run: bool,
    on_progress: ProgressCallback | None = None,
) -> FeeRunSummary:
    """Bill the network's memberships for `year` in the caller's transaction (the caller
    commits). `on_progress(done, total)` is told after each chunk of invoices."""
    authorise_fee_run(caller)
    network = await _network(session, caller, network_id)
    schedule = await _schedule(session, network, year)
    seller = await _seller(session, network)
    seller_id = seller.id
    lines = parse_lines(schedule.lines)
    _check_issuable(schedule, lines, seller)
    billable = set(schedule.billable_kinds)
    plans: list[_Planned] = []
    skipped: list[FeeRunSkipped] = []
    for candidate in await repository.candidates(session, network.id, year):
        outcome = _plan(candidate, schedule, lines, billable)
        if isinstance(outcome, _Planned):
            plans.append(outcome)
        else:
            skipped.append(outcome)

    if dry_run:
        created = [_created(planned, None) for planned in plans]
        if on_progress is not None:
            on_progress(len(plans), len(plans))
    else:
        created, turned_away = await _insert(session, plans, schedule, seller_id, on_progress)
        skipped.extend(turned_away)
    summary = FeeRunSummary(
        network_id=network.id,
        year=year,
        dry_run=dry_run,
        seller_id=seller_id,
        currency=schedule.currency,
        created=created,
        skipped=skipped,
        created_count=len(created),
        skipped_count=len(skipped),
        total_amount=sum((item.payable_amount for item in created), ZERO),
    )
    if created and not dry_run:
        _record(session, caller, summary)
        await session.flush()
    return summary
