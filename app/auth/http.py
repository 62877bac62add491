"""HTTP details the sign-in and key routes share."""

from starlette.requests import Request

# Answers that carry tokens or a new key must not sit in any cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def client_address(request: Request) -> str | None:
    """The client's address, as uvicorn gives it (behind trusted proxies, the forwarded one)."""
    return request.client.host if request.client is not None else None
