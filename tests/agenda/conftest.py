"""A meeting of an open network for the agenda tests."""

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.agenda.helpers import agenda_url, insert_meeting
from tests.factories import create_network


@dataclass(frozen=True)
class MeetingIds:
    network_id: str
    meeting_id: str

    @property
    def url(self) -> str:
        return agenda_url(self.meeting_id)


@pytest.fixture
async def meeting(client: httpx.AsyncClient, engine: AsyncEngine) -> MeetingIds:
    network = await create_network(client)
    return MeetingIds(network["id"], await insert_meeting(engine, network["id"]))
