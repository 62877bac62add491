"""Reading a request body: the media type the route takes, and JSON as RFC 8259 has it.

FastAPI alone takes a body of any media type as bytes (answered 422 "not an object")
and parses JSON with `json.loads`, which lets through what is not JSON (NaN, lone
surrogates such as "\\ud800" that no database can store) and answers invalid UTF-8 or
deep nesting with a bare 400 or a 500. Every route with a body reads it here first
(app/api/routing.py): another media type is a 415 with `Accept`, JSON that is not
well formed a 400 `malformed_json`, before anything runs.
"""

from typing import Any

import orjson
from starlette.requests import Request

from app.errors import BadRequest, KlyngeError

JSON_MEDIA_TYPE = "application/json"
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnsupportedMediaType(KlyngeError):
    status = 415
    title = "Unsupported media type"
    code = "unsupported_media_type"

    def __init__(self, accepted: tuple[str, ...], sent: str | None) -> None:
        sent_as = f"was sent as {sent}" if sent else "has no Content-Type"
        super().__init__(f"This endpoint takes {' or '.join(accepted)}; the body {sent_as}.")
        # RFC 9110 §12.5.1: Accept in a response names what the resource takes.
        self.headers = {"Accept": ", ".join(accepted)}


class MalformedJson(BadRequest):
    title = "Malformed JSON"
    code = "malformed_json"


def malformed_json() -> MalformedJson:
    return MalformedJson("The request body is not valid JSON.")


def media_type_of(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _is_json(media_type: str | None) -> bool:
    # application/json, and the structured syntax suffix (RFC 6839): application/*+json.
    return media_type == JSON_MEDIA_TYPE or (
        media_type is not None
        and media_type.startswith("application/")
        and media_type.endswith("+json")
    )


async def read_body(request: Request, *, takes_form: bool) -> None:
    """Check the body of a route that takes one; JSON is parsed once, here.

    An empty body is left to the route's validation (a missing body, whatever its
    media type)."""
    body = await request.body()
    if not body:
        return
    media_type = media_type_of(request.headers.get("content-type"))
    if takes_form:
        if media_type not in FORM_MEDIA_TYPES:
            raise UnsupportedMediaType(FORM_MEDIA_TYPES, media_type)
        return
    if not _is_json(media_type):
        raise UnsupportedMediaType((JSON_MEDIA_TYPE,), media_type)
    try:
        # orjson is strict RFC 8259: UTF-8 only, no lone surrogates, no NaN, and at most
        # 1,024 levels of nesting.
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise malformed_json() from exc
    # Starlette keeps a parsed body here; FastAPI's request.json() then returns this
    # value rather than parsing again with the lax json.loads.
    request._json = parsed
