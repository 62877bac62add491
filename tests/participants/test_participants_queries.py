"""A participant page costs the same number of SQL statements for 1 row or 20."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.callers import user_headers
from tests.factories import create_company, create_person
from tests.participants.conftest import Scene
from tests.participants.helpers import invite, participants_url

pytestmark = pytest.mark.usefixtures("backend")


async def _statements(
    client: httpx.AsyncClient, count_queries: Any, url: str, headers: dict[str, str], rows: int
) -> int:
    with count_queries() as log:
        response = await client.get(url, params={"limit": 50}, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == rows
    return int(log.count)


async def test_list_statement_count_does_not_grow_with_rows(
    client: httpx.AsyncClient, application: FastAPI, count_queries: Any, scene: Scene
) -> None:
    url = participants_url(scene.meeting_id)
    member = await user_headers(application, person_id=scene.kari)
    await invite(client, scene.meeting_id, person_id=scene.kari, organisation_id=scene.company_id)
    one_row = await _statements(client, count_queries, url, {}, 1)
    one_row_member = await _statements(client, count_queries, url, member, 1)
    for n in range(19):
        if n % 2:
            await invite(client, scene.meeting_id, name=f"Guest {n}", email=f"g{n}@example.no")
        else:
            company = await create_company(client)
            person = await create_person(client)
            await invite(
                client, scene.meeting_id, person_id=person["id"], organisation_id=company["id"]
            )
    assert await _statements(client, count_queries, url, {}, 20) == one_row
    assert await _statements(client, count_queries, url, member, 20) == one_row_member
    assert one_row <= 3  # the caller's API key, the meeting, the page
