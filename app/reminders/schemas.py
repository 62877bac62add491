"""Reminder runs and the reminders they record."""

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import RequestModel
from app.api.types import IsoDate, MoneyText
from app.invoices.models import Currency
from app.reminders.models import Reminder


class ReminderRunCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"dry_run": True, "as_of": "2026-03-16"}, {}]},
    )

    dry_run: bool = Field(
        default=False, strict=True, description="Report what would be sent; write nothing."
    )
    as_of: IsoDate | None = Field(
        default=None,
        description="The day the run counts from and the reminders are dated; today by default.",
    )


class Reminded(BaseModel):
    invoice_id: uuid.UUID
    number: str
    level: int
    currency: Currency
    fee: MoneyText
    amount_due: MoneyText = Field(description="Of the invoice, reminder fees not included.")
    total_to_pay: MoneyText = Field(description="Amount due plus every reminder fee so far.")
    pay_by: date
    email: str


class SkipReason(StrEnum):
    NO_INVOICE_EMAIL = "no_invoice_email"


class Skipped(BaseModel):
    invoice_id: uuid.UUID
    number: str
    reason: SkipReason


class ReminderRunResult(BaseModel):
    as_of: date
    dry_run: bool
    reminded: list[Reminded]
    skipped: list[Skipped] = Field(
        description="Reminders due but not sent; sent by a later run once the cause is gone."
    )


class ReminderRead(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    level: int
    sent_on: date
    pay_by: date
    fee: MoneyText
    amount_due: MoneyText

    @classmethod
    def of(cls, reminder: Reminder) -> "ReminderRead":
        return cls(
            id=reminder.id,
            invoice_id=reminder.invoice_id,
            level=reminder.level,
            sent_on=reminder.sent_on,
            pay_by=reminder.pay_by,
            fee=reminder.fee,
            amount_due=reminder.amount_due,
        )
