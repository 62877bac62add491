"""The limit on wrong passwords, per account (e-mail) and per client address.

Failures are rows in `sign_in_failures`, so the limit holds across workers and restarts
with nothing else to run. A sign-in is refused (429) while either count within the
sliding window is at the limit; the check comes before the password is looked at, so a
refused attempt neither costs an Argon2 hash nor adds a failure of its own.

The count is exact under concurrency: N concurrent wrong passwords against a limit of L
get L answers of 401 and N - L of 429, never more guesses. Yet no transaction is held
while Argon2 runs (a tenth of a second or more of CPU; on SQLite a writing transaction
holds the database's only write lock, so every other write would queue behind it):

1. `take_place`, a short transaction, counts the account's and the address's rows and,
   under both limits, inserts a row with `pending_until` set: the check in progress
   holds a place, so concurrent attempts see it. Where the limit is reached by failures,
   429; where places are held by checks still in progress (which may yet succeed), the
   attempt waits for them, outside any transaction, and tries again.
2. The password is hashed, no transaction open.
3. `settle`, another short transaction: a wrong password keeps the row as a failure
   (`pending_until` cleared); a right one deletes it and the account's failures.
A row still pending after `PENDING_SECONDS` belongs to a process that died mid-check and
counts as a failure: the safe side. Counting and inserting are one step per account and
per address: on PostgreSQL the transaction takes an advisory lock on each first; on
SQLite the writing transaction holds the write lock from its first statement.

What was typed as the e-mail address is counted, logged and stored as the account's key:
the address itself, normalised, when it looks like one; otherwise (a password typed
into the wrong field, say) an HMAC of it keyed with the server's secret, so the text is
neither logged nor stored but repeated attempts still count as one account.
"""

import asyncio
import contextlib
import hashlib
import hmac
import math
import random
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.api.session import Transactions
from app.auth.models import SignInFailure
from app.config import Settings
from app.db import advisory_xact_lock, utcnow
from app.errors import KlyngeError, TooManyRequests

log = structlog.get_logger(__name__)

# The address column's width; a longer value (it never is for IPv4/IPv6) is cut.
_ADDRESS_LENGTH = 64
_EMAIL_LENGTH = 320
# local@domain.tld and nothing else: no blank, one "@", a dot in the domain. Stricter
# than "has an @" on purpose: "p@ssw0rd" is a password, not an address. Every user's
# e-mail has this shape (it passed email-validator), so no account is keyed by a hash.
_LOOKS_LIKE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HASHED_LOGIN_PREFIX = "hmac-sha256:"
# How long a check in progress holds its place. Argon2 takes well under a second; a row
# pending longer belongs to a process that died mid-check, and counts as a failure.
PENDING_SECONDS = 20
# How long an attempt waits for places held by checks in progress before giving up (503).
_WAIT_SECONDS = 30.0
# Between two looks at the places: short at first, growing, with jitter so that waiting
# attempts do not all come back at once.
_FIRST_PAUSE_SECONDS = 0.01
_LONGEST_PAUSE_SECONDS = 0.2


def normalise_login(login: str) -> str:
    return login.strip().lower()


def looks_like_email(normalised: str) -> bool:
    return len(normalised) <= _EMAIL_LENGTH and _LOOKS_LIKE_EMAIL.fullmatch(normalised) is not None


