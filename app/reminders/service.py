"""Reminder runs: every open invoice whose next reminder level is due gets it, once.

Levels, per the seller's settings (defaults in brackets): level 1 when `as_of` is
`first_reminder_after_days` (14) past the due date; level n+1 when it is
`next_reminder_after_days` (14) past the last reminder's `sent_on`; never beyond
`reminder_levels` (2), and one level per run. Each reminder adds the seller's optional
`reminder_fee` to the invoice's `reminder_fees`, sets a new date to pay by (`as_of` +
14 days) and queues one e-mail to the buyer's invoice address frozen at issue, in the
invoice's language. An invoice whose buyer has no invoice address is skipped
(`no_invoice_email`) and nothing is recorded, so a later run reminds it once it has one.

Never twice for one level, also when two runs overlap: the reminders are inserted with
`ON CONFLICT (invoice_id, level) DO NOTHING … RETURNING`, and only the rows this run
inserted move their invoice and queue mail (whose dedupe key
`invoice-reminder:{invoice_id}:{level}` holds the same line in the outbox). The work is
one query for the candidates, one INSERT, one executemany UPDATE and the outbox INSERT,
whatever the number of invoices.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.auth.policy import ensure_admin
from app.clock import today
from app.db import dialect_insert, utcnow
from app.invoices import balance
from app.invoices.access import ensure_invoice_visible
from app.invoices.models import MONEY, Invoice, InvoiceKind
from app.invoices.money import ZERO
from app.mail.outbox import OutgoingMail, enqueue_many
from app.reminders import messages
from app.reminders.models import Reminder
from app.reminders.schemas import Reminded, ReminderRunResult, Skipped, SkipReason
from app.sellers.models import SellerSettings

# The new date to pay by that a reminder states: two weeks from the run.
PAY_BY_DAYS = 14
# What a seller without settings gets (the SellerSettings column defaults).


@dataclass(frozen=True, slots=True)
class _Due:
    invoice: Invoice
    level: int
    fee: Decimal
    email: str | None


_CHUNK = 1000


def _next_level_due(
    invoice: Invoice, settings: SellerSettings, last_sent_on: date | None, as_of: date
) -> bool:
    level = invoice.reminder_level + 1
    if level == 1 or last_sent_on is None:
        after = settings.first_reminder_after_days
        start = invoice.due_date
    else:
        after = settings.next_reminder_after_days
        start = last_sent_on
    return start is not None and as_of >= start + timedelta(days=after)


async def _due_reminders(session: AsyncSession, as_of: date, *, lock: bool) -> list[_Due]:
    """One query: the open invoices with something due, past their due date and below
    their seller's last level, with the seller's settings and the last reminder's day;
    the day arithmetic is done here, where it is the same on both backends.

    With `lock` (a real run) the invoice rows are locked (PostgreSQL; SQLite's writer
    holds the database): a payment or credit note committing meanwhile cannot leave a
    paid invoice reminded. Rows a payment holds right now are skipped, not waited for:
    the next run sees them as they end up."""
    last = Reminder
    stmt = (
        select(Invoice, SellerSettings, last.sent_on)
        # Every issued invoice has a seller with settings: issuing needs them, and an
        # organisation with invoices cannot be deleted.
        .join(SellerSettings, SellerSettings.organisation_id == Invoice.seller_id)
        .outerjoin(last, and_(last.invoice_id == Invoice.id, last.level == Invoice.reminder_level))
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_(balance.OPEN_STATUSES),
            Invoice.due_date < as_of,
            Invoice.payable_amount - Invoice.amount_credited - Invoice.amount_paid > ZERO,
            Invoice.reminder_level < SellerSettings.reminder_levels,
        )
        .order_by(Invoice.due_date, Invoice.id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Invoice, skip_locked=True)
    due: list[_Due] = []
    for invoice, settings, last_sent_on in (await session.execute(stmt)).all():
        if not _next_level_due(invoice, settings, last_sent_on, as_of):
            continue
        fee = settings.reminder_fee or ZERO
        email = (invoice.buyer_party or {}).get("email")
        due.append(_Due(invoice, invoice.reminder_level + 1, fee, email or None))
    return due


def _facts(item: _Due, pay_by: date) -> messages.ReminderFacts:
    invoice = item.invoice
    seller: dict[str, Any] = invoice.seller_party or {}
    return messages.ReminderFacts(
        language=invoice.language,
        level=item.level,
        seller_name=str(seller.get("name") or ""),
        number=invoice.number or "",
        due_date=invoice.due_date or pay_by,
        currency=invoice.currency.value,
        amount_due=balance.principal_due(invoice),
        fee=item.fee,
        earlier_fees=invoice.reminder_fees,
        payment_reference=invoice.payment_reference,
        seller_country=str(seller.get("country") or ""),
        bank_account=seller.get("bank_account"),
        iban=seller.get("iban"),
        bic=seller.get("bic"),
        pay_by=pay_by,
    )


async def _record(
    session: AsyncSession, due: list[_Due], as_of: date, pay_by: date
) -> set[uuid.UUID]:
    """Insert the reminders; the invoices whose reminder this run inserted (a concurrent
    run that got there first keeps its own)."""
    if not due:
        return set()
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "invoice_id": item.invoice.id,
            "level": item.level,
            "sent_on": as_of,
            "pay_by": pay_by,
            "fee": item.fee,
            "amount_due": balance.principal_due(item.invoice),
        }
        for item in due
    ]
    inserted: set[uuid.UUID] = set()
    # In chunks: one multi-row INSERT carries 10 parameters a row, and the drivers stop
    # at 32,767 parameters.
    for start in range(0, len(rows), _CHUNK):
        statement = (
            dialect_insert(session)(Reminder)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=[Reminder.invoice_id, Reminder.level])
            .returning(Reminder.invoice_id)
        )
        inserted |= set((await session.scalars(statement)).all())
    table = cast(Table, Invoice.__table__)
    # Added to what the row holds now, not to what was read: a payment committed since
    # the candidates were read keeps its own change.
    move = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            reminder_fees=table.c.reminder_fees + bindparam("b_fee", type_=MONEY),
            reminder_level=bindparam("b_level"),
            version=table.c.version + 1,
            updated_at=now,
        )
    )
    params = [
        {"b_id": item.invoice.id, "b_fee": item.fee, "b_level": item.level}
        for item in due
        if item.invoice.id in inserted
    ]
    if params:
        await session.execute(move, params)
    return inserted


async def run_reminders(
    session: AsyncSession, *, as_of: date | None = None, dry_run: bool = False
) -> ReminderRunResult:
    """The run itself, in the caller's transaction (the API's request, the CLI's block)."""
    day = as_of or today()
    pay_by = day + timedelta(days=PAY_BY_DAYS)
    due = await _due_reminders(session, day, lock=not dry_run)
    skipped = [
        Skipped(
            invoice_id=item.invoice.id,
            number=item.invoice.number or "",
            reason=SkipReason.NO_INVOICE_EMAIL,
        )
        for item in due
        if item.email is None
    ]
    sendable = [item for item in due if item.email is not None]
    if not dry_run:
        inserted = await _record(session, sendable, day, pay_by)
        sendable = [item for item in sendable if item.invoice.id in inserted]
    stated = [(item, _facts(item, pay_by)) for item in sendable]
    if not dry_run:
        await enqueue_many(
            session,
            [
                OutgoingMail(
                    recipient=item.email or "",
                    subject=messages.subject(facts),
                    body_text=messages.body(facts),
                    dedupe_key=f"invoice-reminder:{item.invoice.id}:{item.level}",
                )
                for item, facts in stated
            ],
        )
    reminded = []
    for item, facts in stated:
        reminded.append(
            Reminded(
                invoice_id=item.invoice.id,
                number=facts.number,
                level=item.level,
                currency=item.invoice.currency,
                fee=item.fee,
                amount_due=facts.amount_due,
                total_to_pay=facts.total,
                pay_by=pay_by,
                email=item.email or "",
            )
        )
    return ReminderRunResult(as_of=day, dry_run=dry_run, reminded=reminded, skipped=skipped)


async def start_run(
    session: AsyncSession, caller: Caller, *, as_of: date | None, dry_run: bool
) -> ReminderRunResult:
    ensure_admin(caller)
    return await run_reminders(session, as_of=as_of, dry_run=dry_run)


async def list_reminders(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID
) -> list[Reminder]:
    """The invoice's reminders by level; 404 when the invoice is hidden."""
    await ensure_invoice_visible(session, caller, invoice_id)
    stmt = select(Reminder).where(Reminder.invoice_id == invoice_id).order_by(Reminder.level)
    return list((await session.scalars(stmt)).all())
