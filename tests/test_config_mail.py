"""Mail settings that would let a message go out twice are refused at start-up."""

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_a_claim_shorter_than_one_message_is_refused() -> None:
    with pytest.raises(ValidationError, match="KLYNGE_OUTBOX_CLAIM_SECONDS must exceed 65 s"):
        Settings(smtp_timeout_seconds=30, outbox_claim_seconds=60)


def test_a_claim_longer_than_one_message_is_taken() -> None:
    settings = Settings(smtp_timeout_seconds=30, outbox_claim_seconds=66)
    assert settings.longest_mail_seconds == 65
    assert settings.outbox_claim_seconds == 66


@pytest.mark.parametrize(
    ("login", "message"),
    [
        (
            {"smtp_username": "klynge"},
            "KLYNGE_SMTP_USERNAME is set but KLYNGE_SMTP_PASSWORD is not",
        ),
        (
            {"smtp_username": "klynge", "smtp_password": ""},
            "KLYNGE_SMTP_USERNAME is set but KLYNGE_SMTP_PASSWORD is not",
        ),
        (
            {"smtp_password": "secret"},
            "KLYNGE_SMTP_PASSWORD is set but KLYNGE_SMTP_USERNAME is not",
        ),
        (
            {"smtp_username": "", "smtp_password": "secret"},
            "KLYNGE_SMTP_PASSWORD is set but KLYNGE_SMTP_USERNAME is not",
        ),
    ],
)
def test_half_an_smtp_login_is_refused(login: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        Settings(**login)  # type: ignore[arg-type]
    assert "secret" not in str(refused.value)


def test_an_smtp_login_from_the_environment_is_refused_when_half_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KLYNGE_SMTP_USERNAME", "klynge")
    with pytest.raises(ValidationError, match="set both to sign in to the SMTP server"):
        Settings()


def test_a_full_smtp_login_or_none_is_taken_and_the_ca_file_defaults_to_system_trust() -> None:
    signed_in = Settings(smtp_username="klynge", smtp_password="secret")
    assert signed_in.smtp_username == "klynge"
    assert signed_in.smtp_password is not None
    assert signed_in.smtp_password.get_secret_value() == "secret"

    anonymous = Settings()
    assert (anonymous.smtp_username, anonymous.smtp_password) == (None, None)
    assert anonymous.smtp_ca_file is None
    assert Settings(smtp_ca_file="/etc/klynge/mail-ca.pem").smtp_ca_file == (
        "/etc/klynge/mail-ca.pem"
    )
