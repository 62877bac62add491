"""Meetings, agenda items and participants for the participant tests, written straight to
the database (the meetings API is built beside this one), and small HTTP helpers."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker, utcnow
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.participants.models import Participant
from tests.factories import MEETING_DAY, utc_on

# 09:00 Oslo time (winter, UTC+1) on a Thursday in March next year: well in the future.
FUTURE_START = utc_on(MEETING_DAY, 8)


async def add_meeting(
    engine: AsyncEngine,
    network_id: str,
    *,
    status: MeetingStatus = MeetingStatus.PLANNED,
    starts_at: datetime = FUTURE_START,
    hours: int = 3,
) -> str:
    async with create_sessionmaker(engine).begin() as session:
        meeting = Meeting(
            network_id=uuid.UUID(network_id),
            kind=MeetingKind.REGULAR,
            title="Network meeting",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            time_zone="Europe/Oslo",
            place_name="Herøya Forskningspark",
            status=status,
        )
        session.add(meeting)
    return str(meeting.id)


async def change_meeting(engine: AsyncEngine, meeting_id: str, **values: Any) -> None:
    """Set a meeting's columns (status, times) as the meetings API would."""
    async with create_sessionmaker(engine).begin() as session:
        meeting = await session.get(Meeting, uuid.UUID(meeting_id))
        assert meeting is not None
        for name, value in values.items():
            setattr(meeting, name, value)


async def start_meeting(engine: AsyncEngine, meeting_id: str) -> None:
    """Move the meeting so that it started an hour ago (and is still going on)."""
    now = utcnow()
    await change_meeting(
        engine, meeting_id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )


async def add_agenda_item(engine: AsyncEngine, meeting_id: str, position: int = 1) -> str:
    async with create_sessionmaker(engine).begin() as session:
        meeting = await session.get(Meeting, uuid.UUID(meeting_id))
        assert meeting is not None
        item = AgendaItem(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            position=position,
            title=f"Item {position}",
        )
        session.add(item)
    return str(item.id)


async def mark_invited(engine: AsyncEngine, participant_id: str) -> None:
    async with create_sessionmaker(engine).begin() as session:
        participant = await session.get(Participant, uuid.UUID(participant_id))
        assert participant is not None
        participant.invited_at = utcnow()


def participants_url(meeting_id: str, participant_id: str | None = None) -> str:
    url = f"/v1/meetings/{meeting_id}/participants"
    return url if participant_id is None else f"{url}/{participant_id}"


async def invite(client: httpx.AsyncClient, meeting_id: str, **body: Any) -> dict[str, Any]:
    """POST a participant (role `guest` unless given); assert 201 and return it."""
    body.setdefault("role", "guest")
    response = await client.post(participants_url(meeting_id), json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def listed_ids(client: httpx.AsyncClient, meeting_id: str, **params: Any) -> list[str]:
    response = await client.get(participants_url(meeting_id), params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@asynccontextmanager
async def anonymous(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials beside the `client` fixture (which is the anonymous
    one with a key added, so it cannot serve as both)."""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        yield client
