import uuid
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity, enum_column
from app.invoices.models import Currency


class FeeSchedule(Entity, Base):
    """What a network's members pay for one year; the fee run bills by it.

    `lines` is a list of fee lines, each a flat `amount` or `tiers` by number of
    employees, with its VAT category (schema: app/fee_schedules/schemas.py).
    `billable_kinds` lists the membership kinds that pay.
    """

    __tablename__ = "fee_schedules"
    __table_args__ = (
        UniqueConstraint("network_id", "year"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
    )

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int]
    currency: Mapped[Currency] = mapped_column(enum_column(Currency, "fee_currency"))
    payment_terms_days: Mapped[int]
    invoice_text: Mapped[str | None] = mapped_column(Text)
    billable_kinds: Mapped[list[str]] = mapped_column(JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
