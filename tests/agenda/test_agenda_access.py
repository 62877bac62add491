"""Who reads and who changes an agenda: closed networks answer like unknown ids, people
are shown only to callers who may see them, changes are for the network's managers, and
a cancelled meeting or published minutes freeze the agenda."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.meetings.models import MeetingStatus, MinutesStatus
from tests.agenda.helpers import (
    add_item,
    agenda,
    agenda_url,
    insert_meeting,
    insert_participant,
    item_url,
    set_meeting,
)
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


@dataclass
class Setting:
    open_meeting: str
    closed_meeting: str
    open_item: str
    closed_item: str
    presenter_id: str
    headers: dict[str, dict[str, str]]


@pytest.fixture
async def setting(client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine) -> Setting:
    open_network = await create_network(client, visibility="open")
    closed_network = await create_network(client, visibility="closed")
    elsewhere = await create_network(client, visibility="open")
    company = await create_company(client)
    await create_membership(client, organisation_id=company["id"], network_id=closed_network["id"])
    member = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
    )
    outsider = await create_person(client)
    presenter = await create_person(client, full_name="Ola Berg")
    open_company = await create_company(client)
    await create_membership(
        client, organisation_id=open_company["id"], network_id=open_network["id"]
    )
    open_member = await create_person(
        client, affiliations=[{"organisation_id": open_company["id"], "position": "ceo"}]
    )

    open_meeting = await insert_meeting(engine, open_network["id"])
    closed_meeting = await insert_meeting(engine, closed_network["id"])
    open_item = await add_item(
        client, open_meeting, title="Energy", presenter_person_id=presenter["id"]
    )
    await add_item(client, open_meeting, title="Wages", presenter_name="Kari Nordmann")
    closed_item = await add_item(client, closed_meeting, title="Secret plans")
    await insert_participant(
        engine,
        open_meeting,
        agenda_item_id=open_item["id"],
        name="Guest Speaker",
        email="guest@example.test",
    )
    headers = {
        "anonymous": {},
        "website": await api_key_headers(engine, ApiKeyScope.PUBLIC),
        "read_key": await api_key_headers(engine, ApiKeyScope.READ),
        "outsider": await user_headers(application, person_id=outsider["id"]),
        "member": await user_headers(application, person_id=member["id"]),
        "open_member": await user_headers(application, person_id=open_member["id"]),
        "other_coordinator": await user_headers(application, coordinates=[elsewhere["id"]]),
        "coordinator": await user_headers(
            application, coordinates=[open_network["id"], closed_network["id"]]
        ),
    }
    return Setting(
        open_meeting, closed_meeting, open_item["id"], closed_item["id"], presenter["id"], headers
    )


def _changes(meeting_id: str, item_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("POST", agenda_url(meeting_id), {"title": "Sneaked in"}),
        ("PATCH", item_url(meeting_id, item_id), {"title": "Renamed"}),
        ("DELETE", item_url(meeting_id, item_id), None),
        ("PUT", f"{agenda_url(meeting_id)}/order", {"item_ids": [item_id]}),
    ]


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> httpx.Response:
    """A change as the caller of `headers`, with `If-Match: *` where one may be sent."""
    if method != "POST":
        headers = {**headers, "If-Match": "*"}
    return await client.request(method, url, json=body, headers=headers)


async def test_people_are_shown_only_to_the_networks_managers_and_members(
    bare_client: httpx.AsyncClient, setting: Setting
) -> None:
    # Signed in is not enough: an outsider and another network's member and coordinator
    # read the open network's agenda without its people.
    for caller in ("anonymous", "website", "outsider", "member", "other_coordinator"):
        headers = setting.headers[caller]
        energy, wages = await agenda(bare_client, setting.open_meeting, headers)
        assert (energy["presenter"], energy["guests"]) == (None, None), caller
        assert (wages["presenter"], wages["presenter_name"], wages["guests"]) == (
            None,
            "Kari Nordmann",
            None,
        )
        url = item_url(setting.open_meeting, setting.open_item)
        one = await bare_client.get(url, headers=headers)
        assert one.status_code == 200
        assert (one.json()["presenter"], one.json()["guests"]) == (None, None)
        assert "Ola Berg" not in one.text
        assert "Guest Speaker" not in one.text

    for caller in ("open_member", "coordinator", "read_key"):
        energy, wages = await agenda(bare_client, setting.open_meeting, setting.headers[caller])
        assert energy["presenter"] == {"id": setting.presenter_id, "full_name": "Ola Berg"}
        assert [guest["name"] for guest in energy["guests"]] == ["Guest Speaker"], caller
        assert wages["guests"] == []


async def test_a_closed_meeting_answers_like_an_unknown_id(
    bare_client: httpx.AsyncClient, setting: Setting
) -> None:
    hidden = (setting.closed_meeting, setting.closed_item)
    for caller in ("anonymous", "website", "outsider", "other_coordinator"):
        headers = setting.headers[caller]
        for url in (agenda_url(setting.closed_meeting), item_url(*hidden)):
            response = await bare_client.get(url, headers=headers)
            unknown_url = url.replace(setting.closed_meeting, UNKNOWN_ID)
            unknown = await bare_client.get(unknown_url, headers=headers)
            assert_problem(response, 404, "meeting_not_found")
            assert response.json() == unknown.json(), (caller, url)
        for method, url, body in _changes(*hidden):
            response = await _send(bare_client, method, url, body, headers)
            unknown_url = url.replace(setting.closed_meeting, UNKNOWN_ID)
            unknown = await _send(bare_client, method, unknown_url, body, headers)
            # Credentials that change nothing are refused before any lookup (401/403).
            status = {"anonymous": 401, "website": 403}.get(caller, 404)
            assert response.status_code == status, (caller, method, response.text)
            assert response.json() == unknown.json(), (caller, method)
            assert setting.closed_item not in response.text

    for caller in ("member", "coordinator", "read_key"):
        [item] = await agenda(bare_client, setting.closed_meeting, setting.headers[caller])
        assert item["title"] == "Secret plans"


async def test_only_managers_change_an_agenda(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, setting: Setting
) -> None:
    before = await agenda(client, setting.open_meeting)
    expected = {
        "anonymous": (401, "authentication_required"),
        "website": (403, "read_only_credentials"),
        "read_key": (403, "read_only_credentials"),
        "outsider": (403, "forbidden"),
        "member": (403, "forbidden"),
        "other_coordinator": (403, "forbidden"),
    }
    for caller, (status, code) in expected.items():
        for method, url, body in _changes(setting.open_meeting, setting.open_item):
            response = await _send(bare_client, method, url, body, setting.headers[caller])
            assert_problem(response, status, code)
    assert await agenda(client, setting.open_meeting) == before

    coordinator = setting.headers["coordinator"]
    for meeting in (setting.open_meeting, setting.closed_meeting):
        response = await bare_client.post(
            agenda_url(meeting), json={"title": "Coordinated"}, headers=coordinator
        )
        assert response.status_code == 201, response.text
        assert (await agenda(client, meeting))[-1]["title"] == "Coordinated"


async def test_rights_are_checked_before_if_match(
    bare_client: httpx.AsyncClient, setting: Setting
) -> None:
    url = item_url(setting.open_meeting, setting.open_item)
    member = setting.headers["member"]
    response = await bare_client.patch(url, json={"title": "X"}, headers=member)
    assert_problem(response, 403, "forbidden")
    stale = {**member, "If-Match": '"9"'}
    assert_problem(
        await bare_client.patch(url, json={"title": "X"}, headers=stale), 403, "forbidden"
    )
    assert_problem(await bare_client.delete(url, headers=stale), 403, "forbidden")


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ({"minutes_status": MinutesStatus.PUBLISHED}, "minutes_published"),
        ({"status": MeetingStatus.CANCELLED}, "meeting_cancelled"),
    ],
    ids=["published minutes", "cancelled"],
)
async def test_a_frozen_agenda_refuses_every_change(
    client: httpx.AsyncClient,
    bare_client: httpx.AsyncClient,
    engine: AsyncEngine,
    setting: Setting,
    state: dict[str, Any],
    code: str,
) -> None:
    meeting = setting.open_meeting
    # An item with no guests, which could otherwise be deleted.
    spare = await add_item(client, meeting, title="Spare")
    await set_meeting(engine, meeting, **state)
    before = await agenda(client, meeting)
    attempts = [
        *_changes(meeting, spare["id"]),
        ("POST", agenda_url(meeting), {"title": "At the start", "position": 1}),
        ("PUT", f"{agenda_url(meeting)}/order", {"item_ids": [i["id"] for i in before]}),
    ]
    for method, url, body in attempts:
        for headers in (dict(client.headers), setting.headers["coordinator"]):
            response = await _send(bare_client, method, url, body, headers)
            assert_problem(response, 409, code)
    assert await agenda(client, meeting) == before
    # Reads go on.
    assert (await client.get(item_url(meeting, spare["id"]))).status_code == 200
