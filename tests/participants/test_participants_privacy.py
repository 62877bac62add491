"""Participants are personal data, for the meeting's network only: its managers and
members read them; a member of another network is refused even where the meeting is
open. E-mail addresses are for managers and for each participant on their own row."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.callers import user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import assert_problem
from tests.participants.conftest import Scene
from tests.participants.helpers import anonymous, invite, participants_url

pytestmark = pytest.mark.usefixtures("backend")


async def _member_of_another_network(
    client: httpx.AsyncClient, application: FastAPI
) -> dict[str, str]:
    network = await create_network(client)
    company = await create_company(client)
    await create_membership(client, organisation_id=company["id"], network_id=network["id"])
    person = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
    )
    return await user_headers(application, person_id=person["id"])


async def test_a_member_of_another_network_is_refused(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    elsewhere = await _member_of_another_network(client, application)
    async with anonymous(application) as http:
        # The open network's meeting is theirs to read; its participants are not.
        meeting = await http.get(f"/v1/meetings/{scene.meeting_id}", headers=elsewhere)
        assert meeting.status_code == 200, meeting.text
        for url in (
            participants_url(scene.meeting_id),
            participants_url(scene.meeting_id, kari["id"]),
        ):
            response = await http.get(url, headers=elsewhere)
            assert_problem(response, 403, "forbidden")
            assert "Kari Nordmann" not in response.text
        # A member of the meeting's own network reads them.
        as_ola = await user_headers(application, person_id=scene.ola)
        listed = await http.get(participants_url(scene.meeting_id), headers=as_ola)
        assert [p["id"] for p in listed.json()["items"]] == [kari["id"]]


def _addresses(items: list[dict[str, Any]]) -> dict[str, str | None]:
    """Each participant's shown address, by id: the person's, or the guest's."""
    return {
        item["id"]: item["person"]["email"] if item["person"] else item["email"] for item in items
    }


async def test_addresses_are_for_managers_and_the_participant_themself(
    client: httpx.AsyncClient, application: FastAPI, scene: Scene
) -> None:
    kari = await invite(client, scene.meeting_id, person_id=scene.kari)
    ola = await invite(client, scene.meeting_id, person_id=scene.ola)
    guest = await invite(client, scene.meeting_id, name="Per Gjest", email="per@example.no")
    kari_email = kari["person"]["email"]
    ola_email = ola["person"]["email"]
    assert kari_email is not None
    assert ola_email is not None
    everyone = {kari["id"]: kari_email, ola["id"]: ola_email, guest["id"]: "per@example.no"}
    url = participants_url(scene.meeting_id)

    coordinator = await user_headers(application, coordinates=[scene.network_id])
    as_kari = await user_headers(application, person_id=scene.kari)
    async with anonymous(application) as http:
        for headers in (dict(client.headers), coordinator):
            listed = await http.get(url, headers=headers)
            assert _addresses(listed.json()["items"]) == everyone

        # A member sees everyone's name, and only their own address.
        listed = await http.get(url, headers=as_kari)
        items = listed.json()["items"]
        assert _addresses(items) == {kari["id"]: kari_email, ola["id"]: None, guest["id"]: None}
        assert [item["person"]["full_name"] for item in items if item["person"]] == [
            "Kari Nordmann",
            "Ola Nordmann",
        ]
        [guest_listed] = [item for item in items if item["id"] == guest["id"]]
        assert (guest_listed["name"], guest_listed["email"]) == ("Per Gjest", None)
        assert "per@example.no" not in listed.text
        assert ola_email not in listed.text
        one = await http.get(participants_url(scene.meeting_id, ola["id"]), headers=as_kari)
        assert one.json()["person"]["email"] is None
        one = await http.get(participants_url(scene.meeting_id, guest["id"]), headers=as_kari)
        assert (one.json()["name"], one.json()["email"]) == ("Per Gjest", None)

        # The answer to their own change shows their own address.
        answered = await http.patch(
            participants_url(scene.meeting_id, kari["id"]),
            json={"answer": "accepted"},
            headers={**as_kari, "If-Match": f'"{kari["version"]}"'},
        )
        assert answered.json()["person"]["email"] == kari_email


def test_attendance_documents_its_412(application: FastAPI) -> None:
    """A concurrent change of one of the participants is a 412, documented."""
    document = application.openapi()
    put = document["paths"]["/v1/meetings/{meeting_id}/attendance"]["put"]
    assert "412" in put["responses"]
    assert "412" in put["description"]
