"""HEAD wherever GET is served (RFC 9110 §9.3.2): the GET answer without its body.

FastAPI's routes answer only the methods they name, and naming HEAD on every GET route
would double the OpenAPI document. So HEAD is run as the GET it stands for, and the
body is dropped on the way out: the status and every header (`ETag`, `Content-Length`,
`Link`) are the GET's own, whatever route, problem or error answered it.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
