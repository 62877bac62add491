"""Where the sender runs: the API's lifespan, `klynge worker`; and `klynge outbox`."""

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings, get_settings
from app.db import utcnow
from app.mail.background import runs_in_api
from app.mail.models import OutboxMessage, OutboxStatus
from app.mail.outbox import enqueue
from app.mail.sender import deliver_due
from app.main import create_app
from tests.mail.helpers import MailServer, outbox_rows, wait_for

runner = CliRunner()
REPOSITORY = Path(__file__).resolve().parents[2]


async def queue(sessions: async_sessionmaker[AsyncSession], *recipients: str) -> None:
    async with sessions() as session, session.begin():
        for recipient in recipients:
            await enqueue(
                session,
                recipient=recipient,
                subject=f"Hello {recipient}",
                body_text=f"Dear {recipient}\nsecond line",
            )


async def test_the_api_lifespan_starts_and_stops_the_sender(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(
        update={"run_worker_in_api": True, "outbox_poll_seconds": 0.05}
    )
    application = create_app(settings)
    await queue(sessions, "before@example.test")

    async with application.router.lifespan_context(application):
        await wait_for(lambda: len(smtp_server.received) == 1)
        # Mail queued while the API runs goes out on a later pass.
        await queue(sessions, "during@example.test")
        await wait_for(lambda: len(smtp_server.received) == 2)

    await queue(sessions, "after@example.test")
    await asyncio.sleep(0.2)
    assert [r.recipients for r in smtp_server.received] == [
        ["before@example.test"],
        ["during@example.test"],
    ]


async def test_without_run_worker_in_api_the_lifespan_sends_nothing(
    sessions: async_sessionmaker[AsyncSession], smtp_server: MailServer, mail_settings: Settings
) -> None:
    settings = mail_settings.model_copy(
        update={"run_worker_in_api": False, "outbox_poll_seconds": 0.05}
    )
    application = create_app(settings)
    await queue(sessions, "anna@example.test")

    async with application.router.lifespan_context(application):
        await asyncio.sleep(0.3)

    assert smtp_server.received == []


def test_the_sender_never_runs_on_an_in_memory_sqlite_database() -> None:
    for url in ("sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"):
        assert not runs_in_api(Settings(database_url=url))
    assert runs_in_api(Settings(database_url="sqlite+aiosqlite:///./klynge.db"))
    assert not runs_in_api(
        Settings(database_url="sqlite+aiosqlite:///./klynge.db", run_worker_in_api=False)
    )


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """The CLI reads its settings from the environment: point it at the test database."""
    monkeypatch.setenv("KLYNGE_DATABASE_URL", database_url)
    monkeypatch.delenv("KLYNGE_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_klynge_outbox_lists_the_waiting_mail(
    environment: None, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await queue(sessions, "anna@example.test", "bo@example.test", "sent@example.test")
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient == "bo@example.test")
            .values(status=OutboxStatus.FAILED, attempts=8, last_error="550 5.1.1 No such user")
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient == "sent@example.test")
            .values(status=OutboxStatus.SENT, attempts=1, sent_at=utcnow())
        )

    # The CLI runs its own event loop (asyncio.run), so not on the test's.
    listed = await asyncio.to_thread(runner.invoke, cli, ["outbox"])

    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    anna = next(line for line in lines if "anna@example.test" in line)
    assert anna.startswith("pending")
    assert "attempts 0" in anna
    assert "Hello anna@example.test" in anna
    bo = next(line for line in lines if "bo@example.test" in line)
    assert bo.startswith("failed")
    assert "attempts 8" in bo
    assert "last error: 550 5.1.1 No such user" in listed.output
    assert "sent@example.test" not in listed.output
    assert "2 message(s) pending, failed." in listed.output
    assert "KLYNGE_SMTP_HOST is not set" in listed.output

    only_failed = await asyncio.to_thread(
        runner.invoke, cli, ["outbox", "--status", "failed", "--body"]
    )
    assert only_failed.exit_code == 0, only_failed.output
    assert "anna@example.test" not in only_failed.output
    assert "| Dear bo@example.test" in only_failed.output
    assert "1 message(s) failed." in only_failed.output


async def test_klynge_outbox_retry_failed_queues_the_failed_mail_again(
    environment: None,
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await queue(sessions, "anna@example.test", "bo@example.test", "cy@example.test")
    long_ago = utcnow() - timedelta(days=3)
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.recipient != "cy@example.test")
            .values(
                status=OutboxStatus.FAILED,
                attempts=8,
                next_attempt_at=long_ago,
                last_error="451 4.3.0 Try again later",
            )
        )
    before = utcnow()

    result = await asyncio.to_thread(runner.invoke, cli, ["outbox", "--retry-failed"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 failed message(s) queued again."
    rows = {row.recipient: row for row in await outbox_rows(sessions)}
    for again in ("anna@example.test", "bo@example.test"):
        row = rows[again]
        assert (row.status, row.attempts, row.locked_until) == (OutboxStatus.PENDING, 0, None)
        assert before <= row.next_attempt_at <= utcnow()
        assert row.last_error == "451 4.3.0 Try again later"  # what went wrong last time
    assert rows["cy@example.test"].attempts == 0  # pending all along: untouched

    report = await deliver_due(sessions, mail_settings)
    assert len(report.sent) == 3
    assert len(smtp_server.received) == 3
    nothing = await asyncio.to_thread(runner.invoke, cli, ["outbox", "--retry-failed"])
    assert nothing.output.strip() == "0 failed message(s) queued again."


async def test_klynge_worker_delivers_until_sigterm(
    sessions: async_sessionmaker[AsyncSession],
    smtp_server: MailServer,
    mail_settings: Settings,
) -> None:
    await queue(sessions, "anna@example.test")
    environment = {
        **os.environ,
        "KLYNGE_DATABASE_URL": mail_settings.database_url,
        "KLYNGE_SMTP_HOST": "127.0.0.1",
        "KLYNGE_SMTP_PORT": str(smtp_server.port),
        "KLYNGE_SMTP_SECURITY": "none",
        "KLYNGE_OUTBOX_POLL_SECONDS": "0.1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        cwd=REPOSITORY,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await wait_for(lambda: len(smtp_server.received) == 1, seconds=30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    assert process.returncode == 0, output.decode()
    assert b"mail_sender_stopped" in output
    assert smtp_server.received[0].recipients == ["anna@example.test"]
    [row] = await outbox_rows(sessions)
    assert row.status is OutboxStatus.SENT


def test_help_lists_the_mail_commands() -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "worker" in result.output
    assert "outbox" in result.output
