"""The secret that signs access tokens: required to serve, made once per installation.

There is no default in the code: whoever has a copy of the source could otherwise sign
tokens for any installation left on it. Serving without a secret is refused rather than
served with one made up at start-up: each of several workers (`klynge serve --workers
N`, or several containers) would make its own, and a token signed by one would be
refused by the others. `klynge ensure-secret` (run by `make run`) writes a random one
into the local `.env`, once; production sets KLYNGE_JWT_SECRET itself.
"""

import os
import secrets
from pathlib import Path

from dotenv import dotenv_values

from app.config import JWT_SECRET_MIN_LENGTH, Settings

_VARIABLE = "KLYNGE_JWT_SECRET"
# Secrets that were published (this one was in the code as the default until it was
# removed): whoever copied one into a configuration is refused, not served.
_PUBLISHED = frozenset({"development-only-secret-never-use-in-production"})


class SigningSecretMissing(RuntimeError):
    """The API cannot start: no signing secret, or one too short to be safe."""


def ensure_configured(settings: Settings) -> None:
    secret = settings.jwt_secret.get_secret_value()
    if secret in _PUBLISHED:
        raise SigningSecretMissing(
            f"{_VARIABLE} is a value published with Klynge's source, which anyone can sign "
            f"tokens with: set a random one (or delete it from .env and run `klynge "
            f"ensure-secret`)."
        )
    if len(secret) < JWT_SECRET_MIN_LENGTH:
        raise SigningSecretMissing(
            f"{_VARIABLE} is not set, or shorter than {JWT_SECRET_MIN_LENGTH} characters: "
            f"set it to a random value (e.g. `python -c 'import secrets; "
            f"print(secrets.token_urlsafe(48))'`), or run `klynge ensure-secret` to write "
            f"one into .env (`make run` does)."
        )


def ensure_in_env_file(path: Path) -> bool:
    """Append a random KLYNGE_JWT_SECRET to the env file unless it has one; True if it
    wrote one. A secret already there is never replaced: the tokens it signed, and the
    idempotency records it keyed, would stop being recognised."""
    if path.exists() and dotenv_values(path).get(_VARIABLE):
        return False
    text = path.read_text() if path.exists() else ""
    separator = "" if not text or text.endswith("\n") else "\n"
    line = f"{separator}{_VARIABLE}={secrets.token_urlsafe(48)}\n"
    # Readable by its owner only: it is a credential.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a") as env_file:
        env_file.write(line)
    return True
