"""Numbers, dates and identifiers as people read them on an invoice document.

Machine forms (JSON, UBL) use `app.invoices.money.format_money`; these are for the PDF:
"1 250,00" in Norwegian and Swedish, "1,250.00" in English.
"""

from datetime import date
from decimal import Decimal

from app.companies.models import Language
from app.invoices.money import round_money
from app.text import printable


def amount(value: Decimal, language: Language) -> str:
    text = f"{round_money(value):,.2f}"  # "1,250.00"
    if language is Language.ENGLISH:
        return text
    # Nordic style: space between thousands, comma before the decimals.
    return text.replace(",", " ").replace(".", ",")


def money(value: Decimal, currency: str, language: Language) -> str:
    return f"{amount(value, language)} {currency}"


def number(value: Decimal, language: Language) -> str:
    """A quantity or a rate without trailing zeros: "1", "2,5" / "2.5"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if language is Language.ENGLISH else text.replace(".", ",")


def rate(value: Decimal, language: Language) -> str:
    return f"{number(value, language)} %"


def day(value: date, language: Language) -> str:
    # Norwegians write 22.11.2026; Swedes and international readers the ISO form.
    if language is Language.NORWEGIAN_BOKMAL:
        return value.strftime("%d.%m.%Y")
    return value.isoformat()


def period(starts_on: date | None, ends_on: date | None, language: Language) -> str | None:
    if starts_on is None and ends_on is None:
        return None
    start = day(starts_on, language) if starts_on else ""
    end = day(ends_on, language) if ends_on else ""
    return f"{start} - {end}".strip()


def organisation_number(value: str, country: str) -> str:
    """Norway: "923 609 016"; Sweden: "556036-0793" (the forms the registers print)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if country == "NO" and len(digits) == 9:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if country == "SE" and len(digits) == 10:
        return f"{digits[:6]}-{digits[6:]}"
    return value


def bank_account(value: str, country: str) -> str:
    """As people write it: a kontonummer `1234.56.78903`, a bankgiro number `5050-1055`
    (the last four digits after the dash). Stored and put in the XML as digits only."""
    if country == "NO" and len(value) == 11:
        return f"{value[:4]}.{value[4:6]}.{value[6:]}"
    if country == "SE" and len(value) in (7, 8):
        return f"{value[:-4]}-{value[-4:]}"
    return value


def latin1(text: str) -> str:
    """Text the PDF's core fonts can draw.

    The standard PDF fonts (Helvetica) cover latin-1 only: Norwegian and Swedish letters
    (æøåäö) are in it; anything else (an en dash, a Polish ł, an emoji in a company name)
    would make fpdf2 raise. Common typographic characters get their latin-1 look-alike;
    the rest become "?", so an odd character never stops an invoice from rendering;
    control characters (in text stored before the API refused them) too.
    """
    replaced = printable(text).translate(_LOOKALIKES)
    return replaced.encode("latin-1", errors="replace").decode("latin-1")


_LOOKALIKES = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\u20ac": "EUR",
    }
)
