import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas import PatchModel, RequestModel
from app.api.types import Email
from app.companies.schemas import CompanyRef
from app.people.models import Position

FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

Phone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=40, pattern=r"^[0-9 +()\-]*[0-9][0-9 +()\-]*$"
    ),
    Field(description="Digits, spaces, `+`, `-` and parentheses.", examples=["+47 400 00 000"]),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]

# A person represents a handful of organisations; the cap bounds the checks per request.
MAX_AFFILIATIONS = 20


class PersonInclude(StrEnum):
    ORGANISATIONS = "organisations"


class AffiliationWrite(RequestModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: uuid.UUID
    position: Position
    title: Title | None = Field(default=None, examples=["Administrerende direktør"])


Affiliations = Annotated[
    list[AffiliationWrite],
    Field(
        max_length=MAX_AFFILIATIONS,
        description="At most one entry per organisation; the organisations must exist and "
        "not be archived.",
    ),
]


class PersonCreate(RequestModel):
    full_name: FullName
    email: Email | None = Field(default=None, description="Unique; stored lower-cased.")
    phone: Phone | None = None
    affiliations: Affiliations = Field(default=[])

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Kari Nordmann",
                    "email": "kari.nordmann@example.no",
                    "phone": "+47 400 00 000",
                    "affiliations": [
                        {
                            "organisation_id": "3f0c2a4e-8d1b-4c6e-9a7f-1b2c3d4e5f60",
                            "position": "site_manager",
                            "title": "Fabrikksjef",
                        }
                    ],
                }
            ]
        },
    )


class PersonUpdate(PatchModel):
    """Every field optional; `affiliations`, when sent, replaces the whole list."""

    required_fields = frozenset({"full_name", "affiliations"})

    full_name: FullName | None = None
    email: Email | None = None
    phone: Phone | None = None
    affiliations: Affiliations | None = None


class AffiliationRead(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    position: Position
    title: str | None
    organisation: CompanyRef | None = Field(
        default=None, description="Only with `include=organisations`."
    )


class PersonRead(BaseModel):
    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    affiliations: list[AffiliationRead]
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class PersonRef(BaseModel):
    """A short reference to a person, embedded by other resources' `include=`."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    email: str | None
