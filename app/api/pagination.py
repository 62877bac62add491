"""Keyset (cursor) pagination, shared by every list endpoint.

A page is ordered by one sort column plus the id as a tie-breaker, and the cursor
carries the last row's values of both, so fetching page 1,000 costs the same as
page 1 (no OFFSET). The cursor is opaque to clients: base64url of a small JSON array.
"""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar, TypeVarTuple

import orjson
from fastapi import Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Integer, Select, SmallInteger, and_, case, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeEngine

from app.errors import BadRequest

T = TypeVar("T")
Columns = TypeVarTuple("Columns")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Rows per page.")] = 50,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="`next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


@dataclass(frozen=True, slots=True)
class SortOrder:
    """A resolved `sort=` value: the column, its direction and the id tie-breaker."""

    name: str
    column: InstrumentedAttribute[Any]
    id_column: InstrumentedAttribute[Any]
    descending: bool


def resolve_sort(
    sort: str,
    columns: dict[str, InstrumentedAttribute[Any]],
    id_column: InstrumentedAttribute[Any],
) -> SortOrder:
    descending = sort.startswith("-")
    column = columns[sort.removeprefix("-")]
    return SortOrder(name=sort, column=column, id_column=id_column, descending=descending)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _invalid_cursor() -> BadRequest:
    return BadRequest(
        "The cursor is not valid for this list and sort order; start again without it.",
        code="invalid_cursor",
    )


def encode_cursor(order: SortOrder, sort_value: Any, row_id: uuid.UUID) -> str:
    payload = orjson.dumps([order.name, _encode_value(sort_value), str(row_id)])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(order: SortOrder, cursor: str) -> tuple[Any, uuid.UUID]:
    """The sort value and id a cursor carries, each checked against its column.

    A cursor comes back from the client, so it may be anything: every part must have the
    type and range its column can hold, or the database would fail on it (a 500) rather
    than the request being refused (400 `invalid_cursor`)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error) as exc:  # orjson's errors are ValueErrors
        raise _invalid_cursor() from exc
    if not isinstance(parts, list) or len(parts) != 3 or parts[0] != order.name:
        raise _invalid_cursor()
    _, raw_value, raw_id = parts
    if not isinstance(raw_id, str):
        raise _invalid_cursor()
    try:
        return _decode_value(raw_value, order.column), uuid.UUID(raw_id)
    except (ValueError, TypeError, ArithmeticError) as exc:  # overflow, decimal errors
        raise _invalid_cursor() from exc


# The range of each integer type on PostgreSQL, the narrower of the two databases.
_INTEGER_BITS: dict[type[TypeEngine[Any]], int] = {SmallInteger: 16, Integer: 32, BigInteger: 64}


def _decode_value(raw: Any, column: InstrumentedAttribute[Any]) -> Any:
    """`raw` as the column's Python type; ValueError when it is not one the column holds."""
    if raw is None:
        if not column.expression.nullable:
            raise ValueError("null for a column that has no nulls")
        return None
    python_type = column.type.python_type
    if python_type is int:
        # JSON booleans are Python ints, and a float would be truncated without a word.
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ValueError("not an integer")
        stored_as = getattr(column.type, "impl", column.type)  # a TypeDecorator's own type
        bits = next((b for kind, b in _INTEGER_BITS.items() if isinstance(stored_as, kind)), 32)
        if not -(2 ** (bits - 1)) <= raw < 2 ** (bits - 1):
            raise ValueError("out of the column's range")
        return raw
    if not isinstance(raw, str):
        raise ValueError("not a string")
    if python_type is str:
        if "\x00" in raw:  # PostgreSQL's text cannot hold a NUL
            raise ValueError("NUL in text")
        return raw
    if python_type is datetime:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("a time without an offset")
        return value.astimezone(UTC)  # OverflowError past year 9999 or before year 1
    if python_type is date:
        return date.fromisoformat(raw)
    if python_type is Decimal:
        number = Decimal(raw)
        if not number.is_finite():
            raise ValueError("not a finite number")
        return number
    if python_type is uuid.UUID:
        return uuid.UUID(raw)
    raise TypeError(f"no cursor values for columns of {python_type}")


def apply_keyset(stmt: Select[*Columns], order: SortOrder, params: PageParams) -> Select[*Columns]:
    """Order, seek past the cursor and fetch one row more than the page to spot the end."""
    if params.cursor is not None:
        value, last_id = decode_cursor(order, params.cursor)
        key = tuple_(order.column, order.id_column)
        after = tuple_(value, last_id)
        stmt = stmt.where(key < after if order.descending else key > after)
    if order.descending:
        stmt = stmt.order_by(order.column.desc(), order.id_column.desc())
    else:
        stmt = stmt.order_by(order.column.asc(), order.id_column.asc())
    return stmt.limit(params.limit + 1)


def apply_keyset_nulls_last(
    stmt: Select[*Columns], order: SortOrder, params: PageParams
) -> Select[*Columns]:
    """`apply_keyset` for a nullable sort column (a due date): rows without a value come
    last in either direction, ordered by id among themselves, and the cursor may carry a
    null value."""
    column, id_column = order.column, order.id_column
    is_null = case((column.is_(None), 1), else_=0)
    if params.cursor is not None:
        value, last_id = decode_cursor(order, params.cursor)
        if value is None:
            after_id = id_column < last_id if order.descending else id_column > last_id
            stmt = stmt.where(column.is_(None), after_id)
        else:
            key, at = tuple_(column, id_column), tuple_(value, last_id)
            seek = key < at if order.descending else key > at
            stmt = stmt.where(or_(and_(column.is_not(None), seek), column.is_(None)))
    if order.descending:
        stmt = stmt.order_by(is_null, column.desc(), id_column.desc())
    else:
        stmt = stmt.order_by(is_null, column.asc(), id_column.asc())
    return stmt.limit(params.limit + 1)


def cut_page(rows: list[T], order: SortOrder, params: PageParams) -> tuple[list[T], str | None]:
    """Split off the look-ahead row and build the cursor that continues after the page."""
    if len(rows) <= params.limit:
        return rows, None
    page = rows[: params.limit]
    last = page[-1]
    cursor = encode_cursor(order, getattr(last, order.column.key), last.id)  # type: ignore[attr-defined]
    return page, cursor


def link_header(request: Request, next_cursor: str | None) -> dict[str, str]:
    """RFC 8288 `Link: <…>; rel="next"` for clients that follow links, not bodies."""
    if next_cursor is None:
        return {}
    url = request.url.include_query_params(cursor=next_cursor)
    return {"Link": f'<{url}>; rel="next"'}
