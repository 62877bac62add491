import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.companies.models import Organisation
from app.db import Base, Entity, enum_column


class Visibility(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NetworkStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ARCHIVED = "archived"


# Root networks have no parent, and NULLs are distinct in a unique key: their slugs are
# kept unique by a partial unique index of their own (PostgreSQL and SQLite alike).
_ROOT = "parent_id IS NULL"


class Network(Entity, Base):
    """A cluster, association or interest group; networks form a tree.

    A slug is unique among the networks with the same parent (and among the roots), not
    across the tree: a global key would let anyone who may create a network find the
    slugs of closed networks they may not see (409 `slug_taken`).
    """

    __tablename__ = "networks"
    __table_args__ = (
        CheckConstraint(
            "meetings_per_year >= 0 AND meetings_per_year <= 52", name="meetings_per_year_range"
        ),
        CheckConstraint(
            "NOT requires_parent_membership OR parent_id IS NOT NULL",
            name="parent_membership_needs_parent",
        ),
        UniqueConstraint("parent_id", "slug"),  # uq_networks_parent_id_slug
        Index(
            "uq_networks_root_slug",
            "slug",
            unique=True,
            sqlite_where=text(_ROOT),
            postgresql_where=text(_ROOT),
        ),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility, "network_visibility"))
    status: Mapped[NetworkStatus] = mapped_column(enum_column(NetworkStatus, "network_status"))
    meetings_per_year: Mapped[int] = mapped_column(default=0)
    requires_parent_membership: Mapped[bool] = mapped_column(default=False)
    # The effective administering association. When not set on the network itself it is
    # copied from the parent (and kept in step with it), so reads never walk the tree.
    administered_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    administered_by_inherited: Mapped[bool] = mapped_column(default=False)
    # The public body (the municipality) the network meets once a year, hosts alternating;
    # the year's plan adds that meeting when this is set.
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )

    parent: Mapped["Network | None"] = relationship(remote_side="Network.id", lazy="raise")
    administered_by: Mapped[Organisation | None] = relationship(
        lazy="raise", foreign_keys=[administered_by_id]
    )
