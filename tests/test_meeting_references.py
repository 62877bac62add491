"""People and organisations that meetings point at keep their history: deleting them is
refused with the domain's own 409, naming what refers to them, and changes nothing."""

from typing import Any

import httpx
import pytest

from tests.factories import (
    create_company,
    create_meeting,
    create_membership,
    create_network,
    create_person,
)
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def _refused(client: httpx.AsyncClient, url: str, code: str) -> list[str]:
    before = await fetch(client, url)
    problem = assert_problem(await client.delete(url), 409, code)
    assert await fetch(client, url) == before
    referenced_by: list[str] = problem["referenced_by"]
    return referenced_by


async def _meeting(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    network = await create_network(client)
    return network, await create_meeting(client, network["id"])


async def test_invited_person_and_their_organisation_are_kept(client: httpx.AsyncClient) -> None:
    _, meeting = await _meeting(client)
    partner = await create_company(client, kind="partner", legal_name="Norsk Industri")
    person = await create_person(client)
    response = await client.post(
        f"/v1/meetings/{meeting['id']}/participants",
        json={"person_id": person["id"], "organisation_id": partner["id"], "role": "partner"},
    )
    assert response.status_code == 201, response.text

    assert await _refused(client, f"/v1/people/{person['id']}", "person_referenced") == [
        "meeting_participants"
    ]
    assert await _refused(client, f"/v1/companies/{partner['id']}", "organisation_referenced") == [
        "meeting_participants"
    ]


async def test_presenter_and_assignee_are_kept(client: httpx.AsyncClient) -> None:
    _, meeting = await _meeting(client)
    presenter, assignee = await create_person(client), await create_person(client)
    item = await client.post(
        f"/v1/meetings/{meeting['id']}/agenda-items",
        json={"title": "Energy prices", "presenter_person_id": presenter["id"]},
    )
    assert item.status_code == 201, item.text
    assert await _refused(client, f"/v1/people/{presenter['id']}", "person_referenced") == [
        "agenda_items"
    ]

    # Action items are written once the meeting has started: move it into the past.
    url = f"/v1/meetings/{meeting['id']}"
    moved = await client.patch(
        url,
        json={"starts_at": "2025-03-13T09:00:00+01:00", "ends_at": "2025-03-13T12:00:00+01:00"},
        headers={"If-Match": (await client.get(url)).headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    action = await client.post(
        f"{url}/agenda-items/{item.json()['id']}/action-items",
        json={"description": "Send the offer", "assignee_person_id": assignee["id"]},
    )
    assert action.status_code == 201, action.text
    assert await _refused(client, f"/v1/people/{assignee['id']}", "person_referenced") == [
        "action_items"
    ]


async def test_host_and_municipality_are_kept(client: httpx.AsyncClient) -> None:
    host = await create_company(client)
    network = await create_network(client)
    await create_membership(client, organisation_id=host["id"], network_id=network["id"])
    await create_meeting(
        client, network["id"], kind="company_visit", host_organisation_id=host["id"]
    )
    assert await _refused(client, f"/v1/companies/{host['id']}", "organisation_referenced") == [
        "memberships",
        "meetings",
    ]
    kommune = await create_company(client, kind="public_body", legal_name="Porsgrunn kommune")
    await create_network(client, municipality_id=kommune["id"])
    assert await _refused(client, f"/v1/companies/{kommune['id']}", "organisation_referenced") == [
        "networks"
    ]
