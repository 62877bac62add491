"""A meeting's answer and attendance counts, and the fixed number of queries a page of
meetings costs with them. Participants are written straight into the database."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import NEXT_YEAR, create_company, create_meeting, create_network
from tests.helpers import fetch
from tests.meetings.helpers import add_participants, meeting_at, meeting_url, set_status

pytestmark = pytest.mark.usefixtures("backend")

# Two accepted (one came, one did not), a decline, a tentative who came, two silent.
_PARTICIPANTS: list[dict[str, Any]] = [
    {"answer": "accepted", "attended": True},
    {"answer": "accepted", "attended": False},
    {"answer": "declined"},
    {"answer": "tentative", "attended": True},
    {},
    {},
]
_ANSWERS = {"accepted": 2, "declined": 1, "tentative": 1, "unanswered": 2}


async def test_a_meeting_that_has_started_counts_answers_and_attendance(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=-2))
    await add_participants(engine, meeting, *_PARTICIPANTS)

    read = await fetch(client, meeting_url(meeting))
    assert read["answers"] == _ANSWERS
    assert read["attendance"] == {"attended": 2, "absent": 1, "unrecorded": 3}
    listed = (await client.get("/v1/meetings", params={"include_past": "true"})).json()
    assert listed["items"] == [read]


async def test_attendance_is_null_before_the_start_and_for_a_cancelled_meeting(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    upcoming = await meeting_at(client, network, timedelta(days=3))
    cancelled = await meeting_at(client, network, timedelta(days=-3))
    await add_participants(engine, upcoming, {"answer": "accepted"}, {"answer": "declined"}, {})
    await add_participants(engine, cancelled, {"answer": "accepted"})
    await set_status(engine, cancelled["id"], "cancelled")

    ahead = await fetch(client, meeting_url(upcoming))
    assert ahead["answers"] == {"accepted": 1, "declined": 1, "tentative": 0, "unanswered": 1}
    assert ahead["attendance"] is None
    called_off = await fetch(client, meeting_url(cancelled))
    assert called_off["answers"]["accepted"] == 1
    assert called_off["attendance"] is None


async def test_other_meetings_participants_are_not_counted(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    busy = await create_meeting(client, network)
    quiet = await create_meeting(
        client,
        network,
        starts_at=f"{NEXT_YEAR}-04-08T09:00:00",
        ends_at=f"{NEXT_YEAR}-04-08T12:00:00",
    )
    await add_participants(engine, busy, *_PARTICIPANTS)
    items = (await client.get("/v1/meetings", params={"network_id": network})).json()["items"]
    assert [item["id"] for item in items] == [busy["id"], quiet["id"]]
    assert items[0]["answers"] == _ANSWERS
    assert items[1]["answers"] == {"accepted": 0, "declined": 0, "tentative": 0, "unanswered": 0}


async def test_a_page_costs_the_same_queries_for_1_and_20_meetings(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any
) -> None:
    networks = [(await create_network(client))["id"] for _ in range(4)]
    hosts = [(await create_company(client))["id"] for _ in range(5)]

    async def add(index: int) -> None:
        # Past and future, so both attendance and its absence are built.
        meeting = await meeting_at(
            client,
            networks[index % 4],
            timedelta(days=index - 10),
            host_organisation_id=hosts[index % 5],
        )
        await add_participants(engine, meeting, *_PARTICIPANTS[: index % 6 + 1])

    params = {"include": "network,host", "include_past": "true", "limit": 50}

    async def count() -> tuple[int, list[dict[str, Any]]]:
        with count_queries() as log:
            response = await client.get("/v1/meetings", params=params)
        assert response.status_code == 200, response.text
        return log.count, response.json()["items"]

    await add(0)
    one, items = await count()
    assert len(items) == 1
    for index in range(1, 20):
        await add(index)
    twenty, items = await count()
    assert len(items) == 20
    assert twenty == one
    # The caller's key, then one statement: the meetings with their networks and hosts
    # joined and their participants counted.
    assert one == 2, one

    assert all(item["network"] is not None and item["host"] is not None for item in items)
    assert sum(item["answers"]["accepted"] for item in items) > 0

    # Reading one meeting costs the same whatever its participants.
    with count_queries() as single:
        await fetch(client, f"{meeting_url(items[0])}?include=network,host")
    assert single.count == one
