from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from app.api.types import Email, IsoDate

adapter = TypeAdapter(IsoDate)


def test_iso_date_accepts_iso_strings_and_dates() -> None:
    assert adapter.validate_python("2026-03-01") == date(2026, 3, 1)
    assert adapter.validate_python(date(2026, 3, 1)) == date(2026, 3, 1)


@pytest.mark.parametrize("value", [0, "0", 1700000000, "2026-3-1", "01.03.2026", "2026-02-30"])
def test_iso_date_refuses_everything_else(value: object) -> None:
    with pytest.raises(ValidationError):
        adapter.validate_python(value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Kari.Nordmann@Example.NO", "kari.nordmann@example.no"),
        ("a@b.test", "a@b.test"),
    ],
)
def test_email_checks_syntax_and_lowercases(raw: str, stored: str) -> None:
    assert TypeAdapter(Email).validate_python(raw) == stored


@pytest.mark.parametrize(
    "raw", ["no-at-sign", "two@@signs.no", "trailing@dot.", "@nobody.no", "post@kommune.local"]
)
def test_email_refuses_what_is_not_an_address(raw: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Email).validate_python(raw)
