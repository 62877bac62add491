"""Use cases for users: the secretariat manages them; a user may change only their password.

Users are never deleted (their changes in the audit trail name them): disable instead.
"""

import asyncio
import uuid
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.auth import rate_limit
from app.auth.credentials import hash_password
from app.auth.models import NetworkCoordinator, User
from app.auth.policy import ensure_admin, ensure_admin_reads, ensure_fields_allowed
from app.auth.repository import (
    ApiKeyRepository,
    SignInSessionRepository,
    UserFilter,
    UserRepository,
)
from app.auth.schemas import CoordinatedNetwork, MeUpdate, UserCreate, UserUpdate
from app.auth.service import check_password_limited, ensure_signed_in_user
from app.config import Settings
from app.db import utcnow
from app.errors import (
    Conflict,
    InvalidField,
    KlyngeError,
    NotFound,
    not_found,
    register_constraint_error,
)

log = structlog.get_logger(__name__)

register_constraint_error(
    "uq_users_email",
    Conflict("That e-mail address was taken by a request that finished first.", code="email_taken"),
)
register_constraint_error(
    "uq_network_coordinators_user_id_network_id",
    Conflict("The user already coordinates this network.", code="already_coordinator"),
)

# What a user may send to PATCH /v1/users/me; anything else is refused by name.
_ME_FIELDS = frozenset({"password", "current_password"})


def ensure_sees_users(caller: Caller) -> None:
    """Logins are the secretariat's business: 401 anonymous, 403 anyone else."""
    ensure_admin_reads(caller, "Only the secretariat (an admin) may see users.")


async def _hashed(password: str) -> str:
    # Argon2 is slow on purpose; the event loop must not wait for it.
    return await asyncio.to_thread(hash_password, password)


