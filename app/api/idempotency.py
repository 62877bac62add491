"""The `Idempotency-Key` header as a dependency for create endpoints."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.db import utcnow
from app.idempotency import service


class Idempotency:
    def __init__(
        self, request: Request, session: SessionDep, caller_key: str, key: str | None
    ) -> None:
        self._request = request
        self._session = session
        self._caller_key = caller_key
        self._key = key
        self._fingerprint = ""

    async def run(
        self,
        create: Callable[[], Awaitable[Response]],
        kept: Callable[[Response], Response] = lambda response: response,
    ) -> Response:
        """Replay the stored answer for a known key, or create and remember the answer.

        `kept` turns the answer into what is stored and replayed in its place: an answer
        that shows a secret once (a new API key) is kept without it.
        """
        if self._key is None:
            return await create()
        body = await self._request.body()
        settings = self._request.app.state.settings
        self._fingerprint = service.fingerprint(
            self._request.method,
            self._request.url.path,
            body,
            settings.jwt_secret.get_secret_value().encode(),
        )
        replay = await service.find_replay(
            self._session, self._caller_key, self._key, self._fingerprint, utcnow()
        )
        if replay is not None:
            return replay
        response = await create()
        service.remember(
            self._session,
            caller_key=self._caller_key,
            key=self._key,
            request_fingerprint=self._fingerprint,
            response=kept(response),
            ttl=timedelta(hours=settings.idempotency_key_ttl_hours),
        )
        return response


def _idempotency(
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
) -> Idempotency:
    return Idempotency(request, session, caller.idempotency_scope, idempotency_key)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
