"""Request and response shapes for minutes (per agenda item) and action items."""

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import PatchModel, RequestModel
from app.api.types import MULTI_LINE, IsoDate
from app.meetings.models import AgendaItem, Meeting, MinutesStatus
from app.meetings.schemas import PersonName
from app.minutes.models import ActionItem, ActionItemStatus

_TEXT = 20_000  # notes and decisions: a meeting's worth of prose, not a document store
_DESCRIPTION = 2_000


class ActionItemCreate(RequestModel):
    # One `*_id` field in the example only: the route has two path parameters already.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "description": "Send the offer for the shared compressor service to all "
                    "members.",
                    "assignee_person_id": "5b0e6a8e-2f6b-4d7e-9a57-7f0d3c1e9b21",
                    "due_on": "2027-04-15",
                }
            ]
        },
    )

    description: Annotated[str, MULTI_LINE] = Field(min_length=1, max_length=_DESCRIPTION)
    assignee_person_id: uuid.UUID | None = Field(
        default=None, description="Who does it: a person from the registry."
    )
    due_on: IsoDate | None = None


class ActionItemUpdate(PatchModel):
    """Once the minutes are published only `status` may change; the assignee may change
    nothing else even before."""

    required_fields = frozenset({"description", "status"})

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "done"}]})

    description: Annotated[str, MULTI_LINE] | None = Field(
        default=None, min_length=1, max_length=_DESCRIPTION
    )
    assignee_person_id: uuid.UUID | None = None
    due_on: IsoDate | None = None
    status: ActionItemStatus | None = None


class ActionItemRead(BaseModel):
    id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    network_id: uuid.UUID
    description: str
    assignee_person_id: uuid.UUID | None
    assignee: PersonName | None = Field(description="Who does it; null when nobody is named.")
    due_on: date | None
    status: ActionItemStatus
    done_at: datetime | None = Field(description="When it was marked done; null while open.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")

    @classmethod
    def of(cls, item: ActionItem) -> "ActionItemRead":
        # `assignee` is lazy="raise": the repository joins it into every action item it
        # returns (the service sets it on a new or reassigned one).
        assignee = item.assignee
        return cls(
            id=item.id,
            meeting_id=item.meeting_id,
            agenda_item_id=item.agenda_item_id,
            network_id=item.network_id,
            description=item.description,
            assignee_person_id=item.assignee_person_id,
            assignee=None
            if assignee is None
            else PersonName(id=assignee.id, full_name=assignee.full_name),
            due_on=item.due_on,
            status=item.status,
            done_at=item.done_at,
            created_at=item.created_at,
            updated_at=item.updated_at,
            version=item.version,
        )


class AgendaItemMinutesUpdate(PatchModel):
    """The minutes of one agenda item; `null` clears a text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notes": "Yara presented the new safety routines for contractors.",
                    "decisions": "The network adopts the routines from 1 May.",
                }
            ]
        },
    )

    notes: Annotated[str, MULTI_LINE] | None = Field(default=None, max_length=_TEXT)
    decisions: Annotated[str, MULTI_LINE] | None = Field(default=None, max_length=_TEXT)


class AgendaItemMinutes(BaseModel):
    agenda_item_id: uuid.UUID
    position: int
    title: str
    notes: str | None
    decisions: str | None
    version: int = Field(
        description="The agenda item's version: send it as `If-Match` to change these minutes."
    )
    action_items: list[ActionItemRead]

    @classmethod
    def of(cls, item: AgendaItem, action_items: Iterable[ActionItem]) -> "AgendaItemMinutes":
        return cls(
            agenda_item_id=item.id,
            position=item.position,
            title=item.title,
            notes=item.notes,
            decisions=item.decisions,
            version=item.version,
            action_items=[ActionItemRead.of(action) for action in action_items],
        )


class MinutesRead(BaseModel):
    meeting_id: uuid.UUID
    status: MinutesStatus | None = Field(
        description="null until something is written, then draft, then published."
    )
    published_at: datetime | None
    items: list[AgendaItemMinutes] = Field(description="In agenda order.")

    @classmethod
    def of(
        cls, meeting: Meeting, items: Iterable[AgendaItem], action_items: Iterable[ActionItem]
    ) -> "MinutesRead":
        by_item: dict[uuid.UUID, list[ActionItem]] = {}
        for action in action_items:
            by_item.setdefault(action.agenda_item_id, []).append(action)
        return cls(
            meeting_id=meeting.id,
            status=meeting.minutes_status,
            published_at=meeting.minutes_published_at,
            items=[AgendaItemMinutes.of(item, by_item.get(item.id, [])) for item in items],
        )
