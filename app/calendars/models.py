"""Secret calendar feed tokens: calendar apps cannot send headers, so the secret is in
the feed's URL. Only a hash is stored; the token is shown once, when it is made."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity, UTCDateTime, enum_column


class FeedKind(StrEnum):
    NETWORK = "network"
    PERSON = "person"


class CalendarToken(Entity, Base):
    """A feed of one network's meetings, or of the meetings one person is invited to.

    The feed is read with the rights of whoever made the token (`user_id` or
    `api_key_id`), as they are when it is read: a member who leaves a closed network stops
    seeing its meetings in the feed, and a disabled user's feeds go empty (404).
    """

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'network' AND network_id IS NOT NULL AND person_id IS NULL) OR "
            "(kind = 'person' AND person_id IS NOT NULL AND network_id IS NULL)",
            name="feed_target",
        ),
        CheckConstraint("(user_id IS NULL) <> (api_key_id IS NULL)", name="one_owner"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(String(12))
    label: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[FeedKind] = mapped_column(enum_column(FeedKind, "calendar_feed_kind"))
    network_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