def account_key(settings: Settings, login: str) -> str:
    """What the failures of `login` are counted, logged and stored under (see above)."""
    normalised = normalise_login(login)
    if looks_like_email(normalised):
        return normalised
    secret = settings.jwt_secret.get_secret_value().encode()
    return HASHED_LOGIN_PREFIX + hmac.new(secret, normalised.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Attempt:
    # The account key (account_key()), never the raw text typed; `email` after its column.
    email: str
    address: str

    @classmethod
    def of(cls, settings: Settings, login: str, address: str | None) -> "Attempt":
        return cls(
            email=account_key(settings, login),
            address=(address or "unknown")[:_ADDRESS_LENGTH],
        )


@dataclass(frozen=True, slots=True)
class _Limit:
    column: InstrumentedAttribute[str]
    value: str
    limit: int


class SignInThrottled(TooManyRequests):
    code = "too_many_sign_in_attempts"


class SignInBusy(KlyngeError):
    """So many sign-ins of one account or address at once that one waited too long."""

    status = 503
    title = "Service unavailable"
    code = "sign_in_busy"


def _failed(now: datetime) -> ColumnElement[bool]:
    """Rows that count as failures: settled, or pending past their time (see above)."""
    return or_(SignInFailure.pending_until.is_(None), SignInFailure.pending_until <= now)


def _limits(settings: Settings, attempt: Attempt) -> tuple[_Limit, _Limit]:
    return (
        _Limit(SignInFailure.email, attempt.email, settings.sign_in_failures_per_account),
        _Limit(SignInFailure.address, attempt.address, settings.sign_in_failures_per_address),
    )


async def _seconds_until_allowed(
    session: AsyncSession, limit: _Limit, window: timedelta, now: datetime, *, pending: bool
) -> int | None:
    """None while under the limit; otherwise the seconds until one attempt is allowed.

    That is when the `limit`-th newest failure leaves the window (with exactly `limit`
    failures, the oldest); only that many rows are read, however many there are. With
    `pending`, checks in progress count as failures.
    """
    query = select(SignInFailure.failed_at).where(
        limit.column == limit.value, SignInFailure.failed_at > now - window
    )
    if not pending:
        query = query.where(_failed(now))
    newest = list(
        await session.scalars(query.order_by(SignInFailure.failed_at.desc()).limit(limit.limit))
    )
    if len(newest) < limit.limit:
        return None
    return max(1, math.ceil((newest[-1] + window - now).total_seconds()))


async def lock_attempt(session: AsyncSession, attempt: Attempt) -> None:
    """Serialise the attempts on one account and one address until this transaction ends.

    PostgreSQL: transaction-scoped advisory locks, the account's first, then the address's.
    Every attempt takes them in that order and takes nothing else before them, so two
    attempts cannot wait for each other. SQLite: nothing to do, the writing transaction
    already holds the write lock (see app/db.py).
    """
    for key in (f"signin:account:{attempt.email}", f"signin:address:{attempt.address}"):
        await advisory_xact_lock(session, key)


async def ensure_sign_in_allowed(
    session: AsyncSession, settings: Settings, attempt: Attempt, now: datetime
) -> None:
    """429 `too_many_sign_in_attempts` while the account or the address is at its limit,
    for a check made inside the caller's transaction (a password change), which records
    its own outcome. Checks of other requests in progress count as failures here: this
    one cannot wait for them while it holds its transaction.

    Takes the attempt's locks first (lock_attempt), so the count is the one this attempt's
    own failure, if any, will be added to.
    """
    await lock_attempt(session, attempt)
    await _refuse_at_the_limit(session, settings, attempt, now, pending=True)


async def _refuse_at_the_limit(
    session: AsyncSession, settings: Settings, attempt: Attempt, now: datetime, *, pending: bool
) -> None:
    window = timedelta(minutes=settings.sign_in_failure_window_minutes)
    refusals: list[tuple[int, _Limit]] = []
    for limit in _limits(settings, attempt):
        wait = await _seconds_until_allowed(session, limit, window, now, pending=pending)
        if wait is not None:
            refusals.append((wait, limit))
    if not refusals:
        return
    # Both may be exhausted: the client must wait for the later of the two.
    wait, limit = max(refusals, key=lambda refusal: refusal[0])
    error = SignInThrottled(
        f"Too many failed sign-ins; try again in {wait} seconds.", retry_after=wait
    )
    log.warning("sign_in_throttled", account=attempt.email, address=attempt.address, wait=wait)
    window_seconds = int(window.total_seconds())
    error.headers = {
        "Retry-After": str(wait),
        "RateLimit-Policy": f"{limit.limit};w={window_seconds}",
        "RateLimit": f"limit={limit.limit}, remaining=0, reset={wait}",
    }
    raise error


async def _places_left(
    session: AsyncSession, settings: Settings, attempt: Attempt, now: datetime
) -> int:
    """Checks this attempt may start now: 0 while checks in progress hold the places left
    under either limit; 429 where failures alone reach it. One query for both limits."""
    window = timedelta(minutes=settings.sign_in_failure_window_minutes)
    failed, pending = _failed(now), SignInFailure.pending_until > now
    by_account = SignInFailure.email == attempt.email
    by_address = SignInFailure.address == attempt.address

    def rows(*where: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((and_(*where), 1), else_=0)), 0)

    counts = (
        await session.execute(
            select(
                rows(by_account, failed),
                rows(by_account, pending),
                rows(by_address, failed),
                rows(by_address, pending),
            ).where(or_(by_account, by_address), SignInFailure.failed_at > now - window)
        )
    ).one()
    account_failed, account_pending, address_failed, address_pending = map(int, counts)
    if (
        account_failed >= settings.sign_in_failures_per_account
        or address_failed >= settings.sign_in_failures_per_address
    ):
        await _refuse_at_the_limit(session, settings, attempt, now, pending=False)
    return max(
        0,
        min(
            settings.sign_in_failures_per_account - account_failed - account_pending,
            settings.sign_in_failures_per_address - address_failed - address_pending,
        ),
    )


