"""Handing messages to the SMTP server (aiosmtplib), and what its refusals mean.

One `SmtpMailer` serves one pass of the sender: it connects on the first message and
keeps the connection for the next ones. After any error it drops the connection, so the
next message starts from a clean session rather than from a server state we cannot know.

Every message, its connection included, has one deadline (`Settings.mail_deadline_seconds`:
twice the SMTP timeout), so no single message holds up a pass, or a shutdown, for longer.

What a failure means for the message:
- the server refused the message itself with a 5xx (sender, recipient or content), or
  cannot take its address (non-ASCII without SMTPUTF8): it never will, `permanent`;
- a 4xx, a timeout, a connection dropped once the session was under way: the message
  was tried, and is tried again later;
- the server could not be reached or refused us (connect, EHLO, STARTTLS, AUTH, or the
  deadline passing while connecting): nothing is wrong with the message and it was not
  tried, `unreachable`; the rest of the pass is not tried either.
"""

import asyncio
from email.message import EmailMessage
from types import TracebackType
from typing import Self

import aiosmtplib

from app.config import Settings


class DeliveryFailed(Exception):
    """The server did not accept a message. `detail` is what the row's last_error says."""

    def __init__(self, detail: str, *, permanent: bool = False, unreachable: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.unreachable = unreachable


class SmtpMailer:
    """`async with SmtpMailer(settings) as mailer: await mailer.send(message)`."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_host is None:
            raise ValueError("no SMTP host configured")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        self._deadline = settings.mail_deadline_seconds
        self._client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_security == "tls",
            # False rather than None: "none" must not upgrade on its own either.
            start_tls=settings.smtp_security == "starttls",
            # The certificate is always verified (aiosmtplib's default); a private CA
            # is added to the system's trust, never replaces verification.
            cert_bundle=settings.smtp_ca_file,
            # connect() signs in when a username is given.
            username=settings.smtp_username or None,
            password=password if settings.smtp_username else None,
            timeout=settings.smtp_timeout_seconds,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        # Leaving on an error or a cancellation: no QUIT, which could wait for a server
        # that is not answering.
        await self._close(polite=_type is None)

    async def send(self, message: EmailMessage) -> None:
        """Return once the server has accepted `message`; raise DeliveryFailed when it did
        not, and let any other error through (the connection is closed either way)."""
        deadline = asyncio.get_running_loop().time() + self._deadline
        if not self._client.is_connected:
            await self._connect(deadline)
        try:
            async with asyncio.timeout_at(deadline):
                await self._client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self._close()
            codes = [refusal.code for refusal in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise DeliveryFailed(
                f"recipient refused: {detail}", permanent=all(code >= 500 for code in codes)
            ) from exc
        except (
            aiosmtplib.SMTPSenderRefused,
            aiosmtplib.SMTPRecipientRefused,
            aiosmtplib.SMTPDataError,
        ) as exc:
            await self._close()
            raise DeliveryFailed(
                f"{_what_was_refused(exc)} refused: {exc.code} {exc.message}",
                permanent=exc.code >= 500,
            ) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            await self._close()
            raise DeliveryFailed(f"not supported by the server: {exc}", permanent=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # TimeoutError is an OSError
            await self._close()
            raise DeliveryFailed(f"sending failed: {_describe(exc)}") from exc
        except BaseException:
            await self._close()
            raise

    async def _connect(self, deadline: float) -> None:
        try:
            async with asyncio.timeout_at(deadline):
                await self._client.connect()
        except Exception as exc:
            # Whatever went wrong, it went wrong before the message was offered.
            await self._close()
            raise DeliveryFailed(
                f"SMTP server unavailable: {_describe(exc)}", unreachable=True
            ) from exc

    async def _close(self, *, polite: bool = False) -> None:
        if not self._client.is_connected:
            return
        if polite:
            try:
                await self._client.quit()
                return
            except (aiosmtplib.SMTPException, OSError):
                pass  # the server went away; closing below is all that is left
        self._client.close()


def _what_was_refused(exc: aiosmtplib.SMTPResponseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return "sender"
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return "recipient"
    return "message"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    if isinstance(exc, TimeoutError) and not str(exc):
        return "timed out"
    return str(exc) or type(exc).__name__
