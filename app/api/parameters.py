"""No NUL in a query string, a path or a form.

PostgreSQL cannot store or even compare text holding NUL (U+0000): a search for `%00`
reached the driver and answered 500. Query parameters, path parameters and form fields
are strings before any type reads them, so one dependency of every route refuses NUL in
all of them; JSON bodies are checked field by field by `app.api.schemas.RequestModel`.
Other control characters are left to the types: a filter that holds one finds nothing.
"""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_MESSAGE = "NUL (U+0000) is not allowed in text"


def _error(location: str, name: str, value: Any) -> dict[str, Any]:
    return {"type": "text_characters", "loc": (location, name), "msg": _MESSAGE, "input": value}


async def refuse_nul(request: Request) -> None:
    errors = [
        _error("path", name, value)
        for name, value in request.path_params.items()
        if isinstance(value, str) and "\x00" in value
    ]
    errors += [
        _error("query", name, value)
        for name, value in request.query_params.multi_items()
        if "\x00" in name or "\x00" in value
    ]
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in _FORMS:
        # Starlette keeps the parsed form on the request: the route reads the same one.
        form = await request.form()
        errors += [
            _error("body", name, value)
            for name, value in form.multi_items()
            if "\x00" in name or (isinstance(value, str) and "\x00" in value)
        ]
    if errors:
        raise RequestValidationError(errors)
