"""Removing agenda items: the gap closes, and items with guests or minutes are kept."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.agenda.conftest import MeetingIds
from tests.agenda.helpers import (
    add_item,
    agenda,
    insert_action_item,
    insert_participant,
    item_url,
    set_item,
    titles,
)
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def test_deleting_closes_the_gap(client: httpx.AsyncClient, meeting: MeetingIds) -> None:
    items = [(await add_item(client, meeting.meeting_id, title=t))["id"] for t in "ABCD"]
    response = await client.delete(item_url(meeting.meeting_id, items[1]))
    assert response.status_code == 204
    assert response.content == b""
    assert await titles(client, meeting.meeting_id) == [(1, "A"), (2, "C"), (3, "D")]
    assert_problem(
        await client.get(item_url(meeting.meeting_id, items[1])), 404, "agenda_item_not_found"
    )
    # A stale If-Match is refused; a current one, or none, is accepted.
    stale = await client.delete(item_url(meeting.meeting_id, items[0]), headers={"If-Match": '"9"'})
    assert_problem(stale, 412, "etag_mismatch")
    assert await titles(client, meeting.meeting_id) == [(1, "A"), (2, "C"), (3, "D")]
    response = await client.delete(
        item_url(meeting.meeting_id, items[0]), headers={"If-Match": '"1"'}
    )
    assert response.status_code == 204
    assert await titles(client, meeting.meeting_id) == [(1, "C"), (2, "D")]
    assert (await client.delete(item_url(meeting.meeting_id, items[3]))).status_code == 204
    assert await titles(client, meeting.meeting_id) == [(1, "C")]
    # Adding again goes at the end, with no gap.
    await add_item(client, meeting.meeting_id, title="E")
    assert await titles(client, meeting.meeting_id) == [(1, "C"), (2, "E")]


async def test_an_item_with_guests_is_kept(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine
) -> None:
    item = await add_item(client, meeting.meeting_id, title="Partners on wages")
    await add_item(client, meeting.meeting_id, title="Other")
    await insert_participant(
        engine,
        meeting.meeting_id,
        agenda_item_id=item["id"],
        name="Guest Speaker",
        email="guest@example.test",
    )
    before = await agenda(client, meeting.meeting_id)
    response = await client.delete(item_url(meeting.meeting_id, item["id"]))
    assert_problem(response, 409, "agenda_item_has_guests")
    assert await agenda(client, meeting.meeting_id) == before


@pytest.mark.parametrize(
    "minutes", ["notes", "decisions", "action_item"], ids=["notes", "decisions", "action item"]
)
async def test_an_item_with_minutes_is_kept(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine, minutes: str
) -> None:
    item = await add_item(client, meeting.meeting_id, title="Energy")
    if minutes == "action_item":
        await insert_action_item(engine, meeting.meeting_id, item["id"])
    else:
        await set_item(engine, item["id"], **{minutes: "Agreed to ask the grid company."})
    before = await agenda(client, meeting.meeting_id)
    response = await client.delete(item_url(meeting.meeting_id, item["id"]))
    assert_problem(response, 409, "agenda_item_has_minutes")
    assert await agenda(client, meeting.meeting_id) == before


async def test_blank_minutes_do_not_keep_an_item(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine
) -> None:
    item = await add_item(client, meeting.meeting_id, title="Energy")
    await set_item(engine, item["id"], notes="  ", decisions="")
    assert (await client.delete(item_url(meeting.meeting_id, item["id"]))).status_code == 204
    assert await agenda(client, meeting.meeting_id) == []


async def test_deleting_an_unknown_item_is_404(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    await add_item(client, meeting.meeting_id)
    response = await client.delete(item_url(meeting.meeting_id, UNKNOWN_ID))
    assert_problem(response, 404, "agenda_item_not_found")
    assert len(await agenda(client, meeting.meeting_id)) == 1
