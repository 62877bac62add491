import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Entity, enum_column
from app.people.models import Person


class OfficeKind(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    BOARD_MEMBER = "board_member"

    @property
    def single_seat(self) -> bool:
        return self is not OfficeKind.BOARD_MEMBER


class OfficeTerm(Entity, Base):
    """A person holding an office in a network from `starts_on` to `ends_on` (inclusive).

    Terms are never deleted, so the history stays. On PostgreSQL an exclusion
    constraint (see the migration) keeps single-seat offices to one holder a day.
    """

    __tablename__ = "office_terms"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="term_ordered"),
    )

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    office: Mapped[OfficeKind] = mapped_column(enum_column(OfficeKind, "office_kind"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    person: Mapped[Person] = relationship(lazy="raise")
