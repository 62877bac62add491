"""Making feed tokens: a long random secret for the feed's URL, stored only as a SHA-256.

The token is 32 random bytes (URL-safe base64), so a plain hash is enough to store:
there is nothing to brute-force, and a lookup by hash needs no per-row check.
"""

import secrets
from dataclasses import dataclass

from app.auth.credentials import digest

# Enough of the token to tell a user's feeds apart in a list; far too little to guess it.
PREFIX_LENGTH = 8


@dataclass(frozen=True, slots=True)
class NewFeedToken:
    token: str  # shown once, in the answer to its creation
    token_hash: str
    prefix: str


def new_feed_token() -> NewFeedToken:
    token = secrets.token_urlsafe(32)
    return NewFeedToken(token=token, token_hash=digest(token), prefix=token[:PREFIX_LENGTH])


def token_hash(token: str) -> str:
    return digest(token)
