"""Crediting an issued invoice, wholly or line by line.

A credit note is an invoice of kind `credit_note` (same table, same rendering) that
points at the invoice it credits, with positive quantities and amounts, numbered in the
seller's own credit-note series (`K2026-000001`) and issued as it is made. The credited
invoice's `amount_credited` grows by the credit note's payable amount and
`balance.settle` sets its status (`partially_credited`, `credited`, or `paid` when
payments cover what is left).

Never more than was invoiced: per line, the quantity credited by all credit notes stays
within the line's quantity; in all, `amount_credited` stays within `payable_amount`
(also a check constraint). Breaking either is 409 `credit_exceeds_invoice` and nothing
is written. The invoice row is locked first, so two credit notes made at once cannot
both take the last of a line.
"""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.api.caller import Caller
from app.auth.policy import ensure_admin
from app.clock import today
from app.credit_notes.schemas import CreditLineIn, CreditNoteCreate
from app.errors import Conflict, InvalidField, not_found
from app.invoices import balance, issuing
from app.invoices.access import ensure_invoice_visible
from app.invoices.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from app.invoices.money import line_amount, totals
from app.invoices.repository import InvoiceRepository
from app.invoices.service import INVOICE, describe_invoices


def _exceeds(detail: str) -> Conflict:
    return Conflict(detail, code="credit_exceeds_invoice")


async def _credited_quantities(
    session: AsyncSession, invoice_id: uuid.UUID
) -> dict[uuid.UUID, Decimal]:
    """How much of each line earlier credit notes took, in one query."""
    note = aliased(Invoice)
    stmt = (
        select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity))
        .join(note, note.id == InvoiceLine.invoice_id)
        .where(note.credited_invoice_id == invoice_id, InvoiceLine.credited_line_id.is_not(None))
        .group_by(InvoiceLine.credited_line_id)
    )
    rows = (await session.execute(stmt)).all()
    # `sum` keeps the column's type: the scaled integers come back as Decimal.
    return {line_id: total for line_id, total in rows if line_id is not None}


def _wanted(
    invoice: Invoice, requested: Sequence[CreditLineIn] | None, credited: dict[uuid.UUID, Decimal]
) -> list[tuple[InvoiceLine, Decimal]]:
    """(line, quantity to credit) pairs; 422 for a line not on the invoice, 409 beyond
    what is left."""
    lines = {line.id: line for line in invoice.lines}
    if requested is None:
        wanted = [
            (line, line.quantity - credited.get(line.id, Decimal(0))) for line in invoice.lines
        ]
        wanted = [(line, quantity) for line, quantity in wanted if quantity > 0]
        if not wanted:
            raise _exceeds("Everything on this invoice has been credited already.")
        return wanted
    result: list[tuple[InvoiceLine, Decimal]] = []
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(requested):
        line = lines.get(item.line_id)
        if line is None:
            raise InvalidField(
                f"lines.{index}.line_id", "Not a line of this invoice.", code="unknown_invoice_line"
            )
        if line.id in seen:
            raise InvalidField(
                f"lines.{index}.line_id", "Each line at most once.", code="duplicate_line"
            )
        seen.add(line.id)
        left = line.quantity - credited.get(line.id, Decimal(0))
        quantity = item.quantity if item.quantity is not None else left
        if quantity <= 0 or quantity > left:
            raise _exceeds(
                f"Line {line.position} has {left.normalize():f} left to credit "
                f"({line.quantity.normalize():f} invoiced)."
            )
        result.append((line, quantity))
    return result


async def create_credit_note(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID, data: CreditNoteCreate
) -> Invoice:
    ensure_admin(caller)
    invoice = await InvoiceRepository(session).lock(invoice_id)
    if invoice is None:
        raise not_found("invoice")
    if invoice.kind is not InvoiceKind.INVOICE:
        raise Conflict("A credit note cannot be credited.", code="not_an_invoice")
    if invoice.status is InvoiceStatus.DRAFT:
        raise Conflict(
            "The invoice is a draft: change or delete it instead of crediting it.",
            code="invoice_not_issued",
        )
    credited = await _credited_quantities(session, invoice.id)
    wanted = _wanted(invoice, data.lines, credited)
    lines = [
        InvoiceLine(
            position=position,
            description=line.description,
            quantity=quantity,
            unit_code=line.unit_code,
            unit_price=line.unit_price,
            line_amount=line_amount(quantity, line.unit_price),
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            vat_exemption_reason=line.vat_exemption_reason,
            credited_line_id=line.id,
        )
        for position, (line, quantity) in enumerate(wanted, start=1)
    ]
    result = totals(lines)
    if invoice.amount_credited + result.payable_amount > invoice.payable_amount:
        raise _exceeds(
            f"Crediting {result.payable_amount} would credit more than the invoice's "
            f"{invoice.payable_amount} ({invoice.amount_credited} credited already)."
        )
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        status=InvoiceStatus.DRAFT,
        seller_id=invoice.seller_id,
        buyer_id=invoice.buyer_id,
        network_id=invoice.network_id,
        credited_invoice_id=invoice.id,
        currency=invoice.currency,
        language=invoice.language,
        payment_terms_days=0,
        delivery_starts_on=invoice.delivery_starts_on,
        delivery_ends_on=invoice.delivery_ends_on,
        buyer_reference=invoice.buyer_reference,
        note=data.reason,
        vat_exchange_rate=invoice.vat_exchange_rate,
        line_extension_amount=result.line_extension_amount,
        tax_amount=result.tax_amount,
        payable_amount=result.payable_amount,
        lines=lines,
    )
    day = today()
    await issuing.issue_credit_note(session, note, invoice, today=day)
    session.add(note)
    invoice.amount_credited = invoice.amount_credited + result.payable_amount
    balance.settle(invoice, paid_on=day)
    await session.flush()
    return note


async def list_credit_notes(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The invoice's credit notes, oldest first, for the read path; 404 when the invoice
    is hidden."""
    await ensure_invoice_visible(session, caller, invoice_id)
    notes = await InvoiceRepository(session).read_credit_notes(INVOICE, invoice_id)
    return await describe_invoices(session, notes)
