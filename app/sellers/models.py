"""What an association needs to send invoices: its bank account and invoice settings."""

import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, enum_column
from app.invoices.models import MONEY, KidAlgorithm


class SellerSettings(Entity, Base):
    """One association's invoice settings; served at `/v1/companies/{id}/invoice-settings`.

    The seller's VAT registration is its organisation's `vat_number` (none: not
    registered); the rest of what invoices print about the seller lives here.
    """

    __tablename__ = "seller_settings"
    __table_args__ = (
        CheckConstraint("default_payment_terms_days >= 0", name="payment_terms_not_negative"),
        CheckConstraint("first_reminder_after_days >= 1", name="first_reminder_after_a_day"),
        CheckConstraint("next_reminder_after_days >= 1", name="next_reminder_after_a_day"),
        CheckConstraint("reminder_levels >= 0 AND reminder_levels <= 5", name="reminder_levels"),
        CheckConstraint("reminder_fee IS NULL OR reminder_fee >= 0", name="reminder_fee"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    # The domestic account payments go to: a Norwegian kontonummer (11 digits) or a
    # Swedish bankgiro number; IBAN and BIC for payers abroad.
    bank_account: Mapped[str] = mapped_column(String(34))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    # Norway: registered in Foretaksregisteret (printed after the organisation number).
    in_business_register: Mapped[bool] = mapped_column(default=False)
    # Sweden: approved for F-tax ("Godkänd för F-skatt" is printed).
    approved_for_f_tax: Mapped[bool] = mapped_column(default=False)
    kid_algorithm: Mapped[KidAlgorithm] = mapped_column(
        enum_column(KidAlgorithm, "kid_algorithm"), default=KidAlgorithm.MOD10
    )
    default_payment_terms_days: Mapped[int] = mapped_column(default=30)
    first_reminder_after_days: Mapped[int] = mapped_column(default=14)
    next_reminder_after_days: Mapped[int] = mapped_column(default=14)
    reminder_levels: Mapped[int] = mapped_column(default=2)
    reminder_fee: Mapped[Decimal | None] = mapped_column(MONEY)
    # Where buyers write about invoices; printed on the invoice and the reminders' Reply-To.
    contact_email: Mapped[str | None] = mapped_column(String(320))

    organisation: Mapped[Organisation] = relationship(lazy="raise")
