"""A real SMTP server for the mail tests (aiosmtpd), and reading the outbox back."""

import asyncio
import email
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.mail.models import OutboxMessage
from app.mail.outbox import enqueue


def free_port() -> int:
    """A port nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, content_type: str) -> EmailMessage:
        parts = [p for p in self.message.walk() if p.get_content_type() == content_type]
        assert len(parts) == 1, [p.get_content_type() for p in self.message.walk()]
        part = parts[0]
        assert isinstance(part, EmailMessage)
        return part

    @property
    def text(self) -> str:
        content: str = self.part("text/plain").get_content()
        return content

    @property
    def calendar(self) -> Calendar:
        return Calendar.from_ical(self.part("text/calendar").get_content())


class MailServer:
    """An aiosmtpd handler storing what it accepted. `data_reply` / `rcpt_reply` (e.g.
    "451 4.3.0 Try again later") make it refuse instead; `delay` slows every DATA down, so
    that concurrent senders overlap; `after_accept` is called (in the server's thread)
    with each message it accepted."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.data_reply: str | None = None
        self.rcpt_reply: str | None = None
        self.delay = 0.0
        self.after_accept: Callable[[Received], None] | None = None
        self.port = 0  # set once the server listens
        self._lock = threading.Lock()  # the server runs in its own thread

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, envelope: Any
    ) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_reply is not None:
            return self.data_reply
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        with self._lock:
            self.received.append(received)
        if self.after_accept is not None:
            self.after_accept(received)
        return "250 Message accepted for delivery"

    def by_recipient(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


async def queue_mail(
    sessions: async_sessionmaker[AsyncSession], count: int = 1, **fields: Any
) -> list[OutboxMessage]:
    """Queue `count` messages to person0@example.test, person1@… (`fields` override any
    of them), in one transaction; the rows in the order queued."""
    queued: list[OutboxMessage] = []
    async with sessions() as session, session.begin():
        for n in range(count):
            mail: dict[str, Any] = {
                "recipient": f"person{n}@example.test",
                "subject": f"Subject {n}",
                "body_text": f"Hello number {n}, æøå.",
            }
            row = await enqueue(session, **(mail | fields))
            assert row is not None
            queued.append(row)
    return queued


async def queue_each(
    sessions: async_sessionmaker[AsyncSession], *mails: dict[str, Any]
) -> list[OutboxMessage]:
    """Queue one message per dict (recipient, subject, body_text, …), in that order: each
    in its own transaction, so each is due a little after the one before."""
    queued: list[OutboxMessage] = []
    for mail in mails:
        async with sessions() as session, session.begin():
            row = await enqueue(session, **mail)
            assert row is not None
            queued.append(row)
    return queued


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
        return list(rows)


async def outbox_row(sessions: async_sessionmaker[AsyncSession], row_id: Any) -> OutboxMessage:
    async with sessions() as session:
        return await session.get_one(OutboxMessage, row_id)


async def wait_for(condition: Callable[[], bool], *, seconds: float = 10) -> None:
    """Poll `condition` until it holds; fail after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
