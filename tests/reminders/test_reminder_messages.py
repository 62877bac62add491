"""The reminder's words: the buyer's language, the seller's bank's names for things."""

from datetime import date
from decimal import Decimal

from app.companies.models import Language
from app.invoices.formatting import money
from app.reminders.messages import ReminderFacts, body


def _facts(language: Language, seller_country: str, account: str) -> ReminderFacts:
    return ReminderFacts(
        language=language,
        level=1,
        seller_name="Seller",
        number="2026-000007",
        due_date=date(2026, 3, 1),
        currency="NOK",
        amount_due=Decimal("1250.00"),
        fee=Decimal("35.00"),
        earlier_fees=Decimal("0.00"),
        payment_reference="20260000074",
        seller_country=seller_country,
        bank_account=account,
        iban=None,
        bic=None,
        pay_by=date(2026, 3, 29),
    )


def test_a_norwegian_seller_asks_a_swedish_buyer_for_a_kid() -> None:
    text = body(_facts(Language.SWEDISH, "NO", "12345678903"))
    assert "påminnelse nummer 1" in text
    assert "KID:" in text
    assert "OCR" not in text
    assert "Kontonummer:" in text
    assert "1234.56.78903" in text
    assert "Bankgiro" not in text


def test_a_swedish_seller_asks_for_ocr_and_bankgiro_in_any_language() -> None:
    text = body(_facts(Language.NORWEGIAN_BOKMAL, "SE", "50501055"))
    assert "OCR:" in text
    assert "Bankgiro:" in text
    assert "5050-1055" in text
    assert "KID" not in text
    # 1250 + the 35 fee, nothing earlier, in nb's form.
    assert money(Decimal("1285.00"), "NOK", Language.NORWEGIAN_BOKMAL) in text
