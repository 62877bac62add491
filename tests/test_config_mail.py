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
