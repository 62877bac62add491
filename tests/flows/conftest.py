"""The flow tests use the mail tests' real SMTP server."""

from tests.mail.conftest import mail_settings, sessions, smtp_server

__all__ = ["mail_settings", "sessions", "smtp_server"]
