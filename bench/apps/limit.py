"""The hand-written limit: plain Starlette routes, asyncpg and orjson, nothing between.

Serves the same JSON as Klynge for the measured reads (same rows, fields, cursors, `Link`
and `ETag` headers, the same visibility and `notes` rules, the same API key check), as a
careful developer would write it by hand: one prepared statement per read (two with an
API key: the key's lookup, then the read), rows serialised once with orjson, UUIDs read
as text. It is the yardstick, not a product: no OpenAPI, no validation beyond what the
measured reads need, no writes.

    BENCH_DSN=postgresql://postgres@127.0.0.1:5432/klynge_bench \
        uvicorn bench.apps.limit:app --port 8001
"""

import base64
import hashlib
import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_COMPANY = (
    "id, kind, legal_name, display_name, country, organisation_number, vat_number, "
    "visiting_address, postal_address, invoice_address, invoice_email, peppol_endpoint_id, "
    "nace_code, employees, apprentices, website, language, notes, archived_at, created_at, "
    "updated_at, version"
)
_COMPANY_PAGE = f"SELECT {_COMPANY} FROM organisations WHERE archived_at IS NULL"
# The page is cut from memberships and networks (for visibility) first, and only its rows
# are joined to their organisations and representatives: joining every membership to its
# organisation before the sort costs more than the rest of the read.
_MEMBERSHIPS = """
SELECT m.id, m.organisation_id, m.network_id, m.kind, m.status, m.starts_on, m.ends_on,
  (SELECT coalesce(json_agg(json_build_object('person_id', r.person_id, 'role', r.role,
     'person', NULL) ORDER BY r.created_at), '[]'::json)
   FROM membership_representatives r WHERE r.membership_id = m.id) AS representatives,
  o.id AS o_id, o.kind AS o_kind, o.display_name, o.country, o.organisation_number,
  m.n_id, m.slug, m.name, m.visibility, m.n_status,
  m.created_at, m.updated_at, m.version
FROM (
  SELECT m.*, n.id AS n_id, n.slug, n.name, n.visibility, n.status AS n_status
  FROM memberships m JOIN networks n ON n.id = m.network_id
  WHERE ($1 OR n.visibility = 'open'){seek}
  ORDER BY m.starts_on DESC, m.id DESC LIMIT {limit}
) m
JOIN organisations o ON o.id = m.organisation_id
ORDER BY m.starts_on DESC, m.id DESC
"""
_KEY = (
    "SELECT id, secret_hash, scopes, expires_at, last_used_at, revoked_at "
    "FROM api_keys WHERE prefix = $1"
)
_JSON_OPTIONS = orjson.OPT_UTC_Z


def _problem(status: int, code: str) -> Response:
    body = orjson.dumps({"type": "about:blank", "status": status, "code": code})
    return Response(body, status, media_type="application/problem+json")


class Refused(Exception):
    def __init__(self, status: int, code: str) -> None:
        self.response = _problem(status, code)


async def _no_reset(_connection: asyncpg.Connection) -> None:
    # The app never changes session state, so asyncpg's reset query (RESET ALL, UNLISTEN,
    # advisory unlock) on every release would be a second statement per read for nothing.
    return None


