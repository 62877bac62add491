"""Sign-in, refresh and sign-out: the use cases behind `/v1/auth`.

A wrong password must leave a trace (the failure row behind the rate limit), but the
request's session rolls back on any raised error. So the services that write such a
row *return* the refusal instead of raising it, and the router answers with it. Sign-in
opens its own short transactions (it must not hold one while Argon2 runs) and returns
its refusals too, after they committed.
"""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.session import Transactions
from app.auth import rate_limit
from app.auth.credentials import (
    digest,
    issue_access_token,
    new_refresh_token,
    verify_password,
)
from app.auth.models import SignInSession, User
from app.auth.policy import refusal
from app.auth.repository import SignInSessionRepository, UserRepository
from app.config import Settings
from app.errors import Forbidden, Unauthenticated

# Sign-in events for whoever watches for attacks: who and from where, never a secret.
log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str


def _invalid_credentials() -> Unauthenticated:
    # One answer for an unknown e-mail and a wrong password: it tells no one who has an
    # account (and verify_password makes both take as long).
    return Unauthenticated("Wrong e-mail address or password.", code="invalid_credentials")


def _user_disabled() -> Unauthenticated:
    return Unauthenticated("This user is disabled.", code="user_disabled")


async def password_matches(password: str, password_hash: str | None) -> bool:
    """Argon2 takes a tenth of a second of CPU by design: off the event loop with it."""
    return await asyncio.to_thread(verify_password, password, password_hash)


async def check_password_limited(
    session: AsyncSession,
    settings: Settings,
    attempt: rate_limit.Attempt,
    password: str,
    password_hash: str | None,
    now: datetime,
) -> bool:
    """Check a password under the rate limit: 429 while the account or address is at its
    limit; a wrong password is recorded (the caller must let it commit), a right one
    clears the account's failures."""
    await rate_limit.ensure_sign_in_allowed(session, settings, attempt, now)
    if not await password_matches(password, password_hash):
        await rate_limit.record_failure(session, settings, attempt, now)
        return False
    await rate_limit.forget_failures(session, attempt)
    return True


async def _start(session: AsyncSession, settings: Settings, user: User, now: datetime) -> Tokens:
    refresh_token, refresh_hash = new_refresh_token()
    sign_in = SignInSession(
        id=uuid.uuid4(),
        user_id=user.id,
        refresh_token_hash=refresh_hash,
        created_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    SignInSessionRepository(session).add(sign_in)
    await UserRepository(session).note_sign_in(user.id, now)
    await session.flush()
    access_token, expires_in = issue_access_token(settings, user.id, sign_in.id, now)
    return Tokens(access_token, expires_in, refresh_token)


async def sign_in(
    transactions: Transactions,
    settings: Settings,
    email: str,
    password: str,
    address: str | None,
    now: datetime,
) -> Tokens | Unauthenticated:
    """Tokens for the right e-mail and password; a refusal that must commit is *returned*.

    No transaction is open while the password is hashed: the attempt takes its place
    under the limit in a short one, and its outcome is written in another (see
    app/auth/rate_limit.py).

    What was typed as the e-mail is logged and counted only as its account key: a
    password typed into that field is never written anywhere (rate_limit.account_key)."""
    attempt = rate_limit.Attempt.of(settings, email, address)
    user = None
    # A login that does not look like an e-mail has no account (every user's does), and
    # its key is a hash: there is nothing to look up.
    if rate_limit.looks_like_email(attempt.email):
        async with transactions.reads.begin() as session:
            user = await UserRepository(session).by_email(attempt.email)
    password_hash = user.password_hash if user is not None else None
    place = await rate_limit.take_place(transactions, settings, attempt)
    matched = await password_matches(password, password_hash)
    async with transactions.writes.begin() as session:
        if user is None or not matched:
            await rate_limit.keep_as_failure(session, settings, place)
            log.info("sign_in_failed", account=attempt.email, address=attempt.address)
            return _invalid_credentials()
        await rate_limit.give_back(session, place)
        current = await UserRepository(session).get(user.id)
        if current is None or current.password_hash != password_hash:
            # Changed while it was checked: the password given is no longer the one.
            log.info("sign_in_failed", account=attempt.email, address=attempt.address)
            return _invalid_credentials()
        if current.disabled_at is not None:
            # Said only to whoever knows the password; others get invalid_credentials.
            log.info("sign_in_refused_disabled", user_id=str(user.id), address=attempt.address)
            return _user_disabled()
        await rate_limit.forget_failures(session, attempt)
        log.info("signed_in", user_id=str(user.id), address=attempt.address)
        return await _start(session, settings, current, now)


async def refresh(
    session: AsyncSession, settings: Settings, refresh_token: str, now: datetime
) -> Tokens | Unauthenticated:
    """New tokens for a refresh token, which is used up: the session's hash is replaced,
    so presenting it again (a copy kept by a thief, or a replay) is refused.

    Reuse ends the sign-in (RFC 9700 §4.14.2): the token just replaced is kept as the
    session's previous hash, and whoever presents it again has a copy that was already
    used, by them or by someone else. Which one is the thief cannot be told, so the whole
    sign-in is revoked: the newer refresh token and its access tokens stop working too.
    That refusal is *returned*, not raised, so the revocation commits."""
    sessions = SignInSessionRepository(session)
    presented_hash = digest(refresh_token)
    sign_in = await sessions.by_refresh_hash(presented_hash)
    if sign_in is None:
        reused = await sessions.by_previous_refresh_hash(presented_hash)
        if reused is not None:
            await sessions.revoke(reused.id, now)
            log.warning(
                "refresh_token_reused", user_id=str(reused.user_id), sign_in_id=str(reused.id)
            )
            return Unauthenticated(
                "This refresh token was already used, so it may have been copied: the "
                "sign-in has been ended. Sign in again.",
                code="refresh_token_reused",
            )
        raise Unauthenticated(
            "The refresh token is not valid (unknown, or already used).",
            code="invalid_refresh_token",
        )
    if sign_in.revoked_at is not None:
        raise Unauthenticated("This sign-in has been ended.", code="token_revoked")
    if sign_in.expires_at <= now:
        raise Unauthenticated("This sign-in has expired; sign in again.", code="token_expired")
    user = await UserRepository(session).get(sign_in.user_id)
    if user is None or user.disabled_at is not None:
        raise _user_disabled()
    new_token, new_hash = new_refresh_token()
    if not await sessions.rotate(sign_in.id, presented_hash, new_hash):
        # A concurrent refresh with the same token won. Not taken as reuse: it may be
        # one client sending twice, and the loser never saw the winner's token.
        raise Unauthenticated("The refresh token was already used.", code="invalid_refresh_token")
    access_token, expires_in = issue_access_token(settings, user.id, sign_in.id, now)
    return Tokens(access_token, expires_in, new_token)


def ensure_signed_in_user(caller: Caller) -> uuid.UUID:
    """The caller's user id: 401 for anonymous, 403 for API keys (they are no user)."""
    if caller.user_id is not None:
        return caller.user_id
    if caller.api_key_id is None:
        raise refusal(caller)
    raise Forbidden("Only a signed-in user can do this, not an API key.", code="user_required")


async def sign_out(
    session: AsyncSession, caller: Caller, sign_in_session_id: uuid.UUID | None, now: datetime
) -> None:
    """End the sign-in the access token belongs to: it and its refresh token stop working."""
    ensure_signed_in_user(caller)
    if sign_in_session_id is not None:
        await SignInSessionRepository(session).revoke(sign_in_session_id, now)
