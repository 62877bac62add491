"""Idempotent creates: the same key and body replay the stored answer.

The record is written in the same transaction as the resource it created, so a
create is either done and remembered, or neither. Two requests racing with one
key both try to insert the record; the unique key lets only one commit.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

import orjson
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.db import utcnow
from app.errors import Conflict, Unprocessable, register_constraint_error
from app.idempotency.models import IdempotencyRecord

register_constraint_error(
    "uq_idempotency_records_caller_key_key",
    Conflict(
        "Another request with this Idempotency-Key finished first; retry to get its answer.",
        code="idempotency_key_in_flight",
    ),
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
