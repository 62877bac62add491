"""Guests invited to one agenda item are shown on that item only, and a list of any
length costs the same number of SQL statements."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.participants.models import ParticipantRole
from tests.agenda.conftest import MeetingIds
from tests.agenda.helpers import add_item, agenda, insert_meeting, insert_participant, item_url
from tests.factories import create_company, create_person

pytestmark = pytest.mark.usefixtures("backend")


async def test_each_item_shows_its_own_guests(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine
) -> None:
    partner = await create_company(client, kind="partner", legal_name="NHO")
    person = await create_person(client, full_name="Per Partner")
    wages = await add_item(client, meeting.meeting_id, title="Wages")
    energy = await add_item(client, meeting.meeting_id, title="Energy")
    await add_item(client, meeting.meeting_id, title="Nobody invited")
    from_registry = await insert_participant(
        engine,
        meeting.meeting_id,
        agenda_item_id=wages["id"],
        person_id=person["id"],
        role=ParticipantRole.PARTNER,
        organisation_id=partner["id"],
    )
    outside = await insert_participant(
        engine,
        meeting.meeting_id,
        agenda_item_id=energy["id"],
        name="Grid Company Speaker",
        email="speaker@example.test",
    )
    # Invited to the whole meeting: a participant, but no item's guest.
    await insert_participant(
        engine, meeting.meeting_id, person_id=(await create_person(client))["id"]
    )

    listed = {item["title"]: item["guests"] for item in await agenda(client, meeting.meeting_id)}
    assert listed == {
        "Wages": [
            {
                "participant_id": from_registry,
                "name": "Per Partner",
                "role": "partner",
                "organisation_id": partner["id"],
            }
        ],
        "Energy": [
            {
                "participant_id": outside,
                "name": "Grid Company Speaker",
                "role": "guest",
                "organisation_id": None,
            }
        ],
        "Nobody invited": [],
    }
    one = (await client.get(item_url(meeting.meeting_id, wages["id"]))).json()
    assert one["guests"] == listed["Wages"]


async def _statements_for_agenda(
    client: httpx.AsyncClient, count_queries: Any, meeting_id: str
) -> tuple[int, list[dict[str, Any]]]:
    with count_queries() as log:
        items = await agenda(client, meeting_id)
    return log.count, items


async def test_the_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any, meeting: MeetingIds
) -> None:
    async def fill(meeting_id: str, count: int) -> None:
        person = await create_person(client)
        for n in range(count):
            item = await add_item(
                client, meeting_id, title=f"Item {n}", presenter_person_id=person["id"]
            )
            await insert_participant(
                engine,
                meeting_id,
                agenda_item_id=item["id"],
                name=f"Guest {n}",
                email=f"guest{n}.{meeting_id[:8]}@example.test",
            )

    small = meeting.meeting_id
    large = await insert_meeting(engine, meeting.network_id)
    await fill(small, 1)
    await fill(large, 10)

    one_count, one = await _statements_for_agenda(client, count_queries, small)
    ten_count, ten = await _statements_for_agenda(client, count_queries, large)
    assert (len(one), len(ten)) == (1, 10)
    assert all(len(item["guests"]) == 1 and item["presenter"] for item in ten)
    assert ten_count == one_count
    assert one_count <= 4  # the caller's API key, the meeting, the items, their guests
