"""A partner invited by person from outside a closed network: they read the meeting, its
agenda and their own invitation, and answer it, while the network's other meetings and
the other participants stay hidden from them."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.caller import Caller, Role
from app.db import create_sessionmaker
from app.meetings.access import meeting_visible_condition
from app.meetings.models import Meeting
from app.participants.models import Participant
from tests.callers import user_headers
from tests.factories import (
    create_company,
    create_meeting,
    create_membership,
    create_network,
    create_person,
)
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.participants.helpers import anonymous, invite, participants_url

pytestmark = pytest.mark.usefixtures("backend")


@dataclass
class Invited:
    network_id: str
    meeting_id: str
    other_meeting_id: str  # of the same closed network; the partner is not invited
    partner: dict[str, Any]  # the person
    partner_row: dict[str, Any]  # their participant
    member_row: dict[str, Any]
    guest_row: dict[str, Any]
    headers: dict[str, str]  # the partner's


@pytest.fixture
async def invited(client: httpx.AsyncClient, application: FastAPI) -> Invited:
    network = await create_network(client, visibility="closed")
    company = await create_company(client)
    await create_membership(client, organisation_id=company["id"], network_id=network["id"])
    member = await create_person(
        client,
        full_name="Kari Medlem",
        affiliations=[{"organisation_id": company["id"], "position": "ceo"}],
    )
    partner = await create_person(client, full_name="Per Partner")
    meeting = await create_meeting(client, network["id"], title="Energy council")
    other = await create_meeting(client, network["id"], title="Members only")
    response = await client.post(
        f"/v1/meetings/{meeting['id']}/agenda-items",
        json={"title": "Grid capacity", "presenter_person_id": member["id"]},
    )
    assert response.status_code == 201, response.text
    partner_row = await invite(client, meeting["id"], person_id=partner["id"], role="partner")
    member_row = await invite(client, meeting["id"], person_id=member["id"], role="representative")
    guest_row = await invite(client, meeting["id"], name="Gro Gjest", email="gro@example.no")
    return Invited(
        network_id=network["id"],
        meeting_id=meeting["id"],
        other_meeting_id=other["id"],
        partner=partner,
        partner_row=partner_row,
        member_row=member_row,
        guest_row=guest_row,
        headers=await user_headers(application, person_id=partner["id"]),
    )


async def test_the_partner_reads_the_meeting_and_its_agenda(
    application: FastAPI, invited: Invited
) -> None:
    async with anonymous(application) as http:
        meeting = await http.get(f"/v1/meetings/{invited.meeting_id}", headers=invited.headers)
        assert meeting.status_code == 200, meeting.text
        assert meeting.json()["title"] == "Energy council"
        # Their meetings are listed, the network's others are not, filtered or not.
        for params in ({}, {"network_id": invited.network_id}):
            listed = await http.get("/v1/meetings", params=params, headers=invited.headers)
            assert [m["id"] for m in listed.json()["items"]] == [invited.meeting_id]

        agenda = await http.get(
            f"/v1/meetings/{invited.meeting_id}/agenda-items", headers=invited.headers
        )
        assert agenda.status_code == 200, agenda.text
        [item] = agenda.json()["items"]
        # The agenda's people are for the network's managers and members.
        assert (item["title"], item["presenter"], item["guests"]) == ("Grid capacity", None, None)
        assert "Kari Medlem" not in agenda.text

        # The minutes are the members' (403: they may see the meeting, not its minutes).
        minutes = await http.get(
            f"/v1/meetings/{invited.meeting_id}/minutes", headers=invited.headers
        )
        assert_problem(minutes, 403, "forbidden")


async def test_the_networks_other_meetings_stay_hidden(
    application: FastAPI, invited: Invited
) -> None:
    hidden = invited.other_meeting_id
    async with anonymous(application) as http:
        for suffix in ("", "/agenda-items", "/participants", "/minutes"):
            response = await http.get(f"/v1/meetings/{hidden}{suffix}", headers=invited.headers)
            unknown = await http.get(f"/v1/meetings/{UNKNOWN_ID}{suffix}", headers=invited.headers)
            assert_problem(response, 404, "meeting_not_found")
            assert response.json() == unknown.json()
            assert "Members only" not in response.text


async def test_the_partner_sees_only_their_own_invitation(
    application: FastAPI, invited: Invited
) -> None:
    url = participants_url(invited.meeting_id)
    async with anonymous(application) as http:
        listed = await http.get(url, headers=invited.headers)
        assert listed.status_code == 200, listed.text
        [own] = listed.json()["items"]
        assert own["id"] == invited.partner_row["id"]
        # Their own address is theirs to see.
        assert own["person"] == {
            "id": invited.partner["id"],
            "full_name": "Per Partner",
            "email": invited.partner["email"],
        }
        assert "Kari Medlem" not in listed.text
        assert "gro@example.no" not in listed.text
        filtered = await http.get(url, params={"role": "representative"}, headers=invited.headers)
        assert filtered.json()["items"] == []

        mine = await http.get(
            participants_url(invited.meeting_id, own["id"]), headers=invited.headers
        )
        assert mine.status_code == 200, mine.text
        for other in (invited.member_row, invited.guest_row):
            response = await http.get(
                participants_url(invited.meeting_id, other["id"]), headers=invited.headers
            )
            unknown = await http.get(
                participants_url(invited.meeting_id, UNKNOWN_ID), headers=invited.headers
            )
            assert_problem(response, 404, "participant_not_found")
            assert response.json() == unknown.json()


async def test_the_partner_answers_for_themself(
    client: httpx.AsyncClient, application: FastAPI, invited: Invited
) -> None:
    own_url = participants_url(invited.meeting_id, invited.partner_row["id"])
    member_url = participants_url(invited.meeting_id, invited.member_row["id"])
    stale = {**invited.headers, "If-Match": f'"{invited.partner_row["version"]}"'}
    async with anonymous(application) as http:
        answered = await http.patch(own_url, json={"answer": "accepted"}, headers=stale)
        assert answered.status_code == 200, answered.text
        assert answered.json()["answer"] == "accepted"
        current = {**invited.headers, "If-Match": f'"{answered.json()["version"]}"'}
        refused = await http.patch(own_url, json={"role": "guest"}, headers=current)
        assert_problem(refused, 403, "field_not_allowed")
        # Another's invitation is not theirs to see, let alone answer.
        response = await http.patch(
            member_url, json={"answer": "declined"}, headers={**invited.headers, "If-Match": "*"}
        )
        assert_problem(response, 404, "participant_not_found")
    assert (await fetch(client, own_url))["answer"] == "accepted"
    assert (await fetch(client, member_url))["answer"] is None

    # Withdrawn, the invitation no longer opens the closed network's meeting.
    assert (await client.delete(own_url)).status_code == 204
    async with anonymous(application) as http:
        response = await http.get(f"/v1/meetings/{invited.meeting_id}", headers=invited.headers)
        assert_problem(response, 404, "meeting_not_found")


async def test_the_partner_is_not_shown_the_closed_network(
    client: httpx.AsyncClient, application: FastAPI, invited: Invited
) -> None:
    network = await fetch(client, f"/v1/networks/{invited.network_id}")
    forum = await create_network(client, visibility="open", name="Open forum")
    forum_meeting = await create_meeting(client, forum["id"])
    await invite(client, forum_meeting["id"], person_id=invited.partner["id"], role="partner")
    url = f"/v1/meetings/{invited.meeting_id}"
    async with anonymous(application) as http:
        one = await http.get(url, params={"include": "network,host"}, headers=invited.headers)
        listed = await http.get(
            "/v1/meetings", params={"include": "network"}, headers=invited.headers
        )
    assert one.status_code == 200, one.text
    assert (one.json()["title"], one.json()["network"]) == ("Energy council", None)
    assert listed.status_code == 200, listed.text
    # Row by row: the open network is theirs to see, the closed one is not.
    embedded = {item["id"]: item["network"] for item in listed.json()["items"]}
    assert embedded[invited.meeting_id] is None
    assert embedded[forum_meeting["id"]]["name"] == "Open forum"
    for response in (one, listed):
        assert network["name"] not in response.text
        assert network["slug"] not in response.text
    # Those who see the network get it.
    seen = await fetch(client, f"{url}?include=network")
    assert (seen["network"]["name"], seen["network"]["slug"]) == (network["name"], network["slug"])


async def test_visibility_narrows_a_query_that_joins_participants(
    client: httpx.AsyncClient, engine: AsyncEngine, invited: Invited
) -> None:
    # The invitation's EXISTS must keep its own participants table beside the query's.
    elsewhere = await invite(client, invited.other_meeting_id, name="Ola", email="ola@example.no")
    partner = Caller(role=Role.MEMBER, person_id=uuid.UUID(invited.partner["id"]))
    stmt = (
        select(Participant.id)
        .join(Meeting, Meeting.id == Participant.meeting_id)
        .where(meeting_visible_condition(partner))
    )
    async with create_sessionmaker(engine, writes=False)() as session:
        found = {str(row) for row in await session.scalars(stmt)}
    rows = (invited.partner_row, invited.member_row, invited.guest_row)
    assert found == {row["id"] for row in rows}
    assert elsewhere["id"] not in found
