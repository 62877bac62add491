"""The sender when things go wrong: a message that cannot be sent, a claim taken over by
another sender, a stop in the middle of a pass, an SMTP outage longer than the retries."""

import asyncio
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import utcnow
from app.mail import sender
from app.mail.claims import ClaimedMessage, claim_due, give_back, record
from app.mail.models import OutboxStatus
from app.mail.sender import DeliveryReport, deliver_due, run_sender
from app.mail.smtp import DeliveryFailed, SmtpMailer
from tests.mail.helpers import (
    MailServer,
    Received,
    free_port,
    outbox_row,
    outbox_rows,
    queue_each,
    queue_mail,
    wait_for,
)


def mail(recipient: str, subject: str = "Hello") -> dict[str, str]:
    return {"recipient": recipient, "subject": subject, "body_text": f"Dear {recipient}"}


async def test_a_message_that_cannot_be_built_or_sent_fails_alone_and_the_pass_goes_on(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    first, unbuildable, unsendable, last = await queue_each(
        sessions,
        mail("first@example.test"),
        # A line break cannot go into the To header: building the message raises.
        mail("evil@example.test\r\nBcc: victim@example.test"),
        # An empty To header leaves no recipient: the SMTP client raises on sending.
        mail(""),
        mail("last@example.test"),
    )

    report = await deliver_due(sessions, mail_settings)

    assert report.sent == [first.id, last.id]
    assert report.failed == [unbuildable.id, unsendable.id]
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "first@example.test",
        "last@example.test",
    ]
    rows = {row.id: row for row in await outbox_rows(sessions)}
    assert rows[first.id].status is OutboxStatus.SENT
    assert rows[last.id].status is OutboxStatus.SENT
    for poison in (unbuildable.id, unsendable.id):
        assert rows[poison].status is OutboxStatus.FAILED
        assert rows[poison].attempts == 1
        assert rows[poison].locked_until is None
    assert "cannot be built" in (rows[unbuildable.id].last_error or "")
    assert "linefeed or carriage return" in (rows[unbuildable.id].last_error or "")
    assert "unexpected error" in (rows[unsendable.id].last_error or "")

    # Nothing is left claimed or due: later passes send nothing more.
    later = await deliver_due(sessions, mail_settings, now=utcnow() + timedelta(days=1))
    assert later.claimed == 0
    assert len(smtp_server.received) == 2


