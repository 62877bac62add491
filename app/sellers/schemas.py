"""Request and response bodies of a seller's invoice settings."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from app.api.schemas import RequestModel
from app.api.types import Email, JsonInt, MoneyAmount, MoneyText
from app.invoices.models import KidAlgorithm

_BANK_ACCOUNT = (
    "Where payments go: for a Norwegian seller a kontonummer (11 digits, MOD11; dots and "
    "spaces allowed), for a Swedish seller a bankgiro number (7 or 8 digits, Luhn; "
    "`5050-1055` allowed). Stored and answered as digits only."
)


class SellerSettingsWrite(RequestModel):
    """The whole settings (PUT replaces them): fields left out take their defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bank_account": "1234.56.78903",
                    "iban": "NO9386011117947",
                    "bic": "DNBANOKKXXX",
                    "in_business_register": True,
                    "approved_for_f_tax": False,
                    "kid_algorithm": "mod10",
                    "default_payment_terms_days": 30,
                    "first_reminder_after_days": 14,
                    "next_reminder_after_days": 14,
                    "reminder_levels": 2,
                    "reminder_fee": "70.00",
                    "contact_email": "faktura@forening.test",
                }
            ]
        },
    )

    bank_account: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=34)
    ] = Field(description=_BANK_ACCOUNT)
    iban: Annotated[str, StringConstraints(strip_whitespace=True, max_length=42)] | None = Field(
        default=None, description="For payers abroad; spaces allowed, stored compact."
    )
    bic: Annotated[str, StringConstraints(strip_whitespace=True, max_length=11)] | None = None
    in_business_register: StrictBool = Field(
        default=False, description="Norway: registered in Foretaksregisteret."
    )
    approved_for_f_tax: StrictBool = Field(
        default=False, description="Sweden: approved for F-tax (Godkänd för F-skatt)."
    )
    kid_algorithm: KidAlgorithm = Field(
        default=KidAlgorithm.MOD10, description="The KID check digit of NOK invoices."
    )
    default_payment_terms_days: Annotated[JsonInt, Field(ge=0, le=365)] = 30
    first_reminder_after_days: Annotated[JsonInt, Field(ge=1, le=365)] = 14
    next_reminder_after_days: Annotated[JsonInt, Field(ge=1, le=365)] = 14
    reminder_levels: Annotated[JsonInt, Field(ge=0, le=5)] = 2
    reminder_fee: MoneyAmount | None = Field(
        default=None, description="Charged per reminder; none when null."
    )
    contact_email: Email | None = None


class SellerSettingsRead(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    bank_account: str
    iban: str | None
    bic: str | None
    in_business_register: bool
    approved_for_f_tax: bool
    kid_algorithm: KidAlgorithm
    default_payment_terms_days: int
    first_reminder_after_days: int
    next_reminder_after_days: int
    reminder_levels: int
    reminder_fee: MoneyText | None
    contact_email: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")
