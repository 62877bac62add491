"""From the `Authorization` header to a `Caller`: one place, used by every route.

`Authorization: Bearer <access token>` for users (from `POST /v1/auth/token`), or
`Authorization: Bearer klk_…` for API keys. No header is the anonymous public view;
a header that does not check out is a 401, never a silent downgrade to anonymous.
"""

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer, OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller, Role
from app.api.session import SessionDep
from app.audit.recorder import attribute_changes_to
from app.auth.credentials import API_KEY_PREFIX, read_access_token, secret_matches, split_api_key
from app.auth.models import ApiKey, ApiKeyScope
from app.auth.policy import ensure
from app.auth.rights import KeyRow, UserRights, read_api_key, read_user_rights
from app.clock import today
from app.config import Settings
from app.db import utcnow
from app.errors import Unauthenticated

# Two ways to present the same header in /docs: sign in with the password form, or paste
# an API key. Both are optional: without a header the caller is anonymous. They are the
# document's only: `resolve_caller` reads the header itself, once (app/api/openapi.py
# lists these schemes on every operation that depends on it).
SECURITY_SCHEMES = (
    OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False, scheme_name="SignIn"),
    HTTPBearer(auto_error=False, scheme_name="ApiKey", description="An API key: `Bearer klk_…`."),
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often, not on every request.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


async def _user_caller(
    session: AsyncSession, settings: Settings, token: str
) -> tuple[Caller, uuid.UUID]:
    """The signed-in user's caller and the sign-in session the token belongs to."""
    claims = read_access_token(settings, token)
    rights = await read_user_rights(session, claims.user_id, today(), claims.session_id)
    if rights is None:
        raise Unauthenticated("The access token is not valid.", code="invalid_token")
    if rights.revoked:
        raise Unauthenticated("This sign-in has been ended.", code="token_revoked")
    if rights.disabled:
        raise Unauthenticated("This user is disabled.", code="user_disabled")
    return _caller_of_rights(rights), claims.session_id


def _caller_of_rights(rights: UserRights) -> Caller:
    """An enabled user's rights as they are now."""
    if rights.is_admin:
        return Caller(role=Role.ADMIN, user_id=rights.user_id, person_id=rights.person_id)
    return Caller(
        role=Role.MEMBER,
        user_id=rights.user_id,
        person_id=rights.person_id,
        organisation_ids=rights.organisation_ids,
        member_network_ids=rights.member_network_ids,
        coordinated_network_ids=rights.coordinated_network_ids,
    )


async def _key_caller(session: AsyncSession, key: str) -> Caller:
    prefix, secret = split_api_key(key)
    api_key = await read_api_key(session, prefix=prefix)
    if api_key is None or not secret_matches(secret, api_key.secret_hash):
        raise Unauthenticated("The API key is not valid.", code="invalid_api_key")
    now = utcnow()
    if api_key.revoked_at is not None:
        raise Unauthenticated("The API key has been revoked.", code="api_key_revoked")
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise Unauthenticated("The API key has expired.", code="api_key_expired")
    if api_key.last_used_at is None or now - api_key.last_used_at >= _LAST_USED_RESOLUTION:
        await _note_use(session, api_key.id, now)
    return _caller_of_key_row(api_key)


def _caller_of_key_row(api_key: KeyRow) -> Caller:
    """A valid key's rights, from its scopes."""
    scopes = set(api_key.scopes)
    if ApiKeyScope.READ in scopes or ApiKeyScope.WRITE in scopes:
        return Caller(role=Role.ADMIN, api_key_id=api_key.id, can_write=ApiKeyScope.WRITE in scopes)
    return Caller(role=Role.WEBSITE, api_key_id=api_key.id, can_write=False)


async def _note_use(session: AsyncSession, api_key_id: uuid.UUID, now: datetime) -> None:
    """Record the key's last use without ever waiting: if a concurrent request holds the
    row (it is noting the same use), skip. A plain UPDATE would make every request with
    this key queue behind the slowest one until it commits. (In a GET on PostgreSQL the
    UPDATE commits by itself: the session is in autocommit.)"""
    free_row = (
        select(ApiKey.id)
        .where(ApiKey.id == api_key_id)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == free_row)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


async def caller_of_user(session: AsyncSession, user_id: uuid.UUID) -> Caller | None:
    """The rights a user has right now, as a sign-in would give them; None for a user who
    is disabled or gone. For what is read on a user's behalf without their credentials
    in the request (calendar feeds, reached through a secret in their URL)."""
    rights = await read_user_rights(session, user_id, today())
    if rights is None or rights.disabled:
        return None
    return _caller_of_rights(rights)


async def caller_of_api_key(session: AsyncSession, api_key_id: uuid.UUID) -> Caller | None:
    """The rights an API key has right now; None once it is revoked, expired or gone.
    Like `caller_of_user`, and the key's `last_used_at` is left alone: the key itself
    was not used."""
    api_key = await read_api_key(session, api_key_id=api_key_id)
    if api_key is None or api_key.revoked_at is not None:
        return None
    if api_key.expires_at is not None and api_key.expires_at <= utcnow():
        return None
    return _caller_of_key_row(api_key)


def _bearer_token(request: Request) -> str | None:
    """The token of `Authorization: Bearer <token>`; None without the header. Any other
    header is a 401 rather than an answer as if nothing was sent (`Basic …`, a bare
    value)."""
    authorization = request.headers.get("Authorization")
    if not authorization:
        return None
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer":
        raise Unauthenticated(
            "Send `Authorization: Bearer <access token or API key>`.", code="invalid_authorization"
        )
    return token


async def resolve_caller(request: Request, session: SessionDep) -> Caller:
    """Who is asking; no rule applied yet (FastAPI resolves it once per request)."""
    token = _bearer_token(request)
    if token is None:
        caller = Caller.anonymous()
    elif token.startswith(API_KEY_PREFIX):
        caller = await _key_caller(session, token)
    else:
        caller, sign_in_id = await _user_caller(session, request.app.state.settings, token)
        # Sign-out ends the session this token belongs to; `Caller` does not carry it.
        request.state.sign_in_session_id = sign_in_id
    return attribute_changes_to(session, caller)


async def current_caller(
    request: Request, caller: Annotated[Caller, Depends(resolve_caller)]
) -> Caller:
    if request.method not in _SAFE_METHODS:
        # A floor under every change, whatever a route forgets: anonymous callers (401) and
        # read-only credentials (403) change nothing. Who may change what beyond that is
        # each domain service's rule (app/auth/policy.py), checked on every change.
        ensure(caller, caller.role is not Role.ANONYMOUS, "Sign in or send an API key to do this.")
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def current_sign_in_session_id(
    request: Request, _caller: Annotated[Caller, Depends(resolve_caller)]
) -> uuid.UUID | None:
    """The sign-in session of the request's access token; None for API keys and anonymous."""
    session_id: uuid.UUID | None = getattr(request.state, "sign_in_session_id", None)
    return session_id


SignInSessionId = Annotated[uuid.UUID | None, Depends(current_sign_in_session_id)]
