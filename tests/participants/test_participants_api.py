"""Inviting people to a meeting over HTTP: people, guests, items, duplicates, closed
meetings, invitations, listing and withdrawing."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.meetings.models import MeetingStatus
from app.participants.repository import ParticipantRepository
from tests.factories import create_company, create_person
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, next_link
from tests.meetings.outbox import Mail, meeting_mail
from tests.participants.conftest import Scene
from tests.participants.helpers import (
    add_agenda_item,
    add_meeting,
    change_meeting,
    invite,
    listed_ids,
    mark_invited,
    participants_url,
)

pytestmark = pytest.mark.usefixtures("backend")


async def test_invite_a_person_a_guest_and_a_guest_for_one_item(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    item = await add_agenda_item(engine, scene.meeting_id)
    url = participants_url(scene.meeting_id)
    response = await client.post(
        url, json={"person_id": scene.kari, "role": "partner", "organisation_id": scene.company_id}
    )
    assert response.status_code == 201, response.text
    person = response.json()
    assert response.headers["location"] == participants_url(scene.meeting_id, person["id"])
    assert response.headers["etag"] == f'"{person["version"]}"'
    assert person["person"]["id"] == scene.kari
    assert person["person"]["full_name"] == "Kari Nordmann"
    assert person["organisation"]["id"] == scene.company_id
    assert (person["role"], person["name"], person["email"]) == ("partner", None, None)
    assert (person["answer"], person["attended"], person["invited_at"]) == (None, None, None)
    assert (person["meeting_id"], person["network_id"]) == (scene.meeting_id, scene.network_id)

    guest = await invite(client, scene.meeting_id, name="Per Gjest", email="Per.Gjest@Example.NO")
    assert (guest["person_id"], guest["person"]) == (None, None)
    assert (guest["name"], guest["email"]) == ("Per Gjest", "per.gjest@example.no")
    assert guest["agenda_item_id"] is None

    speaker = await invite(
        client, scene.meeting_id, name="Siri Taler", email="siri@example.no", agenda_item_id=item
    )
    assert speaker["agenda_item_id"] == item

    assert await fetch(client, response.headers["location"]) == person
    assert await listed_ids(client, scene.meeting_id) == [person["id"], guest["id"], speaker["id"]]


KARI = "<kari>"  # replaced by a real person's id


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"person_id": KARI, "name": "Per", "email": "per@example.no"},
            "person_or_guest",
            "person_id",
        ),
        ({"email": "per@example.no"}, "person_or_guest", "name"),
        ({"name": "Per"}, "person_or_guest", "email"),
        ({}, "person_or_guest", "name"),
        ({"person_id": UNKNOWN_ID}, "unknown_person", "person_id"),
        (
            {"person_id": KARI, "organisation_id": UNKNOWN_ID},
            "unknown_organisation",
            "organisation_id",
        ),
        (
            {"person_id": KARI, "agenda_item_id": UNKNOWN_ID},
            "unknown_agenda_item",
            "agenda_item_id",
        ),
        ({"person_id": KARI, "role": "chair"}, "validation_failed", "role"),
        ({"name": "Per", "email": "not-an-address"}, "validation_failed", "email"),
        ({"person_id": KARI, "answer": "accepted"}, "validation_failed", "answer"),
    ],
)
async def test_bad_input_is_refused_and_adds_nobody(
    client: httpx.AsyncClient, scene: Scene, body: dict[str, Any], code: str, field: str
) -> None:
    sent = {"role": "guest", **body}
    if sent.get("person_id") == KARI:
        sent["person_id"] = scene.kari
    response = await client.post(participants_url(scene.meeting_id), json=sent)
    problem = assert_problem(response, 422, code)
    assert f"body.{field}" in [error["field"] for error in problem["errors"]]
    assert await listed_ids(client, scene.meeting_id) == []


async def test_an_item_of_another_meeting_is_unknown(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    other = await add_meeting(engine, scene.network_id)
    item = await add_agenda_item(engine, other)
    response = await client.post(
        participants_url(scene.meeting_id),
        json={"person_id": scene.kari, "role": "guest", "agenda_item_id": item},
    )
    problem = assert_problem(response, 422, "unknown_agenda_item")
    assert item not in response.text
    assert problem["errors"][0]["field"] == "body.agenda_item_id"
    assert await listed_ids(client, scene.meeting_id) == []


async def test_nobody_is_invited_twice(client: httpx.AsyncClient, scene: Scene) -> None:
    registered = await create_person(client, email="lise@example.no")
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    guest = await invite(client, scene.meeting_id, name="Per", email="per@example.no")
    await invite(client, scene.meeting_id, person_id=registered["id"])

    attempts = [
        ({"person_id": scene.kari, "role": "staff"}, kari["id"]),
        ({"name": "Per Igjen", "email": "PER@example.no", "role": "guest"}, guest["id"]),
        # A guest with a registered participant's address is that person.
        ({"name": "Lise", "email": "lise@example.no", "role": "guest"}, None),
    ]
    for body, existing in attempts:
        response = await client.post(participants_url(scene.meeting_id), json=body)
        problem = assert_problem(response, 409, "already_invited")
        if existing is not None:
            assert problem["existing_id"] == existing
    assert len(await listed_ids(client, scene.meeting_id)) == 3


async def test_a_person_whose_address_a_guest_has_is_invited_already(
    client: httpx.AsyncClient, scene: Scene
) -> None:
    person = await create_person(client, email="guri@example.no")
    guest = await invite(client, scene.meeting_id, name="Guri", email="guri@example.no")
    response = await client.post(
        participants_url(scene.meeting_id), json={"person_id": person["id"], "role": "guest"}
    )
    assert assert_problem(response, 409, "already_invited")["existing_id"] == guest["id"]


async def test_a_race_past_the_check_meets_the_unique_key(
    client: httpx.AsyncClient, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    await invite(client, scene.meeting_id, person_id=scene.kari)
    await invite(client, scene.meeting_id, name="Per", email="per@example.no")

    async def nobody(*_args: Any) -> None:
        return None

    # As if a concurrent request had committed the same participant after the check.
    monkeypatch.setattr(ParticipantRepository, "already_invited", nobody)
    for body in ({"person_id": scene.kari}, {"name": "Per", "email": "per@example.no"}):
        response = await client.post(
            participants_url(scene.meeting_id), json={**body, "role": "guest"}
        )
        assert_problem(response, 409, "already_invited")
    assert len(await listed_ids(client, scene.meeting_id)) == 2


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.HELD])
async def test_closed_meetings_take_nobody(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene, status: MeetingStatus
) -> None:
    await change_meeting(engine, scene.meeting_id, status=status)
    response = await client.post(
        participants_url(scene.meeting_id), json={"person_id": scene.kari, "role": "guest"}
    )
    code = "meeting_cancelled" if status is MeetingStatus.CANCELLED else "meeting_closed"
    assert_problem(response, 409, code)
    assert await listed_ids(client, scene.meeting_id) == []


async def test_a_confirmed_meeting_sends_the_invitation_at_once(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    planned = await invite(client, scene.meeting_id, person_id=scene.kari)
    assert planned["invited_at"] is None
    assert await meeting_mail(engine, scene.meeting_id) == []

    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.CONFIRMED)
    confirmed = await invite(
        client, scene.meeting_id, person_id=scene.ola, organisation_id=scene.company_id
    )
    # Everyone not yet invited is, now: Ola, and Kari who was added while it was planned.
    kari_email = (await fetch(client, f"/v1/people/{scene.kari}"))["email"]
    ola_email = (await fetch(client, f"/v1/people/{scene.ola}"))["email"]
    assert await meeting_mail(engine, scene.meeting_id) == sorted(
        [
            Mail("invitation", "REQUEST", kari_email, planned["id"], 0),
            Mail("invitation", "REQUEST", ola_email, confirmed["id"], 0),
        ]
    )
    assert confirmed["invited_at"] is not None
    assert confirmed["organisation"]["id"] == scene.company_id
    assert await fetch(client, participants_url(scene.meeting_id, confirmed["id"])) == confirmed
    kari = await fetch(client, participants_url(scene.meeting_id, planned["id"]))
    assert kari["invited_at"] is not None


async def test_a_retried_invitation_is_made_once(client: httpx.AsyncClient, scene: Scene) -> None:
    body = {"person_id": scene.kari, "role": "guest"}
    headers = {"Idempotency-Key": "invite-kari"}
    first = await client.post(participants_url(scene.meeting_id), json=body, headers=headers)
    again = await client.post(participants_url(scene.meeting_id), json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await listed_ids(client, scene.meeting_id) == [first.json()["id"]]


async def test_list_filters_and_pages(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    item = await add_agenda_item(engine, scene.meeting_id)
    partner_org = await create_company(client)
    kari = await invite(
        client,
        scene.meeting_id,
        person_id=scene.kari,
        role="representative",
        organisation_id=scene.company_id,
    )
    ola = await invite(client, scene.meeting_id, person_id=scene.ola, role="staff")
    guest = await invite(
        client,
        scene.meeting_id,
        name="Per",
        email="per@example.no",
        role="partner",
        organisation_id=partner_org["id"],
        agenda_item_id=item,
    )
    for participant, answer in ((kari, "accepted"), (ola, "declined")):
        url = participants_url(scene.meeting_id, participant["id"])
        response = await client.patch(
            url, json={"answer": answer}, headers={"If-Match": f'"{participant["version"]}"'}
        )
        assert response.status_code == 200, response.text

    m = scene.meeting_id
    assert await listed_ids(client, m, role="staff") == [ola["id"]]
    assert await listed_ids(client, m, answer="accepted") == [kari["id"]]
    assert await listed_ids(client, m, answer="unanswered") == [guest["id"]]
    assert await listed_ids(client, m, answer="tentative") == []
    assert await listed_ids(client, m, agenda_item_id=item) == [guest["id"]]
    assert await listed_ids(client, m, organisation_id=scene.company_id) == [kari["id"]]
    assert await listed_ids(client, m, sort="-created_at") == [guest["id"], ola["id"], kari["id"]]

    first = await client.get(participants_url(m), params={"limit": 2})
    assert [p["id"] for p in first.json()["items"]] == [kari["id"], ola["id"]]
    link = next_link(first)
    assert link is not None
    second = await client.get(link)
    assert [p["id"] for p in second.json()["items"]] == [guest["id"]]
    assert second.json()["next_cursor"] is None

    response = await client.get(participants_url(m), params={"answer": "maybe"})
    assert_problem(response, 422, "validation_failed")
    response = await client.get(participants_url(UNKNOWN_ID))
    assert_problem(response, 404, "meeting_not_found")
    response = await client.get(participants_url(m, UNKNOWN_ID))
    assert_problem(response, 404, "participant_not_found")


async def test_withdrawing_an_invitation(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    never_invited = await invite(client, scene.meeting_id, person_id=scene.ola)
    invited = await invite(client, scene.meeting_id, person_id=scene.kari)
    await mark_invited(engine, invited["id"])
    kari_email = (await fetch(client, f"/v1/people/{scene.kari}"))["email"]

    response = await client.delete(participants_url(scene.meeting_id, never_invited["id"]))
    assert response.status_code == 204, response.text
    assert await meeting_mail(engine, scene.meeting_id) == []

    url = participants_url(scene.meeting_id, invited["id"])
    response = await client.delete(url, headers={"If-Match": '"999"'})
    assert_problem(response, 412, "etag_mismatch")
    assert await meeting_mail(engine, scene.meeting_id) == []
    current = await fetch(client, url)
    response = await client.delete(url, headers={"If-Match": f'"{current["version"]}"'})
    assert response.status_code == 204, response.text
    # Queued from the row before it went: its id and its person's address.
    assert await meeting_mail(engine, scene.meeting_id) == [
        Mail("cancellation", "CANCEL", kari_email, invited["id"], 0)
    ]
    assert_problem(await client.get(url), 404, "participant_not_found")
    assert_problem(await client.delete(url), 404, "participant_not_found")
    assert await listed_ids(client, scene.meeting_id) == []


async def test_nobody_is_withdrawn_from_a_held_meeting(
    client: httpx.AsyncClient, engine: AsyncEngine, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    await change_meeting(engine, scene.meeting_id, status=MeetingStatus.HELD)
    response = await client.delete(participants_url(scene.meeting_id, kari["id"]))
    assert_problem(response, 409, "meeting_closed")
    assert await listed_ids(client, scene.meeting_id) == [kari["id"]]
