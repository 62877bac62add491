"""Fixtures for the mail tests: a real SMTP server on a free port, settings pointing at
it, and sessions on the test database (emptied after each test)."""

from collections.abc import Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_sessionmaker
from tests.mail.helpers import MailServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(database_url: str, smtp_server: MailServer) -> Settings:
    return Settings(
        database_url=database_url,
        environment="test",
        log_json=False,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_security="none",
        smtp_timeout_seconds=5,
        mail_from="Klynge <post@klynge.test>",
    )


@pytest.fixture
def sessions(
    engine: AsyncEngine, anonymous_client: httpx.AsyncClient
) -> async_sessionmaker[AsyncSession]:
    """Writing sessions, as the sender uses them. (`anonymous_client` is here for its
    teardown, which empties every table.)"""
    return create_sessionmaker(engine)