async def get_user(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> User:
    ensure_sees_users(caller)
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise not_found("user")
    return user


async def list_users(
    session: AsyncSession, caller: Caller, where: UserFilter, sort: str, page: PageParams
) -> tuple[list[User], SortOrder]:
    ensure_sees_users(caller)
    return await UserRepository(session).list(where, sort, page)


async def _check_email_free(
    users: UserRepository, email: str, user_id: uuid.UUID | None = None
) -> None:
    holder = await users.by_email(email)
    if holder is not None and holder.id != user_id:
        raise Conflict("Another user has this e-mail address.", code="email_taken")


async def _check_person(users: UserRepository, person_id: uuid.UUID | None) -> None:
    if person_id is not None and not await users.person_exists(person_id):
        raise InvalidField("person_id", "No person has this id.", code="unknown_person")


async def create_user(session: AsyncSession, caller: Caller, data: UserCreate) -> User:
    ensure_admin(caller)
    users = UserRepository(session)
    await _check_email_free(users, data.email)
    await _check_person(users, data.person_id)
    user = User(
        email=data.email,
        password_hash=await _hashed(data.password),
        person_id=data.person_id,
        is_admin=data.is_admin,
    )
    users.add(user)
    await session.flush()
    return user


async def update_user(session: AsyncSession, caller: Caller, user: User, data: UserUpdate) -> User:
    """Apply the fields sent. Disabling or a new password ends the user's sign-ins, so a
    stolen token or refresh token stops working at once. A user who is disabled or no
    longer an admin keeps no API key they made (see _revoke_api_keys_made_by)."""
    ensure_admin(caller)
    users = UserRepository(session)
    changes = data.model_dump(exclude_unset=True)
    if "email" in changes:
        await _check_email_free(users, changes["email"], user.id)
    if "person_id" in changes:
        await _check_person(users, changes["person_id"])
    now = utcnow()
    end_sign_ins = False
    disabled = changes.pop("disabled", None)
    if disabled is True and user.disabled_at is None:
        user.disabled_at = now
        end_sign_ins = True
    elif disabled is False:
        user.disabled_at = None
    if "password" in changes:
        user.password_hash = await _hashed(changes.pop("password"))
        end_sign_ins = True
    for field, value in changes.items():
        setattr(user, field, value)
    if end_sign_ins:
        await SignInSessionRepository(session).revoke_all_of(user.id, now)
    if user.disabled_at is not None or not user.is_admin:
        await _revoke_api_keys_made_by(session, user.id, now)
    await session.flush()
    return user


async def _revoke_api_keys_made_by(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> None:
    """An API key acts as the secretariat whoever holds it, and its maker saw the whole
    key once: left alone, it would let a disabled or demoted admin keep every right they
    lost. So the keys a user made live only while that user is an enabled admin. Revoked
    as ORM changes, so the audit trail shows each key revoked by whoever made the change;
    keys made from the command line or by another key have no maker and are untouched.
    Enabling or promoting the user again does not bring them back: make new ones."""
    revoked = await ApiKeyRepository(session).revoke_active_made_by(user_id, now)
    if revoked:
        log.warning(
            "api_keys_revoked_with_their_maker",
            user_id=str(user_id),
            prefixes=[api_key.prefix for api_key in revoked],
        )


async def get_me(session: AsyncSession, caller: Caller) -> tuple[User, list[uuid.UUID]]:
    """The signed-in user and the networks they coordinate (API keys have no "me")."""
    user_id = ensure_signed_in_user(caller)
    users = UserRepository(session)
    user = await users.get(user_id)
    if user is None:  # deleted since the token was checked, within this transaction
        raise not_found("user")
    networks = await users.coordinated_networks(user_id)
    return user, [network_id for network_id, _ in networks]


def ensure_me_fields(caller: Caller, data: MeUpdate) -> None:
    """Mass assignment: `is_admin`, `email`, `person_id`… are the secretariat's to set."""
    ensure_signed_in_user(caller)
    ensure_fields_allowed(caller, data.fields_sent, set(_ME_FIELDS))


async def change_my_password(
    session: AsyncSession,
    settings: Settings,
    user: User,
    data: MeUpdate,
    sign_in_session_id: uuid.UUID | None,
    address: str | None,
) -> User | KlyngeError:
    """A new password, given the current one. A wrong current password counts against the
    sign-in limit like a wrong sign-in (a stolen access token must not become a way to
    guess the password), so it is *returned*, for its failure row to commit."""
    if data.password is None and data.current_password is None:
        return user
    if data.current_password is None:
        raise InvalidField(
            "current_password",
            "Give the current password to set a new one.",
            code="current_password_required",
        )
    if data.password is None:
        raise InvalidField("password", "Give the new password.", code="password_required")
    now = utcnow()
    attempt = rate_limit.Attempt.of(settings, user.email, address)
    if not await check_password_limited(
        session, settings, attempt, data.current_password, user.password_hash, now
    ):
        return InvalidField(
            "current_password", "This is not the current password.", code="wrong_password"
        )
    user.password_hash = await _hashed(data.password)
    # Every other sign-in ends (wherever the old password was used); this one goes on.
    await SignInSessionRepository(session).revoke_all_of(user.id, now, keep=sign_in_session_id)
    await session.flush()
    return user


async def list_coordinated_networks(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID
) -> list[CoordinatedNetwork]:
    user = await get_user(session, caller, user_id)
    rows = await UserRepository(session).coordinated_networks(user.id)
    return [CoordinatedNetwork(network_id=network_id, name=name) for network_id, name in rows]


async def add_coordinator(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, network_id: uuid.UUID
) -> CoordinatedNetwork:
    ensure_admin(caller)
    user = await get_user(session, caller, user_id)
    users = UserRepository(session)
    name = await users.network_name(network_id)
    if name is None:
        raise InvalidField("network_id", "No network has this id.", code="unknown_network")
    if await users.coordinator(user.id, network_id) is not None:
        raise Conflict("The user already coordinates this network.", code="already_coordinator")
    users.add(NetworkCoordinator(user_id=user.id, network_id=network_id))
    await session.flush()
    return CoordinatedNetwork(network_id=network_id, name=name)


async def remove_coordinator(
    session: AsyncSession, caller: Caller, user_id: uuid.UUID, network_id: uuid.UUID
) -> None:
    ensure_admin(caller)
    user = await get_user(session, caller, user_id)
    users = UserRepository(session)
    row = await users.coordinator(user.id, network_id)
    if row is None:
        raise NotFound(
            "The user does not coordinate this network.", code="coordinated_network_not_found"
        )
    await users.delete(row)
    await session.flush()
