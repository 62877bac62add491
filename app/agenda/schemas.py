"""Request and response shapes of a meeting's agenda items.

People on an agenda (the presenter from the registry, the guests invited to one item) are
personal data: a read carries them only for the network's managers and members, and
`null` for everyone else who sees the meeting (the public, other networks' members, a
partner invited from outside). An item's minutes (`notes`, `decisions`, action items) are
not part of it here; the minutes routes show them under their own rules.
"""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE, JsonInt
from app.meetings.schemas import PersonName
from app.participants.models import ParticipantRole

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=5000), MULTI_LINE]
PresenterName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
PlannedMinutes = Annotated[
    JsonInt, Field(gt=0, le=1440, description="Minutes planned for the item (at most a day).")
]
# Far above any agenda; bounded so no value can overflow the column.
MAX_POSITION = 10_000
MAX_ITEMS_IN_ORDER = 1_000

_PRESENTER = (
    "Give the presenter either as `presenter_person_id` (a person in the registry) or as "
    "`presenter_name` (someone outside it), not both (422 `presenter_person_and_name`)."
)


class AgendaItemCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Energy prices and the grid in Grenland",
                    "description": "Status from the working group; what members should plan for.",
                    "planned_minutes": 30,
                    "presenter_name": "Kari Nordmann, Skagerak Nett",
                }
            ]
        },
    )

    title: Title
    description: Description | None = None
    planned_minutes: PlannedMinutes | None = None
    presenter_person_id: uuid.UUID | None = Field(default=None, description=_PRESENTER)
    presenter_name: PresenterName | None = Field(default=None, description=_PRESENTER)
    position: JsonInt | None = Field(
        default=None,
        ge=1,
        le=MAX_POSITION,
        description="Where to insert the item (1 = first); the items from there on move one "
        "down. Left out, the item goes at the end. At most one past the last item (422 "
        "`position_out_of_range` beyond that: positions never have gaps).",
    )


class AgendaItemUpdate(PatchModel):
    """Only the fields sent change. The position is changed by reordering the whole agenda
    (`PUT …/agenda-items/order`), not here.

    A presenter sent replaces the one before: `presenter_person_id` clears
    `presenter_name` and the other way round; `null` removes it.
    """

    required_fields = frozenset({"title"})

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"planned_minutes": 45}, {"presenter_name": "Ola Berg"}]},
    )

    title: Title | None = None
    description: Description | None = None
    planned_minutes: PlannedMinutes | None = None
    presenter_person_id: uuid.UUID | None = Field(default=None, description=_PRESENTER)
    presenter_name: PresenterName | None = Field(default=None, description=_PRESENTER)


class AgendaOrder(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "item_ids": [
                        "6f1c2b7e-0d4a-4c1e-9f0a-2b8d7e5c4a31",
                        "0c9e5a2d-7b3f-4e81-a6d4-1f2e3c4b5a69",
                    ]
                }
            ]
        },
    )

    item_ids: list[uuid.UUID] = Field(
        max_length=MAX_ITEMS_IN_ORDER,
        description="Every item of the meeting exactly once, in the new order.",
    )


class AgendaGuest(BaseModel):
    """Someone invited to this item only (a participant of the meeting); read from the
    repository's rows."""

    model_config = ConfigDict(from_attributes=True)

    participant_id: uuid.UUID
    name: str = Field(description="The person's full name, or the guest's name.")
    role: ParticipantRole
    organisation_id: uuid.UUID | None


class AgendaItemRead(BaseModel):
    id: uuid.UUID
    meeting_id: uuid.UUID
    position: int = Field(description="1, 2, 3, … with no gaps.")
    title: str
    description: str | None
    planned_minutes: int | None
    presenter: PersonName | None = Field(
        description="The presenter from the registry; null when there is none or the caller "
        "is neither a manager nor a member of the meeting's network."
    )
    presenter_name: str | None = Field(
        description="A presenter outside the registry, shown to everyone."
    )
    guests: list[AgendaGuest] | None = Field(
        description="The participants invited to this item only; null when the caller is "
        "neither a manager nor a member of the meeting's network."
    )
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")
