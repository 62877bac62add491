"""Concurrent changes to one agenda: each gets its own position, on either database.

On PostgreSQL a change locks the meeting's row before reading the agenda; on SQLite a
writing request holds the write lock from its first statement. The agenda read is slowed
down so that, without either, both requests would read the same agenda before writing.
"""

import asyncio
from typing import Any

import httpx
import pytest

from app.agenda.repository import AgendaRepository
from app.meetings.models import AgendaItem
from tests.agenda.conftest import MeetingIds
from tests.agenda.helpers import add_item, titles

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def slow_agenda_read(monkeypatch: pytest.MonkeyPatch) -> None:
    original = AgendaRepository.all_of

    async def slow(self: AgendaRepository, meeting_id: Any) -> list[AgendaItem]:
        items = await original(self, meeting_id)
        await asyncio.sleep(0.2)
        return items

    monkeypatch.setattr(AgendaRepository, "all_of", slow)


@pytest.mark.usefixtures("slow_agenda_read")
async def test_concurrent_adds_get_distinct_positions(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    await add_item(client, meeting.meeting_id, title="First")
    responses = await asyncio.gather(
        client.post(meeting.url, json={"title": "Left"}),
        client.post(meeting.url, json={"title": "Right"}),
    )
    assert [response.status_code for response in responses] == [201, 201], [
        response.text for response in responses
    ]
    assert sorted(response.json()["position"] for response in responses) == [2, 3]
    listed = await titles(client, meeting.meeting_id)
    assert [position for position, _ in listed] == [1, 2, 3]
    assert {title for _, title in listed} == {"First", "Left", "Right"}


@pytest.mark.usefixtures("slow_agenda_read")
async def test_an_add_and_a_reorder_at_once_keep_the_agenda_whole(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    a = (await add_item(client, meeting.meeting_id, title="A"))["id"]
    b = (await add_item(client, meeting.meeting_id, title="B"))["id"]
    reorder, insert = await asyncio.gather(
        client.put(f"{meeting.url}/order", json={"item_ids": [b, a]}),
        client.post(meeting.url, json={"title": "New", "position": 1}),
    )
    assert insert.status_code == 201, insert.text
    # Whichever ran second saw the other's result: the reorder then misses the new item.
    assert reorder.status_code in (200, 422), reorder.text
    listed = await titles(client, meeting.meeting_id)
    assert [position for position, _ in listed] == [1, 2, 3]
    expected = {
        200: [(1, "New"), (2, "B"), (3, "A")],
        422: [(1, "New"), (2, "A"), (3, "B")],
    }
    assert listed == expected[reorder.status_code]
