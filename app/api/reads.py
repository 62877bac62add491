"""The fast read path every list and get answers by.

A read fetches plain rows (SQLAlchemy Core columns over the statement the repository's
`_visible` narrowed), turns each into a dict shaped exactly like the route's response
model, and serialises the whole answer once with orjson. No ORM object is hydrated and no
Pydantic model is validated or built: both cost more than the query on a 50-row page
(an ORM page with a `model_validate` per row ran at a fifth of hand-written asyncpg +
orjson). The response model stays the route's `response_model`, so the OpenAPI document
is unchanged, and `RowShape` is derived from it, so the JSON is the model's JSON: a
field's `PlainSerializer` (money with two decimals, quantities without trailing zeros)
is applied, nested models get their defaults, datetimes in UTC end in `Z` as Pydantic
writes them. `tests/api/test_read_shapes.py` holds every GET answer to its model.

Writes keep the ORM, its rules and the audit recorder; their answers use the same shapes
(`RowShape.of_object`), so a resource has one representation, built one way. Both are
written by `app/api/responses.py` (`resource_response`, `page_response`).
"""

import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Union

from pydantic import BaseModel, PlainSerializer
from pydantic_core import PydanticUndefined
from sqlalchemy import ColumnElement, Row, inspect
from sqlalchemy.sql.elements import Label

from app.api.pagination import SortOrder

Convert = Callable[[Any], Any]


def _serializer_of(metadata: Iterable[Any]) -> Convert | None:
    for item in metadata:
        if isinstance(item, PlainSerializer) and item.when_used in ("always", "json"):
            return typing.cast(Convert, item.func)
    return None


def _converter(annotation: Any, metadata: Sequence[Any] = ()) -> Convert | None:
    """How a stored value becomes the JSON value Pydantic would write for `annotation`;
    None when orjson writes the value as it is (str, int, bool, UUID, date, datetime,
    enums)."""
    serialize = _serializer_of(metadata)
    if serialize is not None:
        return serialize
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _converter(inner, extra)
    if origin in (Union, types.UnionType):
        arms = [arm for arm in typing.get_args(annotation) if arm is not type(None)]
        if len(arms) != 1:
            raise TypeError(f"no row shape for the union {annotation}")
        return _converter(arms[0])  # None passes every converter untouched
    if origin is list:
        (item,) = typing.get_args(annotation)
        convert_item = _converter(item)
        if convert_item is None:
            return None
        return lambda values: [convert_item(value) for value in values]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return RowShape(annotation).nested
    if annotation is Decimal:
        return str  # Pydantic's JSON form of a bare Decimal
    return None


class RowShape:
    """The JSON of one response model, built from a row (a mapping) or an object."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.names = tuple(model.model_fields)
        self._converters = tuple(
            (name, convert)
            for name, field in model.model_fields.items()
            if (convert := _converter(field.annotation, field.metadata)) is not None
        )
        self._defaults = {
            name: field.default
            for name, field in model.model_fields.items()
            if field.default is not PydanticUndefined
        }
        self._prefixed: dict[str, tuple[tuple[str, str], ...]] = {}
        self._columns: dict[tuple[Any, str], list[Label[Any]]] = {}

    def _finish(self, values: dict[str, Any]) -> dict[str, Any]:
        for name, convert in self._converters:
            value = values[name]
            if value is not None:
                values[name] = convert(value)
        return values

    def _keys(self, prefix: str) -> tuple[tuple[str, str], ...]:
        keys = self._prefixed.get(prefix)
        if keys is None:
            keys = self._prefixed[prefix] = tuple((name, prefix + name) for name in self.names)
        return keys

    def of_row(
        self, row: Row[Any] | Mapping[Any, Any], *, prefix: str = "", **extra: Any
    ) -> dict[str, Any]:
        """Every field from `row` (its columns labelled `prefix` + field name, see
        `columns`) or `extra`; a missing one is a KeyError (a bug)."""
        if not prefix and isinstance(row, Row) and row._fields == self.names:
            # The statement selected exactly the shape's columns, in order: the common
            # case, and five times cheaper than a lookup by name per field.
            values = dict(zip(self.names, row, strict=True))
        else:
            mapping = row._mapping if isinstance(row, Row) else row
            values = {name: mapping[key] for name, key in self._keys(prefix) if name not in extra}
        values.update(extra)
        return self._finish(values)

    def of_joined(self, row: Mapping[Any, Any], prefix: str) -> dict[str, Any] | None:
        """A related row selected beside the main one under `prefix` (an `include=` by
        LEFT JOIN); None where the join found none or the caller may not see it."""
        if row[prefix + "id"] is None:
            return None
        return self.of_row(row, prefix=prefix)

    def of_object(self, source: object, **extra: Any) -> dict[str, Any]:
        """Like `of_row`, from attributes (an ORM object a write returns)."""
        values = {
            name: extra[name] if name in extra else getattr(source, name) for name in self.names
        }
        return self._finish(values)

    def nested(self, value: Any) -> dict[str, Any]:
        """A nested model's value: a dict from a JSON column (fields it lacks take their
        defaults, as validation would give them), a model, or an object."""
        if isinstance(value, Mapping):
            values = {name: value.get(name, self._defaults.get(name)) for name in self.names}
            return self._finish(values)
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return self.of_object(value)

    def columns(self, entity: Any, *, prefix: str = "") -> list[Label[Any]]:
        """The entity's (or an alias's) mapped columns that are fields of the shape,
        labelled `prefix` + field name: what a read selects instead of the entity. Built
        once per entity and prefix; labels made per request cost more than a short read."""
        key = (entity, prefix)
        columns = self._columns.get(key)
        if columns is None:
            mapped = inspect(entity).mapper.column_attrs.keys()
            columns = self._columns[key] = [
                getattr(entity, name).label(prefix + name) for name in self.names if name in mapped
            ]
        return columns


def rows_by_parent(rows: Iterable[Row[Any]], key: str) -> dict[Any, list[Row[Any]]]:
    """The rows of a to-many `include=` (one query for the whole page), grouped by the
    parent id in their column `key`, each group in the order the query returned them."""
    grouped: dict[Any, list[Row[Any]]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def ordered_by(source: Any, order: SortOrder) -> list[ColumnElement[Any]]:
    """`order` (a keyset's sort column and id tie-breaker) over the same-named columns of
    `source`, a subquery or CTE of an ordered, limited statement: an outer query that
    adds columns to a page (counts joined after the LIMIT) must order its rows again."""
    column, id_column = source.c[order.column.key], source.c[order.id_column.key]
    if order.descending:
        return [column.desc(), id_column.desc()]
    return [column.asc(), id_column.asc()]


def as_pydantic_writes(value: datetime) -> datetime:
    """An aware datetime as Pydantic writes it in JSON: an offset with seconds (a zone's
    local mean time before it took standard time, e.g. Europe/Amsterdam at +00:19:32
    until 1937) cut to whole minutes toward zero, where orjson would round it (+00:20);
    every other value unchanged. The wall-clock time stays, as both write it."""
    offset = value.utcoffset()
    if offset is None or not offset.seconds % 60:
        return value
    minutes = int(offset.total_seconds() / 60)  # toward zero, as Pydantic cuts it
    return value.replace(tzinfo=timezone(timedelta(minutes=minutes)))
