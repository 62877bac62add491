"""What a credit note is made from: the lines to credit (none: all that is left)."""

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from app.api.schemas import RequestModel
from app.api.types import MULTI_LINE, PositiveQuantity


class CreditLineIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    line_id: uuid.UUID = Field(description="A line of the credited invoice.")
    quantity: PositiveQuantity | None = Field(
        default=None,
        description="How much of the line to credit; by default what is left uncredited.",
    )


class CreditNoteCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Membership ended in June: half the fee credited.",
                    "lines": [
                        {"line_id": "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10", "quantity": "0.5"}
                    ],
                },
                {"reason": "Invoiced by mistake."},
            ]
        },
    )

    reason: Annotated[str, MULTI_LINE] | None = Field(
        default=None, max_length=2000, description="Printed on the credit note as its note."
    )
    lines: list[CreditLineIn] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="The lines to credit, each at most once; absent: everything not yet credited.",
    )
