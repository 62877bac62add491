"""Queries for users, their sign-in sessions, coordinators and API keys; never commits.

Who may read these is all or nothing (the secretariat, or a user reading themselves),
so the services check it and these queries take no caller.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.search import matches_text
from app.auth.models import ApiKey, NetworkCoordinator, SignInSession, User
from app.networks.models import Network
from app.people.models import Person

USER_SORTS = {"email": User.email, "created_at": User.created_at}
API_KEY_SORTS = {"name": ApiKey.name, "created_at": ApiKey.created_at}


@dataclass(frozen=True, slots=True)
class UserFilter:
    q: str | None = None
    is_admin: bool | None = None
    disabled: bool | None = None


@dataclass(frozen=True, slots=True)
class ApiKeyFilter:
    revoked: bool | None = None


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def person_exists(self, person_id: uuid.UUID) -> bool:
        return bool(await self.session.scalar(select(exists().where(Person.id == person_id))))

    async def network_name(self, network_id: uuid.UUID) -> str | None:
        return await self.session.scalar(select(Network.name).where(Network.id == network_id))

    async def coordinated_networks(self, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
        """The networks the user coordinates directly, by name, in one query."""
        rows = await self.session.execute(
            select(Network.id, Network.name)
            .join(NetworkCoordinator, NetworkCoordinator.network_id == Network.id)
            .where(NetworkCoordinator.user_id == user_id)
            .order_by(Network.name, Network.id)
        )
        return [(network_id, name) for network_id, name in rows]

    async def coordinator(
        self, user_id: uuid.UUID, network_id: uuid.UUID
    ) -> NetworkCoordinator | None:
        return await self.session.scalar(
            select(NetworkCoordinator).where(
                NetworkCoordinator.user_id == user_id, NetworkCoordinator.network_id == network_id
            )
        )

    async def note_sign_in(self, user_id: uuid.UUID, now: datetime) -> None:
        # A Core UPDATE, like an API key's last use: signing in is not an edit of the user,
        # so it neither bumps the version (an admin's If-Match stays valid) nor is audited.
        await self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(last_sign_in_at=now)
            .execution_options(synchronize_session=False)
        )

    def add(self, row: User | NetworkCoordinator) -> None:
        self.session.add(row)

    async def delete(self, row: NetworkCoordinator) -> None:
        await self.session.delete(row)

    # Last: below this, `list` names the method, not the builtin.
    async def list(
        self, where: UserFilter, sort: str, page: PageParams
    ) -> tuple[list[User], SortOrder]:
        order = resolve_sort(sort, USER_SORTS, User.id)
        stmt = select(User)
        if where.q:
            stmt = stmt.where(matches_text(where.q, User.email))
        if where.is_admin is not None:
            stmt = stmt.where(User.is_admin.is_(where.is_admin))
        if where.disabled is not None:
            stmt = stmt.where(
                User.disabled_at.is_not(None) if where.disabled else User.disabled_at.is_(None)
            )
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
        return list(rows), order


class SignInSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_refresh_hash(self, refresh_token_hash: str) -> SignInSession | None:
        return await self.session.scalar(
            select(SignInSession).where(SignInSession.refresh_token_hash == refresh_token_hash)
        )

    async def by_previous_refresh_hash(self, refresh_token_hash: str) -> SignInSession | None:
        """The sign-in whose refresh token was rotated away from this one (reuse)."""
        return await self.session.scalar(
            select(SignInSession)
            .where(SignInSession.previous_refresh_token_hash == refresh_token_hash)
            .limit(1)
        )

    def add(self, sign_in: SignInSession) -> None:
        self.session.add(sign_in)

    async def rotate(self, session_id: uuid.UUID, old_hash: str, new_hash: str) -> bool:
        """Swap the refresh token, only if it is still the one presented: of two requests
        refreshing with the same token, one wins and the other finds no row. The old
        hash is kept, so a later reuse of it is recognised."""
        result = await self.session.execute(
            update(SignInSession)
            .where(
                SignInSession.id == session_id,
                SignInSession.refresh_token_hash == old_hash,
                SignInSession.revoked_at.is_(None),
            )
            .values(refresh_token_hash=new_hash, previous_refresh_token_hash=old_hash)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(SignInSession)
            .where(SignInSession.id == session_id, SignInSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )

    async def revoke_all_of(
        self, user_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
    ) -> None:
        stmt = update(SignInSession).where(
            SignInSession.user_id == user_id, SignInSession.revoked_at.is_(None)
        )
        if keep is not None:
            stmt = stmt.where(SignInSession.id != keep)
        await self.session.execute(
            stmt.values(revoked_at=now).execution_options(synchronize_session=False)
        )


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, api_key_id: uuid.UUID) -> ApiKey | None:
        return await self.session.get(ApiKey, api_key_id)

    async def revoke_active_made_by(self, user_id: uuid.UUID, now: datetime) -> list[ApiKey]:
        """Revoke the user's unrevoked keys through the ORM (audited, version bumped)."""
        keys = list(
            await self.session.scalars(
                select(ApiKey).where(
                    ApiKey.created_by_user_id == user_id, ApiKey.revoked_at.is_(None)
                )
            )
        )
        for api_key in keys:
            api_key.revoked_at = now
        return keys

    def add(self, api_key: ApiKey) -> None:
        self.session.add(api_key)

    # Last: below this, `list` names the method, not the builtin.
    async def list(
        self, where: ApiKeyFilter, sort: str, page: PageParams
    ) -> tuple[list[ApiKey], SortOrder]:
        order = resolve_sort(sort, API_KEY_SORTS, ApiKey.id)
        stmt = select(ApiKey)
        if where.revoked is not None:
            stmt = stmt.where(
                ApiKey.revoked_at.is_not(None) if where.revoked else ApiKey.revoked_at.is_(None)
            )
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
        return list(rows), order
