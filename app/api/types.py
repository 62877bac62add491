"""Field types shared by request schemas, so validation says what OpenAPI says.

Pydantic reads `0` or `"0"` as a date (a Unix timestamp); the OpenAPI document says
`YYYY-MM-DD`, so that is all we accept, in query strings and in JSON bodies alike.
Dates and date-times lie between `FIRST_DAY` and `LAST_DAY`: a century back for history,
nearly two ahead for plans; beyond that a value is a typo, and arithmetic on it (a term's
default end, a reminder's next date) would leave the calendar Python and the databases hold.
E-mail addresses are checked for syntax (OpenAPI's `format: email`) and lower-cased,
and never looked up. Special-use domains that cannot receive mail (`.local`, `.invalid`,
`.localhost`, …) are refused, except RFC 2606's `.test`, which test data uses.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    Strict,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)


@dataclass(frozen=True)
class MultiLineText:
    """Marks a text type as multi-line: it may hold tab and line breaks (see
    `app.api.schemas.RequestModel`); every other text is one line."""


MULTI_LINE = MultiLineText()

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
# The same range as a pattern on the year, so the OpenAPI document says it too.
_YEAR_IN_RANGE = r"(19\d{2}|2[01]\d{2}|2200)"
DATE_PATTERN = rf"^{_YEAR_IN_RANGE}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def in_calendar(value: Any) -> Any:
    """Refuse a date, or a date-time whose own day, outside FIRST_DAY … LAST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"expected a date between {FIRST_DAY} and {LAST_DAY}")
    return value


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a date that exists, as YYYY-MM-DD") from None
    raise ValueError("expected a date as YYYY-MM-DD")


# The one date type of requests (bodies and query parameters): the string is parsed
# here, so the date itself is validated strictly (no Unix times, no datetimes).
IsoDate = Annotated[
    date,
    Strict(),
    BeforeValidator(_iso_date_only),
    AfterValidator(in_calendar),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


# Pydantic's own reading of RFC 3339 text (`t`/`z` in lower case, nanoseconds, …).
_DATE_TIME_TEXT = TypeAdapter(datetime)
# Date-times say their year range in the document as a pattern on the start.
DATE_TIME_PATTERN = rf"^{_YEAR_IN_RANGE}-"


def iso_date_time(text_pattern: re.Pattern[str], expected: str, *metadata: Any) -> Any:
    """A date-time type taking strings that match `text_pattern` (and datetimes), on a
    day in the calendar range; `expected` words the error, `metadata` (e.g. a `Field`)
    annotates the type. The string is parsed here, so
    the datetime is validated strictly (Pydantic would read `1700000000` as a Unix time)."""

    def parse(value: Any) -> Any:
        if isinstance(value, datetime):
            return value
        if isinstance(value, str) and text_pattern.match(value):
            try:
                return _DATE_TIME_TEXT.validate_python(value)
            except ValidationError:
                raise ValueError(f"{expected}, naming a day and time that exist") from None
        raise ValueError(expected)

    return Annotated[
        datetime,
        Strict(),
        BeforeValidator(parse),
        AfterValidator(in_calendar),
        WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}),
        *metadata,
    ]


# RFC 3339 date-time: a date, a time and an offset (`Z` or `±hh:mm`), nothing looser.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
IsoInstant = iso_date_time(
    _INSTANT, "expected an ISO 8601 date-time with an offset, e.g. 2026-01-31T09:00:00Z"
)


def _json_integer(value: Any) -> Any:
    # JSON Schema counts 4.0 as an integer; the string "4" and `true` are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers of JSON bodies: strict (no "4", no `true`), but 4.0 is 4, as JSON Schema says.
JsonInt = Annotated[int, Strict(), BeforeValidator(_json_integer)]


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
        Strict(),
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
