"""A limit on the size of request bodies, enforced before they are read whole.

A body whose `Content-Length` is over the limit is refused at once, unread; a body
without one (chunked) is counted as it streams in and refused as soon as it passes the
limit, so neither is ever held in memory beyond it. Both answer 413 `body_too_large`
with `Connection: close`, as the rest of the body is never read. Bank files may be
larger than other bodies: their path has its own limit.
"""

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response
from app.errors import KlyngeError


class BodyTooLarge(KlyngeError):
    status = 413
    title = "Content too large"
    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The request body is larger than the {limit:,} bytes this endpoint takes.",
            max_body_bytes=limit,
        )
        self.headers = {"Connection": "close"}


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, by_path: Mapping[str, int]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.by_path = dict(by_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.by_path.get(scope["path"], self.max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            refused = BodyTooLarge(limit)
            await problem_response(refused.problem(), refused.headers)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised where the app reads the body; its handler answers the 413.
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, receive_within_limit, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    # The server refuses a malformed length itself; in-process, counting still holds.
    return int(value) if value is not None and value.isdigit() else None
