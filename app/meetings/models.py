"""Meetings and their agendas.

A meeting's `starts_at`/`ends_at` are stored in UTC; `time_zone` is the IANA zone it is
held in, which calendars and e-mails show it in. Agenda items carry the minutes for their
part of the meeting (`notes`, `decisions`); action items live in app/minutes.
"""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, UTCDateTime, enum_column
from app.networks.models import Network
from app.people.models import Person


class MeetingKind(StrEnum):
    REGULAR = "regular"
    COMPANY_VISIT = "company_visit"
    MUNICIPAL = "municipal"
    EVENT = "event"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Meeting(Entity, Base):
    """One meeting of a network.

    `sequence` is the iCalendar SEQUENCE: it rises whenever the time or place changes or
    the meeting is cancelled, so calendars replace their copy. Meetings made by the year's
    plan carry `plan_year` and `plan_slot`; the unique key on them is what makes running
    the plan twice create nothing twice (NULLs are distinct, so other meetings never meet
    it).
    """

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="time_ordered"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        UniqueConstraint("network_id", "plan_year", "plan_slot"),
        Index("ix_meetings_starts_at_id", "starts_at", "id"),
    )

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(String(64))
    place_name: Mapped[str | None] = mapped_column(String(200))
    place_address: Mapped[str | None] = mapped_column(String(500))
    online_url: Mapped[str | None] = mapped_column(String(2000))
    host_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus, "meeting_status"))
    sequence: Mapped[int] = mapped_column(default=0)
    minutes_status: Mapped[MinutesStatus | None] = mapped_column(
        enum_column(MinutesStatus, "minutes_status")
    )
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_year: Mapped[int | None]
    plan_slot: Mapped[int | None]

    network: Mapped[Network] = relationship(lazy="raise")
    host: Mapped[Organisation | None] = relationship(lazy="raise")
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", lazy="raise", order_by="AgendaItem.position"
    )


class AgendaItem(Entity, Base):
    """A point on a meeting's agenda, in `position` order (1, 2, …).

    `network_id` repeats the meeting's (which never changes) so that every read narrows
    by network visibility with one condition, as for the meeting itself.
    """

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("planned_minutes IS NULL OR planned_minutes > 0", name="minutes_positive"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    planned_minutes: Mapped[int | None]
    # A presenter from the registry, or only a name (an outside speaker).
    presenter_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    presenter_name: Mapped[str | None] = mapped_column(String(200))
    # The minutes of this item.
    notes: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items", lazy="raise")
    presenter: Mapped[Person | None] = relationship(lazy="raise")
