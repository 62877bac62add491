"""Idempotent creates: the same key and body replay the stored answer.

The record is written in the same transaction as the resource it created, so a
create is either done and remembered, or neither. Two requests racing with one
key both try to insert the record; the unique key lets only one commit.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

import orjson
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.db import utcnow
from app.errors import Conflict, Unprocessable, register_constraint_error
from app.idempotency.models import IdempotencyRecord


def _key_in_flight(detail: str) -> Conflict:
    error = Conflict(detail, code="idempotency_key_in_flight")
    error.headers = {"Retry-After": "1"}
    return error


register_constraint_error(
    "uq_idempotency_records_caller_key_key",
    _key_in_flight(
        "Another request with this Idempotency-Key finished first; retry to get its answer."
    ),
)


async def claim(session: AsyncSession, caller_key: str, key: str) -> None:
    """Hold the key for this request until its transaction ends, before its record is
    looked up; 409 `idempotency_key_in_flight` while another request holds it.

    Without the claim, a retry sent while the first try still runs finds no record (it
    is not committed yet) and runs the create again, to be refused by the first try's
    own row (`organisation_number_taken` for the caller's own organisation). PostgreSQL:
    a transaction-scoped advisory lock, tried without waiting. SQLite: nothing to do, a
    writing request holds the database's write lock from its start, so the retry waits
    for the first try to commit and then finds its record.
    """
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    taken = await connection.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"),
        {"name": f"idempotency:{caller_key}:{key}"},
    )
    if not taken:
        raise _key_in_flight(
            "A request with this Idempotency-Key is still running; retry shortly to get its answer."
        )


# Headers worth replaying; the rest (Date, Server, content length) belong to the new answer.
_REPLAYED_HEADERS = ("content-type", "location", "etag")


def fingerprint(method: str, path: str, body: bytes, secret: bytes) -> str:
    """Identifies a request without revealing it: an HMAC keyed with the server's secret.

    A plain hash of a body whose other fields are known would let anyone who reads the
    table guess a password sent in it far faster than Argon2 allows.
    """
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    message = method.encode() + b" " + path.encode() + b"\n" + canonical
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


async def find_replay(
    session: AsyncSession, caller_key: str, key: str, request_fingerprint: str, now: datetime
) -> Response | None:
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.caller_key == caller_key, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.expires_at <= now:
        await session.delete(record)
        await session.flush()
        return None
    if record.request_fingerprint != request_fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was already used for a different request; use a new key.",
            code="idempotency_key_reused",
        )
    headers = {**record.response_headers, "Idempotency-Replayed": "true"}
    return Response(content=record.response_body, status_code=record.status_code, headers=headers)


def remember(
    session: AsyncSession,
    *,
    caller_key: str,
    key: str,
    request_fingerprint: str,
    response: Response,
    ttl: timedelta,
) -> None:
    now = utcnow()
    session.add(
        IdempotencyRecord(
            caller_key=caller_key,
            key=key,
            request_fingerprint=request_fingerprint,
            status_code=response.status_code,
            response_body=bytes(response.body),
            response_headers={
                name: value for name, value in response.headers.items() if name in _REPLAYED_HEADERS
            },
            created_at=now,
            expires_at=now + ttl,
        )
    )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
