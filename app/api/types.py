"""Field types shared by request schemas, so validation says what OpenAPI says.

Pydantic reads `0` or `"0"` as a date (a Unix timestamp); the OpenAPI document says
`YYYY-MM-DD`, so that is all we accept, in query strings and in JSON bodies alike.
E-mail addresses are checked for syntax (OpenAPI's `format: email`) and lower-cased,
and never looked up. Special-use domains that cannot receive mail (`.local`, `.invalid`,
`.localhost`, …) are refused, except RFC 2606's `.test`, which test data uses.
"""

import re
from datetime import date
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

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
