"""The year's plan: what is asked for, and the plan answered."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from app.api.schemas import RequestModel
from app.api.types import JsonInt
from app.meeting_plans.calendar_rules import Weekday
from app.meetings.models import MeetingKind
from app.meetings.schemas import TimeZoneName


class PlanWeekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"

    @property
    def day(self) -> Weekday:
        return Weekday[self.name]


ClockTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$"),
    Field(description="Local time of day, `HH:MM` (24-hour clock).", examples=["09:00"]),
]


class MeetingPlanCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2027,
                    "weekday": "thursday",
                    "start_time": "09:00",
                    "duration_minutes": 180,
                    "time_zone": "Europe/Stockholm",
                    "dry_run": True,
                }
            ]
        },
    )

    year: JsonInt = Field(ge=2000, le=2100, description="The calendar year to plan.")
    weekday: PlanWeekday = Field(
        default=PlanWeekday.THURSDAY, description="The day of the week the meetings fall on."
    )
    start_time: ClockTime = "09:00"
    duration_minutes: JsonInt = Field(default=180, ge=15, le=720)
    time_zone: TimeZoneName | None = Field(
        default=None,
        description="The zone `start_time` is read in and the meetings are held in; "
        "KLYNGE_TIME_ZONE when left out. An unknown zone: 422 `unknown_time_zone`.",
    )
    dry_run: StrictBool = Field(
        default=False, description="Only propose: answer the plan and write nothing."
    )


class PlanState(StrEnum):
    PROPOSED = "proposed"  # a dry run's new meeting, not written
    CREATED = "created"  # written by this request
    EXISTING = "existing"  # written by an earlier run, left as it is
    SKIPPED = "skipped"  # a company visit no member can host: not written (no_eligible_host)


class PlannedMeeting(BaseModel):
    slot: int = Field(description="1 … N for the company visits, 0 for the municipal meeting.")
    kind: MeetingKind
    title: str
    starts_at: datetime = Field(description="In the meeting's own time zone.")
    ends_at: datetime
    time_zone: str
    host_organisation_id: uuid.UUID | None
    host_name: str | None
    place_name: str | None
    place_address: str | None
    meeting_id: uuid.UUID | None = Field(
        description="Null for a dry run's new meetings and for skipped ones."
    )
    state: PlanState = Field(
        description="`created` by this request, `existing` from an earlier run, "
        "`proposed` by a dry run, or `skipped`: a company visit no member company can host "
        "on its day, not created (see `warnings`); a later run creates it once one can."
    )


class PlanWarning(BaseModel):
    slot: int | None = Field(description="The slot it concerns, or null for the whole plan.")
    code: str = Field(examples=["no_eligible_host"])
    detail: str


class MeetingPlan(BaseModel):
    network_id: uuid.UUID
    year: int
    dry_run: bool
    created: int = Field(description="Meetings written by this request.")
    existing: int = Field(description="Meetings of this plan written by an earlier run.")
    meetings: list[PlannedMeeting] = Field(description="In time order.")
    warnings: list[PlanWarning] = Field(
        description="What the plan could not do as asked, e.g. a visit with no member "
        "company to host it, skipped (`no_eligible_host`), or a host without a visiting "
        "address (`host_without_address`)."
    )
