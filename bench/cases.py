"""The measured reads, each as every app asks for it.

Klynge and the limit page by keyset cursor; the peer by OFFSET. The page "at row 90,000"
(scaled with BENCH_SCALE) is reached by the cursor of the row before it, taken from the
database, so all three answer the same 50 rows.
"""

import base64
from dataclasses import dataclass, field

import asyncpg
import orjson

from bench.data import Dataset


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    paths: dict[str, str]  # app name -> path and query
    headers: dict[str, str] = field(default_factory=dict)
    single: bool = False  # one resource, not a page of `items`


def _cursor(name: str, value: str, row_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([name, value, row_id])).decode().rstrip("=")


def _same(path: str, peer: str | None = None) -> dict[str, str]:
    return {"klynge": path, "limit": path, "peer": peer or path}


async def cases(dataset: Dataset) -> list[Case]:
    deep = int(90_000 * dataset.scale)
    connection = await asyncpg.connect(dataset.dsn)
    try:
        before = await connection.fetchrow(
            "SELECT display_name, id::text FROM organisations WHERE archived_at IS NULL "
            "ORDER BY display_name, id OFFSET $1 LIMIT 1",
            deep - 1,
        )
        one_id = await connection.fetchval(
            "SELECT id::text FROM organisations WHERE archived_at IS NULL AND notes IS NOT NULL "
            "ORDER BY id LIMIT 1"
        )
    finally:
        await connection.close()
    deep_cursor = _cursor("name", before[0], before[1])
    key = {"Authorization": f"Bearer {dataset.read_key}"}
    page = "/v1/companies?limit=50"
    memberships = "/v1/memberships?limit=50&include=organisation,network"
    return [
        Case("50-row page of organisations, anonymous", _same(page)),
        Case("same with a read API key", _same(page), headers=key),
        Case(
            f"page at row {deep:,}",
            _same(f"{page}&cursor={deep_cursor}", f"{page}&offset={deep}"),
        ),
        Case("one organisation by id", _same(f"/v1/companies/{one_id}"), single=True),
        Case("memberships `include=organisation,network`", _same(memberships)),
    ]
