"""The sender against a real SMTP server speaking TLS (STARTTLS and TLS from the first
byte) and asking for a login: it verifies the server's certificate against the CA it is
given, signs in, and a login or certificate it cannot get past leaves the mail pending.

The server's certificate is issued for 127.0.0.1 by a private CA made for the test run
(trustme); the sender trusts it through `smtp_ca_file`, never by skipping verification.
"""

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import utcnow
from app.mail.models import OutboxStatus
from app.mail.sender import deliver_due
from tests.mail.helpers import MailServer, free_port, outbox_row, outbox_rows, queue_mail

# The implicit-TLS server cannot require TLS for its login (see `tls_server`), which
# aiosmtpd warns about on every connection.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USERNAME = "klynge"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Certificates:
    ca_file: str  # what the sender is told to trust
    server_context: ssl.SSLContext  # what the server presents


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Certificates(ca_file=str(ca_file), server_context=server_context)


class SecureMailServer(MailServer):
    """A MailServer that also notes, for each message, whether it came over TLS, and
    whom the session had signed in as; and the logins it was offered."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: list[tuple[bool, str | None]] = []
        self.logins: list[tuple[str, bool]] = []  # (username, accepted)

    def authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        username = auth_data.login.decode()
        accepted = username == USERNAME and auth_data.password.decode() == PASSWORD
        self.logins.append((username, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        signed_in = session.auth_data.login.decode() if session.authenticated else None
        self.deliveries.append((over_tls, signed_in))
        return await super().handle_DATA(server, session, envelope)


def _serve(server: SecureMailServer, **parameters: Any) -> Iterator[SecureMailServer]:
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=server.authenticate,
        auth_required=True,  # MAIL FROM is refused before a login
        **parameters,
    )
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(certificates: Certificates) -> Iterator[SecureMailServer]:
    """A plain port that must be upgraded with STARTTLS before anything else, and a login
    only over TLS."""
    yield from _serve(
        SecureMailServer(),
        tls_context=certificates.server_context,
        require_starttls=True,
        auth_require_tls=True,
    )


@pytest.fixture
def tls_server(certificates: Certificates) -> Iterator[SecureMailServer]:
    """TLS from the first byte (port 465 style). aiosmtpd's `auth_require_tls` only knows
    of STARTTLS and would refuse every login here, so it is off: the whole connection is
    TLS anyway (the handler checks it)."""
    yield from _serve(
        SecureMailServer(), ssl_context=certificates.server_context, auth_require_tls=False
    )


def _settings(
    database_url: str, server: MailServer, security: str, ca_file: str | None, **overrides: Any
) -> Settings:
    fields: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "log_json": False,
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_security": security,
        "smtp_username": USERNAME,
        "smtp_password": SecretStr(PASSWORD),
        "smtp_ca_file": ca_file,
        "smtp_timeout_seconds": 5,
        "mail_from": "Klynge <post@klynge.test>",
    }
    return Settings(**(fields | overrides))


async def test_starttls_with_a_login_delivers_over_tls_signed_in(
    sessions: async_sessionmaker[AsyncSession],
    starttls_server: SecureMailServer,
    certificates: Certificates,
    database_url: str,
) -> None:
    queued = await queue_mail(sessions, 2)
    settings = _settings(database_url, starttls_server, "starttls", certificates.ca_file)

    report = await deliver_due(sessions, settings)

    assert sorted(report.sent) == sorted(row.id for row in queued)
    assert sorted(r.recipients[0] for r in starttls_server.received) == [
        "person0@example.test",
        "person1@example.test",
    ]
    # One connection for the pass: one login, and both messages over TLS, signed in.
    assert starttls_server.logins == [(USERNAME, True)]
    assert starttls_server.deliveries == [(True, USERNAME), (True, USERNAME)]
    rows = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


async def test_tls_from_the_first_byte_with_a_login_delivers(
    sessions: async_sessionmaker[AsyncSession],
    tls_server: SecureMailServer,
    certificates: Certificates,
    database_url: str,
) -> None:
    [row] = await queue_mail(sessions)
    settings = _settings(database_url, tls_server, "tls", certificates.ca_file)

    report = await deliver_due(sessions, settings)

    assert report.sent == [row.id]
    [received] = tls_server.received
    assert received.message["Subject"] == "Subject 0"
    assert tls_server.logins == [(USERNAME, True)]
    assert tls_server.deliveries == [(True, USERNAME)]
    assert (await outbox_row(sessions, row.id)).status == OutboxStatus.SENT


async def test_starttls_is_not_skipped_by_a_sender_set_to_send_in_clear(
    sessions: async_sessionmaker[AsyncSession],
    starttls_server: SecureMailServer,
    database_url: str,
) -> None:
    # "none" never upgrades: this server refuses it the login, so nothing goes out.
    [row] = await queue_mail(sessions)
    settings = _settings(database_url, starttls_server, "none", None)

    report = await deliver_due(sessions, settings)

    assert report.unreachable
    assert report.untried == [row.id]
    assert starttls_server.received == []
    pending = await outbox_row(sessions, row.id)
    assert (pending.status, pending.attempts) == (OutboxStatus.PENDING, 0)


async def test_a_wrong_password_leaves_the_mail_pending_until_the_login_is_fixed(
    sessions: async_sessionmaker[AsyncSession],
    starttls_server: SecureMailServer,
    certificates: Certificates,
    database_url: str,
) -> None:
    queued = await queue_mail(sessions, 3)
    wrong = _settings(
        database_url,
        starttls_server,
        "starttls",
        certificates.ca_file,
        smtp_password=SecretStr("wrong password"),
    )
    start = utcnow()

    report = await deliver_due(sessions, wrong, now=start)

    # A refused login means the server is unusable, not that the message is wrong: the
    # first message was not tried (its attempt is given back, due again after the first
    # back-off), the pass ends, and the others keep their place untouched.
    assert report.unreachable
    assert report.untried == [row.id for row in queued]
    assert (report.sent, report.retrying, report.failed) == ([], [], [])
    # aiosmtplib tries each mechanism the server offers (PLAIN, LOGIN) before giving up.
    assert len(starttls_server.logins) == 2
    assert set(starttls_server.logins) == {(USERNAME, False)}
    assert starttls_server.received == []
    knocked, *waiting = await outbox_rows(sessions)
    assert (knocked.status, knocked.attempts, knocked.locked_until) == (
        OutboxStatus.PENDING,
        0,
        None,
    )
    assert knocked.last_error is not None
    assert knocked.last_error.startswith("SMTP server unavailable: 535")
    assert PASSWORD not in knocked.last_error
    assert "wrong password" not in knocked.last_error
    assert start + timedelta(minutes=1) <= knocked.next_attempt_at
    assert knocked.next_attempt_at < start + timedelta(minutes=1, seconds=10)
    for row, before in zip(waiting, queued[1:], strict=True):
        assert (row.status, row.attempts, row.last_error, row.locked_until) == (
            OutboxStatus.PENDING,
            0,
            None,
            None,
        )
        assert row.next_attempt_at == before.next_attempt_at

    # Nothing was lost: with the right password, the next pass sends all three, once.
    fixed = wrong.model_copy(update={"smtp_password": SecretStr(PASSWORD)})
    again = await deliver_due(sessions, fixed, now=start + timedelta(minutes=2))

    assert sorted(again.sent) == sorted(row.id for row in queued)
    assert len(starttls_server.received) == 3
    rows = await outbox_rows(sessions)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_a_certificate_the_sender_does_not_trust_is_refused(
    sessions: async_sessionmaker[AsyncSession],
    starttls_server: SecureMailServer,
    tls_server: SecureMailServer,
    database_url: str,
    tmp_path: Path,
    security: str,
) -> None:
    # The server's CA is not among the system's, and another private CA does not vouch
    # for it either: verification stays on, so the sender never signs in or sends.
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    server = starttls_server if security == "starttls" else tls_server
    [row] = await queue_mail(sessions)

    for hours, ca_file in ((1, None), (2, str(other_ca))):
        settings = _settings(database_url, server, security, ca_file)
        report = await deliver_due(sessions, settings, now=utcnow() + timedelta(hours=hours))

        assert report.unreachable
        assert report.untried == [row.id]
        pending = await outbox_row(sessions, row.id)
        assert (pending.status, pending.attempts) == (OutboxStatus.PENDING, 0)
        assert "CERTIFICATE_VERIFY_FAILED" in (pending.last_error or "")
    assert server.logins == []
    assert server.received == []
