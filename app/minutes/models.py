"""Action items: what was agreed to be done, by whom and by when, per agenda item."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Entity, UTCDateTime, enum_column
from app.meetings.models import AgendaItem, Meeting
from app.people.models import Person


class ActionItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class ActionItem(Entity, Base):
    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_assignee_status", "assignee_person_id", "status"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    # The meeting's network, repeated for one-condition visibility (see AgendaItem).
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    assignee_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT")
    )
    due_on: Mapped[date | None]
    status: Mapped[ActionItemStatus] = mapped_column(
        enum_column(ActionItemStatus, "action_item_status")
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(lazy="raise")
    agenda_item: Mapped[AgendaItem] = relationship(lazy="raise")
    assignee: Mapped[Person | None] = relationship(lazy="raise")
