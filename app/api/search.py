"""The `q=` name search every list shares: a case-insensitive substring match.

On PostgreSQL, migration 0002's trigram indexes on `lower(column)` can serve it.
"""

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import InstrumentedAttribute


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_text(text: str, *columns: InstrumentedAttribute[str | None]) -> ColumnElement[bool]:
    """True where any of `columns` contains `text`, ignoring case."""
    pattern = like_pattern(text)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
