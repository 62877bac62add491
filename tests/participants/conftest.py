"""A network with a member company, two of its people (members of the network, through
the company's active membership) and a planned meeting."""

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import create_company, create_membership, create_network, create_person
from tests.participants.helpers import add_meeting


@dataclass
class Scene:
    network_id: str
    company_id: str
    kari: str  # person ids
    ola: str
    meeting_id: str


@pytest.fixture
async def scene(client: httpx.AsyncClient, engine: AsyncEngine) -> Scene:
    network = await create_network(client)
    company = await create_company(client)
    await create_membership(client, organisation_id=company["id"], network_id=network["id"])
    affiliation = [{"organisation_id": company["id"], "position": "ceo"}]
    kari = await create_person(client, full_name="Kari Nordmann", affiliations=affiliation)
    ola = await create_person(client, full_name="Ola Nordmann", affiliations=affiliation)
    meeting_id = await add_meeting(engine, network["id"])
    return Scene(network["id"], company["id"], kari["id"], ola["id"], meeting_id)
