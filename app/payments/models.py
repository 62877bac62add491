import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity, enum_column
from app.invoices.models import MONEY, Currency


class MatchedBy(StrEnum):
    PAYMENT_REFERENCE = "payment_reference"  # the KID or OCR number
    INVOICE_ID = "invoice_id"


class Payment(Entity, Base):
    """Money received against one issued invoice.

    `bank_transaction_id`, when the bank gives one, is unique: posting the same bank
    file twice records each payment once.
    """

    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[Currency] = mapped_column(enum_column(Currency, "payment_currency"))
    paid_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(100))
    matched_by: Mapped[MatchedBy] = mapped_column(enum_column(MatchedBy, "payment_matched_by"))
    bank_transaction_id: Mapped[str | None] = mapped_column(String(100), unique=True)
