import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, enum_column


class Position(StrEnum):
    CEO = "ceo"
    SITE_MANAGER = "site_manager"
    PURCHASING_MANAGER = "purchasing_manager"
    UNION_REPRESENTATIVE = "union_representative"
    OTHER = "other"


class Person(Entity, Base):
    __tablename__ = "people"
    # The keyset order of `sort=created_at` (the id breaks ties): without it a page sorts
    # every person; by name, `ix_people_full_name` already serves.
    __table_args__ = (Index("ix_people_created_at_id", "created_at", "id"),)

    full_name: Mapped[str] = mapped_column(String(200), index=True)
    # Stored lower-cased so uniqueness does not depend on how someone typed it.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))

    affiliations: Mapped[list["Affiliation"]] = relationship(
        back_populates="person",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Affiliation.created_at",
    )


class Affiliation(Entity, Base):
    """A person's position in one organisation; a person may have several."""

    __tablename__ = "affiliations"
    __table_args__ = (UniqueConstraint("person_id", "organisation_id"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[Position] = mapped_column(enum_column(Position, "affiliation_position"))
    title: Mapped[str | None] = mapped_column(String(200))

    person: Mapped[Person] = relationship(back_populates="affiliations", lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
