"""The outbox sender: claims due messages, hands them to the SMTP server one by one, and
records each outcome as soon as it is known.

One pass (`deliver_due`):
1. claim up to `PASS_LIMIT` due messages, in a short transaction (app/mail/claims.py):
   each gets `locked_until` and one more `attempts`, its claim token;
2. for each message in turn, the longest waiting first:
   - stop before it if the sender is being stopped, or if the claim has less time left
     than one message's worst case (`Settings.longest_mail_seconds`: its deadline plus
     the time to record it), so no message is sent under a claim that may expire meanwhile;
   - build it and hand it to the server (no transaction open meanwhile);
   - record the outcome at once, in a transaction of its own, and only if the row still
     carries this claim's token (else log `mail_claim_lost` and change nothing):
     `sent` once the server accepted it; a retry with exponential back-off after a
     4xx, a timeout or a dropped connection; `failed` after a permanent refusal, after
     the `outbox_max_attempts`-th such try, or at once when the message cannot be built
     or sending it raises an error nobody expected (it never will be sendable; `klynge
     outbox --retry-failed` queues it again once the cause is fixed);
   - when the server cannot be reached, the message was not tried: its attempt is given
     back and it is due again after the back-off, and the pass ends;
3. give back the claims on every message the pass did not get to (stopped, server
   unreachable, claim running out, or an error such as the database going away): their
   attempt is taken back and they keep their place in the queue.
So only real tries count towards `outbox_max_attempts`, and an SMTP outage of any length
leaves the mail pending, not failed.

What is guaranteed: every queued message ends `sent` or `failed`, never lost (with no
SMTP host, or the server down, it waits as `pending`). It goes out more than once only
- when a sender stops between the server's acceptance and the commit of that one row (a
  crash, the database going away, a shutdown that had to cancel the message under way):
  that message alone, after its claim expires;
- when the server took the message but its reply was lost (counted as a dropped
  connection, and tried again);
- when a claim expires under a message all the same: the record step stalled past the
  margin, claims are set shorter than one message's worst case (a warning at start-up),
  or senders on different hosts have clocks further apart than the claim's margin.
That is at-least-once, the most SMTP allows; a repeat carries the same Message-ID.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import MAIL_RECORD_SECONDS, Settings
from app.db import utcnow
from app.mail.claims import ClaimedMessage, claim_due, give_back, record
from app.mail.messages import build_message
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.smtp import DeliveryFailed, SmtpMailer

log = structlog.get_logger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# Messages claimed by one pass; a full pass means more may be due, and the next one starts
# at once.
PASS_LIMIT = 50
# last_error keeps the server's words, not an essay.
_ERROR_LENGTH = 1000


def stopping_seconds(settings: Settings) -> float:
    """How long a sender told to stop may still take: the message under way, its record,
    and giving back the claims on the rest."""
    return settings.longest_mail_seconds + MAIL_RECORD_SECONDS


@dataclass
class DeliveryReport:
    """What one pass did, by outbox id."""

    sent: list[uuid.UUID] = field(default_factory=list)
    retrying: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    # Claimed, not tried: given back, due again as before (or, for the one that found the
    # server unreachable, after the back-off).
    untried: list[uuid.UUID] = field(default_factory=list)
    # Tried, but another sender holds the row now: the outcome was not recorded.
    claim_lost: list[uuid.UUID] = field(default_factory=list)
    unreachable: bool = False

    @property
    def claimed(self) -> int:
        return (
            len(self.sent)
            + len(self.retrying)
            + len(self.failed)
            + len(self.untried)
            + len(self.claim_lost)
        )


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, 8, … after the 1st, 2nd, 3rd, 4th … attempt; never more than 6 h."""
    # The exponent is capped before it is used, so no attempt count can overflow.
    doublings = min(max(attempts - 1, 0), 16)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = PASS_LIMIT,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """One pass over the due messages (at most `limit`), as the module says. With no
    SMTP host configured it does nothing at all: the mail stays queued for when one is.
    `stop`, once set, ends the pass after the message under way."""
    report = DeliveryReport()
    if settings.smtp_host is None or (stop is not None and stop.is_set()):
        return report
    clock = _PassClock(now or utcnow())
    claimed = await claim_due(sessionmaker, clock.started, limit, settings.outbox_claim_seconds)
    waiting = list(reversed(claimed))  # popped from the end: the longest waiting first
    try:
        async with SmtpMailer(settings) as mailer:
            while waiting:
                if stop is not None and stop.is_set():
                    break
                # The first message goes whatever the claim, or a claim set too short
                # (a warning at start-up said so) would never send anything.
                if report.claimed and not clock.has_left(
                    settings.outbox_claim_seconds, settings.longest_mail_seconds
                ):
                    break
                message = waiting.pop()
                failure = await _try(mailer, message, settings, clock.now())
                await _record(sessionmaker, message, failure, settings, clock.now(), report)
                if report.unreachable:
                    break
    finally:
        # Also on an error or a cancellation: what was never tried keeps its attempt.
        if waiting:
            await _give_back(sessionmaker, list(reversed(waiting)), report)
    if report.sent:
        log.info("mail_sent", count=len(report.sent))
    return report


