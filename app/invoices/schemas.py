"""Request and response bodies of invoices (and the credit notes that share their shape).

Money, quantities and rates travel as strings (`"1250.00"`), never as JSON numbers.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from app.api.schemas import PatchModel, RequestModel
from app.api.types import (
    MULTI_LINE,
    IsoDate,
    JsonInt,
    MoneyAmount,
    MoneyText,
    PositiveQuantity,
    VatRate,
)
from app.codelists.fields import UnitCode
from app.companies.models import Language
from app.invoices.fields import ExchangeRate
from app.invoices.models import (
    Currency,
    InvoiceKind,
    InvoiceStatus,
    VatCategory,
)


def _plain(value: Decimal) -> str:
    """`1.5000` and `1.5` alike as `1.5`, `100` as `100`: one form, however stored."""
    return f"{value.normalize():f}"


# A quantity or an exchange rate, without trailing zeros ("1.5", "0.987654").
DecimalText = Annotated[
    Decimal,
    PlainSerializer(_plain, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$", "examples": ["1.5"]}),
]

_LINE_EXAMPLE: Any = {
    "description": "Medlemskontingent 2026",
    "quantity": "1",
    "unit_price": "12500.00",
    "unit_code": "EA",
    "vat_category": "S",
    "vat_rate": "25.00",
}


# Beyond any real fee, and far inside what the amount columns hold.
MAX_LINE_AMOUNT = Decimal("1000000000.00")


class LineIn(RequestModel):
    """One invoice line. `vat_rate`: category S defaults to 25.00 and must be above
    zero; E and O have rate 0 (send none or 0). E needs `vat_exemption_reason`; O
    defaults it to "Outside the scope of VAT"."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_LINE_EXAMPLE]})

    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ]
    quantity: PositiveQuantity = Field(description="More than zero; up to four decimals.")
    unit_price: MoneyAmount = Field(description="Net of VAT; up to two decimals.")
    unit_code: UnitCode = Field(
        default="EA", description="UN/ECE Recommendation 20 unit (EA each, HUR hour, …)."
    )
    vat_category: VatCategory = Field(description="S standard, E exempt, O outside scope.")
    vat_rate: VatRate | None = Field(default=None, description="Per cent; S defaults to 25.00.")
    vat_exemption_reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None


Lines = Annotated[list[LineIn], Field(min_length=1, max_length=500)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(max_length=2000), MULTI_LINE]
PaymentTerms = Annotated[JsonInt, Field(ge=0, le=365)]


class InvoiceCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "seller_id": "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10",
                    "buyer_id": "5d2f0a8e-2c61-4f0b-9d57-6c1b8e4a2f31",
                    "currency": "NOK",
                    "payment_terms_days": 30,
                    "delivery_starts_on": "2026-01-01",
                    "delivery_ends_on": "2026-12-31",
                    "buyer_reference": "PO 4711",
                    "lines": [_LINE_EXAMPLE],
                }
            ]
        },
    )

    seller_id: uuid.UUID = Field(description="An association with invoice settings.")
    buyer_id: uuid.UUID
    currency: Currency
    language: Language | None = Field(default=None, description="The buyer's by default.")
    payment_terms_days: PaymentTerms | None = Field(
        default=None, description="The seller's `default_payment_terms_days` by default."
    )
    delivery_starts_on: IsoDate | None = None
    delivery_ends_on: IsoDate | None = None
    buyer_reference: Reference | None = None
    note: Note | None = None
    vat_exchange_rate: ExchangeRate | None = Field(
        default=None,
        description="Seller's currency per unit of `currency`: needed to issue an invoice "
        "with VAT in another currency than the seller's own.",
    )
    lines: Lines


class InvoiceUpdate(PatchModel):
    """Only the fields sent change; `lines` replaces every line. Drafts only."""

    required_fields = frozenset({"currency", "language", "payment_terms_days", "lines"})

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"payment_terms_days": 14}, {"lines": [_LINE_EXAMPLE]}],
        },
    )

    currency: Currency | None = None
    language: Language | None = None
    payment_terms_days: PaymentTerms | None = None
    delivery_starts_on: IsoDate | None = None
    delivery_ends_on: IsoDate | None = None
    buyer_reference: Reference | None = None
    note: Note | None = None
    vat_exchange_rate: ExchangeRate | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)] | None = None


class LineRead(BaseModel):
    id: uuid.UUID
    position: int
    description: str
    quantity: DecimalText
    unit_code: str
    unit_price: MoneyText
    line_amount: MoneyText
    vat_category: VatCategory
    vat_rate: MoneyText
    vat_exemption_reason: str | None
    credited_line_id: uuid.UUID | None


class VatGroupRead(BaseModel):
    category: VatCategory
    rate: MoneyText
    taxable_amount: MoneyText
    tax_amount: MoneyText
    exemption_reason: str | None


class InvoiceRead(BaseModel):
    id: uuid.UUID
    kind: InvoiceKind
    status: InvoiceStatus
    number: str | None = Field(description="Given at issue: `2026-000042`; null on drafts.")
    sequence_number: int | None
    seller_id: uuid.UUID
    buyer_id: uuid.UUID
    network_id: uuid.UUID | None
    membership_id: uuid.UUID | None
    fee_year: int | None
    credited_invoice_id: uuid.UUID | None
    currency: Currency
    language: Language
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int
    delivery_starts_on: date | None
    delivery_ends_on: date | None
    buyer_reference: str | None
    note: str | None
    payment_reference: str | None = Field(description="KID (NOK) or OCR (SEK), from issue.")
    vat_exchange_rate: DecimalText | None
    seller: dict[str, Any] | None = Field(description="The seller as frozen at issue.")
    buyer: dict[str, Any] | None = Field(description="The buyer as frozen at issue.")
    lines: list[LineRead]
    vat_breakdown: list[VatGroupRead]
    line_extension_amount: MoneyText
    tax_amount: MoneyText
    payable_amount: MoneyText
    amount_paid: MoneyText
    amount_credited: MoneyText
    amount_due: MoneyText = Field(description="What the buyer still has to pay.")
    overpaid_amount: MoneyText
    reminder_level: int
    reminder_fees: MoneyText
    issued_at: datetime | None
    paid_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")
