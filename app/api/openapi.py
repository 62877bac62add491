"""Post-processing of the generated OpenAPI document."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_READS = ("get", "head")


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
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
