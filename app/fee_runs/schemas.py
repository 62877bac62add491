"""Request and response shapes of `POST /v1/fee-runs`."""

import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.api.schemas import RequestModel
from app.api.types import JsonInt, MoneyText
from app.invoices.models import Currency


class SkipReason(StrEnum):
    KIND_NOT_BILLABLE = "kind_not_billable"
    APPLICATION_PENDING = "application_pending"
    ORGANISATION_ARCHIVED = "organisation_archived"
    EMPLOYEES_UNKNOWN = "employees_unknown"
    ALREADY_INVOICED = "already_invoiced"
    ZERO_AMOUNT = "zero_amount"


class FeeRunCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "network_id": "5d2f0a8e-2c61-4f0b-9d57-6c1b8e4a2f31",
                    "year": 2026,
                    "dry_run": True,
                }
            ]
        },
    )

    network_id: uuid.UUID
    year: JsonInt = Field(ge=2000, le=2100, examples=[2026])
    dry_run: StrictBool = Field(
        default=False, description="Report what would be created, and create nothing."
    )


class FeeRunCreated(BaseModel):
    membership_id: uuid.UUID
    organisation_id: uuid.UUID
    invoice_id: uuid.UUID | None = Field(description="The draft invoice; null on a dry run.")
    months: int = Field(description="Whole months of the year billed (12: the whole year).")
    amount: MoneyText = Field(description="Net of VAT.")
    payable_amount: MoneyText = Field(description="With VAT.")


class FeeRunSkipped(BaseModel):
    membership_id: uuid.UUID
    organisation_id: uuid.UUID
    reason: SkipReason
    detail: str


class FeeRunSummary(BaseModel):
    network_id: uuid.UUID
    year: int
    dry_run: bool
    seller_id: uuid.UUID
    currency: Currency
    created: list[FeeRunCreated] = Field(
        description="The draft invoices made (or, on a dry run, that would be made)."
    )
    skipped: list[FeeRunSkipped]
    created_count: int
    skipped_count: int
    total_amount: MoneyText = Field(description="The sum of the created invoices' payable amounts.")
