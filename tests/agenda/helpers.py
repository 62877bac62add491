"""Rows the agenda tests need from domains built alongside it (meetings, participants,
minutes), written straight to the database, and small agenda API helpers."""

import uuid
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.minutes.models import ActionItem, ActionItemStatus
from app.participants.models import Participant, ParticipantRole
from tests.factories import MEETING_DAY, utc_on


def agenda_url(meeting_id: str) -> str:
    return f"/v1/meetings/{meeting_id}/agenda-items"


def item_url(meeting_id: str, item_id: str) -> str:
    return f"{agenda_url(meeting_id)}/{item_id}"


async def insert_meeting(engine: AsyncEngine, network_id: str, **overrides: Any) -> str:
    """A planned meeting of the network, 09:00 to 12:00 Oslo time on `MEETING_DAY` (next year)."""
    values: dict[str, Any] = {
        "network_id": uuid.UUID(network_id),
        "kind": MeetingKind.REGULAR,
        "title": "Quarterly meeting",
        "starts_at": utc_on(MEETING_DAY, 8),
        "ends_at": utc_on(MEETING_DAY, 11),
        "time_zone": "Europe/Oslo",
        "place_name": "Herøya Forskningspark",
        "status": MeetingStatus.PLANNED,
    }
    values.update(overrides)
    meeting = Meeting(**values)
    async with create_sessionmaker(engine).begin() as session:
        session.add(meeting)
    return str(meeting.id)


async def set_meeting(engine: AsyncEngine, meeting_id: str, **values: Any) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Meeting).where(Meeting.id == uuid.UUID(meeting_id)).values(**values)
        )


async def set_item(engine: AsyncEngine, item_id: str, **values: Any) -> None:
    """Write an item's columns directly (its minutes: `notes`, `decisions`)."""
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(AgendaItem).where(AgendaItem.id == uuid.UUID(item_id)).values(**values)
        )


async def insert_participant(
    engine: AsyncEngine,
    meeting_id: str,
    *,
    agenda_item_id: str | None = None,
    person_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
    role: ParticipantRole = ParticipantRole.GUEST,
    organisation_id: str | None = None,
) -> str:
    async with create_sessionmaker(engine).begin() as session:
        meeting = (
            await session.scalars(select(Meeting).where(Meeting.id == uuid.UUID(meeting_id)))
        ).one()
        participant = Participant(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            agenda_item_id=None if agenda_item_id is None else uuid.UUID(agenda_item_id),
            person_id=None if person_id is None else uuid.UUID(person_id),
            name=name,
            email=email,
            role=role,
            organisation_id=None if organisation_id is None else uuid.UUID(organisation_id),
        )
        session.add(participant)
    return str(participant.id)


async def insert_action_item(engine: AsyncEngine, meeting_id: str, agenda_item_id: str) -> str:
    async with create_sessionmaker(engine).begin() as session:
        meeting = (
            await session.scalars(select(Meeting).where(Meeting.id == uuid.UUID(meeting_id)))
        ).one()
        action = ActionItem(
            meeting_id=meeting.id,
            network_id=meeting.network_id,
            agenda_item_id=uuid.UUID(agenda_item_id),
            description="Send the energy figures to the secretariat",
            status=ActionItemStatus.OPEN,
        )
        session.add(action)
    return str(action.id)


async def add_item(client: httpx.AsyncClient, meeting_id: str, **body: Any) -> dict[str, Any]:
    """POST an agenda item (title defaults to "Item"); assert 201 and return it."""
    body.setdefault("title", "Item")
    response = await client.post(agenda_url(meeting_id), json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def agenda(
    client: httpx.AsyncClient, meeting_id: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The meeting's items as listed; asserts 200 and one page."""
    response = await client.get(agenda_url(meeting_id), params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


async def titles(client: httpx.AsyncClient, meeting_id: str) -> list[tuple[int, str]]:
    """(position, title) of each item in list order."""
    return [(item["position"], item["title"]) for item in await agenda(client, meeting_id)]
