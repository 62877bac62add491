"""Request and response shapes for meeting participants, answers and attendance."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.api.schemas import PatchModel, RequestModel
from app.api.types import Email
from app.companies.schemas import CompanyRef
from app.participants.models import Answer, ParticipantRole
from app.people.schemas import FullName, PersonRef

# A network's meeting has tens of participants; the cap bounds one request's work.
MAX_ATTENDANCE_IDS = 500


class AnswerFilter(StrEnum):
    """`answer=` of the list: an answer, or `unanswered` for those who have given none."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    UNANSWERED = "unanswered"


class ParticipantCreate(RequestModel):
    """A person from the registry (`person_id`), or a guest known by `name` and `email`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"person_id": "9a4e3c2b-7f1d-4e8a-b6c5-2d1f0e9a8b7c", "role": "partner"},
                {"name": "Ola Gjest", "email": "ola.gjest@example.no", "role": "guest"},
            ]
        },
    )

    person_id: uuid.UUID | None = Field(
        default=None, description="A person from the registry; or send `name` and `email`."
    )
    name: FullName | None = Field(default=None, description="A guest's name (with `email`).")
    email: Email | None = Field(
        default=None, description="A guest's e-mail (with `name`); stored lower-cased."
    )
    role: ParticipantRole
    organisation_id: uuid.UUID | None = Field(
        default=None, description="The organisation they come for (a member company, a partner)."
    )
    agenda_item_id: uuid.UUID | None = Field(
        default=None,
        description="Invited to this item of the meeting only; null for the whole meeting.",
    )


class ParticipantUpdate(PatchModel):
    """A member may send only `answer`, on their own invitation; admins and the network's
    coordinators may change every field, for anyone, and clear a mistaken answer (`null`)."""

    required_fields = frozenset({"attended", "role"})

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"answer": "accepted"}, {"attended": True}]},
    )

    answer: Answer | None = Field(
        default=None,
        description="Not after the meeting is held, never once it is cancelled. `null` "
        "clears the answer: admins and coordinators only (422 `answer_required` for others).",
    )
    attended: StrictBool | None = Field(
        default=None,
        description="Admins and coordinators, once the meeting has started; never for a "
        "cancelled meeting.",
    )
    role: ParticipantRole | None = None
    agenda_item_id: uuid.UUID | None = Field(
        default=None, description="An item of this meeting; null invites to the whole meeting."
    )


class AttendanceUpdate(RequestModel):
    """Who came and who did not, by participant id; participants not named keep theirs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "attended": ["5b0e6a8e-2f6b-4d7e-9a57-7f0d3c1e9b21"],
                    "absent": ["7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"],
                }
            ]
        },
    )

    attended: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_ATTENDANCE_IDS)
    absent: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_ATTENDANCE_IDS)


class ParticipantRead(BaseModel):
    id: uuid.UUID
    meeting_id: uuid.UUID
    network_id: uuid.UUID
    person_id: uuid.UUID | None
    person: PersonRef | None = Field(
        description="The person from the registry; null for a guest. Its `email` is shown "
        "only to admins, the network's coordinators and the person themself (null otherwise)."
    )
    name: str | None = Field(description="A guest's name; null for a person from the registry.")
    email: str | None = Field(
        description="A guest's e-mail; null for a person from the registry, and for callers "
        "other than admins and the network's coordinators."
    )
    organisation_id: uuid.UUID | None
    organisation: CompanyRef | None
    role: ParticipantRole
    agenda_item_id: uuid.UUID | None = Field(
        description="Invited to this agenda item only; null for the whole meeting."
    )
    answer: Answer | None = Field(description="Null until they answer.")
    answered_at: datetime | None
    attended: bool | None = Field(description="Null until attendance is recorded.")
    invited_at: datetime | None = Field(description="When the invitation e-mail was queued.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class AttendanceRecorded(BaseModel):
    items: list[ParticipantRead] = Field(
        description="The participants named in the request, with their attendance."
    )
