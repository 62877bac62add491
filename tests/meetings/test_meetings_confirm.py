"""Side effects of status and schedule changes: confirming invites the member companies'
representatives (rows read straight from the database) and queues invitations; changing
a confirmed meeting queues updates; cancelling a confirmed one queues cancellations.

What the real e-mail code queued is read back from the outbox (tests/meetings/outbox.py):
which function wrote each message, to whom, with which METHOD and SEQUENCE.
"""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import utcnow
from app.participants.models import ParticipantRole
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import fetch
from tests.meetings.helpers import (
    add_participants,
    meeting_at,
    meeting_url,
    participants_of,
    patch_with,
)
from tests.meetings.outbox import Mail, meeting_mail

pytestmark = pytest.mark.usefixtures("backend")


async def _represented_company(
    client: httpx.AsyncClient, network_id: str, people: int = 1, **membership: Any
) -> tuple[str, list[dict[str, Any]]]:
    """A company with a membership of the network and `people` representatives;
    (company id, the representatives)."""
    company = (await create_company(client))["id"]
    affiliation = {"organisation_id": company, "position": "ceo"}
    persons = [await create_person(client, affiliations=[affiliation]) for _ in range(people)]
    fields: dict[str, Any] = {"starts_on": "2020-01-01", **membership}
    await create_membership(
        client,
        organisation_id=company,
        network_id=network_id,
        representatives=[{"person_id": person["id"]} for person in persons],
        **fields,
    )
    return company, persons


async def _confirmed_with_one_representative(
    client: httpx.AsyncClient, engine: AsyncEngine, starts: timedelta
) -> tuple[dict[str, Any], Mail]:
    """A meeting confirmed through the API, which invited one representative; the
    meeting and the invitation queued for them."""
    network = (await create_network(client))["id"]
    _, [person] = await _represented_company(client, network)
    meeting = await meeting_at(client, network, starts)
    confirmed = await patch_with(client, meeting, status="confirmed")
    assert confirmed.status_code == 200, confirmed.text
    [row] = await participants_of(engine, meeting["id"])
    invitation = Mail("invitation", "REQUEST", person["email"], str(row.id), 0)
    assert await meeting_mail(engine, meeting["id"]) == [invitation]
    return meeting, invitation


async def test_confirming_invites_the_member_representatives(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    yara, yara_people = await _represented_company(client, network, people=2)
    ineos, ineos_people = await _represented_company(client, network)
    await _represented_company(client, network, kind="partner")
    await _represented_company(client, network, ends_on="2026-01-31")  # has left
    meeting = await meeting_at(client, network, timedelta(days=14))
    assert await meeting_mail(engine, meeting["id"]) == []

    confirmed = await patch_with(client, meeting, status="confirmed")

    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["sequence"]) == ("confirmed", 0)
    rows = await participants_of(engine, meeting["id"])
    invited = {(str(row.person_id), str(row.organisation_id)) for row in rows}
    assert invited == {
        *((person["id"], yara) for person in yara_people),
        *((person["id"], ineos) for person in ineos_people),
    }
    assert {row.role for row in rows} == {ParticipantRole.REPRESENTATIVE}
    assert {str(row.network_id) for row in rows} == {network}
    assert all(row.invited_at is not None for row in rows)
    assert confirmed.json()["answers"] == {
        "accepted": 0,
        "declined": 0,
        "tentative": 0,
        "unanswered": 3,
    }
    emails = {person["id"]: person["email"] for person in (*yara_people, *ineos_people)}
    assert await meeting_mail(engine, meeting["id"]) == sorted(
        Mail("invitation", "REQUEST", emails[str(row.person_id)], str(row.id), 0) for row in rows
    )
    assert await fetch(client, meeting_url(meeting)) == confirmed.json()


async def test_changing_a_confirmed_meeting_sends_updates(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    meeting, invitation = await _confirmed_with_one_representative(
        client, engine, timedelta(days=14)
    )

    def update(sequence: int) -> Mail:
        return Mail("update", "REQUEST", invitation.recipient, invitation.participant_id, sequence)

    # A change calendars do not carry moves nothing and sends nothing.
    unchanged = await patch_with(client, meeting, kind="event")
    assert (unchanged.status_code, unchanged.json()["sequence"]) == (200, 0), unchanged.text
    assert await meeting_mail(engine, meeting["id"]) == [invitation]

    renamed = await patch_with(client, meeting, title="Renamed")
    assert (renamed.status_code, renamed.json()["sequence"]) == (200, 1), renamed.text
    assert await meeting_mail(engine, meeting["id"]) == [invitation, update(1)]
    moved = await patch_with(client, meeting, place_name="Porsgrunn rådhus")
    assert (moved.status_code, moved.json()["sequence"]) == (200, 2), moved.text
    assert await meeting_mail(engine, meeting["id"]) == [invitation, update(1), update(2)]
    # Two reasons in one change: one SEQUENCE, one update.
    again = await patch_with(client, meeting, online_url="https://meet.example/x", title="Again")
    assert (again.status_code, again.json()["sequence"]) == (200, 3), again.text
    assert await meeting_mail(engine, meeting["id"]) == [
        invitation,
        update(1),
        update(2),
        update(3),
    ]


async def test_cancelling_a_confirmed_meeting_sends_cancellations(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    meeting, invitation = await _confirmed_with_one_representative(
        client, engine, timedelta(days=14)
    )
    cancelled = await patch_with(client, meeting, status="cancelled")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 1)
    cancellation = Mail(
        "cancellation", "CANCEL", invitation.recipient, invitation.participant_id, 1
    )
    assert await meeting_mail(engine, meeting["id"]) == sorted([invitation, cancellation])


async def test_a_planned_meeting_sends_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    meeting = await meeting_at(client, network, timedelta(days=14))
    await _represented_company(client, network)
    # Someone marked invited, who would get an update or a cancellation if one were sent.
    await add_participants(engine, meeting, {"invited_at": utcnow()})
    moved = await patch_with(client, meeting, place_name="Elsewhere", title="Renamed")
    assert (moved.status_code, moved.json()["sequence"]) == (200, 1), moved.text
    cancelled = await patch_with(client, meeting, status="cancelled")
    assert (cancelled.status_code, cancelled.json()["sequence"]) == (200, 2), cancelled.text
    assert await meeting_mail(engine, meeting["id"]) == []
    assert len(await participants_of(engine, meeting["id"])) == 1  # nobody was invited


async def test_holding_sends_nothing(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    meeting, invitation = await _confirmed_with_one_representative(
        client, engine, timedelta(days=-1)
    )
    held = await patch_with(client, meeting, status="held")
    assert (held.status_code, held.json()["status"]) == (200, "held"), held.text
    assert await meeting_mail(engine, meeting["id"]) == [invitation]


async def test_once_confirmed_for_real_the_invitations_are_out(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    await _represented_company(client, network, people=2)
    meeting = await meeting_at(client, network, timedelta(days=14))
    assert (await patch_with(client, meeting, status="confirmed")).status_code == 200

    rows = await participants_of(engine, meeting["id"])
    assert len(rows) == 2
    assert all(row.invited_at is not None for row in rows)
    assert [mail.kind for mail in await meeting_mail(engine, meeting["id"])] == ["invitation"] * 2
    # Invitations went out: the meeting is cancelled now, not deleted.
    refused = await client.delete(meeting_url(meeting))
    assert (refused.status_code, refused.json()["code"]) == (409, "meeting_not_deletable")
