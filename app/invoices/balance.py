"""What is left to pay on an issued invoice, and the status that follows from it.

Payments and credit notes both move an invoice's balance; both call `settle` after
changing `amount_paid` or `amount_credited`, so the status rule lives here once.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, type_coerce

from app.invoices.models import MONEY, Invoice, InvoiceKind, InvoiceStatus
from app.invoices.money import ZERO


def amount_owed(invoice: Invoice) -> Decimal:
    """The payable amount less what credit notes took off, plus the reminder fees charged:
    a reminder fee is a claim like the invoice itself."""
    return invoice.payable_amount - invoice.amount_credited + invoice.reminder_fees


def amount_due(invoice: Invoice) -> Decimal:
    """What the buyer still has to pay (never below zero), reminder fees included."""
    return max(ZERO, amount_owed(invoice) - invoice.amount_paid)


def principal_due(invoice: Invoice) -> Decimal:
    """What is still due of the invoice itself: payments settle it before any fee."""
    return max(ZERO, invoice.payable_amount - invoice.amount_credited - invoice.amount_paid)


def overpaid_amount(invoice: Invoice) -> Decimal:
    """What was paid beyond what is owed: to refund or to set off against the next invoice."""
    return max(ZERO, invoice.amount_paid - amount_owed(invoice))


def _cents(column: Any) -> ColumnElement[int]:
    # Money columns hold øre as integers on both databases: SQL sums them exactly.
    return type_coerce(column, BigInteger)


def _at_least_zero(cents: ColumnElement[int]) -> ColumnElement[Decimal]:
    return type_coerce(case((cents > 0, cents), else_=0), MONEY)


def _owed_cents() -> ColumnElement[int]:
    return (
        _cents(Invoice.payable_amount)
        - _cents(Invoice.amount_credited)
        + _cents(Invoice.reminder_fees)
    )


def amount_due_column() -> ColumnElement[Decimal]:
    """`amount_due` in SQL, for reads that select columns: the same rule, in the statement."""
    return _at_least_zero(_owed_cents() - _cents(Invoice.amount_paid))


def overpaid_amount_column() -> ColumnElement[Decimal]:
    """`overpaid_amount` in SQL."""
    return _at_least_zero(_cents(Invoice.amount_paid) - _owed_cents())


def settle(invoice: Invoice, *, paid_on: date | None = None) -> None:
    """Set the status of an issued invoice from its amounts (never of a draft)."""
    if invoice.status is InvoiceStatus.DRAFT or invoice.kind is InvoiceKind.CREDIT_NOTE:
        return
    if invoice.amount_credited == invoice.payable_amount:
        # Wholly credited stays credited; money that came anyway shows as overpaid.
        invoice.status = InvoiceStatus.CREDITED
    elif invoice.amount_paid > ZERO and amount_due(invoice) == ZERO:
        invoice.status = InvoiceStatus.PAID
        if invoice.paid_on is None:
            invoice.paid_on = paid_on
    elif invoice.amount_paid > ZERO:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    elif invoice.amount_credited > ZERO:
        invoice.status = InvoiceStatus.PARTIALLY_CREDITED
    else:
        invoice.status = InvoiceStatus.ISSUED


OPEN_STATUSES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PARTIALLY_CREDITED,
)
