"""One code for one state, whichever route meets it (app/meetings/rules.py): a cancelled
meeting is `meeting_cancelled`, a held one `meeting_closed`, published minutes
`minutes_published`, a meeting not started yet `meeting_not_started`."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.meetings.models import Meeting, MinutesStatus
from tests.factories import create_network
from tests.helpers import assert_problem, fetch
from tests.meetings.helpers import meeting_at, set_status

pytestmark = pytest.mark.usefixtures("backend")


@dataclass
class Scene:
    meeting: str
    item: str
    participant: str


async def _scene(client: httpx.AsyncClient, starts: timedelta) -> Scene:
    network = await create_network(client)
    meeting = await meeting_at(client, network["id"], starts)
    base = f"/v1/meetings/{meeting['id']}"
    item = await client.post(f"{base}/agenda-items", json={"title": "Energy"})
    guest = await client.post(
        f"{base}/participants", json={"name": "Per", "email": "per@example.no", "role": "guest"}
    )
    assert (item.status_code, guest.status_code) == (201, 201), (item.text, guest.text)
    return Scene(meeting["id"], item.json()["id"], guest.json()["id"])


async def _send(
    client: httpx.AsyncClient, method: str, url: str, body: dict[str, Any] | None
) -> httpx.Response:
    # `*` matches any version: only the state can refuse.
    headers = {"If-Match": "*"} if method in ("PATCH", "DELETE") else {}
    return await client.request(method, url, json=body, headers=headers)


def _attempts(scene: Scene) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    base = f"/v1/meetings/{scene.meeting}"
    return {
        "move the meeting": ("PATCH", base, {"place_name": "Elsewhere"}),
        "mark it held": ("PATCH", base, {"status": "held"}),
        "add an agenda item": ("POST", f"{base}/agenda-items", {"title": "Late"}),
        "invite": (
            "POST",
            f"{base}/participants",
            {"name": "Ida", "email": "ida@example.no", "role": "guest"},
        ),
        "answer": ("PATCH", f"{base}/participants/{scene.participant}", {"answer": "accepted"}),
        "withdraw": ("DELETE", f"{base}/participants/{scene.participant}", None),
        "record attendance": ("PUT", f"{base}/attendance", {"attended": [scene.participant]}),
        "write minutes": ("PATCH", f"{base}/agenda-items/{scene.item}/minutes", {"notes": "N"}),
        "add an action item": (
            "POST",
            f"{base}/agenda-items/{scene.item}/action-items",
            {"description": "Do it"},
        ),
        "publish": ("POST", f"{base}/minutes/publish", None),
    }


async def _expect(client: httpx.AsyncClient, scene: Scene, refused: dict[str, str]) -> None:
    before = await fetch(client, f"/v1/meetings/{scene.meeting}")
    attempts = _attempts(scene)
    for name, code in refused.items():
        method, url, body = attempts[name]
        response = await _send(client, method, url, body)
        assert_problem(response, 409, code)
    assert await fetch(client, f"/v1/meetings/{scene.meeting}") == before


async def test_a_cancelled_meeting_is_meeting_cancelled_everywhere(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    scene = await _scene(client, timedelta(days=-1))
    await set_status(engine, scene.meeting, "cancelled")
    everything_but_withdraw = {
        name: "meeting_cancelled" for name in _attempts(scene) if name != "withdraw"
    }
    # The transition is what a cancelled meeting refuses first when marked held.
    everything_but_withdraw["mark it held"] = "invalid_status_transition"
    await _expect(client, scene, everything_but_withdraw)


async def test_a_held_meeting_is_meeting_closed_everywhere(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    scene = await _scene(client, timedelta(days=-1))
    await set_status(engine, scene.meeting, "held")
    closed = ("move the meeting", "invite", "answer", "withdraw")
    await _expect(client, scene, dict.fromkeys(closed, "meeting_closed"))


async def test_published_minutes_are_minutes_published_everywhere(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    scene = await _scene(client, timedelta(days=-1))
    await set_status(engine, scene.meeting, "held")
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == uuid.UUID(scene.meeting))
            .values(minutes_status=MinutesStatus.PUBLISHED)
        )
    published = ("add an agenda item", "write minutes", "add an action item", "publish")
    await _expect(client, scene, dict.fromkeys(published, "minutes_published"))


async def test_a_meeting_not_started_is_meeting_not_started_everywhere(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    scene = await _scene(client, timedelta(days=7))
    await set_status(engine, scene.meeting, "confirmed")
    not_started = ("mark it held", "record attendance", "write minutes", "add an action item")
    await _expect(client, scene, dict.fromkeys(not_started, "meeting_not_started"))
