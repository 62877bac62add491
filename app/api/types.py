"""Field types shared by request schemas, stricter than Pydantic's lax defaults.

Pydantic reads `0` or `"0"` as a date (a Unix timestamp); the OpenAPI document says
`YYYY-MM-DD`, so that is all we accept, in query strings and in JSON bodies alike.
"""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
