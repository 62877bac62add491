"""What a credential stands for, read in one statement per request.

A signed-in user's caller needs the user, their sign-in session, the organisations their
person is affiliated with, the networks those are active members of today and the
networks the user coordinates (with every network below them). One UNION ALL returns
all of it, a row per fact tagged by `kind`, so authenticating costs one round trip.
Nothing is cached: a revoked key, an ended sign-in or a lost role counts from the very
next request.

The statements are built once with bound parameters; only the values change per request.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    Select,
    and_,
    bindparam,
    false,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.periods import covers
from app.auth.models import ApiKey, NetworkCoordinator, SignInSession, User
from app.memberships.models import Membership, MembershipStatus
from app.networks.models import Network
from app.people.models import Affiliation

_USER = "user"
_ORGANISATION = "organisation"
_MEMBER_NETWORK = "member_network"
_COORDINATED = "coordinated"
_RIGHTS = (_ORGANISATION, _MEMBER_NETWORK, _COORDINATED)


def _kind(name: str) -> Any:
    return literal_column(f"'{name}'").label("kind")


def _fact(name: str, column: Any) -> Select[Any]:
    """A row of one of the user's rights: its kind, an id, and the user row's other
    columns left empty (a UNION's branches have the same columns)."""
    empty = [null().label(label) for label in ("person_id", "is_admin", "disabled_at", "revoked")]
    return select(_kind(name), column.label("id"), *empty)


def _user_rights(with_sign_in: bool) -> CompoundSelect[Any]:
    user_id = bindparam("user_id", type_=User.id.type)
    is_member = and_(User.id == user_id, User.is_admin.is_(False))
    columns = (
        _kind(_USER),
        User.id.label("id"),
        User.person_id.label("person_id"),
        User.is_admin.label("is_admin"),
        User.disabled_at.label("disabled_at"),
    )
    if with_sign_in:
        # No such sign-in session of this user: no user row, and the token is refused.
        sign_in = and_(
            SignInSession.user_id == User.id,
            SignInSession.id == bindparam("sign_in_id", type_=SignInSession.id.type),
        )
        user = (
            select(*columns, SignInSession.revoked_at.is_not(None).label("revoked"))
            .join(SignInSession, sign_in)
            .where(User.id == user_id)
        )
    else:
        user = select(*columns, false().label("revoked")).where(User.id == user_id)
    organisations = _fact(_ORGANISATION, Affiliation.organisation_id).join(
        User, and_(User.person_id == Affiliation.person_id, is_member)
    )
    member_networks = (
        _fact(_MEMBER_NETWORK, Membership.network_id)
        .join(Affiliation, Affiliation.organisation_id == Membership.organisation_id)
        .join(User, and_(User.person_id == Affiliation.person_id, is_member))
        .where(
            Membership.status == MembershipStatus.ACTIVE,
            covers(Membership.starts_on, Membership.ends_on, bindparam("today", type_=Date())),
        )
    )
    roots = (
        select(NetworkCoordinator.network_id.label("id"))
        .join(User, and_(User.id == NetworkCoordinator.user_id, is_member))
        .cte("coordinated", recursive=True)
    )
    tree = roots.union_all(select(Network.id).where(Network.parent_id == roots.c.id))
    coordinated = _fact(_COORDINATED, tree.c.id)
    return union_all(user, organisations, member_networks, coordinated)


_SIGNED_IN_RIGHTS = _user_rights(with_sign_in=True)
_USER_RIGHTS = _user_rights(with_sign_in=False)


@dataclass(frozen=True, slots=True)
class UserRights:
    user_id: uuid.UUID
    person_id: uuid.UUID | None
    is_admin: bool
    disabled: bool
    # The sign-in session has been ended (sign-out); False when none was asked about.
    revoked: bool
    organisation_ids: frozenset[uuid.UUID]
    member_network_ids: frozenset[uuid.UUID]
    coordinated_network_ids: frozenset[uuid.UUID]


async def read_user_rights(
    session: AsyncSession, user_id: uuid.UUID, today: date, sign_in_id: uuid.UUID | None = None
) -> UserRights | None:
    """The user and their rights now; None if there is no such user (or, with
    `sign_in_id`, no such sign-in session of theirs)."""
    params: dict[str, Any] = {"user_id": user_id, "today": today}
    if sign_in_id is not None:
        params["sign_in_id"] = sign_in_id
    statement = _USER_RIGHTS if sign_in_id is None else _SIGNED_IN_RIGHTS
    rows = (await session.execute(statement, params)).all()
    ids: dict[str, set[uuid.UUID]] = {kind: set() for kind in _RIGHTS}
    user: Any = None
    for row in rows:
        if row.kind == _USER:
            user = row
        else:
            ids[row.kind].add(row.id)
    if user is None:
        return None
    return UserRights(
        user_id=user.id,
        person_id=user.person_id,
        is_admin=bool(user.is_admin),
        disabled=user.disabled_at is not None,
        revoked=bool(user.revoked),
        organisation_ids=frozenset(ids[_ORGANISATION]),
        member_network_ids=frozenset(ids[_MEMBER_NETWORK]),
        coordinated_network_ids=frozenset(ids[_COORDINATED]),
    )


@dataclass(frozen=True, slots=True)
class KeyRow:
    id: uuid.UUID
    secret_hash: str
    scopes: list[str]
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


_KEY_COLUMNS = (
    ApiKey.id,
    ApiKey.secret_hash,
    ApiKey.scopes,
    ApiKey.revoked_at,
    ApiKey.expires_at,
    ApiKey.last_used_at,
)
_KEY_BY_PREFIX = select(*_KEY_COLUMNS).where(ApiKey.prefix == bindparam("prefix"))
_KEY_BY_ID = select(*_KEY_COLUMNS).where(ApiKey.id == bindparam("id", type_=ApiKey.id.type))


async def read_api_key(
    session: AsyncSession, *, prefix: str | None = None, api_key_id: uuid.UUID | None = None
) -> KeyRow | None:
    """An API key's columns that authenticating needs (no ORM object), by prefix or id."""
    if prefix is not None:
        result = await session.execute(_KEY_BY_PREFIX, {"prefix": prefix})
    else:
        result = await session.execute(_KEY_BY_ID, {"id": api_key_id})
    row = result.one_or_none()
    return None if row is None else KeyRow(*row)
