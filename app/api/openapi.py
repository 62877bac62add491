"""Post-processing of the generated OpenAPI document."""

from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import _get_api_route_for_openapi, get_openapi

from app.api.parameters import document_no_nul

_READS = ("get", "head")
# What FastAPI writes first in an operation; `security` comes right after.
_METADATA = frozenset({"tags", "summary", "description", "operationId", "deprecated"})
# Pydantic writes the bounds of a constrained type it wraps in a validator (`JsonInt`)
# under its own names; JSON Schema's are these.
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _standard_bounds(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for ours, standard in _BOUNDS.items():
                if ours in node:
                    node[standard] = node.pop(ours)
        for value in node.values():
            _standard_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _standard_bounds(value)


def _calls(dependant: Dependant) -> set[Any]:
    """Every callable in a dependency tree."""
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def _authenticated_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of every documented operation whose dependencies resolve the
    caller, walking the routes as get_openapi does (included routers expand lazily)."""
    from app.auth.authenticate import resolve_caller

    found: set[tuple[str, str]] = set()
    for context in routing.iter_route_contexts(app.routes):
        route = _get_api_route_for_openapi(context)
        if route is None or not route.include_in_schema:
            continue
        if resolve_caller in _calls(route.dependant):
            found.update((route.path_format, method.lower()) for method in route.methods or ())
    return found


def _document_security(app: FastAPI, document: dict[str, Any]) -> None:
    """The credentials' schemes, where FastAPI would have written them had the caller
    dependency declared them as security dependencies (it reads the header once
    itself): right after an operation's metadata, and after the components' schemas."""
    from app.auth.authenticate import SECURITY_SCHEMES

    requirement: list[dict[str, list[str]]] = [
        {scheme.scheme_name: []} for scheme in SECURITY_SCHEMES
    ]
    for path, method in _authenticated_operations(app):
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        keys = list(operation)
        # Where FastAPI (0.165) put it: after the metadata, or last in a change without
        # parameters; the document stays byte for byte what it was
        # (tests/test_openapi_document.py holds the rest of it).
        at = next((i for i, key in enumerate(keys) if key not in _METADATA), len(keys))
        if "parameters" not in operation and method not in _READS:
            at = len(keys)
        rebuilt = {key: operation[key] for key in keys[:at]}
        rebuilt["security"] = [dict(entry) for entry in requirement]
        rebuilt.update({key: operation[key] for key in keys[at:]})
        operation.clear()
        operation.update(rebuilt)
    components = document.setdefault("components", {})
    components["securitySchemes"] = {
        scheme.scheme_name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
        for scheme in SECURITY_SCHEMES
    }


def install_openapi(app: FastAPI) -> None:
    """Say in the document what the service does: reads work without credentials (the
    public view, narrowed to what the caller may see), changes need them."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            _document_security(app, document)
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    if method in _READS and operation.get("security"):
                        operation["security"].append({})
            document_no_nul(document)
            _standard_bounds(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
