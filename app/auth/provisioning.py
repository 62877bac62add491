"""First set-up from the command line: the first admin and API keys (`app/cli.py`).

Each runs in its own transaction, as the system: the audit trail records the rows as
made by `system`, and the same services as the API check the same rules.
"""

from datetime import timedelta

from app.audit.recorder import act_as_system
from app.auth import api_keys, users
from app.auth.models import ApiKey, ApiKeyScope, User
from app.auth.schemas import UserCreate
from app.db import create_engine, create_sessionmaker, utcnow


async def create_admin(database_url: str, email: str, password: str) -> User:
    """A new admin user; `email_taken` (nothing written) if the address has a user."""
    data = UserCreate(email=email, password=password, is_admin=True)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await users.create_user(session, act_as_system(session), data)
    finally:
        await engine.dispose()


async def create_api_key(
    database_url: str, name: str, scopes: list[ApiKeyScope], expires_in_days: int | None
) -> tuple[ApiKey, str]:
    """A new key's row and the whole key, to be shown once."""
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            caller = act_as_system(session)
            return await api_keys.create_api_key(session, caller, name, scopes, expires_at)
    finally:
        await engine.dispose()
