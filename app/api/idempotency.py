"""The `Idempotency-Key` header as a dependency for create endpoints."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.responses import Response

from app.api.caller import Caller
from app.api.deps import CallerDep, SessionDep
from app.auth.policy import ensure_admin
from app.db import utcnow
from app.idempotency import service

Authorise = Callable[[], Awaitable[None]]


class Idempotency:
    def __init__(
        self, request: Request, session: SessionDep, caller: Caller, key: str | None
    ) -> None:
        self._request = request
        self._session = session
        self._caller = caller
        self._caller_key = caller.idempotency_scope
        self._key = key
        self._fingerprint = ""

    async def run(
        self,
        create: Callable[[], Awaitable[Response]],
        *,
        authorise: Authorise,
        kept: Callable[[Response], Response] = lambda response: response,
    ) -> Response:
        """Replay the stored answer for a known key, or create and remember the answer.

        `authorise` is the create's own authorisation check (the service function its use
        case calls first): it runs before a stored answer is looked up, so a caller who
        has since lost the right (a coordination removed, an admin demoted) gets the
        refusal, never the replay. Without a key there is nothing to replay, and `create`
        checks the right itself.

        `kept` turns the answer into what is stored and replayed in its place: an answer
        that shows a secret once (a new API key) is kept without it.
        """
        if self._key is None:
            return await create()
        await authorise()
        body = await self._request.body()
        settings = self._request.app.state.settings
        self._fingerprint = service.fingerprint(
            self._request.method,
            self._request.url.path,
            body,
            settings.jwt_secret.get_secret_value().encode(),
        )
        await service.claim(self._session, self._caller_key, self._key)
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

    async def admin_only(self) -> None:
        """`authorise` for the creates that are the secretariat's alone (users, API keys,
        coordinators)."""
        ensure_admin(self._caller)


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
    return Idempotency(request, session, caller, idempotency_key)


IdempotencyDep = Annotated[Idempotency, Depends(_idempotency)]
