"""Deleting a meeting: only a planned one whose invitations never went out."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.meetings.models import AgendaItem
from tests.factories import create_meeting, create_network
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.meetings.helpers import add_participants, meeting_url, participants_of, set_status

pytestmark = pytest.mark.usefixtures("backend")


async def _agenda_items(engine: AsyncEngine, meeting_id: str) -> int:
    async with create_sessionmaker(engine, writes=False)() as session:
        count = await session.scalar(
            select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == uuid.UUID(meeting_id))
        )
        return int(count or 0)


async def test_a_planned_meeting_is_deleted_with_its_agenda_and_guests(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = await create_network(client)
    meeting = await create_meeting(client, network["id"])
    async with create_sessionmaker(engine).begin() as session:
        item = AgendaItem(
            meeting_id=uuid.UUID(meeting["id"]),
            network_id=uuid.UUID(network["id"]),
            position=1,
            title="Welcome",
        )
        session.add(item)
        await session.flush()
        item_id = item.id
    # Guests on the list, none invited yet (one to the agenda item only).
    await add_participants(engine, meeting, {}, {"agenda_item_id": item_id})

    deleted = await client.delete(meeting_url(meeting), headers={"If-Match": '"1"'})
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert_problem(await client.get(meeting_url(meeting)), 404, "meeting_not_found")
    assert await participants_of(engine, meeting["id"]) == []
    assert await _agenda_items(engine, meeting["id"]) == 0
    assert_problem(await client.delete(meeting_url(meeting)), 404, "meeting_not_found")


@pytest.mark.parametrize("status", ["confirmed", "held", "cancelled"])
async def test_a_meeting_that_went_out_is_cancelled_not_deleted(
    client: httpx.AsyncClient, engine: AsyncEngine, status: str
) -> None:
    network = await create_network(client)
    meeting = await create_meeting(client, network["id"])
    await set_status(engine, meeting["id"], status)
    before = await fetch(client, meeting_url(meeting))
    refused = await client.delete(meeting_url(meeting))
    problem = assert_problem(refused, 409, "meeting_not_deletable")
    assert status in problem["detail"]
    assert await fetch(client, meeting_url(meeting)) == before


async def test_a_planned_meeting_with_an_invitation_out_is_not_deleted(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = await create_network(client)
    meeting = await create_meeting(client, network["id"])
    await add_participants(engine, meeting, {"invited_at": datetime.now(UTC)})
    before = await fetch(client, meeting_url(meeting))
    assert before["answers"]["unanswered"] == 1
    refused = await client.delete(meeting_url(meeting))
    problem = assert_problem(refused, 409, "meeting_not_deletable")
    assert "invitations have gone out" in problem["detail"]
    assert len(await participants_of(engine, meeting["id"])) == 1
    assert await fetch(client, meeting_url(meeting)) == before


async def test_if_match_is_checked_when_sent(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    meeting = await create_meeting(client, network["id"])
    stale = await client.delete(meeting_url(meeting), headers={"If-Match": '"2"'})
    assert_problem(stale, 412, "etag_mismatch")
    assert await fetch(client, meeting_url(meeting)) == meeting
    assert (await client.delete(meeting_url(meeting))).status_code == 204


async def test_an_unknown_meeting_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete(f"/v1/meetings/{UNKNOWN_ID}"), 404, "meeting_not_found")
