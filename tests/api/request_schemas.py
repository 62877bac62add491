"""Walks the validation schemas of every request body and query parameter, so the guard
tests can hold each field to the rules of `app.api.schemas.RequestModel` and
`app.api.types` (strict JSON types, dates in the calendar range)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from app.api.types import in_calendar
from app.config import Settings
from app.main import create_app

# Types Pydantic's lax mode coerces from other JSON types ("4" → 4, "no" → False,
# 1700000000 → a datetime, 4.0 → 4): in a request body each must be strict.
COERCING_TYPES = frozenset(
    {"int", "bool", "float", "decimal", "date", "datetime", "time", "timedelta"}
)
CALENDAR_TYPES = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class Leaf:
    where: str
    schema: dict[str, Any]
    in_calendar: bool
    model: type | None


def openapi_app() -> FastAPI:
    return create_app(
        Settings(database_url="sqlite+aiosqlite:///:memory:", environment="test", log_json=False)
    )


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    def walk(routes: Any) -> Iterator[APIRoute]:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from walk(included.routes)
            elif isinstance(route, APIRoute):
                yield route

    yield from walk(app.routes)


def _children(node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if key in ("metadata", "serialization", "ref", "cls", "function"):
            continue
        if isinstance(value, dict):
            yield key, value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield f"{key}[{index}]", item


def leaves(core_schema: dict[str, Any], where: str) -> Iterator[Leaf]:
    """Every typed node under `core_schema`, with the model it belongs to and whether an
    `in_calendar` check encloses it."""
    definitions: dict[str, dict[str, Any]] = {}

    def collect(node: dict[str, Any]) -> None:
        if "ref" in node:
            definitions[node["ref"]] = node
        for _key, child in _children(node):
            collect(child)

    collect(core_schema)
    seen: set[str] = set()

    def visit(node: dict[str, Any], path: str, ranged: bool, model: type | None) -> Iterator[Leaf]:
        kind = node.get("type")
        if kind == "definition-ref":
            ref = node["schema_ref"]
            if f"{ref}{ranged}" in seen:
                return
            seen.add(f"{ref}{ranged}")
            yield from visit(definitions[ref], path, ranged, model)
            return
        if kind == "model":
            model = node["cls"]
        if kind == "function-after" and node["function"].get("function") is in_calendar:
            ranged = True
        yield Leaf(path, node, ranged, model)
        for key, child in _children(node):
            # Only field names make the path: `fields` is the one node without a type.
            step = f"{path}.{key}" if kind is None else path
            yield from visit(child, step, ranged, model)

    yield from visit(core_schema, where, False, None)


def body_models(app: FastAPI) -> Iterator[tuple[str, Any]]:
    for route in api_routes(app):
        # Forms (the sign-in form) keep their usual parsing: a form has only strings.
        if route.body_field is not None and not isinstance(
            route.body_field.field_info, params.Form
        ):
            yield f"{sorted(route.methods)[0]} {route.path}", route.body_field


def parameters(app: FastAPI) -> Iterator[tuple[str, Any]]:
    for route in api_routes(app):
        for param in get_flat_params(route.dependant):
            yield f"{sorted(route.methods)[0]} {route.path} {param.name}", param


def core_schema_of(field: Any) -> dict[str, Any]:
    schema: dict[str, Any] = field._type_adapter.core_schema
    return schema
