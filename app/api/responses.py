"""Serialising once: Pydantic models and read-path dicts straight to JSON bytes in a `Response`."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.api.etag import etag_of
from app.api.pagination import link_header

# UTC datetimes as `…Z`, as Pydantic writes them; other offsets as `+01:00` either way.
_ORJSON_OPTIONS = orjson.OPT_UTC_Z


def _encode_other(value: Any) -> Any:
    # asyncpg hands back UUIDs of its own type (a uuid.UUID subclass orjson does not take
    # as one): written as Pydantic writes a UUID. Anything else unknown is a bug.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def dump_json(value: Any) -> bytes:
    """A Pydantic model by its own serializer; the read path's dicts (app/api/reads.py)
    and anything else plain by orjson, in the same JSON forms."""
    if isinstance(value, BaseModel):
        return value.__pydantic_serializer__.to_json(value)
    return orjson.dumps(value, default=_encode_other, option=_ORJSON_OPTIONS)


def json_response(
    value: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content=dump_json(value),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def resource_response(value: BaseModel | Mapping[str, Any], *, version: int) -> Response:
    """A single resource with its `ETag`."""
    return json_response(value, headers={"ETag": etag_of(version)})


def created_response(response: Response, location: str) -> Response:
    """A resource answer made the answer to a create: 201 with its `Location`."""
    response.status_code = 201
    response.headers["Location"] = location
    return response


def page_response(
    request: Request, items: Sequence[BaseModel | Mapping[str, Any]], next_cursor: str | None
) -> Response:
    """A list page: `items`, `next_cursor` and the RFC 8288 `Link` header.

    Each item goes straight to JSON bytes: a model by its Pydantic serializer (building
    a dict first doubled the cost of a 50-row page), a read-path dict by orjson.
    """
    body = b"".join(
        (
            b'{"items":[',
            b",".join(dump_json(item) for item in items),
            b'],"next_cursor":',
            orjson.dumps(next_cursor),
            b"}",
        )
    )
    return Response(
        content=body,
        media_type="application/json",
        headers=link_header(request, next_cursor),
    )
