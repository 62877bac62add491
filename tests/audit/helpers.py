"""Reading the audit trail in tests."""

from typing import Any

import httpx

from tests.helpers import fetch


async def audit_events(client: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    """Every event matching `filters`, newest first (a test makes fewer than 200)."""
    params = httpx.QueryParams({"limit": 200, **filters})
    body = await fetch(client, f"/v1/audit-events?{params}")
    assert body["next_cursor"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


async def created_id(client: httpx.AsyncClient, resource_type: str) -> str:
    """The id of the one row of `resource_type` created so far (the test's key or user)."""
    created = await audit_events(client, resource_type=resource_type, action="create")
    assert len(created) == 1, created
    resource_id: str = created[0]["resource_id"]
    return resource_id
