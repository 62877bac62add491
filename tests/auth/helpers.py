"""Users, sign-ins and clients for the access tests, made straight in the database."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from click.testing import Result
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from app.auth.credentials import hash_password, issue_access_token, new_refresh_token
from app.auth.models import SignInSession, User
from app.cli import cli
from app.db import create_sessionmaker, utcnow

PASSWORD = "correct horse battery staple"
runner = CliRunner()


@dataclass(frozen=True)
class MadeUser:
    id: uuid.UUID
    email: str
    password: str


async def make_user(
    engine: AsyncEngine,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    is_admin: bool = False,
    disabled: bool = False,
    person_id: uuid.UUID | None = None,
) -> MadeUser:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    user = User(
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        disabled_at=utcnow() if disabled else None,
        person_id=person_id,
    )
    async with create_sessionmaker(engine).begin() as session:
        session.add(user)
    return MadeUser(user.id, email, password)


async def make_sign_in(
    application: FastAPI,
    user_id: uuid.UUID,
    *,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    revoked: bool = False,
) -> tuple[str, str]:
    """An access token and a refresh token of a new sign-in session of `user_id`."""
    now = utcnow()
    refresh_token, refresh_hash = new_refresh_token()
    sign_in = SignInSession(
        user_id=user_id,
        refresh_token_hash=refresh_hash,
        expires_at=expires_at or now + timedelta(days=30),
        revoked_at=now if revoked else None,
    )
    async with create_sessionmaker(application.state.engine).begin() as session:
        session.add(sign_in)
    access_token, _ = issue_access_token(
        application.state.settings, user_id, sign_in.id, issued_at or now
    )
    return access_token, refresh_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def tokens(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:
    response = await sign_in(client, email, password)
    assert response.status_code == 200, response.text
    return response.json()


@asynccontextmanager
async def client_from(application: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `address` (what `request.client.host` reads)."""
    transport = httpx.ASGITransport(
        app=application, raise_app_exceptions=False, client=(address, 50000)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        yield client


async def rows(engine: AsyncEngine, model: Any, *where: Any) -> list[Any]:
    async with create_sessionmaker(engine)() as session:
        return list(await session.scalars(select(model).where(*where)))


async def klynge(*args: str, input: str | None = None) -> Result:
    """Run a `klynge` command in a thread: it calls `asyncio.run` itself, which must not
    happen on the test's event loop (use the `command_database` fixture)."""
    return await asyncio.to_thread(runner.invoke, cli, list(args), input=input)
