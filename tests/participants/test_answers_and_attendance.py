"""Answers (a member for themself, the secretariat for anyone) and attendance (once the
meeting has started, for one participant or many in one request)."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.meetings.models import MeetingStatus
from tests.callers import api_key_headers, user_headers
from tests.factories import create_network
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.participants.conftest import Scene
from tests.participants.helpers import (
    add_agenda_item,
    add_meeting,
    anonymous,
    change_meeting,
    invite,
    participants_url,
    start_meeting,
)

pytestmark = pytest.mark.usefixtures("backend")


async def _patch(
    client: httpx.AsyncClient,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """PATCH with the current ETag (read by the admin client, so it is always current)."""
    current = await fetch(client, url)
    headers = {**(headers or {}), "If-Match": f'"{current["version"]}"'}
    return await client.patch(url, json=body, headers=headers)


async def test_a_member_answers_their_own_invitation_only(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    ola = await invite(client, scene.meeting_id, person_id=scene.ola)
    as_kari = await user_headers(application, person_id=scene.kari)
    kari_url = participants_url(scene.meeting_id, kari["id"])
    ola_url = participants_url(scene.meeting_id, ola["id"])

    response = await _patch(client, kari_url, {"answer": "accepted"}, as_kari)
    assert response.status_code == 200, response.text
    answered = response.json()
    assert answered["answer"] == "accepted"
    assert answered["answered_at"] is not None
    assert answered["version"] == kari["version"] + 1
    assert response.headers["etag"] == f'"{answered["version"]}"'

    # The same answer again changes nothing, not even when it was given.
    response = await _patch(client, kari_url, {"answer": "accepted"}, as_kari)
    assert response.json()["answered_at"] == answered["answered_at"]
    response = await _patch(client, kari_url, {"answer": "tentative"}, as_kari)
    assert response.json()["answered_at"] > answered["answered_at"]

    response = await _patch(client, ola_url, {"answer": "declined"}, as_kari)
    assert_problem(response, 403, "not_your_answer")
    response = await _patch(client, kari_url, {"answer": "accepted", "attended": True}, as_kari)
    problem = assert_problem(response, 403, "field_not_allowed")
    assert problem["fields"] == ["attended"]
    response = await _patch(client, kari_url, {"role": "staff"}, as_kari)
    assert_problem(response, 403, "field_not_allowed")
    assert await fetch(client, ola_url) == ola
    assert (await fetch(client, kari_url))["answer"] == "tentative"


async def test_the_secretariat_and_coordinators_answer_for_anyone(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, scene: Scene
) -> None:
    guest = await invite(client, scene.meeting_id, name="Per", email="per@example.no")
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    item = await add_agenda_item(engine, scene.meeting_id)
    coordinator = await user_headers(application, coordinates=[scene.network_id])
    guest_url = participants_url(scene.meeting_id, guest["id"])

    response = await _patch(client, guest_url, {"answer": "declined"})
    assert (response.status_code, response.json()["answer"]) == (200, "declined")
    response = await _patch(
        client,
        participants_url(scene.meeting_id, kari["id"]),
        {"answer": "accepted", "role": "staff", "agenda_item_id": item},
        coordinator,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["answer"], changed["role"], changed["agenda_item_id"]) == (
        "accepted",
        "staff",
        item,
    )
    response = await _patch(client, guest_url, {"agenda_item_id": UNKNOWN_ID})
    assert_problem(response, 422, "unknown_agenda_item")
    response = await _patch(client, guest_url, {"role": None})
    assert_problem(response, 422, "validation_failed")
    assert (await fetch(client, guest_url))["agenda_item_id"] is None


async def test_a_manager_clears_a_mistaken_answer_and_a_member_may_not(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    url = participants_url(scene.meeting_id, kari["id"])
    as_kari = await user_headers(application, person_id=scene.kari)
    coordinator = await user_headers(application, coordinates=[scene.network_id])
    response = await _patch(client, url, {"answer": "declined"}, as_kari)
    assert response.json()["answer"] == "declined"

    response = await _patch(client, url, {"answer": None}, as_kari)
    problem = assert_problem(response, 422, "answer_required")
    assert problem["errors"][0]["field"] == "body.answer"
    assert (await fetch(client, url))["answer"] == "declined"

    response = await _patch(client, url, {"answer": None}, coordinator)
    assert response.status_code == 200, response.text
    assert (response.json()["answer"], response.json()["answered_at"]) == (None, None)
    assert (await fetch(client, url))["answer"] is None


async def test_someone_without_the_row_cannot_answer(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    guest = await invite(client, scene.meeting_id, name="Per", email="per@example.no")
    url = participants_url(scene.meeting_id, guest["id"])
    other_network = await create_network(client)
    # A member of the network is told it is not theirs; a user linked to no person and
    # the coordinator of another network may not even see the participants.
    as_ola = await user_headers(application, person_id=scene.ola)
    assert_problem(
        await _patch(client, url, {"answer": "accepted"}, as_ola), 403, "not_your_answer"
    )
    for headers in (
        await user_headers(application),
        await user_headers(application, coordinates=[other_network["id"]]),
    ):
        response = await _patch(client, url, {"answer": "accepted"}, headers)
        assert_problem(response, 403, "forbidden")
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    response = await _patch(client, url, {"answer": "accepted"}, website)
    assert response.status_code == 403
    async with anonymous(application) as nobody:
        response = await nobody.patch(url, json={"answer": "accepted"}, headers={"If-Match": "*"})
    assert_problem(response, 401, "authentication_required")
    assert await fetch(client, url) == guest


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.HELD])
async def test_answers_close_with_the_meeting(
    client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    scene: Scene,
    status: MeetingStatus,
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    await start_meeting(engine, scene.meeting_id)
    await change_meeting(engine, scene.meeting_id, status=status)
    url = participants_url(scene.meeting_id, kari["id"])
    as_kari = await user_headers(application, person_id=scene.kari)
    # One code per state, as from every route: cancelled is `meeting_cancelled`, held
    # `meeting_closed`.
    code = "meeting_cancelled" if status is MeetingStatus.CANCELLED else "meeting_closed"
    for headers in (as_kari, None):
        response = await _patch(client, url, {"answer": "accepted"}, headers)
        assert_problem(response, 409, code)
    assert (await fetch(client, url))["answer"] is None


async def test_if_match_is_required_and_checked(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    url = participants_url(scene.meeting_id, kari["id"])
    as_kari = await user_headers(application, person_id=scene.kari)
    response = await client.patch(url, json={"answer": "accepted"}, headers=as_kari)
    assert_problem(response, 428, "if_match_required")
    response = await client.patch(
        url, json={"answer": "accepted"}, headers={**as_kari, "If-Match": '"41"'}
    )
    assert_problem(response, 412, "etag_mismatch")
    assert await fetch(client, url) == kari


async def test_attendance_once_the_meeting_has_started(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    url = participants_url(scene.meeting_id, kari["id"])
    response = await _patch(client, url, {"attended": True})
    assert_problem(response, 409, "meeting_not_started")
    response = await client.put(
        f"/v1/meetings/{scene.meeting_id}/attendance", json={"attended": [kari["id"]]}
    )
    assert_problem(response, 409, "meeting_not_started")
    assert (await fetch(client, url))["attended"] is None

    await start_meeting(engine, scene.meeting_id)
    as_kari = await user_headers(application, person_id=scene.kari)
    response = await _patch(client, url, {"attended": True}, as_kari)
    assert_problem(response, 403, "field_not_allowed")
    response = await _patch(client, url, {"attended": True})
    assert (response.status_code, response.json()["attended"]) == (200, True)
    response = await _patch(client, url, {"attended": False})
    assert response.json()["attended"] is False

    # Held: attendance may still be corrected; cancelled: never.
    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.HELD)
    response = await _patch(client, url, {"attended": True})
    assert response.json()["attended"] is True
    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.CANCELLED)
    response = await _patch(client, url, {"attended": False})
    assert_problem(response, 409, "meeting_cancelled")
    assert (await fetch(client, url))["attended"] is True


async def test_attendance_for_many_at_once(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    ola = await invite(client, scene.meeting_id, person_id=scene.ola)
    guest = await invite(client, scene.meeting_id, name="Per", email="per@example.no")
    other_meeting = await add_meeting(engine, scene.network_id)
    stranger = await invite(client, other_meeting, person_id=scene.kari)
    await start_meeting(engine, scene.meeting_id)
    url = f"/v1/meetings/{scene.meeting_id}/attendance"

    refused = [
        ({"attended": [kari["id"]], "absent": [UNKNOWN_ID]}, "unknown_participant", "absent.0"),
        ({"attended": [kari["id"], stranger["id"]]}, "unknown_participant", "attended.1"),
        (
            {"attended": [kari["id"], ola["id"]], "absent": [guest["id"], ola["id"]]},
            "participant_in_both_lists",
            "absent.1",
        ),
    ]
    for body, code, field in refused:
        problem = assert_problem(await client.put(url, json=body), 422, code)
        assert problem["errors"][0]["field"] == f"body.{field}"
        assert stranger["id"] not in problem["detail"]
    for participant in (kari, ola, guest):
        assert (await fetch(client, participants_url(scene.meeting_id, participant["id"])))[
            "attended"
        ] is None

    coordinator = await user_headers(application, coordinates=[scene.network_id])
    response = await client.put(
        url,
        json={"attended": [kari["id"], guest["id"]], "absent": [ola["id"]]},
        headers=coordinator,
    )
    assert response.status_code == 200, response.text
    recorded = {item["id"]: item["attended"] for item in response.json()["items"]}
    assert recorded == {kari["id"]: True, guest["id"]: True, ola["id"]: False}
    listed = (await fetch(client, participants_url(scene.meeting_id)))["items"]
    assert {item["id"]: item["attended"] for item in listed} == recorded

    as_kari = await user_headers(application, person_id=scene.kari)
    response = await client.put(url, json={"absent": [kari["id"]]}, headers=as_kari)
    assert_problem(response, 403, "forbidden")
    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.CANCELLED)
    response = await client.put(url, json={"absent": [kari["id"]]})
    assert_problem(response, 409, "meeting_cancelled")
    assert (await fetch(client, participants_url(scene.meeting_id, kari["id"])))["attended"]
