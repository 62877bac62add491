"""With the real meeting mail: inviting someone to a confirmed meeting queues their
invitation, withdrawing it queues a cancellation that outlives the participant's row."""

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.mail.models import OutboxMessage
from app.meetings.models import MeetingStatus
from tests.participants.conftest import Scene
from tests.participants.helpers import change_meeting, invite, participants_url

pytestmark = pytest.mark.usefixtures("backend")


async def _outbox(engine: AsyncEngine) -> list[tuple[str, str | None]]:
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
        return [(row.recipient, row.calendar_method) for row in rows]


async def test_invitation_and_cancellation_are_queued(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    planned = await invite(client, scene.meeting_id, name="Per", email="per@example.no")
    assert planned["invited_at"] is None
    assert await _outbox(engine) == []

    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.CONFIRMED)
    guest = await invite(client, scene.meeting_id, name="Siri", email="siri@example.no")
    assert guest["invited_at"] is not None
    # Everyone not yet invited is, now that the meeting is confirmed.
    assert sorted(await _outbox(engine)) == [
        ("per@example.no", "REQUEST"),
        ("siri@example.no", "REQUEST"),
    ]

    response = await client.delete(participants_url(scene.meeting_id, guest["id"]))
    assert response.status_code == 204, response.text
    assert sorted(await _outbox(engine)) == [
        ("per@example.no", "REQUEST"),
        ("siri@example.no", "CANCEL"),
        ("siri@example.no", "REQUEST"),
    ]
