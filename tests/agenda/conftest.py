"""A meeting of an open network for the agenda tests."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
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


@pytest.fixture
async def bare_client(
    application: FastAPI, client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials of its own: each request sends its caller's headers.
    (Depends on `client`, whose fixture empties the tables after the test.)"""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as bare:
        yield bare
