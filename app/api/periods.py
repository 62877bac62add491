"""Periods and status changes, the same for memberships, office terms and networks.

A period runs from `starts_on` to `ends_on`, both days included; a null `ends_on` is
open-ended. The predicates take the period's columns and build SQL, so every query
reads "covers", "overlaps" and "holds" one way.
"""

from collections.abc import Collection, Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_

from app.errors import Conflict, InvalidField

S = TypeVar("S", bound=StrEnum)

# A day given as a value, or as another period's column (a correlated check).
Day = date | SQLColumnExpression[date]


def covers(
    starts_col: SQLColumnExpression[date], ends_col: SQLColumnExpression[date | None], day: Day
) -> ColumnElement[bool]:
    """The period contains the day."""
    return and_(starts_col <= day, or_(ends_col.is_(None), ends_col >= day))


def overlaps(
    starts_col: SQLColumnExpression[date],
    ends_col: SQLColumnExpression[date | None],
    starts_on: date,
    ends_on: date | None,
) -> ColumnElement[bool]:
    """The period shares at least one day with [starts_on, ends_on]."""
    meets = or_(ends_col.is_(None), ends_col >= starts_on)
    return meets if ends_on is None else and_(meets, starts_col <= ends_on)


def holds(
    starts_col: SQLColumnExpression[date],
    ends_col: SQLColumnExpression[date | None],
    starts_on: Day,
    ends_on: date | SQLColumnExpression[date | None] | None,
) -> ColumnElement[bool]:
    """The period contains every day of [starts_on, ends_on]; only an open-ended period
    holds an open-ended one. `ends_on` may be a nullable column: then the result is
    still true or false, never NULL, so it can be negated safely."""
    through_end: ColumnElement[bool]
    if ends_on is None:
        through_end = ends_col.is_(None)
    elif isinstance(ends_on, date):
        through_end = or_(ends_col.is_(None), ends_col >= ends_on)
    else:
        through_end = or_(ends_col.is_(None), and_(ends_on.is_not(None), ends_col >= ends_on))
    return and_(starts_col <= starts_on, through_end)


def check_period(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise InvalidField(
            "ends_on",
            f"The period cannot end ({ends_on}) before it starts ({starts_on}).",
            code="invalid_period",
        )


def check_transition(table: Mapping[S, Collection[S]], current: S, wanted: S) -> None:
    """Staying in the current status is always allowed; other moves follow `table`."""
    if wanted == current:
        return
    allowed = table.get(current, ())
    if wanted not in allowed:
        can_become = ", ".join(sorted(status.value for status in allowed)) or "nothing else"
        raise Conflict(
            f"The status cannot go from {current.value} to {wanted.value}; from "
            f"{current.value} it can become: {can_become}.",
            code="invalid_status_transition",
        )
