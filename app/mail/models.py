"""The mail outbox: messages written in the same transaction as the change that causes
them, and sent afterwards by the sender loop (app/mail/sender.py)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Entity, UTCDateTime, enum_column


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENT = "sent"  # the SMTP server accepted it
    # Gave up: after the last real try, refused for good (5xx), or the message could not
    # be built or sent at all (an unexpected error). `klynge outbox --retry-failed`.
    FAILED = "failed"


class OutboxMessage(Entity, Base):
    """One e-mail to one recipient.

    `dedupe_key` names what the message is about (say, the invitation of one participant
    at one SEQUENCE of a meeting), so the same message is never queued twice. A sender
    claims a message by setting `locked_until`; a sender that dies mid-send leaves the
    claim to expire and the message is tried again.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    # An iCalendar part (RFC 6047) and its METHOD (REQUEST, CANCEL), when there is one.
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
