"""Use cases for calendars: feed tokens (make, list, revoke), the feeds they open, and
the `.ics` of one meeting.

A feed is read with the rights its token's owner has when it is read, not when the
token was made: a member who leaves a closed network stops seeing its meetings (all
but those they are invited to themselves, as in the meetings API), a disabled user's or
revoked key's feeds answer 404. Every way a feed cannot be read
answers the same 404, so a URL tells nothing about why.
"""

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller, Role
from app.api.pagination import PageParams, SortOrder
from app.auth.authenticate import caller_of_api_key, caller_of_user
from app.auth.policy import ensure, refusal
from app.auth.repository import UserRepository
from app.calendars.ics import build_calendar
from app.calendars.models import CalendarToken, FeedKind
from app.calendars.repository import (
    CalendarMeetingRepository,
    CalendarTokenFilter,
    CalendarTokenRepository,
)
from app.calendars.schemas import CalendarTokenCreate
from app.calendars.tokens import new_feed_token, token_hash
from app.db import atomic, utcnow
from app.errors import Conflict, Forbidden, InvalidField, NotFound, not_found
from app.meetings.access import visible_meeting
from app.networks.repository import NetworkRepository

# Feeds show what is coming and the past year: enough for "what did we decide in March".
FEED_HISTORY = timedelta(days=365)
# last_used_at is written at most this often, not on every poll of a calendar app.
LAST_USED_RESOLUTION = timedelta(minutes=1)
PERSON_FEED_NAME = "Klynge: my meetings"

log = structlog.get_logger(__name__)


def _feed_not_found() -> NotFound:
    return not_found("calendar_feed")


def _ensure_signed_in(caller: Caller) -> None:
    """Tokens belong to a user or an API key; the anonymous have none (401)."""
    if caller.role is Role.ANONYMOUS or (caller.user_id is None and caller.api_key_id is None):
        raise refusal(caller, "Only a signed-in user or an API key has calendar tokens.")


def _check_target(data: CalendarTokenCreate) -> uuid.UUID:
    """The feed's network or person, as its `kind` says: exactly one of the two ids."""
    wanted, other = (
        ("network_id", "person_id")
        if data.kind is FeedKind.NETWORK
        else ("person_id", "network_id")
    )
    if getattr(data, other) is not None:
        raise InvalidField(
            other, f"A `{data.kind.value}` feed takes `{wanted}` only.", code="feed_target_mismatch"
        )
    target: uuid.UUID | None = getattr(data, wanted)
    if target is None:
        raise InvalidField(
            wanted, f"A `{data.kind.value}` feed needs `{wanted}`.", code="feed_target_missing"
        )
    return target


async def authorise_create_token(
    session: AsyncSession, caller: Caller, data: CalendarTokenCreate
) -> None:
    """A network the caller may see (404 otherwise, as for an unknown id); a person feed
    only of the caller's own person unless they are an admin (403). Also run before an
    idempotent replay (app/api/idempotency.py)."""
    _ensure_signed_in(caller)
    ensure(caller, True)  # read-only credentials make nothing
    target = _check_target(data)
    if data.kind is FeedKind.NETWORK:
        if await NetworkRepository(session).get(caller, target) is None:
            raise not_found("network")
        return
    if not caller.is_admin and caller.person_id != target:
        raise Forbidden(
            "A person feed shows one's own meetings: you may make one only for yourself "
            "(your user's `person_id`).",
            code="not_your_calendar",
        )
    if not await UserRepository(session).person_exists(target):
        raise InvalidField("person_id", f"No person with id {target}.", code="unknown_person")


async def create_token(
    session: AsyncSession, caller: Caller, data: CalendarTokenCreate
) -> tuple[CalendarToken, str]:
    """The new token's row and the token itself, which is kept nowhere."""
    await authorise_create_token(session, caller, data)
    made = new_feed_token()
    token = CalendarToken(
        token_hash=made.token_hash,
        prefix=made.prefix,
        label=data.label,
        kind=data.kind,
        network_id=data.network_id,
        person_id=data.person_id,
        # A user's token is the user's even when they are an admin; keys own their own.
        user_id=caller.user_id,
        api_key_id=caller.api_key_id if caller.user_id is None else None,
    )
    CalendarTokenRepository(session).add(token)
    await session.flush()
    return token, made.token


