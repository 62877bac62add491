"""People invited to a meeting, their answers and their attendance."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, UTCDateTime, enum_column
from app.meetings.models import AgendaItem, Meeting
from app.people.models import Person


class ParticipantRole(StrEnum):
    REPRESENTATIVE = "representative"
    PARTNER = "partner"
    GUEST = "guest"
    STAFF = "staff"


class Answer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class Participant(Entity, Base):
    """An invitation to a meeting: a person from the registry (`person_id`), or a guest
    known only by `name` and `email`. With `agenda_item_id` the invitation is to that one
    item only (a partner or guest joining for part of the meeting).

    `answer` is null until they answer; `attended` is null until attendance is recorded.
    `invited_at` is set when the invitation e-mail is queued (at confirmation, or on
    adding someone to a confirmed meeting).
    """

    __tablename__ = "meeting_participants"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        UniqueConstraint("meeting_id", "email"),
        CheckConstraint(
            "person_id IS NOT NULL OR (name IS NOT NULL AND email IS NOT NULL)",
            name="person_or_name_and_email",
        ),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # The meeting's network, repeated for one-condition visibility (see AgendaItem).
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    # Only for guests outside the registry; stored lower-cased.
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    # The organisation they come for (a representative's member company, a partner).
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole, "participant_role"))
    agenda_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="RESTRICT"), index=True
    )
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "participant_answer"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None]
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    person: Mapped[Person | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="raise")
