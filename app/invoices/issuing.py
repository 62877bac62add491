"""Issuing: the step that numbers an invoice or credit note and freezes it.

Invoices (`POST /v1/invoices/{id}/issue`: `issue`) and credit notes (issued as they are
made: `issue_credit_note`) are numbered the same way, in the caller's transaction: the
number, the frozen parties and the payment reference are written together or not at all.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.companies.models import Country, Organisation
from app.db import utcnow
from app.errors import Conflict
from app.invoices.code_checks import check_codes
from app.invoices.models import (
    Currency,
    Invoice,
    InvoiceStatus,
    NumberSeries,
    VatCategory,
)
from app.invoices.money import ZERO
from app.invoices.numbering import InvoiceNumber, next_number
from app.invoices.parties import buyer_party, party_address, seller_party
from app.invoices.references import payment_reference
from app.sellers.models import SellerSettings

# The standard-category VAT rates in force in each seller's country (per cent).
VAT_RATES = {
    Country.NORWAY: (Decimal("25.00"), Decimal("15.00"), Decimal("12.00"), Decimal("11.11")),
    Country.SWEDEN: (Decimal("25.00"), Decimal("12.00"), Decimal("6.00")),
}
# The currency a seller keeps its books and reports VAT in.
ACCOUNTING_CURRENCY = {Country.NORWAY: Currency.NOK, Country.SWEDEN: Currency.SEK}


def check_issuable(invoice: Invoice, seller: Organisation) -> None:
    """The rules an invoice must meet before it gets a number (each a 409)."""
    if invoice.status is not InvoiceStatus.DRAFT:
        raise Conflict(
            f"The invoice is {invoice.status.value}; only a draft can be issued.",
            code="invoice_not_draft",
        )
    if not invoice.lines:
        raise Conflict("An invoice needs at least one line.", code="invoice_has_no_lines")
    _check_vat_categories(invoice, seller)
    own_currency = ACCOUNTING_CURRENCY[seller.country]
    if (
        invoice.currency is not own_currency
        and invoice.tax_amount > ZERO
        and invoice.vat_exchange_rate is None
    ):
        raise Conflict(
            f"VAT on an invoice in {invoice.currency.value} must also be stated in "
            f"{own_currency.value}: set vat_exchange_rate.",
            code="vat_exchange_rate_required",
        )


def check_addresses(seller: Organisation, buyer: Organisation) -> None:
    """Both countries' bookkeeping rules want the parties' names and addresses."""
    for role, party in (("seller", seller), ("buyer", buyer)):
        if party_address(party) is None:
            raise Conflict(
                f"The {role} has no address to print: give the organisation a postal, "
                "invoice or visiting address.",
                code=f"{role}_address_missing",
            )


def _check_vat_categories(invoice: Invoice, seller: Organisation) -> None:
    """What EN 16931 and the national rules demand of the VAT categories on one invoice,
    so that every issued invoice also makes a valid EHF / Peppol document."""
    categories = {line.vat_category for line in invoice.lines}
    if seller.vat_number is None and categories & {VatCategory.STANDARD, VatCategory.EXEMPT}:
        # BR-S-02, BR-E-02: VAT, and exemption from it, are for VAT-registered sellers.
        raise Conflict(
            "The seller is not VAT-registered: it charges no VAT and is not exempt from it; "
            "use category O (outside the scope of VAT).",
            code="seller_not_vat_registered",
        )
    if VatCategory.OUTSIDE_SCOPE in categories and len(categories) > 1:
        # BR-O-11, BR-O-12: an invoice outside the scope of VAT has no other category.
        raise Conflict(
            "Category O (outside the scope of VAT) cannot be mixed with other categories on "
            "one invoice: invoice those lines separately.",
            code="vat_categories_mixed",
        )
    allowed = VAT_RATES[seller.country]
    rates = {line.vat_rate for line in invoice.lines if line.vat_category is VatCategory.STANDARD}
    wrong = sorted(f"{rate:.2f}" for rate in rates - set(allowed))
    if wrong:
        # SE-R-006 for Swedish sellers; Norway's rates likewise.
        raise Conflict(
            f"VAT rate {', '.join(wrong)} % is not a {seller.country.name.title()} rate; "
            f"use one of {', '.join(f'{rate}' for rate in allowed)}.",
            code="vat_rate_not_allowed",
        )


async def issue(
    session: AsyncSession,
    invoice: Invoice,
    *,
    seller: Organisation,
    buyer: Organisation,
    settings: SellerSettings,
    today: date,
) -> None:
    """Number `invoice`, freeze its parties and set its dates and payment reference.

    `invoice.lines` must be loaded. Raises Conflict (nothing written) when a rule fails.
    """
    check_issuable(invoice, seller)
    check_addresses(seller, buyer)
    check_codes(invoice, seller, buyer)
    number = await _number(session, invoice, NumberSeries.INVOICE, today)
    invoice.seller_party = dict(seller_party(seller, settings))
    invoice.buyer_party = dict(buyer_party(buyer))
    invoice.due_date = today + timedelta(days=invoice.payment_terms_days)
    invoice.payment_reference = payment_reference(
        number.text, seller.country, settings.kid_algorithm
    )


async def issue_credit_note(
    session: AsyncSession, note: Invoice, credited: Invoice, *, today: date
) -> None:
    """Number a credit note in the seller's credit-note series; its parties are the
    credited invoice's, as frozen then: a credit note corrects that document, so it names
    the parties as it did, whatever has changed in the registry since (a new name, a
    VAT registration ended). No due date and no payment reference: nothing is to be paid.
    """
    if not note.lines:
        raise Conflict("A credit note needs at least one line.", code="invoice_has_no_lines")
    await _number(session, note, NumberSeries.CREDIT_NOTE, today)
    note.seller_party = credited.seller_party
    note.buyer_party = credited.buyer_party


async def _number(
    session: AsyncSession, invoice: Invoice, series: NumberSeries, today: date
) -> InvoiceNumber:
    """Take the next number of the series and mark the invoice issued today."""
    number = await next_number(session, invoice.seller_id, series, today.year)
    invoice.number = number.text
    invoice.sequence_number = number.sequence
    invoice.issue_date = today
    invoice.issued_at = utcnow()
    invoice.status = InvoiceStatus.ISSUED
    if invoice.delivery_starts_on is None and invoice.delivery_ends_on is None:
        # The delivery date is a legal field in both countries; unstated, it is the issue day.
        invoice.delivery_starts_on = invoice.delivery_ends_on = today
    elif invoice.delivery_starts_on is None or invoice.delivery_ends_on is None:
        day = invoice.delivery_starts_on or invoice.delivery_ends_on
        invoice.delivery_starts_on = invoice.delivery_ends_on = day
    return number
