import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE, JsonInt
from app.companies.schemas import CompanyRef
from app.networks.models import NetworkStatus, Visibility
from app.offices.schemas import OfficeHolder

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100),
    Field(
        description="Lower-case words joined by `-`; unique among the networks with the same "
        "parent (and among root networks).",
        examples=["gic-offshore-forum"],
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000), MULTI_LINE]
MeetingsPerYear = Annotated[JsonInt, Field(ge=0, le=52, description="The planned meeting cadence.")]

_ADMINISTERED_BY = (
    "The administering association (an organisation of kind `association`). Left out or "
    "`null`, it is inherited from the parent network and follows the parent's changes."
)
_MUNICIPALITY = (
    "The public body (an organisation of kind `public_body`, e.g. the municipality) the "
    "network meets once a year, hosts alternating with the administering association; the "
    "year's plan (`POST /v1/networks/{network_id}/meeting-plans`) adds that meeting. "
    "`null`: no such yearly meeting."
)


class NetworkCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "parent_id": "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10",
                    "slug": "gic-process-industry-council",
                    "name": "GIC Process industry council",
                    "description": "Top managers and union representatives of the larger "
                    "process companies.",
                    "visibility": "closed",
                    "status": "active",
                    "meetings_per_year": 4,
                    "requires_parent_membership": True,
                }
            ]
        },
    )

    parent_id: uuid.UUID | None = Field(default=None, description="Null for a root network.")
    slug: Slug
    name: Name
    description: Description | None = None
    visibility: Visibility = Field(
        description="`open`: anyone sees it and members may join; `closed`: only its members "
        "and the secretariat see it."
    )
    status: NetworkStatus = Field(
        default=NetworkStatus.PLANNED, description="`planned` is a network under development."
    )
    meetings_per_year: MeetingsPerYear = 0
    requires_parent_membership: StrictBool = Field(
        default=False, description="Members must also be members of the parent network."
    )
    administered_by_id: uuid.UUID | None = Field(default=None, description=_ADMINISTERED_BY)
    municipality_id: uuid.UUID | None = Field(default=None, description=_MUNICIPALITY)


class NetworkUpdate(PatchModel):
    """Every field optional: only the fields sent change.

    `parent_id: null` makes the network a root; `administered_by_id: null` inherits the
    administrator from the parent again.
    """

    required_fields = frozenset(
        {"slug", "name", "visibility", "status", "meetings_per_year", "requires_parent_membership"}
    )

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "archived"}]}
    )

    parent_id: uuid.UUID | None = None
    slug: Slug | None = None
    name: Name | None = None
    description: Description | None = None
    visibility: Visibility | None = None
    status: NetworkStatus | None = Field(
        default=None,
        description="planned → active | archived, active → archived, archived → active.",
    )
    meetings_per_year: MeetingsPerYear | None = None
    requires_parent_membership: StrictBool | None = None
    administered_by_id: uuid.UUID | None = Field(default=None, description=_ADMINISTERED_BY)
    municipality_id: uuid.UUID | None = Field(default=None, description=_MUNICIPALITY)


class NetworkRef(BaseModel):
    """A short reference to a network: a network's `include=parent`, a membership's
    `include=network`."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    visibility: Visibility
    status: NetworkStatus


class NetworkRead(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None = Field(
        description="Null for a root network, and where the caller may not see the parent."
    )
    slug: str
    name: str
    description: str | None
    visibility: Visibility
    status: NetworkStatus
    meetings_per_year: int
    requires_parent_membership: bool
    administered_by_id: uuid.UUID | None = Field(
        description="The effective administering association, set here or inherited."
    )
    administered_by_inherited: bool = Field(
        description="True when `administered_by_id` comes from the parent network."
    )
    municipality_id: uuid.UUID | None = Field(description=_MUNICIPALITY)
    office_holders: list[OfficeHolder] = Field(description="The terms covering today, chair first.")
    parent: NetworkRef | None = Field(
        default=None,
        description="With `include=parent`; null otherwise, and for a parent the caller "
        "may not see.",
    )
    administered_by: CompanyRef | None = Field(
        default=None, description="With `include=administered_by`; null otherwise."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class NetworkStats(BaseModel):
    network_id: uuid.UUID
    as_of: date = Field(description="The day the figures describe.")
    member_count: int = Field(
        description="Organisations with an active `member` membership covering the day."
    )
    partner_count: int
    observer_count: int
    total_employees: int = Field(description="Summed over the members; unknown counts as 0.")
    total_apprentices: int = Field(description="Summed over the members; unknown counts as 0.")
