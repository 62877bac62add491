import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import PatchModel, RequestModel
from app.api.types import IsoDate
from app.companies.schemas import CompanyRef
from app.memberships.models import (
    MembershipKind,
    MembershipStatus,
    RepresentativeRole,
)
from app.networks.schemas import NetworkRef
from app.people.schemas import PersonRef


class MembershipInclude(StrEnum):
    ORGANISATION = "organisation"
    NETWORK = "network"
    REPRESENTATIVES = "representatives"


class RepresentativeIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID = Field(description="Must be affiliated with the organisation.")
    role: RepresentativeRole = RepresentativeRole.REPRESENTATIVE


_REPRESENTATIVES_DESCRIPTION = (
    "Named people for the organisation in this network; each person at most once."
)


class MembershipCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10",
                    "network_id": "5d2f0a8e-2c61-4f0b-9d57-6c1b8e4a2f31",
                    "kind": "member",
                    "status": "active",
                    "starts_on": "2026-01-01",
                    "ends_on": None,
                    "representatives": [
                        {
                            "person_id": "9a4e3c2b-7f1d-4e8a-b6c5-2d1f0e9a8b7c",
                            "role": "representative",
                        }
                    ],
                }
            ]
        },
    )

    organisation_id: uuid.UUID
    network_id: uuid.UUID
    kind: MembershipKind = MembershipKind.MEMBER
    status: Literal[MembershipStatus.APPLIED, MembershipStatus.ACTIVE] = Field(
        default=MembershipStatus.APPLIED,
        description="A membership starts as an application or directly active.",
    )
    starts_on: IsoDate = Field(examples=["2026-01-01"])
    ends_on: IsoDate | None = Field(default=None, description="Inclusive; open-ended when null.")
    representatives: list[RepresentativeIn] = Field(
        default_factory=list, max_length=50, description=_REPRESENTATIVES_DESCRIPTION
    )


class MembershipUpdate(PatchModel):
    """Only the fields sent change; `representatives` replaces the whole list."""

    required_fields = frozenset({"kind", "status", "starts_on", "representatives"})

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "active"}, {"ends_on": "2027-12-31"}]},
    )

    kind: MembershipKind | None = None
    status: MembershipStatus | None = Field(
        default=None,
        description="applied→active, active→suspended, suspended→active; "
        "to end a membership use `POST /{id}/end`.",
    )
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    representatives: list[RepresentativeIn] | None = Field(
        default=None, max_length=50, description=_REPRESENTATIVES_DESCRIPTION
    )


class MembershipEnd(RequestModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ends_on": "2026-12-31"}]}
    )

    ends_on: IsoDate | None = Field(
        default=None,
        description="The last day (inclusive); today in KLYNGE_TIME_ZONE if omitted.",
    )


class RepresentativeRead(BaseModel):
    person_id: uuid.UUID
    role: RepresentativeRole
    person: PersonRef | None = Field(
        default=None, description="With `include=representatives`; null otherwise."
    )


class MembershipRead(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    network_id: uuid.UUID
    kind: MembershipKind
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    representatives: list[RepresentativeRead]
    organisation: CompanyRef | None = Field(
        default=None, description="With `include=organisation`; null otherwise."
    )
    network: NetworkRef | None = Field(
        default=None, description="With `include=network`; null otherwise."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class MembershipEnded(BaseModel):
    membership: MembershipRead
    ended_dependents: list[MembershipRead] = Field(
        description="Memberships in child networks that require this one, ended on the "
        "same date (and so on down the tree)."
    )
