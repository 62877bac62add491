"""Confirming a meeting invites the current representatives of its member organisations."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import today
from app.db import create_sessionmaker
from app.meetings.models import Meeting
from app.participants.models import Participant, ParticipantRole
from app.participants.service import invite_representatives
from tests.factories import (
    MEETING_DAY,
    create_company,
    create_membership,
    create_network,
    create_person,
    utc_on,
)
from tests.participants.helpers import add_meeting, invite

pytestmark = pytest.mark.usefixtures("backend")

# 00:30 in Oslo (UTC+1) on the meeting day is still the day before in UTC: the local day
# counts.
DAY_BEFORE = MEETING_DAY - timedelta(days=1)
JUST_AFTER_MIDNIGHT = utc_on(DAY_BEFORE, 23, 30)


async def _person(client: httpx.AsyncClient, *organisations: dict[str, Any]) -> str:
    affiliations = [{"organisation_id": o["id"], "position": "ceo"} for o in organisations]
    return str((await create_person(client, affiliations=affiliations))["id"])


def _reps(*person_ids: str) -> list[dict[str, str]]:
    return [{"person_id": person_id} for person_id in person_ids]


async def _invite(
    engine: AsyncEngine, meeting_id: str, count_queries: Any
) -> tuple[set[tuple[str, str]], int]:
    async with create_sessionmaker(engine).begin() as session:
        meeting = await session.get(Meeting, uuid.UUID(meeting_id))
        assert meeting is not None
        with count_queries() as log:
            new = await invite_representatives(session, meeting)
        selects = sum(1 for s in log.statements if s.lstrip().upper().startswith("SELECT"))
        assert all(p.role is ParticipantRole.REPRESENTATIVE for p in new)
        assert all(p.meeting_id == meeting.id and p.network_id == meeting.network_id for p in new)
        return {(str(p.person_id), str(p.organisation_id)) for p in new}, selects


async def test_invites_current_member_representatives_once(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any
) -> None:
    network = (await create_network(client))["id"]
    other_network = (await create_network(client))["id"]
    yara, ineos, nho, gone, late, newcomer = [await create_company(client) for _ in range(6)]
    kari = await _person(client, yara)
    ola = await _person(client, ineos)
    both = await _person(client, yara, ineos)  # represents two member companies
    partner = await _person(client, nho)
    former = await _person(client, gone)
    expired = await _person(client, late)
    fresh = await _person(client, newcomer)
    guest_already = await _person(client, yara)
    await create_membership(
        client,
        organisation_id=yara["id"],
        network_id=network,
        starts_on="2025-01-01",
        representatives=_reps(kari, both, guest_already),
    )
    await create_membership(
        client,
        organisation_id=ineos["id"],
        network_id=network,
        starts_on="2026-01-01",
        representatives=_reps(ola, both),
    )
    # Not invited: a partner, an ended membership, one whose period ended before the
    # meeting, the same company in another network.
    await create_membership(
        client,
        organisation_id=nho["id"],
        network_id=network,
        kind="partner",
        representatives=_reps(partner),
    )
    ended = await create_membership(
        client, organisation_id=gone["id"], network_id=network, representatives=_reps(former)
    )
    response = await client.post(f"/v1/memberships/{ended['id']}/end", json={})
    assert response.status_code == 200, response.text
    await create_membership(
        client,
        organisation_id=late["id"],
        network_id=network,
        ends_on=DAY_BEFORE.isoformat(),
        representatives=_reps(expired),
    )
    await create_membership(
        client,
        organisation_id=yara["id"],
        network_id=other_network,
        representatives=_reps(kari),
    )
    # Starts on the meeting's local day, which in UTC is the day before.
    await create_membership(
        client,
        organisation_id=newcomer["id"],
        network_id=network,
        starts_on=MEETING_DAY.isoformat(),
        representatives=_reps(fresh),
    )
    meeting = await add_meeting(engine, network, starts_at=JUST_AFTER_MIDNIGHT)
    # Already invited as a guest with their own address: not invited twice.
    guest_email = (await client.get(f"/v1/people/{guest_already}")).json()["email"]
    await invite(client, meeting, name="Already Here", email=guest_email)

    invited, selects = await _invite(engine, meeting, count_queries)

    assert invited == {
        (kari, yara["id"]),
        (ola, ineos["id"]),
        (both, yara["id"]),  # for the older membership
        (fresh, newcomer["id"]),
    }
    assert selects == 1  # one query finds them all, whatever their number
    again, _ = await _invite(engine, meeting, count_queries)
    assert again == set()
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(Participant.person_id).where(Participant.meeting_id == uuid.UUID(meeting))
        )
        stored = sorted(str(row) for row in rows if row is not None)
    assert stored == sorted([kari, ola, both, fresh])


async def test_keeps_people_already_invited(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any
) -> None:
    network = (await create_network(client))["id"]
    yara = await create_company(client)
    kari, ola = await _person(client, yara), await _person(client, yara)
    await create_membership(
        client, organisation_id=yara["id"], network_id=network, representatives=_reps(kari, ola)
    )
    meeting = await add_meeting(engine, network)
    staff = await invite(client, meeting, person_id=kari, role="staff")

    invited, _ = await _invite(engine, meeting, count_queries)

    assert invited == {(ola, yara["id"])}
    response = await client.get(f"/v1/meetings/{meeting}/participants/{staff['id']}")
    assert response.json()["role"] == "staff"  # untouched


async def test_a_company_that_has_given_notice_is_invited_until_its_last_day(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any
) -> None:
    network = (await create_network(client))["id"]
    leaving = await create_company(client)
    kari = await _person(client, leaving)
    membership = await create_membership(
        client,
        organisation_id=leaving["id"],
        network_id=network,
        starts_on="2020-01-01",
        representatives=_reps(kari),
    )
    last_day = date(today().year + 1, 6, 30)
    ended = await client.post(
        f"/v1/memberships/{membership['id']}/end", json={"ends_on": last_day.isoformat()}
    )
    assert ended.json()["membership"]["status"] == "ended"  # at once, though a member still
    # 10:00 in Oslo on the last day, and on the day after it.
    on_last_day = await add_meeting(engine, network, starts_at=utc_on(last_day, 8))
    day_after = await add_meeting(
        engine, network, starts_at=utc_on(last_day + timedelta(days=1), 8)
    )

    assert (await _invite(engine, on_last_day, count_queries))[0] == {(kari, leaving["id"])}
    assert (await _invite(engine, day_after, count_queries))[0] == set()
