"""Turning every failure into `application/problem+json` (RFC 9457).

One place installs the handlers and one place describes the problem responses in
OpenAPI, so each route documents exactly the statuses it can answer with.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from app.api.bodies import malformed_json
from app.api.field_errors import CODE_KEY
from app.api.responses import dump_json
from app.errors import PROBLEM_TYPE_BASE, KlyngeError, error_for_constraint, problem_document
from app.logging import redact_path

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger(__name__)


class FieldError(BaseModel):
    field: str = Field(examples=["body.organisation_number"])
    message: str = Field(examples=["Not a valid Norwegian organisation number."])
    code: str | None = Field(
        default=None,
        description="The rule the value breaks, where it has a stable code of its own.",
        examples=["invalid_unit_code"],
    )


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "company-not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No company with id 3f0c…"])
    code: str = Field(description="Stable machine-readable error code.", examples=["not_found"])
    errors: list[FieldError] | None = Field(
        default=None, description="For validation problems: one entry per offending field."
    )
    request_id: str | None = Field(
        default=None,
        description="For 500: the request's id (also in `X-Request-ID`), which its log line names.",
    )


_DESCRIPTIONS = {
    400: "Malformed request (for example a body that is not JSON, or a bad cursor).",
    401: "No credentials, or credentials that are not valid (expired, revoked, malformed).",
    403: "The caller is known but may not do this (or the credentials are read-only).",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with the current state.",
    412: "The `If-Match` ETag is stale: the resource changed since it was read.",
    422: "Validation failed; `errors` lists the fields.",
    413: "The request body is larger than the service accepts (`body_too_large`).",
    415: "A route that takes a body got another media type (`unsupported_media_type`).",
    428: "`If-Match` is required for this request.",
    429: "Too many failed attempts; retry after `Retry-After` seconds.",
    503: "The database is unreachable; retry after `Retry-After` seconds.",
    500: "Unexpected error. The body never carries internals; the server logs the cause.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given problem statuses.

    401 and 403 are always listed: any request may carry bad credentials or read-only
    ones; any request may carry a body too large or of another type (415 where the
    route takes a body). So are 422 and 500.
    """
    wanted = sorted({*statuses, 401, 403, 413, 415, 422, 500})
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in wanted
    }


def problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=dump_json(problem),
        status_code=problem["status"],
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _on_domain_error(_request: Request, exc: Exception) -> Response:
    error = cast(KlyngeError, exc)
    return problem_response(error.problem(), headers=error.headers)


async def _on_validation_error(_request: Request, exc: Exception) -> Response:
    errors = list(cast(RequestValidationError, exc).errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem_response(malformed_json().problem())
    field_errors = [_field_error(error) for error in errors]
    # One kind of coded error alone answers with its code; anything else is generic.
    codes = {entry.get("code") for entry in field_errors}
    code = codes.pop() if len(codes) == 1 else None
    return problem_response(
        problem_document(
            422,
            "Validation failed",
            code or "validation_failed",
            "The request has invalid fields; see `errors`.",
            errors=field_errors,
        )
    )


def _field_error(error: Any) -> dict[str, str]:
    entry = {"field": _field_path(error.get("loc", ())), "message": str(error.get("msg", ""))}
    code = (error.get("ctx") or {}).get(CODE_KEY)
    if code:
        entry["code"] = str(code)
    return entry


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, including those of included routers: FastAPI keeps an included
    router as one branch holding the router (`original_router`), whose routes carry
    their full paths, since Klynge's routers set their prefix themselves."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def _allowed_methods(request: Request) -> str:
    """Every method the path supports; Starlette names only the first route's."""
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    if "GET" in methods:
        methods.add("HEAD")  # served as GET (app/api/head.py)
    return ", ".join(sorted(methods))


async def _on_http_error(request: Request, error: Exception) -> Response:
    exc = cast(StarletteHTTPException, error)
    code = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        # Starlette's own header names one route's methods; keep it if ours finds none.
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return problem_response(
        problem_document(exc.status_code, str(exc.detail), code, str(exc.detail)),
        headers=headers or None,
    )


# "UNIQUE constraint failed: organisations.country, organisations.organisation_number"
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")


def _constraint_name(exc: Exception) -> str | None:
    """The violated constraint's name: asyncpg reports it; for SQLite's unique keys it is
    rebuilt from the table and columns with Base's naming convention (uq_<table>_<cols>)."""
    cause = getattr(exc, "orig", None)
    while cause is not None:
        name = getattr(cause, "constraint_name", None)
        if name:
            return str(name)
        cause = cause.__cause__
    match = _SQLITE_UNIQUE.search(str(exc))
    if match is None:
        return None
    table = match.group(1)
    columns = [part.split(".")[-1] for part in match.group(2).split(", ")]
    return f"uq_{table}_{'_'.join(columns)}"


def _logged_path(request: Request) -> str:
    # A calendar feed's path carries its secret token: never log it.
    return redact_path(request.url.path)


async def _on_integrity_error(request: Request, exc: Exception) -> Response:
    # Services check the rules first and raise precise errors; reaching this means a
    # concurrent request won the race for the same unique key or range.
    constraint = _constraint_name(exc)
    log.warning("integrity_conflict", path=_logged_path(request), constraint=constraint)
    known = error_for_constraint(constraint)
    if known is not None:
        return problem_response(known.problem())
    return problem_response(
        problem_document(
            409,
            "Conflict",
            "concurrent_conflict",
            "The change conflicts with one committed at the same time; read and retry.",
        )
    )


async def _on_stale_data(request: Request, _exc: Exception) -> Response:
    return problem_response(
        problem_document(
            412,
            "Precondition failed",
            "etag_mismatch",
            "The resource was changed by another request; read it again and retry.",
        )
    )


# Long enough for a restart's first seconds, short enough that clients come back soon.
RETRY_AFTER_SECONDS = 2


def database_unavailable_response(detail: str = "Try again shortly.") -> Response:
    """503 for every form of "the database is unreachable" (app/database_outage.py)."""
    return problem_response(
        problem_document(503, "Service unavailable", "database_unavailable", detail),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def internal_error_response(request_id: str) -> Response:
    """500 for an error no handler took; the request id finds its log line."""
    return problem_response(
        problem_document(
            500,
            "Internal server error",
            "internal_error",
            f"An unexpected error occurred; quote request id {request_id} when reporting it.",
            request_id=request_id,
        )
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KlyngeError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(StaleDataError, _on_stale_data)
    # Database outages and unexpected errors are answered by RequestContextMiddleware
    # (app/api/request_context.py): a handler for Exception here would run inside
    # Starlette's ServerErrorMiddleware, which re-raises and so closes the connection.
