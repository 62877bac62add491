"""Field types shared by request schemas, so validation says what OpenAPI says.

Pydantic reads `0` or `"0"` as a date (a Unix timestamp); the OpenAPI document says
`YYYY-MM-DD`, so that is all we accept, in query strings and in JSON bodies alike.
E-mail addresses are checked for syntax (OpenAPI's `format: email`) and lower-cased,
and never looked up. Special-use domains that cannot receive mail (`.local`, `.invalid`,
`.localhost`, …) are refused, except RFC 2606's `.test`, which test data uses.
"""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def _email(value: str) -> str:
    try:
        validated = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    # One spelling, so uniqueness checks and unique indexes agree.
    return validated.normalized.lower()


Email = Annotated[
    str,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]


def positive_decimal_pattern(integer_digits: int, decimals: int) -> str:
    """A pattern for decimals above zero, so the OpenAPI document refuses zero as the API
    does (a client generating from the schema never sends what is then refused)."""
    fractions = "|".join(
        "0" * zeros
        + r"[1-9]"
        + (rf"\d{{0,{decimals - zeros - 1}}}" if decimals - zeros > 1 else "")
        for zeros in range(decimals)
    )
    return rf"^([1-9]\d{{0,{integer_digits - 1}}}(\.\d{{1,{decimals}}})?|0\.({fractions}))$"


def decimal_text(pattern: str, description: str, example: str) -> Any:
    """A Decimal that JSON carries as a string: exact, unlike a JSON number (a float)."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str) and compiled.match(value):
            return Decimal(value)
        raise ValueError(f"expected {description} as a string, e.g. {example!r}")

    return Annotated[
        Decimal,
        BeforeValidator(check),
        PlainSerializer(lambda value: f"{value}", return_type=str, when_used="json"),
        WithJsonSchema(
            {
                "type": "string",
                "pattern": pattern,
                "description": description,
                "examples": [example],
            }
        ),
    ]


# Money in JSON: a string with at most two decimals ("1250.00") beside its currency.
MoneyAmount = decimal_text(
    r"^\d{1,12}(\.\d{1,2})?$", "an amount with up to two decimals", "1250.00"
)
# Amounts and quantities that must be above zero (payments, invoice lines).
PositiveMoneyAmount = decimal_text(
    positive_decimal_pattern(12, 2), "an amount above zero with up to two decimals", "1250.00"
)
PositiveQuantity = decimal_text(
    positive_decimal_pattern(8, 4), "a quantity above zero with up to four decimals", "1"
)
# A VAT rate in per cent.
VatRate = decimal_text(r"^\d{1,2}(\.\d{1,2})?$", "a VAT rate in per cent", "25.00")


def _two_decimals(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


# Money in responses: always exactly two decimals.
MoneyText = Annotated[
    Decimal,
    PlainSerializer(_two_decimals, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1250.00"]}),
]
