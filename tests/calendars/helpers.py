"""Meetings made straight in the database, members with users, and reading calendars back.

Meetings go in through the ORM (the meetings API is built alongside); everything else
through the API or tests/callers.py, as the other domains' tests do.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar, Event
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.credentials import read_access_token
from app.auth.models import User
from app.db import create_sessionmaker, utcnow
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from app.memberships.models import Membership, MembershipStatus
from app.participants.models import Participant, ParticipantRole
from tests.callers import user_headers
from tests.factories import create_company, create_membership, create_network, create_person

# Next year: always ahead of today, so inside every feed's window whenever tests run.
NEXT_YEAR = utcnow().year + 1


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC next year."""
    return datetime(NEXT_YEAR, month, day, hour, minute, tzinfo=UTC)


async def add_meeting(
    engine: AsyncEngine,
    network_id: str | uuid.UUID,
    *,
    starts_at: datetime | None = None,
    hours: int = 2,
    **fields: Any,
) -> Meeting:
    starts_at = starts_at or at(3, 11, 8)
    values: dict[str, Any] = {
        "kind": MeetingKind.REGULAR,
        "title": "Network meeting",
        "time_zone": "Europe/Oslo",
        "place_name": "Herøya Forskningspark",
        "place_address": "Hydrovegen 55, 3936 Porsgrunn",
        "status": MeetingStatus.PLANNED,
        "sequence": 0,
        **fields,
    }
    meeting = Meeting(
        network_id=uuid.UUID(str(network_id)),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **values,
    )
    async with create_sessionmaker(engine).begin() as session:
        session.add(meeting)
    return meeting


async def add_participant(
    engine: AsyncEngine, meeting: Meeting, person_id: str | uuid.UUID
) -> None:
    async with create_sessionmaker(engine).begin() as session:
        session.add(
            Participant(
                meeting_id=meeting.id,
                network_id=meeting.network_id,
                person_id=uuid.UUID(str(person_id)),
                role=ParticipantRole.GUEST,
            )
        )


@dataclass
class Member:
    """A person of a member company, signed in as a user."""

    person_id: str
    user_id: uuid.UUID
    membership_id: str
    headers: dict[str, str]


async def add_member(client: httpx.AsyncClient, application: FastAPI, network_id: str) -> Member:
    company = await create_company(client)
    membership = await create_membership(
        client, organisation_id=company["id"], network_id=network_id
    )
    person = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
    )
    headers = await user_headers(application, person_id=person["id"])
    return Member(person["id"], user_of(application, headers), membership["id"], headers)


async def closed_network(client: httpx.AsyncClient, **fields: Any) -> str:
    return str((await create_network(client, visibility="closed", **fields))["id"])


async def open_network(client: httpx.AsyncClient, **fields: Any) -> str:
    return str((await create_network(client, visibility="open", **fields))["id"])


def user_of(application: FastAPI, headers: dict[str, str]) -> uuid.UUID:
    token = headers["Authorization"].removeprefix("Bearer ")
    return read_access_token(application.state.settings, token).user_id


async def end_membership(engine: AsyncEngine, membership_id: str) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Membership)
            .where(Membership.id == uuid.UUID(membership_id))
            .values(status=MembershipStatus.ENDED)
        )


async def disable_user(engine: AsyncEngine, user_id: uuid.UUID) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(update(User).where(User.id == user_id).values(disabled_at=utcnow()))


async def make_token(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/calendar-tokens", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def feed_path(token: dict[str, Any]) -> str:
    """The feed's path, from the `feed_url` the token was created with."""
    url = httpx.URL(token["feed_url"])
    assert url.path == f"/v1/calendar-feeds/{token['token']}.ics"
    return url.path


def parse(response: httpx.Response) -> Calendar:
    """A calendar answer, checked for its media type and read back with `icalendar`."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Event]:
    """The calendar's events by UID."""
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def uid(meeting: Meeting) -> str:
    return f"{meeting.id}@klynge"


def use_mail_from(monkeypatch: pytest.MonkeyPatch, application: FastAPI, mail_from: str) -> None:
    """The secretariat's address, as configured (`KLYNGE_MAIL_FROM`), for one test (the
    application is shared by the whole session)."""
    monkeypatch.setattr(application.state.settings, "mail_from", mail_from)
