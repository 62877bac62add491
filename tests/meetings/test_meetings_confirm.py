"""Side effects of status and schedule changes: confirming invites the member companies'
representatives (rows read straight from the database) and queues invitations; moving
a confirmed meeting queues updates; cancelling a confirmed one queues cancellations.

The e-mail functions are replaced by recorders: what they queue is the mail work's to
test; here, that each is called when it should be, and only then.
"""

import uuid
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.meetings import notifications
from app.meetings.models import Meeting
from app.participants.models import ParticipantRole
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import fetch
from tests.meetings.helpers import meeting_at, meeting_url, participants_of, patch_with, set_status

pytestmark = pytest.mark.usefixtures("backend")

Sent = list[tuple[str, uuid.UUID, str, int]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every call of the meeting e-mail functions: (what, meeting id, status, sequence)."""
    calls: Sent = []

    def recorder(what: str) -> Callable[..., Coroutine[Any, Any, None]]:
        async def record(_session: Any, meeting: Meeting, *_args: Any, **_kwargs: Any) -> None:
            calls.append((what, meeting.id, meeting.status.value, meeting.sequence))

        return record

    for name in ("send_invitations", "send_updates", "send_cancellations"):
        monkeypatch.setattr(notifications, name, recorder(name))
    return calls


async def _represented_company(
    client: httpx.AsyncClient, network_id: str, people: int = 1, **membership: Any
) -> tuple[str, list[str]]:
    """A company with a membership of the network and `people` representatives."""
    company = (await create_company(client))["id"]
    affiliation = {"organisation_id": company, "position": "ceo"}
    persons = [
        (await create_person(client, affiliations=[affiliation]))["id"] for _ in range(people)
    ]
    fields: dict[str, Any] = {"starts_on": "2020-01-01", **membership}
    await create_membership(
        client,
        organisation_id=company,
        network_id=network_id,
        representatives=[{"person_id": person} for person in persons],
        **fields,
    )
    return company, persons


async def test_confirming_invites_the_member_representatives(
    client: httpx.AsyncClient, engine: AsyncEngine, sent: Sent
) -> None:
    network = (await create_network(client))["id"]
    yara, yara_people = await _represented_company(client, network, people=2)
    ineos, ineos_people = await _represented_company(client, network)
    await _represented_company(client, network, kind="partner")
    await _represented_company(client, network, ends_on="2026-01-31")  # has left
    meeting = await meeting_at(client, network, timedelta(days=14))

    confirmed = await patch_with(client, meeting, status="confirmed")

    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["sequence"]) == ("confirmed", 0)
    rows = await participants_of(engine, meeting["id"])
    invited = {(str(row.person_id), str(row.organisation_id)) for row in rows}
    assert invited == {
        *((person, yara) for person in yara_people),
        *((person, ineos) for person in ineos_people),
    }
    assert {row.role for row in rows} == {ParticipantRole.REPRESENTATIVE}
    assert {str(row.network_id) for row in rows} == {network}
    assert confirmed.json()["answers"] == {
        "accepted": 0,
        "declined": 0,
        "tentative": 0,
        "unanswered": 3,
    }
    assert sent == [("send_invitations", uuid.UUID(meeting["id"]), "confirmed", 0)]
    assert await fetch(client, meeting_url(meeting)) == confirmed.json()


async def test_moving_a_confirmed_meeting_sends_updates(
    client: httpx.AsyncClient, engine: AsyncEngine, sent: Sent
) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=14))
    await set_status(engine, meeting["id"], "confirmed")
    meeting_id = uuid.UUID(meeting["id"])

    assert (await patch_with(client, meeting, title="Renamed")).status_code == 200
    assert sent == []
    moved = await patch_with(client, meeting, place_name="Porsgrunn rådhus")
    assert moved.status_code == 200, moved.text
    assert sent == [("send_updates", meeting_id, "confirmed", 1)]
    await patch_with(client, meeting, online_url="https://meet.example/x", title="Again")
    assert sent[1:] == [("send_updates", meeting_id, "confirmed", 2)]


async def test_cancelling_a_confirmed_meeting_sends_cancellations(
    client: httpx.AsyncClient, engine: AsyncEngine, sent: Sent
) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=14))
    await set_status(engine, meeting["id"], "confirmed")
    cancelled = await patch_with(client, meeting, status="cancelled")
    assert cancelled.status_code == 200, cancelled.text
    assert sent == [("send_cancellations", uuid.UUID(meeting["id"]), "cancelled", 1)]


async def test_a_planned_meeting_sends_nothing(client: httpx.AsyncClient, sent: Sent) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=14))
    await _represented_company(client, network)
    assert (await patch_with(client, meeting, place_name="Elsewhere")).status_code == 200
    assert (await patch_with(client, meeting, status="cancelled")).status_code == 200
    assert sent == []


async def test_holding_sends_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, sent: Sent
) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=-1))
    await set_status(engine, meeting["id"], "confirmed")
    assert (await patch_with(client, meeting, status="held")).status_code == 200
    assert sent == []


async def test_once_confirmed_for_real_the_invitations_are_out(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # No recorders: the real participants and e-mail code, end to end.
    network = (await create_network(client))["id"]
    await _represented_company(client, network, people=2)
    meeting = await meeting_at(client, network, timedelta(days=14))
    assert (await patch_with(client, meeting, status="confirmed")).status_code == 200

    rows = await participants_of(engine, meeting["id"])
    assert len(rows) == 2
    assert all(row.invited_at is not None for row in rows)
    # Invitations went out: the meeting is cancelled now, not deleted.
    refused = await client.delete(meeting_url(meeting))
    assert (refused.status_code, refused.json()["code"]) == (409, "meeting_not_deletable")
