"""Two networks and a caller of every kind, for the minutes tests.

    Process council (closed)   member_org is a member; member_person works there
    Offshore forum (open)      forum_org is a member; forum_person works there

The secretariat builds the registry through the API; meetings are written with the ORM
(tests/minutes/helpers.py). Every caller sends its own credentials on a client that
has none of its own.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.meetings.models import MeetingStatus
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.minutes.helpers import MeetingIds, add_meeting, etag


@dataclass(frozen=True)
class Ids:
    council: str
    forum: str
    member_person: str
    forum_person: str
    outsider_person: str  # in the registry, works for no member


@dataclass
class World:
    http: httpx.AsyncClient
    engine: AsyncEngine
    ids: Ids
    headers: dict[str, dict[str, str]]

    async def request(self, caller: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers[caller], **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def get(self, caller: str, url: str, **params: Any) -> httpx.Response:
        return await self.request(caller, "GET", url, params=params)

    async def read(self, url: str, caller: str = "admin") -> dict[str, Any]:
        response = await self.get(caller, url)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def meeting(self, network: str = "council", **values: Any) -> MeetingIds:
        return await add_meeting(self.engine, getattr(self.ids, network), **values)

    async def write_notes(
        self, meeting: MeetingIds, index: int = 0, caller: str = "coordinator", **body: Any
    ) -> httpx.Response:
        """PATCH an item's minutes with its current ETag, so only the rules can refuse."""
        item = (await self.read(meeting.minutes_url))["items"][index]
        return await self.request(
            caller, "PATCH", meeting.item_minutes_url(index), json=body, headers=etag(item)
        )

    async def add_action(
        self, meeting: MeetingIds, index: int = 0, caller: str = "coordinator", **body: Any
    ) -> httpx.Response:
        body.setdefault("description", "Follow up")
        return await self.request(caller, "POST", meeting.action_items_url(index), json=body)

    async def action_id(self, meeting: MeetingIds, index: int = 0, **body: Any) -> str:
        response = await self.add_action(meeting, index, **body)
        assert response.status_code == 201, response.text
        action_id: str = response.json()["id"]
        return action_id

    async def publish(self, meeting: MeetingIds, caller: str = "coordinator") -> httpx.Response:
        return await self.request(caller, "POST", meeting.publish_url)

    async def published_meeting(self, network: str = "council", **values: Any) -> MeetingIds:
        meeting = await self.meeting(network, status=MeetingStatus.HELD, **values)
        response = await self.write_notes(meeting, notes="Notes")
        assert response.status_code == 200, response.text
        response = await self.publish(meeting)
        assert response.status_code == 200, response.text
        return meeting


async def _build(client: httpx.AsyncClient) -> Ids:
    council = (await create_network(client, name="Process council", visibility="closed"))["id"]
    forum = (await create_network(client, name="Offshore forum", visibility="open"))["id"]
    people: dict[str, str] = {}
    for key, network in (("member_person", council), ("forum_person", forum)):
        organisation = (await create_company(client))["id"]
        await create_membership(
            client, organisation_id=organisation, network_id=network, starts_on="2020-01-01"
        )
        affiliation = {"organisation_id": organisation, "position": "ceo"}
        people[key] = (await create_person(client, affiliations=[affiliation]))["id"]
    outsider = (await create_person(client))["id"]
    return Ids(council=council, forum=forum, outsider_person=outsider, **people)


@pytest.fixture
async def world(client: httpx.AsyncClient, application: FastAPI) -> AsyncIterator[World]:
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as http:
        ids = await _build(client)
        engine: AsyncEngine = application.state.engine
        headers = {
            "anonymous": {},
            "website": await api_key_headers(engine, ApiKeyScope.PUBLIC),
            "read_key": await api_key_headers(engine, ApiKeyScope.READ),
            "write_key": await api_key_headers(engine, ApiKeyScope.WRITE),
            "admin": await user_headers(application, is_admin=True),
            "coordinator": await user_headers(application, coordinates=[ids.council]),
            "member": await user_headers(application, person_id=ids.member_person),
            "forum_member": await user_headers(application, person_id=ids.forum_person),
            "outsider": await user_headers(application, person_id=ids.outsider_person),
        }
        yield World(http=http, engine=engine, ids=ids, headers=headers)
