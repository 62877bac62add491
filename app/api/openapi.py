"""Post-processing of the generated OpenAPI document."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.parameters import document_no_nul

_READS = ("get", "head")
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
            for item in document.get("paths", {}).values():
                for method, operation in item.items():
                    if method in _READS and operation.get("security"):
                        operation["security"].append({})
            document_no_nul(document)
            _standard_bounds(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
