"""A meeting row is locked only after the caller's rights are checked: a caller who may
not change the meeting never takes (or waits for) its lock. The lock clause exists on
PostgreSQL only (SQLite's writing transactions hold the database lock)."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.callers import user_headers
from tests.factories import create_network, create_person
from tests.meetings.helpers import meeting_at
from tests.participants.helpers import anonymous

pytestmark = pytest.mark.usefixtures("backend")


def _locks(statements: list[str]) -> list[str]:
    return [s for s in statements if "FOR UPDATE" in s.upper() or "FOR SHARE" in s.upper()]


async def test_only_authorised_changes_lock_the_meeting(
    client: httpx.AsyncClient, application: FastAPI, count_queries: Any, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite renders no row locks")
    network = await create_network(client)
    meeting = await meeting_at(client, network["id"], timedelta(days=-1))
    base = f"/v1/meetings/{meeting['id']}"
    item = (await client.post(f"{base}/agenda-items", json={"title": "Energy"})).json()
    person = await create_person(client)
    guest = await client.post(
        f"{base}/participants", json={"name": "Per", "email": "per@example.no", "role": "guest"}
    )
    changes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", f"{base}/agenda-items", {"title": "Late"}),
        ("PATCH", f"{base}/agenda-items/{item['id']}", {"title": "Renamed"}),
        ("POST", f"{base}/participants", {"person_id": person["id"], "role": "guest"}),
        ("PATCH", f"{base}/participants/{guest.json()['id']}", {"answer": "accepted"}),
        ("PUT", f"{base}/attendance", {"attended": [guest.json()["id"]]}),
        ("PATCH", f"{base}/agenda-items/{item['id']}/minutes", {"notes": "Notes"}),
        ("POST", f"{base}/agenda-items/{item['id']}/action-items", {"description": "Do"}),
        ("POST", f"{base}/minutes/publish", None),
    ]
    # A signed-in user of no network: sees the open network's meeting, may change nothing.
    stranger = await user_headers(application)
    async with anonymous(application) as http:
        for method, url, body in changes:
            headers = {**stranger, "If-Match": "*"}
            with count_queries() as log:
                response = await http.request(method, url, json=body, headers=headers)
            assert response.status_code == 403, (method, url, response.text)
            assert _locks(log.statements) == [], (method, url)

    # The same changes by a manager lock it (the test would catch a lock gone missing).
    for method, url, body in changes:
        with count_queries() as log:
            response = await client.request(method, url, json=body, headers={"If-Match": "*"})
        assert response.status_code < 500, response.text
        assert _locks(log.statements), (method, url)