async def _setup_connection(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec("json", encoder=str, decoder=orjson.loads, schema="pg_catalog")
    await connection.set_type_codec(
        "uuid", encoder=str, decoder=str, schema="pg_catalog", format="text"
    )


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    dsn = os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/klynge_bench")
    app.state.pool = await asyncpg.create_pool(
        dsn, min_size=4, max_size=16, init=_setup_connection, reset=_no_reset
    )
    yield
    await app.state.pool.close()


async def _is_admin(connection: asyncpg.Connection, request: Request) -> bool:
    """Klynge's rule: no header is the public; a `read`/`write` key sees what an admin sees;
    a key that does not check out is a 401."""
    header = request.headers.get("authorization")
    if header is None:
        return False
    key = header.removeprefix("Bearer ")
    head, _, secret = key.removeprefix("klk_").partition("_")
    row = await connection.fetchrow(_KEY, "klk_" + head)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if row is None or not hmac.compare_digest(digest, row["secret_hash"]):
        raise Refused(401, "invalid_api_key")
    now = datetime.now(UTC)
    if row["revoked_at"] is not None or (row["expires_at"] and row["expires_at"] <= now):
        raise Refused(401, "api_key_revoked")
    if row["last_used_at"] is None or now - row["last_used_at"] >= timedelta(minutes=1):
        await connection.execute("UPDATE api_keys SET last_used_at = $1 WHERE id = $2", now, row[0])
    scopes = orjson.loads(row["scopes"]) if isinstance(row["scopes"], str) else row["scopes"]
    return "read" in scopes or "write" in scopes


def _cursor(name: str, value: Any, row_id: str) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    return base64.urlsafe_b64encode(orjson.dumps([name, value, row_id])).decode().rstrip("=")


def _read_cursor(name: str, cursor: str) -> tuple[Any, str]:
    try:
        parts = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise Refused(400, "invalid_cursor") from exc
    if not isinstance(parts, list) or len(parts) != 3 or parts[0] != name:
        raise Refused(400, "invalid_cursor")
    return parts[1], parts[2]


def _limit(request: Request) -> int:
    limit = int(request.query_params.get("limit", "50"))
    if not 1 <= limit <= 200:
        raise Refused(422, "invalid_limit")
    return limit


def _page(
    request: Request, items: list[bytes] | list[dict[str, Any]], cursor: str | None
) -> Response:
    body = orjson.dumps({"items": items, "next_cursor": cursor}, option=_JSON_OPTIONS)
    headers = {}
    if cursor is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
    return Response(body, media_type="application/json", headers=headers)


async def list_companies(request: Request) -> Response:
    limit, cursor = _limit(request), request.query_params.get("cursor")
    async with request.app.state.pool.acquire() as connection:
        try:
            admin = await _is_admin(connection, request)
            if cursor is None:
                sql = f"{_COMPANY_PAGE} ORDER BY display_name, id LIMIT $1"
                rows = await connection.fetch(sql, limit + 1)
            else:
                name, last_id = _read_cursor("name", cursor)
                sql = f"{_COMPANY_PAGE} AND (display_name, id) > ($1, $2::uuid) "
                sql += "ORDER BY display_name, id LIMIT $3"
                rows = await connection.fetch(sql, name, last_id, limit + 1)
        except Refused as refused:
            return refused.response
    items = [dict(row) for row in rows[:limit]]
    if not admin:
        for item in items:
            item["notes"] = None
    next_cursor = None
    if len(rows) > limit:
        next_cursor = _cursor("name", items[-1]["display_name"], items[-1]["id"])
    return _page(request, items, next_cursor)


async def get_company(request: Request) -> Response:
    async with request.app.state.pool.acquire() as connection:
        try:
            admin = await _is_admin(connection, request)
            sql = f"SELECT {_COMPANY} FROM organisations WHERE id = $1::uuid"
            row = await connection.fetchrow(sql, request.path_params["company_id"])
        except Refused as refused:
            return refused.response
        except asyncpg.DataError:
            return _problem(422, "invalid_id")
    if row is None:
        return _problem(404, "not_found")
    item = dict(row)
    if not admin:
        item["notes"] = None
    headers = {"ETag": f'"{item["version"]}"'}
    body = orjson.dumps(item, option=_JSON_OPTIONS)
    return Response(body, media_type="application/json", headers=headers)


def _membership(row: asyncpg.Record, include: set[str]) -> dict[str, Any]:
    return {
        "id": row[0],
        "organisation_id": row[1],
        "network_id": row[2],
        "kind": row[3],
        "status": row[4],
        "starts_on": row[5],
        "ends_on": row[6],
        "representatives": row[7],
        "organisation": {
            "id": row[8],
            "kind": row[9],
            "display_name": row[10],
            "country": row[11],
            "organisation_number": row[12],
        }
        if "organisation" in include
        else None,
        "network": {
            "id": row[13],
            "slug": row[14],
            "name": row[15],
            "visibility": row[16],
            "status": row[17],
        }
        if "network" in include
        else None,
        "created_at": row[18],
        "updated_at": row[19],
        "version": row[20],
    }


async def list_memberships(request: Request) -> Response:
    limit, cursor = _limit(request), request.query_params.get("cursor")
    include = set(filter(None, request.query_params.get("include", "").split(",")))
    async with request.app.state.pool.acquire() as connection:
        try:
            admin = await _is_admin(connection, request)
            if cursor is None:
                sql = _MEMBERSHIPS.format(seek="", limit="$2")
                rows = await connection.fetch(sql, admin, limit + 1)
            else:
                starts_on, last_id = _read_cursor("-starts_on", cursor)
                seek = " AND (m.starts_on, m.id) < ($2, $3::uuid)"
                sql = _MEMBERSHIPS.format(seek=seek, limit="$4")
                day = date.fromisoformat(starts_on)
                rows = await connection.fetch(sql, admin, day, last_id, limit + 1)
        except Refused as refused:
            return refused.response
    items = [_membership(row, include) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = _cursor("-starts_on", items[-1]["starts_on"], items[-1]["id"])
    return _page(request, items, next_cursor)


app = Starlette(
    routes=[
        Route("/v1/companies", list_companies),
        Route("/v1/companies/{company_id}", get_company),
        Route("/v1/memberships", list_memberships),
    ],
    lifespan=_lifespan,
)
