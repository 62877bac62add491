"""A token list page and a feed cost the same number of SQL statements for 1 row or 50."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.calendars.helpers import (
    add_meeting,
    add_member,
    at,
    events,
    feed_path,
    make_token,
    open_network,
    parse,
)

pytestmark = pytest.mark.usefixtures("backend")


async def _statements(client: httpx.AsyncClient, count_queries: Any, url: str) -> int:
    with count_queries() as log:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    return int(log.count)


async def test_token_list_statement_count_does_not_grow_with_rows(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    network_id = await open_network(client)
    await make_token(client, kind="network", network_id=network_id)
    one_row = await _statements(client, count_queries, "/v1/calendar-tokens?limit=50")
    for _ in range(49):
        await make_token(client, kind="network", network_id=network_id)
    fifty_rows = await _statements(client, count_queries, "/v1/calendar-tokens?limit=50")
    assert fifty_rows == one_row
    assert len((await client.get("/v1/calendar-tokens?limit=50")).json()["items"]) == 50
    assert one_row <= 2  # the caller's API key, the page


async def test_feed_statement_count_does_not_grow_with_meetings(
    client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    count_queries: Any,
) -> None:
    network_id = await open_network(client)
    member = await add_member(client, application, network_id)
    response = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": network_id},
        headers=member.headers,
    )
    path = feed_path(response.json())
    await add_meeting(engine, network_id)
    await client.get(path)  # notes the first use; later reads within a minute do not
    one_meeting = await _statements(client, count_queries, path)
    for day in range(49):
        await add_meeting(engine, network_id, starts_at=at(1, 1, 8) + timedelta(days=day * 7))
    fifty_meetings = await _statements(client, count_queries, path)
    assert fifty_meetings == one_meeting
    assert len(events(parse(await client.get(path)))) == 50
    # The token; the owner's user, organisations, member and coordinated networks; the
    # network; its meetings.
    assert one_meeting <= 7
