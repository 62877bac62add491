import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity
from app.invoices.models import MONEY


class Reminder(Entity, Base):
    """One reminder level sent for one overdue invoice; the unique key means never twice."""

    __tablename__ = "invoice_reminders"
    __table_args__ = (
        UniqueConstraint("invoice_id", "level"),
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int]
    sent_on: Mapped[date]
    # The new date to pay by, stated in the reminder.
    pay_by: Mapped[date]
    fee: Mapped[Decimal] = mapped_column(MONEY)
    amount_due: Mapped[Decimal] = mapped_column(MONEY)
