"""Request and response shapes of `/v1/fee-schedules`.

The shapes only; the rules that span a line's fields are in app/fee_schedules/lines.py.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE, JsonInt, MoneyAmount, MoneyText, VatRate
from app.fee_schedules.models import FeeSchedule
from app.invoices.models import Currency, VatCategory
from app.memberships.models import MembershipKind
from app.text import NOT_BLANK_LINE_PATTERN

Description = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=300, pattern=NOT_BLANK_LINE_PATTERN
    ),
]
ExemptionReason = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=300, pattern=NOT_BLANK_LINE_PATTERN
    ),
]
InvoiceText = Annotated[str, StringConstraints(max_length=2000), MULTI_LINE]
Year = Annotated[JsonInt, Field(ge=2000, le=2100, examples=[2026])]
PaymentTermsDays = Annotated[JsonInt, Field(ge=0, le=365, examples=[30])]
BillableKinds = Annotated[
    list[MembershipKind],
    Field(
        min_length=1,
        max_length=3,
        description="The membership kinds that pay; each at most once.",
        examples=[["member"]],
        json_schema_extra={"uniqueItems": True},
    ),
]

_EXAMPLE: dict[str, Any] = {
    "network_id": "5d2f0a8e-2c61-4f0b-9d57-6c1b8e4a2f31",
    "year": 2026,
    "currency": "NOK",
    "payment_terms_days": 30,
    "invoice_text": "Medlemskontingent for 2026.",
    "billable_kinds": ["member"],
    "lines": [
        {
            "description": "Administrasjonsgebyr",
            "tiers": [
                {"min_employees": 0, "amount": "5000.00"},
                {"min_employees": 50, "amount": "12000.00"},
                {"min_employees": 250, "amount": "25000.00"},
            ],
            "vat_category": "S",
            "vat_rate": "25.00",
        },
        {
            "description": "Kurs og seminarer",
            "amount": "1500.00",
            "vat_category": "E",
            "vat_exemption_reason": "Unntatt etter merverdiavgiftsloven § 3-5",
        },
    ],
}


class FeeTier(RequestModel):
    model_config = ConfigDict(extra="forbid")

    min_employees: JsonInt = Field(ge=0, le=10_000_000, description="From this many employees up.")
    amount: MoneyAmount = Field(description="The annual amount, net of VAT.")


class FeeLineIn(RequestModel):
    """One fee line: `amount` for everyone, or `tiers` by the organisation's employees.

    The rules across fields (one of `amount` and `tiers`, tiers ascending, the VAT
    category's rate and reason) are the service's (app/fee_schedules/lines.py), answered
    with their own problem codes: JSON Schema cannot say them, and a body the schema calls
    valid must not fail schema validation."""

    model_config = ConfigDict(extra="forbid")

    description: Description
    amount: MoneyAmount | None = Field(
        default=None, description="A flat annual amount, net of VAT; or give `tiers`."
    )
    tiers: list[FeeTier] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="The annual amount by number of employees: the first tier starts at 0 "
        "and each next one at more employees; an organisation pays its highest reached tier.",
    )
    vat_category: VatCategory
    vat_rate: VatRate | None = Field(
        default=None, description="Per cent; S: above zero (25.00 when left out); E and O: 0."
    )
    vat_exemption_reason: ExemptionReason | None = Field(
        default=None, description="Required for E; optional for O; refused for S."
    )


Lines = Annotated[list[FeeLineIn], Field(min_length=1, max_length=20)]


def _unique_kinds(kinds: list[MembershipKind] | None) -> None:
    # The schema says `uniqueItems` too, so a schema-valid body never fails here.
    if kinds is not None and len(set(kinds)) != len(kinds):
        raise ValueError("`billable_kinds` names each kind at most once")


class FeeScheduleCreate(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    network_id: uuid.UUID
    year: Year
    currency: Currency
    payment_terms_days: PaymentTermsDays | None = Field(
        default=None,
        description="Days from issue to due date; when left out, the administering "
        "association's default (its invoice settings), else 30.",
    )
    invoice_text: InvoiceText | None = Field(
        default=None, description="Printed on every invoice of the run (the invoice note)."
    )
    billable_kinds: BillableKinds = Field(default_factory=lambda: [MembershipKind.MEMBER])
    lines: Lines

    @model_validator(mode="after")
    def _check(self) -> "FeeScheduleCreate":
        _unique_kinds(self.billable_kinds)
        return self


class FeeScheduleUpdate(PatchModel):
    """Only the fields sent change; `lines` replaces every line. The network and the
    year are the schedule's identity: delete and create to move it."""

    required_fields = frozenset({"currency", "payment_terms_days", "billable_kinds", "lines"})
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"payment_terms_days": 20}, {"invoice_text": None}]},
    )

    currency: Currency | None = None
    payment_terms_days: PaymentTermsDays | None = None
    invoice_text: InvoiceText | None = None
    billable_kinds: BillableKinds | None = None
    lines: Lines | None = None

    @model_validator(mode="after")
    def _check_kinds(self) -> "FeeScheduleUpdate":
        _unique_kinds(self.billable_kinds)
        return self


class FeeTierRead(BaseModel):
    min_employees: int
    amount: MoneyText


class FeeLineRead(BaseModel):
    description: str
    amount: MoneyText | None
    tiers: list[FeeTierRead] | None
    vat_category: VatCategory
    vat_rate: MoneyText
    vat_exemption_reason: str | None


class FeeScheduleRead(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    year: int
    currency: Currency
    payment_terms_days: int
    invoice_text: str | None
    billable_kinds: list[MembershipKind]
    lines: list[FeeLineRead]
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")

    @classmethod
    def of(cls, schedule: FeeSchedule) -> "FeeScheduleRead":
        return cls(
            id=schedule.id,
            network_id=schedule.network_id,
            year=schedule.year,
            currency=schedule.currency,
            payment_terms_days=schedule.payment_terms_days,
            invoice_text=schedule.invoice_text,
            billable_kinds=[MembershipKind(kind) for kind in schedule.billable_kinds],
            lines=[FeeLineRead.model_validate(line) for line in schedule.lines],
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
            version=schedule.version,
        )