async def _try_place(
    transactions: Transactions, settings: Settings, attempt: Attempt
) -> uuid.UUID | None:
    """One try of take_place: the new row's id, or None while checks in progress hold
    the places left. Looks in a read transaction first, which takes no lock, so waiting
    attempts do not queue for SQLite's write lock only to find no place."""
    async with transactions.reads.begin() as session:
        if not await _places_left(session, settings, attempt, utcnow()):
            return None
    async with transactions.writes.begin() as session:
        await lock_attempt(session, attempt)
        now = utcnow()
        if not await _places_left(session, settings, attempt, now):
            return None  # taken in between
        place = SignInFailure(
            id=uuid.uuid4(),
            email=attempt.email,
            address=attempt.address,
            failed_at=now,
            pending_until=now + timedelta(seconds=PENDING_SECONDS),
        )
        session.add(place)
        await session.flush()
        return place.id


# The attempts of one process on one account or address wait in line (FIFO), and only
# the first looks for a free place: were they all to look, a place freed up would be
# seen by all at once, and all would queue for SQLite's write lock, whose busy handler
# is not fair to those that waited longest (they time out while newcomers get it).
@dataclass(slots=True)
class _Line:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    in_line: int = 0  # holding the lock or waiting for it


_lines: dict[str, _Line] = {}


@contextlib.asynccontextmanager
async def _turn(key: str) -> AsyncIterator[None]:
    line = _lines.setdefault(key, _Line())
    line.in_line += 1
    try:
        async with line.lock:
            yield
    finally:
        line.in_line -= 1
        if not line.in_line:
            del _lines[key]  # no one left in it: a key per account must not pile up


async def take_place(transactions: Transactions, settings: Settings, attempt: Attempt) -> uuid.UUID:
    """A place for one password check under both limits, committed in a short transaction
    of its own (see the module's docstring); 429 at the limit, 503 `sign_in_busy` after
    waiting `_WAIT_SECONDS` for places held by checks in progress. Settle it afterwards
    (keep_as_failure or give_back)."""
    try:
        async with asyncio.timeout(_WAIT_SECONDS):
            # The account's turn first, then the address's: no two attempts wait for
            # each other.
            async with _turn(f"account:{attempt.email}"), _turn(f"address:{attempt.address}"):
                pause = _FIRST_PAUSE_SECONDS
                while (place := await _try_place(transactions, settings, attempt)) is None:
                    await asyncio.sleep(random.uniform(pause / 2, pause))  # noqa: S311 - jitter
                    pause = min(pause * 2, _LONGEST_PAUSE_SECONDS)
                return place
    except TimeoutError:
        log.warning("sign_in_busy", account=attempt.email, address=attempt.address)
        error = SignInBusy("Too many sign-ins at once for this account or address.")
        error.headers = {"Retry-After": "1"}
        raise error from None


async def keep_as_failure(session: AsyncSession, settings: Settings, place: uuid.UUID) -> None:
    """A wrong password: the place its check held stays, as a failure."""
    await session.execute(
        update(SignInFailure).where(SignInFailure.id == place).values(pending_until=None)
    )
    await _forget_the_past(session, settings, utcnow())


async def give_back(session: AsyncSession, place: uuid.UUID) -> None:
    """A check that is no failure: its place is free again (a right password, which then
    also clears the account's failures with forget_failures)."""
    await session.execute(delete(SignInFailure).where(SignInFailure.id == place))


async def record_failure(
    session: AsyncSession, settings: Settings, attempt: Attempt, now: datetime
) -> None:
    session.add(SignInFailure(email=attempt.email, address=attempt.address, failed_at=now))
    await _forget_the_past(session, settings, now)


async def _forget_the_past(session: AsyncSession, settings: Settings, now: datetime) -> None:
    # Failures that left the window count for nothing: the table holds only the window.
    window = timedelta(minutes=settings.sign_in_failure_window_minutes)
    await session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - window))


async def forget_failures(session: AsyncSession, attempt: Attempt) -> None:
    """A right password clears the account's count; the address keeps its own. Checks of
    other requests still in progress keep their places: their outcome is not known yet."""
    await session.execute(
        delete(SignInFailure).where(SignInFailure.email == attempt.email, _failed(utcnow()))
    )
