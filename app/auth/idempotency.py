"""`Idempotency-Key` for the creates that carry a secret: users (a password in the body)
and API keys (the key in the answer).

The shared dependency (app/api/idempotency.py) keeps a SHA-256 of the request body and
the answer as sent, for 24 hours. Here neither may hold the secret:
- the body's password is replaced by an HMAC keyed with the server's secret before the
  fingerprint is taken: a plain SHA-256 of a body whose other fields are known is a fast
  way to guess the password, bypassing Argon2;
- the answer kept for a replay is given by the route, so a new API key's answer is kept
  without the key (it is shown once; see `app/auth/api_keys_router.py`).
"""

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.db import utcnow
from app.idempotency import service

_SECRET_FIELDS = ("password",)


def _fingerprint(request: Request, body: bytes) -> str:
    try:
        document: Any = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        document = None
    if isinstance(document, dict):
        key = request.app.state.settings.jwt_secret.get_secret_value().encode()
        for field in _SECRET_FIELDS:
            if isinstance(document.get(field), str):
                mac = hmac.new(key, document[field].encode(), hashlib.sha256).hexdigest()
                document[field] = f"hmac:{mac}"
        body = orjson.dumps(document)
    return service.fingerprint(request.method, request.url.path, body)


class SecretSafeIdempotency:
    def __init__(
        self, request: Request, session: AsyncSession, caller_key: str, key: str | None
    ) -> None:
        self._request = request
        self._session = session
        self._caller_key = caller_key
        self._key = key

    async def run(
        self,
        create: Callable[[], Awaitable[Response]],
        kept: Callable[[Response], Response] = lambda response: response,
    ) -> Response:
        """Replay the kept answer for a known key, or create; `kept` turns the answer
        into what may be stored (and replayed) in its place."""
        if self._key is None:
            return await create()
        fingerprint = _fingerprint(self._request, await self._request.body())
        replay = await service.find_replay(
            self._session, self._caller_key, self._key, fingerprint, utcnow()
        )
        if replay is not None:
            return replay
        response = await create()
        service.remember(
            self._session,
            caller_key=self._caller_key,
            key=self._key,
            request_fingerprint=fingerprint,
            response=kept(response),
            ttl=timedelta(hours=self._request.app.state.settings.idempotency_key_ttl_hours),
        )
        return response


def _secret_safe_idempotency(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Retry-safe creates: the same key and body replay the first answer "
            "(kept at least 24 hours); the same key with another body is refused.",
        ),
    ] = None,
) -> SecretSafeIdempotency:
    return SecretSafeIdempotency(request, session, caller.idempotency_scope, idempotency_key)


SecretSafeIdempotencyDep = Annotated[SecretSafeIdempotency, Depends(_secret_safe_idempotency)]