async def get_token(session: AsyncSession, caller: Caller, token_id: uuid.UUID) -> CalendarToken:
    """One's own token (admins: anyone's); anyone else's answers as an unknown id."""
    _ensure_signed_in(caller)
    token = await CalendarTokenRepository(session).get(caller, token_id)
    if token is None:
        raise not_found("calendar_token")
    return token


async def list_tokens(
    session: AsyncSession,
    caller: Caller,
    where: CalendarTokenFilter,
    sort: str,
    page: PageParams,
) -> tuple[list[CalendarToken], SortOrder]:
    _ensure_signed_in(caller)
    return await CalendarTokenRepository(session).list(caller, where, sort, page)


async def revoke_token(session: AsyncSession, caller: Caller, token_id: uuid.UUID) -> None:
    """The feed stops at once (404). Revoking twice keeps the first revocation's time."""
    token = await get_token(session, caller, token_id)
    ensure(caller, True)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()


async def _owner_caller(session: AsyncSession, token: CalendarToken) -> Caller | None:
    if token.user_id is not None:
        return await caller_of_user(session, token.user_id)
    if token.api_key_id is not None:
        return await caller_of_api_key(session, token.api_key_id)
    return None


async def read_feed(session: AsyncSession, secret: str, *, organizer: str) -> bytes:
    """The feed a token opens, as its owner may see it now; 404 for every failure.

    `organizer` (the secretariat's address) is the ORGANIZER RFC 5546 requires of every
    event a PUBLISH calendar carries.
    """
    token = await CalendarTokenRepository(session).by_hash(token_hash(secret))
    if token is None or token.revoked_at is not None:
        raise _feed_not_found()
    owner = await _owner_caller(session, token)
    if owner is None:
        raise _feed_not_found()
    meetings = CalendarMeetingRepository(session)
    since = utcnow() - FEED_HISTORY
    if token.kind is FeedKind.NETWORK and token.network_id is not None:
        network = await NetworkRepository(session).get(owner, token.network_id)
        if network is None:
            raise _feed_not_found()
        shown = await meetings.of_network(owner, network.id, since)
        name = network.name
    elif token.kind is FeedKind.PERSON and token.person_id is not None:
        # Made for the owner's own person: if their user now names another, it stops.
        if not owner.is_admin and owner.person_id != token.person_id:
            raise _feed_not_found()
        shown = await meetings.of_participant(owner, token.person_id, since)
        name = token.label or PERSON_FEED_NAME
    else:  # the table's check constraint rules this out
        raise _feed_not_found()
    ics = build_calendar(shown, method="PUBLISH", organizer=organizer, calendar_name=name)
    await _note_use(session, token, utcnow())
    return ics


async def _note_use(session: AsyncSession, token: CalendarToken, now: datetime) -> None:
    """Record that the feed was read, at most once a minute.

    In the request's own transaction, committed at the request's one commit point, as an
    API key's use is noted on every request (app/auth/authenticate.py `_note_use`), GETs
    included. A GET's session is the "read" one only in that SQLite takes its write lock
    at the first write instead of at BEGIN (app/db.py): so this UPDATE comes last, and
    holds that lock only until the commit that follows. In `atomic` (a savepoint, or on
    PostgreSQL, whose GETs run in autocommit, a short transaction of its own), as a best
    effort: a busy database makes the feed skip the note, not fail.
    """
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    try:
        async with atomic(session):
            await CalendarTokenRepository(session).note_use(token.id, now)
    except OperationalError as exc:
        log.warning("calendar_feed_use_not_noted", token_id=str(token.id), error=str(exc))


def token_already_created(token: CalendarToken) -> Conflict:
    """What a retry with the same `Idempotency-Key` gets instead of the token, which was
    shown once and is stored nowhere, not even among the idempotent answers."""
    return Conflict(
        f"This request already created calendar token {token.prefix}…; it was shown once "
        "and is not stored. If it was lost, revoke that token and create another.",
        code="calendar_token_already_created",
        calendar_token_id=str(token.id),
    )


async def meeting_calendar(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, *, organizer: str
) -> bytes:
    """One meeting the caller may see, as a PUBLISH calendar (404 when hidden)."""
    meeting = await visible_meeting(session, caller, meeting_id)
    return build_calendar([meeting], method="PUBLISH", organizer=organizer)
