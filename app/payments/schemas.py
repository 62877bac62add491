"""Payments as the API takes and shows them; a bank file is a list of the same."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
)

from app.api.schemas import RequestModel
from app.api.types import IsoDate, MoneyText, PositiveMoneyAmount
from app.invoices import balance
from app.invoices.models import Currency, Invoice, InvoiceStatus
from app.payments.models import MatchedBy, Payment

Reference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="The KID (NOK) or OCR number (SEK) as the bank reports it; spaces are ignored.",
    ),
]
BankTransactionId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="The bank's own id of the transaction: a payment with an id already "
        "recorded is not recorded again.",
    ),
]


class _PaymentFields(RequestModel):
    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoneyAmount = Field(description="More than zero, in `currency`.")
    currency: Currency
    paid_on: IsoDate
    reference: Reference | None = None
    invoice_id: uuid.UUID | None = Field(
        default=None, description="Match this invoice instead of looking up `reference`."
    )
    bank_transaction_id: BankTransactionId | None = None

    @field_validator("reference")
    @classmethod
    def _compact(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = "".join(value.split())
        if not compact:
            raise ValueError("a reference has characters other than spaces")
        return compact


_EXAMPLE: dict[str, JsonValue] = {
    "amount": "1250.00",
    "currency": "NOK",
    "paid_on": "2026-03-02",
    "reference": "20260000424",
    "bank_transaction_id": "NO-2026-03-02-000117",
}


class PaymentCreate(_PaymentFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    seller_id: uuid.UUID | None = Field(
        default=None,
        description="The seller the money was paid to: narrows matching by `reference` "
        "when several sellers' invoices share one.",
    )


class BankFilePayment(_PaymentFields):
    pass


class BankFile(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "seller_id": None,
                    "payments": [
                        _EXAMPLE,
                        {
                            "amount": "500.00",
                            "currency": "NOK",
                            "paid_on": "2026-03-02",
                            "reference": "20260000432",
                            "bank_transaction_id": "NO-2026-03-02-000118",
                        },
                    ],
                }
            ]
        },
    )

    seller_id: uuid.UUID | None = Field(
        default=None, description="The seller whose account the file is from."
    )
    payments: list[BankFilePayment] = Field(min_length=1, max_length=5000)


class PaymentRead(BaseModel):
    id: uuid.UUID
    invoice_id: uuid.UUID
    amount: MoneyText
    currency: Currency
    paid_on: date
    reference: str | None
    matched_by: MatchedBy
    bank_transaction_id: str | None
    created_at: datetime
    version: int

    @classmethod
    def of(cls, payment: Payment) -> "PaymentRead":
        return cls(
            id=payment.id,
            invoice_id=payment.invoice_id,
            amount=payment.amount,
            currency=payment.currency,
            paid_on=payment.paid_on,
            reference=payment.reference,
            matched_by=payment.matched_by,
            bank_transaction_id=payment.bank_transaction_id,
            created_at=payment.created_at,
            version=payment.version,
        )


class InvoiceBalance(BaseModel):
    """The paid invoice as the payment left it."""

    id: uuid.UUID
    number: str | None
    status: InvoiceStatus
    currency: Currency
    payable_amount: MoneyText
    amount_paid: MoneyText
    amount_credited: MoneyText
    amount_due: MoneyText
    overpaid_amount: MoneyText = Field(description="Paid beyond what is owed: to refund.")
    paid_on: date | None

    @classmethod
    def of(cls, invoice: Invoice) -> "InvoiceBalance":
        return cls(
            id=invoice.id,
            number=invoice.number,
            status=invoice.status,
            currency=invoice.currency,
            payable_amount=invoice.payable_amount,
            amount_paid=invoice.amount_paid,
            amount_credited=invoice.amount_credited,
            amount_due=balance.amount_due(invoice),
            overpaid_amount=balance.overpaid_amount(invoice),
            paid_on=invoice.paid_on,
        )


class PaymentRecorded(PaymentRead):
    invoice: InvoiceBalance


class UnmatchedReason(StrEnum):
    UNMATCHED = "unmatched"
    INVALID_REFERENCE = "invalid_reference"
    AMBIGUOUS = "ambiguous"
    CURRENCY_MISMATCH = "currency_mismatch"
    INVOICE_NOT_ISSUED = "invoice_not_issued"


class RecordedLine(BaseModel):
    index: int = Field(description="The payment's position in the file, from 0.")
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str | None
    amount: MoneyText
    invoice_status: InvoiceStatus = Field(description="After this payment.")


class UnmatchedLine(BaseModel):
    index: int
    reference: str | None
    amount: MoneyText
    reason: UnmatchedReason


class DuplicateLine(BaseModel):
    index: int
    bank_transaction_id: str


class BankFileResult(BaseModel):
    recorded: list[RecordedLine]
    unmatched: list[UnmatchedLine]
    duplicates: list[DuplicateLine] = Field(
        description="Payments whose `bank_transaction_id` was recorded before (or earlier "
        "in the same file): not recorded again."
    )
