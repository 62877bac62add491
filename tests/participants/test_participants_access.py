"""Who may see and change participants: personal data for signed-in users only, closed
networks hidden from outsiders exactly like unknown ids, changes for managers."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.participants.conftest import Scene
from tests.participants.helpers import add_meeting, anonymous, invite, participants_url

pytestmark = pytest.mark.usefixtures("backend")


async def test_participants_are_personal_data(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    urls = [participants_url(scene.meeting_id), participants_url(scene.meeting_id, kari["id"])]
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    member = await user_headers(application, person_id=scene.ola)
    async with anonymous(application) as nobody:
        for url in urls:
            assert_problem(await nobody.get(url), 401, "authentication_required")
            assert_problem(await nobody.get(url, headers=website), 403, "forbidden")
            response = await nobody.get(url, headers=member)
            assert response.status_code == 200, response.text
            assert "Kari Nordmann" in response.text
        # The meeting's visibility answers first: an unknown meeting is a 404 for anyone.
        response = await nobody.get(participants_url(UNKNOWN_ID))
        assert_problem(response, 404, "meeting_not_found")


async def test_a_closed_network_hides_its_participants_like_unknown_ids(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    closed = await create_network(client, visibility="closed")
    company = await create_company(client)
    affiliation = [{"organisation_id": company["id"], "position": "ceo"}]
    insider = await create_person(client, affiliations=affiliation)
    outsider = await create_person(client)
    await create_membership(client, organisation_id=company["id"], network_id=closed["id"])
    meeting = await add_meeting(engine, closed["id"])
    participant = await invite(client, meeting, person_id=insider["id"])
    member = await user_headers(application, person_id=insider["id"])
    stranger = await user_headers(application, person_id=outsider["id"])
    sibling = await user_headers(application, coordinates=[(await create_network(client))["id"]])
    unknown_meeting = participants_url(UNKNOWN_ID)
    unknown_participant = participants_url(UNKNOWN_ID, UNKNOWN_ID)
    hidden_list = participants_url(meeting)
    hidden_one = participants_url(meeting, participant["id"])

    async with anonymous(application) as http:
        response = await http.get(hidden_one, headers=member)
        assert response.status_code == 200, response.text
        for headers in (stranger, sibling):
            pairs = [
                (await http.get(hidden_list, headers=headers), await http.get(unknown_meeting)),
                (
                    await http.get(hidden_one, headers=headers),
                    await http.get(unknown_participant),
                ),
                (
                    await http.post(
                        hidden_list,
                        json={"person_id": outsider["id"], "role": "guest"},
                        headers=headers,
                    ),
                    await http.post(
                        unknown_meeting,
                        json={"person_id": outsider["id"], "role": "guest"},
                        headers=headers,
                    ),
                ),
                (
                    await http.patch(
                        hidden_one,
                        json={"answer": "accepted"},
                        headers={**headers, "If-Match": "*"},
                    ),
                    await http.patch(
                        unknown_participant,
                        json={"answer": "accepted"},
                        headers={**headers, "If-Match": "*"},
                    ),
                ),
                (
                    await http.delete(hidden_one, headers=headers),
                    await http.delete(unknown_participant, headers=headers),
                ),
                (
                    await http.put(f"/v1/meetings/{meeting}/attendance", json={}, headers=headers),
                    await http.put(
                        f"/v1/meetings/{UNKNOWN_ID}/attendance", json={}, headers=headers
                    ),
                ),
            ]
            for hidden, unknown in pairs:
                assert hidden.status_code == 404, hidden.text
                assert hidden.json() == unknown.json()
                assert participant["id"] not in hidden.text
    assert [p["id"] for p in (await client.get(hidden_list)).json()["items"]] == [participant["id"]]


async def test_only_managers_invite_and_withdraw(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    body = {"person_id": scene.ola, "role": "guest"}
    member = await user_headers(application, person_id=scene.kari)
    read_key = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    coordinator = await user_headers(application, coordinates=[scene.network_id])
    async with anonymous(application) as http:
        url = participants_url(scene.meeting_id)
        assert_problem(await http.post(url, json=body), 401, "authentication_required")
        assert_problem(await http.post(url, json=body, headers=member), 403, "forbidden")
        response = await http.post(url, json=body, headers=read_key)
        assert_problem(response, 403, "read_only_credentials")
        one = participants_url(scene.meeting_id, kari["id"])
        assert_problem(await http.delete(one, headers=member), 403, "forbidden")
        # Idempotent retries ask again: the right, not the stored answer, decides.
        keyed = {"Idempotency-Key": "coordinator-adds-ola"}
        response = await http.post(url, json=body, headers={**coordinator, **keyed})
        assert response.status_code == 201, response.text
        response = await http.post(url, json=body, headers={**member, **keyed})
        assert_problem(response, 403, "forbidden")
        response = await http.delete(one, headers=coordinator)
        assert response.status_code == 204, response.text
    listed = (await client.get(participants_url(scene.meeting_id))).json()["items"]
    assert [p["person_id"] for p in listed] == [scene.ola]
