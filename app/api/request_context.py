"""The outermost layer of every request: its id, and the answer when nothing else answered.

Each request gets an id (the caller's `X-Request-ID` when it is a plain token, else a new
one), returned in `X-Request-ID` and bound to every log line written while it runs.

An exception no handler took ends here, and is answered here, once: 503
`database_unavailable` with `Retry-After` when it says the database is unreachable,
else a 500 problem, logged as one JSON line with its traceback. Starlette's own last
resort (ServerErrorMiddleware) re-raises after answering, so uvicorn logged the error a
second time as plain text and closed the kept-open connection without saying so; this
layer sits inside it and returns normally, so the connection stays usable.
"""

import re
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import database_unavailable_response, internal_error_response
from app.database_outage import is_database_unavailable
from app.logging import redact_path

REQUEST_ID_HEADER = "x-request-id"
# What we accept from a caller as its request id: short, and safe in a header and a log.
_CALLER_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = structlog.get_logger(__name__)


def _request_id(scope: Scope) -> str:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == REQUEST_ID_HEADER.encode():
            given = value.decode("latin-1")
            if _CALLER_REQUEST_ID.match(given):
                return given
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                if response_started:
                    # Part of a response is out: nothing truthful can follow it, so the
                    # server must cut the connection (uvicorn does, and logs it).
                    raise
                path = redact_path(scope.get("path", ""))
                if is_database_unavailable(error):
                    log.warning(
                        "database_unavailable",
                        path=path,
                        method=scope.get("method"),
                        error_type=type(error).__name__,
                        # The statement's values are never in it (hide_parameters).
                        error=str(error),
                    )
                    response = database_unavailable_response()
                else:
                    log.error(
                        "unhandled_error", path=path, method=scope.get("method"), exc_info=error
                    )
                    response = internal_error_response(request_id)
                await response(scope, receive, send_with_id)