async def _give_back(
    sessionmaker: async_sessionmaker[AsyncSession],
    untried: list[ClaimedMessage],
    report: DeliveryReport,
) -> None:
    try:
        await give_back(sessionmaker, untried)
    except Exception:
        # Whatever ended the pass (the database going away) is what gets reported; these
        # claims expire on their own, at the cost of an attempt each.
        log.exception("mail_give_back_failed", count=len(untried))
    else:
        report.untried.extend(message.id for message in untried)


class _PassClock:
    """The pass's time: `now` as given (tests give their own), moving on as the pass
    takes real time."""

    def __init__(self, started: datetime) -> None:
        self.started = started
        self._monotonic: Callable[[], float] = asyncio.get_running_loop().time
        self._origin = self._monotonic()

    def elapsed(self) -> float:
        return self._monotonic() - self._origin

    def now(self) -> datetime:
        return self.started + timedelta(seconds=self.elapsed())

    def has_left(self, claim_seconds: float, needed: float) -> bool:
        return self.elapsed() + needed < claim_seconds


async def _try(
    mailer: SmtpMailer, message: ClaimedMessage, settings: Settings, now: datetime
) -> DeliveryFailed | None:
    """Build and send one message: None once the server accepted it, else why not. Any
    error is this message's alone and never ends the pass."""
    try:
        email = build_message(
            outbox_id=message.id,
            mail_from=settings.mail_from,
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            calendar=message.calendar,
            calendar_method=message.calendar_method,
            date=now,
        )
    except Exception as exc:
        log.exception("mail_not_buildable", outbox_id=str(message.id))
        return DeliveryFailed(f"the message cannot be built: {exc!r}", permanent=True)
    try:
        await mailer.send(email)
    except DeliveryFailed as failure:
        return failure
    except Exception as exc:
        log.exception("mail_send_error", outbox_id=str(message.id))
        return DeliveryFailed(f"sending raised an unexpected error: {exc!r}", permanent=True)
    return None


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession],
    message: ClaimedMessage,
    failure: DeliveryFailed | None,
    settings: Settings,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Record one message's outcome in a transaction of its own, if the claim still holds."""
    outcome: list[uuid.UUID]
    values: dict[str, object]
    if failure is None:
        outcome, values = report.sent, {"status": OutboxStatus.SENT, "sent_at": now}
    elif failure.unreachable:
        report.unreachable = True
        # Not tried: the attempt is given back, and the back-off is the one its last
        # real try earned (at least the first).
        tries = message.attempts - 1
        outcome, values = (
            report.untried,
            {
                "attempts": OutboxMessage.attempts - 1,
                "next_attempt_at": now + retry_delay(max(tries, 1)),
                "last_error": _short(failure),
            },
        )
    elif failure.permanent or message.attempts >= settings.outbox_max_attempts:
        outcome, values = report.failed, {"status": OutboxStatus.FAILED}
        values["last_error"] = _short(failure)
    else:
        outcome, values = (
            report.retrying,
            {"next_attempt_at": now + retry_delay(message.attempts), "last_error": _short(failure)},
        )

    if not await record(sessionmaker, message, values):
        report.claim_lost.append(message.id)
        log.warning(
            "mail_claim_lost",
            outbox_id=str(message.id),
            outcome="sent" if failure is None else failure.detail,
            detail="another sender claimed the message meanwhile; its outcome stands",
        )
        return
    outcome.append(message.id)
    if failure is None:
        return
    fields = {"outbox_id": str(message.id), "attempts": message.attempts, "error": failure.detail}
    if failure.unreachable:
        log.warning("mail_server_unreachable", **fields)
    elif outcome is report.failed:
        log.warning("mail_failed", **fields)
    else:
        log.info("mail_retry_scheduled", **fields)


def _short(failure: DeliveryFailed) -> str:
    return failure.detail[:_ERROR_LENGTH]


async def run_sender(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    """Deliver the queue every `outbox_poll_seconds` until `stop` is set; once it is, the
    message under way is finished and recorded, and nothing more is started.

    An error in a pass (the database restarting, a bug) is logged and the loop goes on:
    the sender must outlive whatever went wrong with one pass. After a pass that found the
    server unreachable it waits at least a minute before knocking again.
    """
    if settings.smtp_host is None:
        log.warning(
            "mail_not_sent_no_smtp_host",
            detail="KLYNGE_SMTP_HOST is not set: mail stays queued (see `klynge outbox`)",
        )
        await stop.wait()
        return
    log.info("mail_sender_started", smtp_host=settings.smtp_host, port=settings.smtp_port)
    while not stop.is_set():
        pause = settings.outbox_poll_seconds
        try:
            report = await deliver_due(sessionmaker, settings, stop=stop)
            if report.unreachable:
                pause = max(pause, FIRST_RETRY.total_seconds())
            elif report.claimed >= PASS_LIMIT:
                continue  # more are due (or the claim ran out before the last): no pause
        except Exception:
            log.exception("mail_sender_pass_failed")
        with contextlib.suppress(TimeoutError):  # the pause passed
            await asyncio.wait_for(stop.wait(), timeout=pause)
    log.info("mail_sender_stopped")
