import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import PatchModel, RequestModel
from app.api.types import IsoDate
from app.offices.models import OfficeKind


class OfficeTermCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": "5b0e6a8e-2f6b-4d7e-9a57-7f0d3c1e9b21",
                    "office": "chair",
                    "starts_on": "2026-01-01",
                }
            ]
        },
    )

    person_id: uuid.UUID
    office: OfficeKind
    starts_on: IsoDate = Field(description="The first day in office.")
    ends_on: IsoDate | None = Field(
        default=None,
        description="The last day in office (inclusive). Left out, a chair's term runs two "
        "years (to the day before the second anniversary) and other offices stay open; "
        "`null` leaves any term open-ended.",
    )


class OfficeTermUpdate(PatchModel):
    """Moves a term's dates, e.g. `ends_on` to step down early; `null` opens the end."""

    required_fields = frozenset({"starts_on"})

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ends_on": "2026-06-30"}]}
    )

    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None


class OfficeTermRead(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    office: OfficeKind
    starts_on: date
    ends_on: date | None = Field(description="Inclusive; null while the term is open-ended.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class OfficeHolder(BaseModel):
    """A current term, embedded in a network."""

    id: uuid.UUID
    office: OfficeKind
    person_id: uuid.UUID
    person_name: str
    starts_on: date
    ends_on: date | None
