"""Use cases for invoices: drafts (create, change, delete), issue, read.

Every change is the secretariat's (`ensure_admin`, checked before any lookup). A draft's
totals are recomputed from its lines with `app/invoices/money.py` on every change, so the
row's totals are always the lines' EN 16931 sums. Issuing locks the invoice row, then
numbers it (app/invoices/issuing.py) in the same transaction: a refused issue writes
nothing and takes no number.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, cut_page
from app.api.reads import RowShape
from app.auth.policy import ensure_admin
from app.clock import today
from app.companies.models import Organisation
from app.companies.repository import OrganisationRepository
from app.db import utcnow
from app.errors import Conflict, InvalidField, not_found
from app.invoices import balance, issuing
from app.invoices.access import ensure_may_read_invoices
from app.invoices.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from app.invoices.money import PricedLine, line_amount, totals
from app.invoices.repository import InvoiceFilter, InvoiceRepository
from app.invoices.schemas import (
    MAX_LINE_AMOUNT,
    InvoiceCreate,
    InvoiceRead,
    InvoiceUpdate,
    LineIn,
    LineRead,
)
from app.invoices.vat_rules import checked_vat
from app.sellers.models import SellerSettings
from app.sellers.service import ensure_association, seller_settings


async def get_invoice(session: AsyncSession, caller: Caller, invoice_id: uuid.UUID) -> Invoice:
    """The invoice with its lines: 401/403 for callers who read no invoices, 404 when it
    is unknown or not the caller's to see."""
    ensure_may_read_invoices(caller)
    invoice = await InvoiceRepository(session).get(caller, invoice_id)
    if invoice is None:
        raise not_found("invoice")
    return invoice


INVOICE = RowShape(InvoiceRead)
LINE = RowShape(LineRead)


def describe_invoice(
    invoice: Row[Any] | Invoice, lines: Sequence[Row[Any]] | None = None
) -> dict[str, Any]:
    """The representation, from a read's row (with its `lines`, read for the page) or a
    write's object (its lines loaded). Lines go in as they are stored: the shape writes
    them as `LineRead` does; the VAT breakdown is added up again (EN 16931, money.py)."""
    if isinstance(invoice, Invoice):
        return INVOICE.of_object(
            invoice,
            seller=invoice.seller_party,
            buyer=invoice.buyer_party,
            lines=invoice.lines,
            vat_breakdown=totals(invoice.lines).vat_breakdown,
            amount_due=balance.amount_due(invoice),
            overpaid_amount=balance.overpaid_amount(invoice),
        )
    read_lines = list(lines or ())
    priced = cast(list[PricedLine], read_lines)  # rows carry the priced columns by name
    return INVOICE.of_row(invoice, lines=read_lines, vat_breakdown=totals(priced).vat_breakdown)


async def describe_invoices(
    session: AsyncSession, rows: Sequence[Row[Any]]
) -> list[dict[str, Any]]:
    """Read rows of invoices with their lines, in one query for all of them."""
    lines = await InvoiceRepository(session).read_lines(LINE, [row.id for row in rows])
    return [describe_invoice(row, lines.get(row.id, ())) for row in rows]


async def read_invoice(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID
) -> dict[str, Any]:
    """The invoice's representation for the read path: 401/403, 404 as `get_invoice`."""
    ensure_may_read_invoices(caller)
    row = await InvoiceRepository(session).read_one(caller, INVOICE, invoice_id)
    if row is None:
        raise not_found("invoice")
    (described,) = await describe_invoices(session, [row])
    return described


