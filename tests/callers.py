"""Credentials for each kind of caller, made straight in the database for tests.

Each returns the headers to send. They go through the same checks as real ones: the
API keys and tokens are real, only their creation skips the HTTP round trip.
"""

import uuid
from collections.abc import Iterable
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.credentials import (
    hash_password,
    issue_access_token,
    new_api_key,
    new_refresh_token,
    read_access_token,
)
from app.auth.models import ApiKey, ApiKeyScope, NetworkCoordinator, SignInSession, User
from app.db import create_sessionmaker, utcnow

Headers = dict[str, str]
PASSWORD = "correct horse battery staple"
# Argon2 is slow on purpose; one hash, made once, serves every test user.
_PASSWORD_HASH = hash_password(PASSWORD)


async def api_key_headers(engine: AsyncEngine, *scopes: ApiKeyScope) -> Headers:
    made = new_api_key()
    async with create_sessionmaker(engine).begin() as session:
        session.add(
            ApiKey(
                name="test key",
                prefix=made.prefix,
                secret_hash=made.secret_hash,
                scopes=[scope.value for scope in scopes],
                # As if just used: no last-used write in the requests a test counts.
                last_used_at=utcnow(),
            )
        )
    return {"Authorization": f"Bearer {made.key}"}


async def sign_in_again(application: FastAPI, headers: Headers) -> Headers:
    """New credentials for the same user (a test may have signed the old ones out);
    API keys and anonymous headers come back as they are."""
    token = headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or token.startswith("klk_"):
        return headers
    claims = read_access_token(application.state.settings, token)
    _, refresh_hash = new_refresh_token()
    now = utcnow()
    async with create_sessionmaker(application.state.engine).begin() as session:
        sign_in = SignInSession(
            user_id=claims.user_id,
            refresh_token_hash=refresh_hash,
            expires_at=now + timedelta(days=365),
        )
        session.add(sign_in)
        await session.flush()
        new_token, _ = issue_access_token(
            application.state.settings, claims.user_id, sign_in.id, now
        )
    return {"Authorization": f"Bearer {new_token}"}


async def user_headers(
    application: FastAPI,
    *,
    is_admin: bool = False,
    person_id: str | uuid.UUID | None = None,
    coordinates: Iterable[str | uuid.UUID] = (),
    email: str | None = None,
) -> Headers:
    """A signed-in user: admin, or a member linked to `person_id`, coordinating networks."""
    now = utcnow()
    user = User(
        email=email or f"user-{uuid.uuid4().hex[:10]}@example.com",
        password_hash=_PASSWORD_HASH,
        is_admin=is_admin,
        person_id=uuid.UUID(str(person_id)) if person_id else None,
    )
    user.coordinated = [NetworkCoordinator(network_id=uuid.UUID(str(n))) for n in coordinates]
    _, refresh_hash = new_refresh_token()
    async with create_sessionmaker(application.state.engine).begin() as session:
        session.add(user)
        await session.flush()
        sign_in = SignInSession(
            user_id=user.id,
            refresh_token_hash=refresh_hash,
            expires_at=now + timedelta(days=365),
        )
        session.add(sign_in)
        await session.flush()
        token, _ = issue_access_token(application.state.settings, user.id, sign_in.id, now)
    return {"Authorization": f"Bearer {token}"}
