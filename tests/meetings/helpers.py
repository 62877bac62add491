"""Helpers for the meeting tests: meetings relative to now, states and participants
written straight into the database (to test the meetings API apart from the
participants API), and callers of each kind."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.meetings.models import Meeting, MeetingStatus
from app.participants.models import Participant
from tests.callers import user_headers
from tests.factories import create_company, create_meeting, create_membership, create_person
from tests.helpers import fetch


def iso_in(**delta: float) -> str:
    """An instant `delta` from now, ISO 8601 in UTC (`iso_in(days=3)`, `iso_in(hours=-2)`)."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def meeting_url(meeting: dict[str, Any]) -> str:
    return f"/v1/meetings/{meeting['id']}"


async def meeting_at(
    client: httpx.AsyncClient, network_id: str, starts: timedelta, hours: float = 2, **fields: Any
) -> dict[str, Any]:
    """A meeting starting `starts` from now (negative: in the past), `hours` long."""
    starts_at = datetime.now(UTC) + starts
    ends_at = starts_at + timedelta(hours=hours)
    return await create_meeting(
        client, network_id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(), **fields
    )


async def patch_with(
    client: httpx.AsyncClient, meeting: dict[str, Any], **changes: Any
) -> httpx.Response:
    """PATCH with the meeting's current ETag, read first, so only the rules can refuse."""
    current = await fetch(client, meeting_url(meeting))
    return await client.patch(
        meeting_url(meeting), json=changes, headers={"If-Match": f'"{current["version"]}"'}
    )


async def set_status(engine: AsyncEngine, meeting_id: str, status: str) -> None:
    """Put a meeting in `status` directly (e.g. `confirmed` without inviting anyone)."""
    async with create_sessionmaker(engine).begin() as session:
        meeting = await session.scalar(select(Meeting).where(Meeting.id == uuid.UUID(meeting_id)))
        assert meeting is not None
        meeting.status = MeetingStatus(status)


async def add_participants(
    engine: AsyncEngine, meeting: dict[str, Any], *rows: dict[str, Any]
) -> None:
    """Guests of the meeting, each with the given columns (answer, attended, invited_at)."""
    async with create_sessionmaker(engine).begin() as session:
        for row in rows:
            n = uuid.uuid4().hex[:8]
            session.add(
                Participant(
                    meeting_id=uuid.UUID(meeting["id"]),
                    network_id=uuid.UUID(meeting["network_id"]),
                    name=f"Guest {n}",
                    email=f"guest-{n}@example.test",
                    role="guest",
                    **row,
                )
            )


async def participants_of(engine: AsyncEngine, meeting_id: str) -> list[Participant]:
    async with create_sessionmaker(engine, writes=False)() as session:
        rows = await session.scalars(
            select(Participant).where(Participant.meeting_id == uuid.UUID(meeting_id))
        )
        return list(rows)


async def bump_version_behind_the_back(engine: AsyncEngine, meeting_id: str) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == uuid.UUID(meeting_id))
            .values(version=Meeting.version + 1)
        )


async def member_company(
    client: httpx.AsyncClient,
    network_id: str,
    *,
    starts_on: str = "2020-01-01",
    ends_on: str | None = None,
    status: str = "active",
    kind: str = "member",
    **company: Any,
) -> dict[str, Any]:
    """A company with a membership of the network; returns the company."""
    made = await create_company(client, **company)
    await create_membership(
        client,
        organisation_id=made["id"],
        network_id=network_id,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        kind=kind,
    )
    return made


async def member_headers(
    application: FastAPI, client: httpx.AsyncClient, network_id: str
) -> dict[str, str]:
    """A signed-in user whose company is an active member of the network today."""
    company = await member_company(client, network_id)
    affiliation = {"organisation_id": company["id"], "position": "ceo"}
    person = await create_person(client, affiliations=[affiliation])
    return await user_headers(application, person_id=person["id"])