async def list_invoices(
    session: AsyncSession, caller: Caller, where: InvoiceFilter, sort: str, page: PageParams
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of representations and the cursor after it."""
    ensure_may_read_invoices(caller)
    rows, order = await InvoiceRepository(session).read_page(caller, INVOICE, where, sort, page)
    items, next_cursor = cut_page(rows, order, page)
    return await describe_invoices(session, items), next_cursor


async def invoice_to_change(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID
) -> Invoice:
    """The invoice an admin is about to change, issue or delete, its row locked: 401/403
    first (before anything is looked up), then 404. Called before the router checks
    `If-Match`, so the check reads the locked, current version."""
    ensure_admin(caller)
    # An admin sees every invoice: the locking read is the only one.
    invoice = await InvoiceRepository(session).lock(invoice_id)
    if invoice is None:
        raise not_found("invoice")
    return invoice


def _not_draft(invoice: Invoice) -> Conflict:
    return Conflict(
        f"Invoice {invoice.number} is {invoice.status.value}: only a draft changes. "
        "Correct an issued invoice with a credit note.",
        code="invoice_not_draft",
    )


async def _party(
    session: AsyncSession, caller: Caller, field: str, org_id: uuid.UUID
) -> Organisation:
    organisation = await OrganisationRepository(session).get(caller, org_id)
    if organisation is None:
        raise InvalidField(field, f"No organisation with id {org_id}.", code="unknown_organisation")
    return organisation


async def _settings(session: AsyncSession, seller: Organisation) -> SellerSettings:
    ensure_association(seller)
    settings = await seller_settings(session, seller.id)
    if settings is None:
        raise Conflict(
            f"{seller.display_name} has no invoice settings (bank account, terms); set them "
            f"with PUT /v1/companies/{seller.id}/invoice-settings first.",
            code="seller_not_set_up",
        )
    return settings


def _check_delivery(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise InvalidField(
            "delivery_ends_on",
            f"The delivery period cannot end ({ends_on}) before it starts ({starts_on}).",
            code="invalid_period",
        )


def _lines(lines: Sequence[LineIn]) -> list[InvoiceLine]:
    made = []
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        rate, reason = checked_vat(
            field, line.vat_category, line.vat_rate, line.vat_exemption_reason
        )
        amount = line_amount(line.quantity, line.unit_price)
        if amount > MAX_LINE_AMOUNT:
            raise InvalidField(
                field, f"A line's amount may be at most {MAX_LINE_AMOUNT}.", code="line_too_large"
            )
        made.append(
            InvoiceLine(
                position=index + 1,
                description=line.description,
                quantity=line.quantity,
                unit_code=line.unit_code,
                unit_price=line.unit_price,
                line_amount=amount,
                vat_category=line.vat_category,
                vat_rate=rate,
                vat_exemption_reason=reason,
            )
        )
    return made


def _set_totals(invoice: Invoice) -> None:
    result = totals(invoice.lines)
    invoice.line_extension_amount = result.line_extension_amount
    invoice.tax_amount = result.tax_amount
    invoice.payable_amount = result.payable_amount


async def authorise_create_invoice(caller: Caller) -> None:
    """Run before an idempotent replay too (app/api/idempotency.py)."""
    ensure_admin(caller)


async def create_invoice(session: AsyncSession, caller: Caller, data: InvoiceCreate) -> Invoice:
    await authorise_create_invoice(caller)
    seller = await _party(session, caller, "seller_id", data.seller_id)
    buyer = await _party(session, caller, "buyer_id", data.buyer_id)
    settings = await _settings(session, seller)
    if buyer.archived_at is not None:
        raise Conflict(
            f"{buyer.display_name} ({buyer.id}) is archived; restore it before invoicing it.",
            code="organisation_archived",
        )
    _check_delivery(data.delivery_starts_on, data.delivery_ends_on)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.DRAFT,
        seller_id=seller.id,
        buyer_id=buyer.id,
        currency=data.currency,
        language=data.language or buyer.language,
        payment_terms_days=(
            data.payment_terms_days
            if data.payment_terms_days is not None
            else settings.default_payment_terms_days
        ),
        delivery_starts_on=data.delivery_starts_on,
        delivery_ends_on=data.delivery_ends_on,
        buyer_reference=data.buyer_reference,
        note=data.note,
        vat_exchange_rate=data.vat_exchange_rate,
        lines=_lines(data.lines),
    )
    _set_totals(invoice)
    InvoiceRepository(session).add(invoice)
    await session.flush()
    return invoice


async def update_invoice(session: AsyncSession, invoice: Invoice, data: InvoiceUpdate) -> Invoice:
    """Change a draft from `invoice_to_change`; every rule is checked before any change."""
    if invoice.status is not InvoiceStatus.DRAFT:
        raise _not_draft(invoice)
    changes = data.model_dump(exclude_unset=True, exclude={"lines"})
    _check_delivery(
        changes.get("delivery_starts_on", invoice.delivery_starts_on),
        changes.get("delivery_ends_on", invoice.delivery_ends_on),
    )
    for field, value in changes.items():
        setattr(invoice, field, value)
    if data.lines is not None:
        # The old lines go first: the new ones reuse their positions (unique per invoice),
        # and a flush inserts before it deletes.
        invoice.lines = []
        await session.flush()
        invoice.lines = _lines(data.lines)
        _set_totals(invoice)
        # New lines alone change no column of the invoice row, and only a row UPDATE
        # moves its version (the ETag): touch it, so a stale If-Match is refused.
        invoice.updated_at = utcnow()
    await session.flush()
    return invoice


async def delete_invoice(session: AsyncSession, invoice: Invoice) -> None:
    if invoice.status is not InvoiceStatus.DRAFT:
        raise _not_draft(invoice)
    await InvoiceRepository(session).delete(invoice)
    await session.flush()


async def issue_invoice(session: AsyncSession, invoice: Invoice) -> Invoice:
    """Number and freeze a locked draft from `invoice_to_change` (409 with the rule's code
    when it may not be issued, a non-draft included; nothing is written then)."""
    seller = await session.get_one(Organisation, invoice.seller_id)
    buyer = await session.get_one(Organisation, invoice.buyer_id)
    settings = await _settings(session, seller)
    await issuing.issue(
        session, invoice, seller=seller, buyer=buyer, settings=settings, today=today()
    )
    await session.flush()
    return invoice


async def credited_invoice(session: AsyncSession, invoice: Invoice) -> Invoice | None:
    """The invoice a credit note credits, with its lines (the PDF states it); it has the
    same buyer, so whoever sees the credit note may see what it refers to."""
    if invoice.credited_invoice_id is None:
        return None
    return await InvoiceRepository(session).with_lines(invoice.credited_invoice_id)


def file_name(invoice: Invoice) -> str:
    prefix = "credit-note" if invoice.kind is InvoiceKind.CREDIT_NOTE else "invoice"
    return f"{prefix}-{invoice.number or f'draft-{invoice.id}'}"
