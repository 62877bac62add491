"""Passwords, access tokens, refresh tokens and API keys: making and checking them.

Passwords are hashed with Argon2id (pwdlib). Refresh tokens and API key secrets are
long random values, so a SHA-256 of them is enough to store (nothing to brute-force).
"""

import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.config import Settings
from app.errors import Unauthenticated

API_KEY_PREFIX = "klk_"
REFRESH_TOKEN_PREFIX = "klr_"  # noqa: S105 - a public marker, not a secret
_ALGORITHM = "HS256"
_password_hash = PasswordHash((Argon2Hasher(),))


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the account does not exist takes as long as a real
    check, so response times do not tell which e-mail addresses have accounts. Made on
    first use: hashing is slow on purpose, and every process imports this module."""
    return _password_hash.hash("no account has this password")


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _password_hash.verify(password, _dummy_hash())
        return False
    return bool(_password_hash.verify(password, password_hash))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def issue_access_token(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> tuple[str, int]:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=_ALGORITHM)
    return token, int(lifetime.total_seconds())


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub", "sid", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("The access token has expired.", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("The access token is not valid.", code="invalid_token") from exc
    # A valid signature says the server's secret signed the token, not that its claims
    # have the types Klynge writes: each is checked, so none can reach the code as
    # something else (a number or a list where an id is read).
    user_id, session_id = _uuid_claim(claims, "sub"), _uuid_claim(claims, "sid")
    if claims["typ"] != "access" or user_id is None or session_id is None:
        raise Unauthenticated("The access token is not valid.", code="invalid_token")
    return AccessClaims(user_id, session_id)


def _uuid_claim(claims: dict[str, object], name: str) -> uuid.UUID | None:
    value = claims[name]
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def new_refresh_token() -> tuple[str, str]:
    """A new refresh token and the digest to store."""
    token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key: str  # shown once
    prefix: str
    secret_hash: str


def new_api_key() -> NewApiKey:
    prefix = API_KEY_PREFIX + secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key=f"{prefix}_{secret}", prefix=prefix, secret_hash=digest(secret))


def split_api_key(key: str) -> tuple[str, str]:
    """The prefix that finds the key and the secret to check; 401 if it has no such shape."""
    # klk_<8 hex>_<secret>: the secret is URL-safe base64 and may itself contain "_".
    head, _, secret = key.removeprefix(API_KEY_PREFIX).partition("_")
    prefix = API_KEY_PREFIX + head
    if not key.startswith(API_KEY_PREFIX) or len(head) != 8 or not secret:
        raise Unauthenticated("The API key is not valid.", code="invalid_api_key")
    return prefix, secret


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(digest(secret), secret_hash)
