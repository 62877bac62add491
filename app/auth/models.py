"""Identities and credentials: users, their sign-in sessions, API keys, coordinators."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Entity, UTCDateTime, utcnow
from app.people.models import Person


class User(Entity, Base):
    """A login. Admins are the secretariat; everyone else is a member, whose rights come
    from the person they are linked to and the networks they coordinate."""

    __tablename__ = "users"

    # Stored lower-cased, so sign-in and uniqueness ignore how it was typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person | None] = relationship(lazy="raise")
    coordinated: Mapped[list["NetworkCoordinator"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", back_populates="user"
    )


class NetworkCoordinator(Entity, Base):
    """A user who manages a network and every network below it."""

    __tablename__ = "network_coordinators"
    __table_args__ = (UniqueConstraint("user_id", "network_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(lazy="raise", back_populates="coordinated")


class SignInSession(Base):
    """One sign-in: holds the (hashed, rotating) refresh token; access tokens name it, so
    revoking the session ends them too."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The refresh token the last refresh used up: presented again, it was copied, and the
    # sign-in ends (RFC 9700 §4.14.2; app/auth/service.py refresh()).
    previous_refresh_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiKeyScope(StrEnum):
    PUBLIC = "public"  # the website: the public view only
    READ = "read"  # secretariat scripts that read everything
    WRITE = "write"  # secretariat scripts that change things


class ApiKey(Entity, Base):
    """A key for scripts and the website. Only a hash of its secret is stored; the key is
    shown once, at creation. `prefix` is the public part that names it in logs and lists."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class SignInFailure(Base):
    """A wrong password, kept for the rate limit (per account and per address); or, while
    `pending_until` is set, a sign-in whose password is still being checked, holding its
    place under the limit (app/auth/rate_limit.py)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # NULL: a failure. Set: a check in progress; still set after that time, its process
    # died mid-check, and it counts as a failure.
    pending_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
