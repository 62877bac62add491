"""Invoices and credit notes, their lines, and the counters that number them.

A credit note is an invoice of kind `credit_note` that points at the invoice it credits;
both share one table so numbering, parties, totals and rendering are one mechanism.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Language, Organisation
from app.db import Base, Entity, ScaledDecimal, UTCDateTime, enum_column

MONEY = ScaledDecimal(2)
QUANTITY = ScaledDecimal(4)
RATE = ScaledDecimal(2)  # a VAT rate in per cent: 25.00
EXCHANGE_RATE = ScaledDecimal(6)


class Currency(StrEnum):
    NOK = "NOK"
    SEK = "SEK"


class VatCategory(StrEnum):
    """EN 16931 VAT category codes (UNCL5305) that Klynge invoices use."""

    STANDARD = "S"  # standard rate, with a rate above zero
    EXEMPT = "E"  # exempt from VAT, with a reason printed on the invoice
    OUTSIDE_SCOPE = "O"  # not subject to VAT at all


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"  # editable, no number yet
    ISSUED = "issued"  # numbered and frozen; nothing paid or credited yet
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_CREDITED = "partially_credited"
    CREDITED = "credited"


class KidAlgorithm(StrEnum):
    MOD10 = "mod10"
    MOD11 = "mod11"


# The statuses of app/invoices/balance.py's OPEN_STATUSES, as the partial index states them.
_OPEN = "status IN ('issued', 'partially_paid', 'partially_credited')"


class Invoice(Entity, Base):
    """An invoice (or credit note) from a seller (an association) to a buyer.

    Totals are kept on the row, recomputed from the lines on every change of a draft, so
    lists and sums never add lines up again. `seller_party` and `buyer_party` are empty
    until issue, when the parties' names, addresses and numbers are frozen into them.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        # One fee invoice per membership and year: the fee run's idempotency key.
        UniqueConstraint("membership_id", "fee_year"),
        UniqueConstraint("seller_id", "number"),
        CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name="credit_note_refers_to_invoice",
        ),
        CheckConstraint("(status = 'draft') = (number IS NULL)", name="number_exactly_when_issued"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
        CheckConstraint("amount_paid >= 0", name="amount_paid_not_negative"),
        CheckConstraint(
            "amount_credited >= 0 AND amount_credited <= payable_amount",
            name="credited_within_payable",
        ),
        Index("ix_invoices_payment_reference", "payment_reference"),
        Index("ix_invoices_due", "status", "due_date"),
        # The lists' default order (newest first) read from an index, not sorted: a
        # page of 100k invoices took 27 ms to sort, 0.1 ms from this.
        Index("ix_invoices_created_at_id", "created_at", "id"),
        # `overdue=true` in that order: only the open invoices, so a page skips the
        # paid ones without reading them (14 ms -> 2.6 ms at 100k invoices).
        Index(
            "ix_invoices_open_created_at_id",
            "created_at",
            "id",
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
    )

    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind, "invoice_kind"))
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus, "invoice_status"))
    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    buyer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    # What a fee invoice is for; empty on invoices made by hand.
    network_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
    fee_year: Mapped[int | None]
    credited_invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    currency: Mapped[Currency] = mapped_column(enum_column(Currency, "invoice_currency"))
    # The buyer's language when the draft was made: the PDF's language.
    language: Mapped[Language] = mapped_column(enum_column(Language, "invoice_language"))
    number: Mapped[str | None] = mapped_column(String(20))
    sequence_number: Mapped[int | None]
    issue_date: Mapped[date | None]
    due_date: Mapped[date | None]
    payment_terms_days: Mapped[int] = mapped_column(Integer)
    delivery_starts_on: Mapped[date | None]
    delivery_ends_on: Mapped[date | None]
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    # KID (NOK) or OCR (SEK), derived from the number at issue.
    payment_reference: Mapped[str | None] = mapped_column(String(30))
    # Seller's currency per invoice currency unit, when they differ and there is VAT: the
    # VAT must then also be stated in the seller's own currency (NOK in Norway, SEK in Sweden).
    vat_exchange_rate: Mapped[Decimal | None] = mapped_column(EXCHANGE_RATE)
    seller_party: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    buyer_party: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    line_extension_amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_amount: Mapped[Decimal] = mapped_column(MONEY)
    payable_amount: Mapped[Decimal] = mapped_column(MONEY)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    amount_credited: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    reminder_level: Mapped[int] = mapped_column(default=0)
    reminder_fees: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_on: Mapped[date | None]

    seller: Mapped[Organisation] = relationship(lazy="raise", foreign_keys=[seller_id])
    buyer: Mapped[Organisation] = relationship(lazy="raise", foreign_keys=[buyer_id])
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="InvoiceLine.position",
    )


class InvoiceLine(Entity, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("vat_rate >= 0 AND vat_rate < 10000", name="vat_rate_range"),
        CheckConstraint("(vat_category = 'S') = (vat_rate > 0)", name="rate_exactly_for_standard"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_code: Mapped[str] = mapped_column(String(3), default="EA")
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    line_amount: Mapped[Decimal] = mapped_column(MONEY)
    vat_category: Mapped[VatCategory] = mapped_column(enum_column(VatCategory, "vat_category"))
    vat_rate: Mapped[Decimal] = mapped_column(RATE)
    vat_exemption_reason: Mapped[str | None] = mapped_column(String(300))
    # On a credit note: the invoice line it credits.
    credited_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice_lines.id", ondelete="RESTRICT"), index=True
    )

    invoice: Mapped[Invoice] = relationship(back_populates="lines", lazy="raise")


class NumberSeries(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceCounter(Base):
    """The last number given in one seller's series for one year.

    Issuing increments it in the issuing transaction: the row lock it takes queues
    concurrent issuers, and a rolled-back issue rolls the increment back, so numbers
    are gap-free (app/invoices/numbering.py).
    """

    __tablename__ = "invoice_counters"

    seller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True
    )
    series: Mapped[NumberSeries] = mapped_column(
        enum_column(NumberSeries, "number_series"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int]
