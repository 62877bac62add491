"""KID and OCR numbers against values worked out by hand from the published rules, not by
the module under test."""

import pytest

from app.companies.models import Country
from app.invoices.models import KidAlgorithm
from app.invoices.references import (
    is_valid_kid,
    is_valid_ocr,
    kid,
    ocr,
    payment_reference,
)


@pytest.mark.parametrize(
    ("number", "algorithm", "expected"),
    [
        # MOD10 (Luhn): 1234567890 → check digit 3.
        ("1234567890", KidAlgorithm.MOD10, "12345678903"),
        # MOD11, weights 2,3,4,5,6,7 from the right: 0+27+32+35+36+35+8+9+8+5 = 195;
        # 195 mod 11 = 8; 11 - 8 = 3.
        ("1234567890", KidAlgorithm.MOD11, "12345678903"),
        # 6 x 2 = 12; 12 mod 11 = 1; 11 - 1 = 10, written "-".
        ("6", KidAlgorithm.MOD11, "6-"),
        # 0 x 2 = 0; 11 - 0 = 11, written "0".
        ("0", KidAlgorithm.MOD11, "00"),
        # 5 x 2 = 10; 11 - 10 = 1.
        ("5", KidAlgorithm.MOD11, "51"),
        # The invoice number's digits: 2026-000042 → 2026000042.
        ("2026-000042", KidAlgorithm.MOD11, "2026000042" + "0"),
    ],
)
def test_kid(number: str, algorithm: KidAlgorithm, expected: str) -> None:
    assert kid(number, algorithm) == expected
    assert is_valid_kid(expected)


def test_a_mistyped_kid_is_refused() -> None:
    assert not is_valid_kid("12345678904")
    assert not is_valid_kid("12345678931")  # two digits swapped
    assert not is_valid_kid("")


def test_ocr_with_length_digit() -> None:
    """Bankgirot's OCR reference with length check: 1234567890, then the length digit (12
    digits in all → 2), then Luhn over 12345678902: 4+0+9+8+5+6+1+4+6+2+2 = 47 → 3."""
    assert ocr("1234567890") == "123456789023"
    assert is_valid_ocr("123456789023")
    # Luhn holds but the length digit does not (12 digits, length digit 3).
    assert not is_valid_ocr("123456789031")


def test_the_reference_follows_the_sellers_bank_not_the_currency() -> None:
    assert payment_reference("2026-000042", Country.SWEDEN, KidAlgorithm.MOD11) == ocr(
        "2026-000042"
    )
    assert payment_reference("2026-000042", Country.NORWAY, KidAlgorithm.MOD11) == "20260000420"
