import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, enum_column
from app.networks.models import Network
from app.people.models import Person


class MembershipKind(StrEnum):
    MEMBER = "member"
    PARTNER = "partner"
    OBSERVER = "observer"


class MembershipStatus(StrEnum):
    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class RepresentativeRole(StrEnum):
    REPRESENTATIVE = "representative"
    DEPUTY = "deputy"
    UNION_REPRESENTATIVE = "union_representative"


class Membership(Entity, Base):
    """An organisation in a network over a period.

    On PostgreSQL an exclusion constraint (see the migration) also forbids two
    overlapping periods for one organisation in one network.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_ordered"),
        # The keyset orders of the list (sort key, then id): a page is read off the index
        # and its includes joined for those rows alone, not sorted out of every row.
        Index("ix_memberships_starts_on_id", "starts_on", "id"),
        Index("ix_memberships_created_at_id", "created_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MembershipKind] = mapped_column(enum_column(MembershipKind, "membership_kind"))
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column(MembershipStatus, "membership_status")
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    network: Mapped[Network] = relationship(lazy="raise")
    representatives: Mapped[list["Representative"]] = relationship(
        back_populates="membership",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Representative.created_at",
    )


class Representative(Entity, Base):
    __tablename__ = "membership_representatives"
    __table_args__ = (UniqueConstraint("membership_id", "person_id"),)

    membership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[RepresentativeRole] = mapped_column(
        enum_column(RepresentativeRole, "representative_role")
    )

    membership: Mapped[Membership] = relationship(back_populates="representatives", lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
