"""No NUL in a query string or a form.

PostgreSQL cannot store or even compare text holding NUL (U+0000): a search for `%00`
reached the driver and answered 500. Query parameters and form fields are strings before
any type reads them, so one dependency of every route refuses NUL in all of them; JSON
bodies are checked field by field by `app.api.schemas.RequestModel`. Other control
characters are left to the types: a filter that holds one finds nothing. Path segments
are ids, which their types check, or a feed token, which is looked up by its hash (a
path naming nothing is 404, NUL or not).
"""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from app.api.bodies import FORM_MEDIA_TYPES, media_type_of
from app.api.schemas import document_text_rule

NO_NUL_PATTERN = r"^[^\u0000]*$"
_MESSAGE = "NUL (U+0000) is not allowed in text"


def _error(location: str, name: str, value: Any) -> dict[str, Any]:
    return {"type": "text_characters", "loc": (location, name), "msg": _MESSAGE, "input": value}


def _form_fields(request: Request) -> frozenset[str]:
    route = request.scope.get("route")
    body = getattr(route, "body_field", None)
    model = getattr(getattr(body, "field_info", None), "annotation", None)
    fields: dict[str, Any] = getattr(model, "model_fields", {})
    return frozenset(field.alias or name for name, field in fields.items())


async def refuse_nul(request: Request) -> None:
    errors = [
        _error("query", name, value)
        for name, value in request.query_params.multi_items()
        if "\x00" in name or "\x00" in value
    ]
    if media_type_of(request.headers.get("content-type")) in FORM_MEDIA_TYPES:
        # Starlette keeps the parsed form on the request: the route reads the same one.
        # Fields the route does not declare are ignored by it, so they cannot do harm.
        declared = _form_fields(request)
        form = await request.form()
        errors += [
            _error("body", name, value)
            for name, value in form.multi_items()
            if name in declared and isinstance(value, str) and "\x00" in value
        ]
    if errors:
        raise RequestValidationError(errors)


def document_no_nul(document: dict[str, Any]) -> None:
    """State the rule in the OpenAPI document: every free string of a query or a form
    gets a pattern without NUL, so the document and the validation agree."""
    components = document.get("components", {}).get("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    document_text_rule(parameter.get("schema"), NO_NUL_PATTERN)
            for media_type in FORM_MEDIA_TYPES:
                body = operation.get("requestBody", {}).get("content", {}).get(media_type)
                if body is None:
                    continue
                ref = body.get("schema", {}).get("$ref", "")
                form = components.get(ref.rsplit("/", 1)[-1], body.get("schema", {}))
                for prop in form.get("properties", {}).values():
                    document_text_rule(prop, NO_NUL_PATTERN)
