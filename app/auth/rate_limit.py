"""The limit on wrong passwords, per account (e-mail) and per client address.

Failures are rows in `sign_in_failures`, so the limit holds across workers and restarts
with nothing else to run. A sign-in is refused (429) while either count within the
sliding window is at the limit; the check comes before the password is looked at, so a
refused attempt neither costs an Argon2 hash nor adds a failure of its own.

Check, password and record run as one step per account and per address: on PostgreSQL
the transaction takes an advisory lock on each before counting, held until it commits;
on SQLite a writing transaction (sign-in is a POST) holds the database's write lock from
its first statement (`BEGIN IMMEDIATE`). Without that, concurrent wrong passwords would
all count the same failures during their ~50 ms of Argon2 and all be let through.

What was typed as the e-mail address is counted, logged and stored as the account's key:
the address itself, normalised, when it looks like one; otherwise (a password typed
into the wrong field, say) an HMAC of it keyed with the server's secret, so the text is
neither logged nor stored but repeated attempts still count as one account.
"""

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import SignInFailure
from app.config import Settings
from app.db import advisory_xact_lock
from app.errors import TooManyRequests

log = structlog.get_logger(__name__)

# The address column's width; a longer value (it never is for IPv4/IPv6) is cut.
_ADDRESS_LENGTH = 64
_EMAIL_LENGTH = 320
# local@domain.tld and nothing else: no blank, one "@", a dot in the domain. Stricter
# than "has an @" on purpose: "p@ssw0rd" is a password, not an address. Every user's
# e-mail has this shape (it passed email-validator), so no account is keyed by a hash.
_LOOKS_LIKE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HASHED_LOGIN_PREFIX = "hmac-sha256:"


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


async def _seconds_until_allowed(
    session: AsyncSession, limit: _Limit, window: timedelta, now: datetime
) -> int | None:
    """None while under the limit; otherwise the seconds until one attempt is allowed.

    That is when the `limit`-th newest failure leaves the window (with exactly `limit`
    failures, the oldest); only that many rows are read, however many there are.
    """
    newest = list(
        await session.scalars(
            select(SignInFailure.failed_at)
            .where(limit.column == limit.value, SignInFailure.failed_at > now - window)
            .order_by(SignInFailure.failed_at.desc())
            .limit(limit.limit)
        )
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
    """429 `too_many_sign_in_attempts` while the account or the address is at its limit.

    Takes the attempt's locks first (lock_attempt), so the count is the one this attempt's
    own failure, if any, will be added to.
    """
    await lock_attempt(session, attempt)
    window = timedelta(minutes=settings.sign_in_failure_window_minutes)
    limits = (
        _Limit(SignInFailure.email, attempt.email, settings.sign_in_failures_per_account),
        _Limit(SignInFailure.address, attempt.address, settings.sign_in_failures_per_address),
    )
    refusals: list[tuple[int, _Limit]] = []
    for limit in limits:
        wait = await _seconds_until_allowed(session, limit, window, now)
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


async def record_failure(
    session: AsyncSession, settings: Settings, attempt: Attempt, now: datetime
) -> None:
    session.add(SignInFailure(email=attempt.email, address=attempt.address, failed_at=now))
    # Failures that left the window count for nothing: the table holds only the window.
    window = timedelta(minutes=settings.sign_in_failure_window_minutes)
    await session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - window))


async def forget_failures(session: AsyncSession, attempt: Attempt) -> None:
    """A right password clears the account's count; the address keeps its own."""
    await session.execute(delete(SignInFailure).where(SignInFailure.email == attempt.email))
