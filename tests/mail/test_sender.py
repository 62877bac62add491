"""The sender against a real SMTP server: each message once, retries, refusals, races."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import utcnow
from app.mail import sender
from app.mail.claims import claim_due
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.sender import deliver_due, retry_delay, run_sender
from tests.mail.helpers import MailServer, outbox_rows, queue_mail, wait_for

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:test@klynge\r\nSEQUENCE:0\r\nSUMMARY:Møte\r\n"
    "DTSTAMP:20270101T000000Z\r\nDTSTART:20270311T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_nothing_is_sent_until_the_sender_runs_then_each_message_once(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions, 3)
    await asyncio.sleep(0.1)
    assert smtp_server.received == []

    report = await deliver_due(sessions, mail_settings)

    assert len(report.sent) == 3
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "person0@example.test",
        "person1@example.test",
        "person2@example.test",
    ]
    rows = await outbox_rows(sessions)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.attempts == 1 and row.locked_until is None for row in rows)
    assert all(row.sent_at is not None for row in rows)
    # The Message-ID names the row, so a resend after a crash is recognisable.
    assert sorted(r.message_id for r in smtp_server.received) == sorted(
        f"<{row.id}@klynge>" for row in rows
    )

    second = await deliver_due(sessions, mail_settings)
    assert second.claimed == 0
    assert len(smtp_server.received) == 3


async def test_the_received_message_has_its_headers_text_and_calendar_parts(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions, calendar=CALENDAR.encode(), calendar_method="REQUEST")

    await deliver_due(sessions, mail_settings)

    [received] = smtp_server.received
    message = received.message
    assert received.mail_from == "post@klynge.test"
    assert message["From"] == "Klynge <post@klynge.test>"
    assert message["To"] == "person0@example.test"
    assert message["Subject"] == "Subject 0"
    assert message["Date"] is not None
    assert message.get_content_type() == "multipart/mixed"
    assert received.text.strip() == "Hello number 0, æøå."
    calendar_part = received.part("text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert calendar_part.get_content() == CALENDAR
    attachment = received.part("application/ics")
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == CALENDAR.encode()
    assert str(received.calendar["METHOD"]) == "REQUEST"


async def test_a_message_without_calendar_is_plain_text(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions)
    await deliver_due(sessions, mail_settings)
    [received] = smtp_server.received
    assert received.message.get_content_type() == "text/plain"
    assert received.text.strip() == "Hello number 0, æøå."


async def test_a_temporary_refusal_is_retried_later_and_then_succeeds(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions)
    smtp_server.data_reply = "451 4.3.0 Try again later"
    start = utcnow()

    first = await deliver_due(sessions, mail_settings, now=start)

    [row] = await outbox_rows(sessions)
    assert len(first.retrying) == 1
    assert row.status is OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.last_error is not None
    assert "451" in row.last_error
    assert row.locked_until is None
    # A minute from when the refusal came, which is a moment after the pass began.
    assert start + timedelta(minutes=1) <= row.next_attempt_at
    assert row.next_attempt_at < start + timedelta(minutes=1, seconds=10)
    assert smtp_server.received == []

    smtp_server.data_reply = None
    too_early = await deliver_due(sessions, mail_settings, now=start + timedelta(seconds=30))
    assert too_early.claimed == 0

    later = await deliver_due(sessions, mail_settings, now=start + timedelta(seconds=71))
    [row] = await outbox_rows(sessions)
    assert len(later.sent) == 1
    assert row.status is OutboxStatus.SENT
    assert row.attempts == 2
    assert len(smtp_server.received) == 1


async def test_temporary_refusals_give_up_after_the_last_attempt(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(update={"outbox_max_attempts": 2})
    await queue_mail(sessions)
    smtp_server.data_reply = "451 4.3.0 Try again later"
    start = utcnow()

    await deliver_due(sessions, settings, now=start)
    last = await deliver_due(sessions, settings, now=start + timedelta(minutes=2))

    [row] = await outbox_rows(sessions)
    assert len(last.failed) == 1
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
    assert (await deliver_due(sessions, settings, now=start + timedelta(days=1))).claimed == 0


@pytest.mark.parametrize("stage", ["rcpt", "data"])
async def test_a_permanent_refusal_fails_at_once_and_is_not_retried(
    stage: str,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await queue_mail(sessions)
    refusal = "550 5.1.1 No such user"
    if stage == "rcpt":
        smtp_server.rcpt_reply = refusal
    else:
        smtp_server.data_reply = refusal
    start = utcnow()

    report = await deliver_due(sessions, mail_settings, now=start)

    [row] = await outbox_rows(sessions)
    assert len(report.failed) == 1
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == 1
    assert row.last_error is not None
    assert "550" in row.last_error
    smtp_server.rcpt_reply = smtp_server.data_reply = None
    assert (await deliver_due(sessions, mail_settings, now=start + timedelta(days=1))).claimed == 0
    assert smtp_server.received == []


async def test_no_smtp_host_sends_nothing_and_keeps_the_mail_queued(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(update={"smtp_host": None})
    await queue_mail(sessions, 2)

    report = await deliver_due(sessions, settings)

    assert report.claimed == 0
    rows = await outbox_rows(sessions)
    assert [(row.status, row.attempts) for row in rows] == [(OutboxStatus.PENDING, 0)] * 2
    assert smtp_server.received == []
    # The loop has nothing to do but wait to be stopped.
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(sessions, settings, stop))
    await asyncio.sleep(0.1)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_concurrent_senders_send_each_message_exactly_once(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions, 12)
    smtp_server.delay = 0.02  # the passes overlap while they send

    for _ in range(12):
        reports = await asyncio.gather(
            deliver_due(sessions, mail_settings, limit=3),
            deliver_due(sessions, mail_settings, limit=3),
        )
        if not any(report.claimed for report in reports):
            break

    message_ids = [received.message_id for received in smtp_server.received]
    assert len(message_ids) == 12
    assert len(set(message_ids)) == 12
    rows = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


async def test_the_sender_loop_survives_a_failing_pass(
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = mail_settings.model_copy(update={"outbox_poll_seconds": 0.05})
    real_pass = sender.deliver_due
    passes = 0

    async def failing_first(*args: object, **kwargs: object) -> sender.DeliveryReport:
        nonlocal passes
        passes += 1
        if passes == 1:
            raise RuntimeError("database went away")
        return await real_pass(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sender, "deliver_due", failing_first)
    await queue_mail(sessions)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(sessions, settings, stop))

    await wait_for(lambda: len(smtp_server.received) == 1)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert passes >= 2


def test_retries_back_off_exponentially_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert retry_delay(9) == timedelta(minutes=256)
    assert retry_delay(10) == timedelta(hours=6)
    assert retry_delay(1000) == timedelta(hours=6)


async def test_a_claim_of_a_sender_that_died_expires_and_the_message_is_sent(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    await queue_mail(sessions)
    start = utcnow()
    # Another sender claimed the message and died before recording anything.
    claimed = await claim_due(sessions, start, 10, mail_settings.outbox_claim_seconds)
    assert len(claimed) == 1

    assert (await deliver_due(sessions, mail_settings, now=start)).claimed == 0
    expired = start + timedelta(seconds=mail_settings.outbox_claim_seconds)
    report = await deliver_due(sessions, mail_settings, now=expired)

    [row] = await outbox_rows(sessions)
    assert len(report.sent) == 1
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(smtp_server.received) == 1


async def test_postgresql_senders_skip_rows_another_sender_is_claiming(
    backend: str,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite claims under its write lock: a second sender waits its turn")
    await queue_mail(sessions, 2)
    [locked, free] = await outbox_rows(sessions)
    async with sessions() as other, other.begin():
        # Another sender is in the middle of claiming this row.
        await other.execute(
            select(OutboxMessage.id).where(OutboxMessage.id == locked.id).with_for_update()
        )
        report = await asyncio.wait_for(deliver_due(sessions, mail_settings), timeout=5)
        assert report.sent == [free.id]
    await deliver_due(sessions, mail_settings)
    assert len(smtp_server.received) == 2
