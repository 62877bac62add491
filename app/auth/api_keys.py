"""Use cases for API keys: the secretariat makes, lists and revokes them.

Only a SHA-256 of a key's secret is stored; the whole key exists once, in the answer to
its creation (or the CLI's output). Keys are revoked, never deleted, so the audit trail
keeps naming who did what.
"""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.auth.credentials import new_api_key
from app.auth.models import ApiKey, ApiKeyScope
from app.auth.policy import ensure_admin, ensure_admin_reads
from app.auth.repository import ApiKeyFilter, ApiKeyRepository
from app.db import utcnow
from app.errors import InvalidField, not_found


def check_scopes(scopes: list[ApiKeyScope]) -> list[ApiKeyScope]:
    """One kind of caller per key: the public view, or the secretariat's read/write.
    (A rule, not schema validation: JSON Schema does not say it, so neither do we there.)"""
    unique = sorted(set(scopes))
    if not unique:
        raise ValueError("give at least one scope")
    if ApiKeyScope.PUBLIC in unique and len(unique) > 1:
        raise ValueError("`public` cannot be combined with `read` or `write`")
    return unique


def ensure_sees_api_keys(caller: Caller) -> None:
    ensure_admin_reads(caller, "Only the secretariat (an admin) may see API keys.")


async def create_api_key(
    session: AsyncSession,
    caller: Caller,
    name: str,
    scopes: list[ApiKeyScope],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """The new key's row and the whole key, which is not kept anywhere."""
    ensure_admin(caller)
    try:
        scopes = check_scopes(scopes)
    except ValueError as exc:
        raise InvalidField("scopes", str(exc), code="invalid_scopes") from exc
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidField("expires_at", "Give a time in the future.", code="expires_in_the_past")
    made = new_api_key()
    api_key = ApiKey(
        name=name,
        prefix=made.prefix,
        secret_hash=made.secret_hash,
        scopes=[scope.value for scope in scopes],
        expires_at=expires_at,
        created_by_user_id=caller.user_id,
    )
    ApiKeyRepository(session).add(api_key)
    await session.flush()
    return api_key, made.key


async def get_api_key(session: AsyncSession, caller: Caller, api_key_id: uuid.UUID) -> ApiKey:
    ensure_sees_api_keys(caller)
    api_key = await ApiKeyRepository(session).get(api_key_id)
    if api_key is None:
        raise not_found("api_key")
    return api_key


async def list_api_keys(
    session: AsyncSession, caller: Caller, where: ApiKeyFilter, sort: str, page: PageParams
) -> tuple[list[ApiKey], SortOrder]:
    ensure_sees_api_keys(caller)
    return await ApiKeyRepository(session).list(where, sort, page)


async def revoke_api_key(session: AsyncSession, caller: Caller, api_key: ApiKey) -> ApiKey:
    """Revoking a revoked key changes nothing (and keeps the first revocation's time)."""
    ensure_admin(caller)
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await session.flush()
    return api_key
