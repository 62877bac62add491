"""Request and response shapes of `/v1/meetings`."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE
from app.companies.schemas import CompanyRef
from app.meetings.models import MeetingKind, MeetingStatus, MinutesStatus
from app.meetings.times import MeetingTime
from app.networks.schemas import NetworkRef
from app.text import LINK_PATTERN, NOT_BLANK_LINE_PATTERN


class PersonName(BaseModel):
    """A person from the registry as a meeting's records name them (a presenter, an
    assignee): no contact details."""

    id: uuid.UUID
    full_name: str


class MeetingInclude(StrEnum):
    NETWORK = "network"
    HOST = "host"


# Not blank: a title of blanks would be empty once stripped; the schema says so too.
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK_LINE_PATTERN
    ),
]
Description = Annotated[str, StringConstraints(max_length=5000), MULTI_LINE]
PlaceName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
PlaceAddress = Annotated[str, StringConstraints(min_length=1, max_length=500)]
OnlineUrl = Annotated[
    str,
    StringConstraints(max_length=2000, pattern=LINK_PATTERN),
    Field(
        description="An http or https link to join online.", examples=["https://meet.example/q1"]
    ),
]
TimeZoneName = Annotated[
    str,
    StringConstraints(max_length=64),
    Field(
        description="The IANA zone the meeting is held in, spelt exactly (`Europe/Oslo`, "
        "`Europe/Stockholm`); unknown names are 422 `unknown_time_zone`.",
        examples=["Europe/Oslo"],
    ),
]
HostId = Annotated[
    uuid.UUID,
    Field(
        description="Required for `company_visit` (a member company on the meeting's day) and "
        "`municipal` (the network's administering association or a public body); optional "
        "and any organisation for `regular` and `event`."
    ),
]
_PLACE = "A place (`place_name`) or an `online_url`, or both, is required."


class MeetingCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "network_id": "5d2f0a8e-2c61-4f0b-9d57-6c1b8e4a2f31",
                    "kind": "regular",
                    "title": "Process council, first quarter",
                    "description": "Energy prices and apprenticeships.",
                    "starts_at": "2027-03-11T09:00:00+01:00",
                    "ends_at": "2027-03-11T12:00:00+01:00",
                    "time_zone": "Europe/Oslo",
                    "place_name": "Herøya Forskningspark",
                    "place_address": "Hydrovegen 55, 3936 Porsgrunn",
                    "online_url": "https://meet.example/process-council-q1",
                }
            ]
        },
    )

    network_id: uuid.UUID
    kind: MeetingKind
    title: Title
    description: Description | None = None
    starts_at: MeetingTime
    ends_at: MeetingTime
    time_zone: TimeZoneName
    place_name: PlaceName | None = Field(default=None, description=_PLACE)
    place_address: PlaceAddress | None = None
    online_url: OnlineUrl | None = None
    host_organisation_id: HostId | None = None


class MeetingUpdate(PatchModel):
    """Only the fields sent change; `null` clears the optional ones. The network never
    changes: a meeting of another network is another meeting."""

    required_fields = frozenset({"kind", "title", "starts_at", "ends_at", "time_zone", "status"})

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "confirmed"},
                {"starts_at": "2027-03-11T10:00:00", "ends_at": "2027-03-11T13:00:00"},
            ]
        },
    )

    kind: MeetingKind | None = None
    title: Title | None = None
    description: Description | None = None
    starts_at: MeetingTime | None = None
    ends_at: MeetingTime | None = None
    time_zone: TimeZoneName | None = Field(
        default=None,
        description="Sent alone, the instants stay and are shown in the new zone; send "
        "`starts_at`/`ends_at` with it to keep the wall-clock times.",
    )
    place_name: PlaceName | None = Field(default=None, description=_PLACE)
    place_address: PlaceAddress | None = None
    online_url: OnlineUrl | None = None
    host_organisation_id: HostId | None = None
    status: MeetingStatus | None = Field(
        default=None,
        description="planned→confirmed (invites the member companies' representatives), "
        "planned→cancelled, confirmed→held (once started), confirmed→cancelled.",
    )


class AnswerCounts(BaseModel):
    accepted: int
    declined: int
    tentative: int
    unanswered: int = Field(description="Participants who have not answered.")


class AttendanceCounts(BaseModel):
    attended: int
    absent: int
    unrecorded: int = Field(description="Participants whose attendance is not recorded.")


class MeetingRead(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    kind: MeetingKind
    title: str
    description: str | None
    starts_at: datetime = Field(description="In the meeting's zone, with that day's offset.")
    ends_at: datetime = Field(description="In the meeting's zone, with that day's offset.")
    time_zone: str
    place_name: str | None
    place_address: str | None
    online_url: str | None
    host_organisation_id: uuid.UUID | None
    status: MeetingStatus
    sequence: int = Field(
        description="The iCalendar SEQUENCE: rises when the time, zone, place or link "
        "changes, and on cancellation."
    )
    minutes_status: MinutesStatus | None
    minutes_published_at: datetime | None
    plan_year: int | None = Field(description="Set on meetings made by the year's plan.")
    plan_slot: int | None
    answers: AnswerCounts = Field(description="The participants' answers to the invitation.")
    attendance: AttendanceCounts | None = Field(
        description="Once the meeting has started (or is held); null before, and for a "
        "cancelled meeting."
    )
    network: NetworkRef | None = Field(
        default=None,
        description="With `include=network`; null otherwise, and for a meeting of a "
        "network the caller may not see (one they see through their invitation only).",
    )
    host: CompanyRef | None = Field(
        default=None, description="With `include=host`; null otherwise or without a host."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")