async def test_an_unexpected_error_while_sending_fails_that_message_only(
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_send = SmtpMailer.send

    async def send(self: SmtpMailer, message: EmailMessage) -> None:
        if message["To"] == "person1@example.test":
            raise RuntimeError("a bug in the mail library")
        await real_send(self, message)

    monkeypatch.setattr(SmtpMailer, "send", send)
    rows = await queue_mail(sessions, 3)

    report = await deliver_due(sessions, mail_settings)

    assert report.sent == [rows[0].id, rows[2].id]
    assert report.failed == [rows[1].id]
    failed = await outbox_row(sessions, rows[1].id)
    assert failed.status is OutboxStatus.FAILED
    assert "a bug in the mail library" in (failed.last_error or "")


async def test_a_subject_with_line_breaks_goes_out_on_one_line(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    # Written straight into the outbox, as a title with line breaks would have been.
    [row] = await queue_mail(sessions, subject="Spring\r\nBcc: victim@example.test\n meeting")

    report = await deliver_due(sessions, mail_settings)

    assert report.sent == [row.id]
    [received] = smtp_server.received
    assert received.message["Subject"] == "Spring Bcc: victim@example.test meeting"
    assert received.message["Bcc"] is None
    assert received.recipients == ["person0@example.test"]


async def test_a_sender_whose_claim_was_taken_over_records_nothing(
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = await queue_mail(sessions, 2)
    start = utcnow()
    real_try = sender._try
    taken_over: list[ClaimedMessage] = []

    async def try_after_another_sender_claimed(
        mailer: SmtpMailer, message: ClaimedMessage, settings: Settings, now: object
    ) -> DeliveryFailed | None:
        if message.id == second.id:
            # This sender was slow: its claim expired, and a second sender claimed the
            # message (one more attempt, its own locked_until) and is sending it now.
            later = start + timedelta(seconds=settings.outbox_claim_seconds + 1)
            taken_over.extend(await claim_due(sessions, later, 10, settings.outbox_claim_seconds))
            smtp_server.data_reply = "451 4.3.0 Try again later"
        return await real_try(mailer, message, settings, now)  # type: ignore[arg-type]

    monkeypatch.setattr(sender, "_try", try_after_another_sender_claimed)

    report = await deliver_due(sessions, mail_settings, now=start)

    assert report.sent == [first.id]
    assert report.claim_lost == [second.id]
    assert report.retrying == []
    [other] = taken_over
    assert (other.id, other.attempts) == (second.id, 2)
    # The refusal this sender met did not touch the row: the other sender's claim stands.
    row = await outbox_row(sessions, second.id)
    assert row.status is OutboxStatus.PENDING
    assert row.attempts == 2
    assert row.locked_until == other.locked_until
    assert row.last_error is None
    # A stale claim cannot give the row back either.
    mine = ClaimedMessage(**{**other.__dict__, "attempts": 1, "locked_until": start})
    assert await give_back(sessions, [mine]) == 0
    # The other sender's outcome is the one recorded.
    assert await record(sessions, other, {"status": OutboxStatus.SENT, "sent_at": utcnow()})
    row = await outbox_row(sessions, second.id)
    assert (row.status, row.attempts, row.locked_until) == (OutboxStatus.SENT, 2, None)


async def test_stopping_mid_pass_finishes_the_message_under_way_and_nothing_goes_twice(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    queued = await queue_mail(sessions, 5)
    settings = mail_settings.model_copy(update={"outbox_poll_seconds": 0.05})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stop_after_the_second(_received: Received) -> None:
        if len(smtp_server.received) == 2:
            loop.call_soon_threadsafe(stop.set)

    smtp_server.after_accept = stop_after_the_second
    await asyncio.wait_for(run_sender(sessions, settings, stop), timeout=10)

    rows = {row.id: row for row in await outbox_rows(sessions)}
    sent = [row_id for row_id, row in rows.items() if row.status is OutboxStatus.SENT]
    assert len(smtp_server.received) == 2
    assert sorted(sent) == sorted(row.id for row in queued[:2])
    for waiting in queued[2:]:
        row = rows[waiting.id]
        # Never tried: back in the queue where it was, its attempt given back.
        assert (row.status, row.attempts, row.locked_until) == (OutboxStatus.PENDING, 0, None)
        assert row.next_attempt_at == waiting.next_attempt_at

    # A restart sends the rest, each once.
    smtp_server.after_accept = None
    restarted = asyncio.Event()
    task = asyncio.create_task(run_sender(sessions, settings, restarted))
    await wait_for(lambda: len(smtp_server.received) == 5)
    restarted.set()
    await asyncio.wait_for(task, timeout=10)
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        f"person{n}@example.test" for n in range(5)
    ]
    assert len({r.message_id for r in smtp_server.received}) == 5
    rows_after = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows_after} == {(OutboxStatus.SENT, 1)}


async def test_a_pass_stops_before_a_message_its_claim_might_not_cover(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    # A pass's claims run out while it works through its messages: before each message it
    # checks the claim still covers that message's worst case. Scaled down (settings
    # refuse a claim this short, so the copy skips validation): a claim of 10 s cannot
    # cover a message of 2 x 5 s plus its recording, so after the first (which goes all
    # the same) the others wait for the next pass.
    settings = mail_settings.model_copy(
        update={"outbox_claim_seconds": 10, "smtp_timeout_seconds": 5}
    )
    first, *rest = await queue_mail(sessions, 3)

    report = await deliver_due(sessions, settings)

    assert report.sent == [first.id]
    assert report.untried == [row.id for row in rest]
    rows = await outbox_rows(sessions)
    assert [(row.status, row.attempts, row.locked_until) for row in rows] == [
        (OutboxStatus.SENT, 1, None),
        (OutboxStatus.PENDING, 0, None),
        (OutboxStatus.PENDING, 0, None),
    ]


async def test_an_outage_longer_than_all_retries_leaves_the_mail_pending(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(update={"outbox_max_attempts": 2})
    down = settings.model_copy(update={"smtp_port": free_port()})
    queued = await queue_mail(sessions, 3)
    start = utcnow()

    first = await deliver_due(sessions, down, now=start)

    assert first.unreachable
    assert first.untried == [row.id for row in queued]
    knocked, *waiting = await outbox_rows(sessions)
    assert knocked.attempts == 0
    assert "SMTP server unavailable" in (knocked.last_error or "")
    assert start + timedelta(minutes=1) <= knocked.next_attempt_at
    assert knocked.next_attempt_at < start + timedelta(minutes=1, seconds=10)
    # The others were not tried: unchanged, in their place in the queue.
    for row, before in zip(waiting, queued[1:], strict=True):
        assert (row.attempts, row.last_error, row.locked_until) == (0, None, None)
        assert row.next_attempt_at == before.next_attempt_at

    # Two days down, a pass every 7 hours: far more than two attempts' worth.
    for hours in range(7, 49, 7):
        report = await deliver_due(sessions, down, now=start + timedelta(hours=hours))
        assert report.unreachable
        assert report.failed == []
    rows = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.PENDING, 0)}

    back = await deliver_due(sessions, settings, now=start + timedelta(hours=50))

    assert sorted(back.sent) == sorted(row.id for row in queued)
    assert len(smtp_server.received) == 3
    rows = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


async def test_only_real_tries_count_towards_the_last_attempt(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(update={"outbox_max_attempts": 2})
    down = settings.model_copy(update={"smtp_port": free_port()})
    [row] = await queue_mail(sessions)
    start = utcnow()
    smtp_server.data_reply = "451 4.3.0 Try again later"

    passes: list[DeliveryReport] = [await deliver_due(sessions, settings, now=start)]
    for hours in (7, 14, 21):
        passes.append(await deliver_due(sessions, down, now=start + timedelta(hours=hours)))
    assert [(len(p.retrying), p.unreachable) for p in passes] == [
        (1, False),
        (0, True),
        (0, True),
        (0, True),
    ]
    assert (await outbox_row(sessions, row.id)).attempts == 1

    last = await deliver_due(sessions, settings, now=start + timedelta(hours=28))

    assert last.failed == [row.id]
    failed = await outbox_row(sessions, row.id)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 2)
    assert "451" in (failed.last_error or "")


async def test_the_loop_waits_a_minute_after_finding_the_server_down(
    sessions: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = mail_settings.model_copy(
        update={"smtp_port": free_port(), "outbox_poll_seconds": 0.05}
    )
    real_pass = sender.deliver_due
    reports: list[DeliveryReport] = []

    async def counted(*args: object, **kwargs: object) -> DeliveryReport:
        report = await real_pass(*args, **kwargs)  # type: ignore[arg-type]
        reports.append(report)
        return report

    monkeypatch.setattr(sender, "deliver_due", counted)
    await queue_mail(sessions, 2)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(sessions, settings, stop))

    await wait_for(lambda: len(reports) == 1)
    await asyncio.sleep(0.5)  # ten poll intervals
    stop.set()
    await asyncio.wait_for(task, timeout=5)  # the pause ends when told to stop

    assert len(reports) == 1
    assert reports[0].unreachable
