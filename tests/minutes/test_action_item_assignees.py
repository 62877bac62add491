"""An action item names its assignee, and the assignee follows their own items: once the
minutes are published they see and tick them off, in whatever network they are."""

from typing import Any

import pytest

from app.meetings.models import MinutesStatus
from tests.helpers import assert_problem
from tests.minutes.conftest import World
from tests.minutes.helpers import etag, set_meeting

pytestmark = pytest.mark.usefixtures("backend")


async def _outsiders_item(world: World) -> tuple[str, str]:
    """An action item of the closed council's minutes assigned to someone who belongs to
    none of its members; returns (meeting id, action item id)."""
    meeting = await world.meeting()
    response = await world.add_action(
        meeting, caller="admin", assignee_person_id=world.ids.outsider_person
    )
    assert response.status_code == 201, response.text
    return meeting.id, response.json()["id"]


async def test_an_action_item_names_its_assignee(world: World) -> None:
    meeting = await world.meeting()
    response = await world.add_action(meeting, assignee_person_id=world.ids.member_person)
    assert response.status_code == 201, response.text
    created = response.json()
    person = await world.read(f"/v1/people/{world.ids.member_person}")
    assert created["assignee"] == {"id": person["id"], "full_name": person["full_name"]}
    # Read back one, in the list and in the minutes, the same; nobody named is null.
    url = f"/v1/action-items/{created['id']}"
    assert (await world.read(url))["assignee"] == created["assignee"]
    nobody = await world.add_action(meeting, 1, description="Unassigned")
    assert nobody.json()["assignee"] is None
    listed = (await world.read(f"/v1/action-items?meeting_id={meeting.id}"))["items"]
    assert {item["id"]: item["assignee"] for item in listed} == {
        created["id"]: created["assignee"],
        nobody.json()["id"]: None,
    }
    minutes = await world.read(meeting.minutes_url)
    assert minutes["items"][0]["action_items"][0]["assignee"] == created["assignee"]

    # Reassigned: the new person is named at once; cleared: null.
    response = await world.request(
        "coordinator",
        "PATCH",
        url,
        json={"assignee_person_id": None},
        headers=etag(created),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["assignee"], response.json()["assignee_person_id"]) == (None, None)


async def test_the_assignee_ticks_off_their_item_once_published(world: World) -> None:
    meeting_id, action_id = await _outsiders_item(world)
    url = f"/v1/action-items/{action_id}"
    # A draft is the managers' own: nothing to see yet.
    assert_problem(await world.get("outsider", url), 404, "action_item_not_found")
    assert (await world.get("outsider", "/v1/action-items", assignee="me")).json()["items"] == []

    await set_meeting(world.engine, meeting_id, minutes_status=MinutesStatus.PUBLISHED)
    listed = await world.get("outsider", "/v1/action-items", assignee="me")
    assert [item["id"] for item in listed.json()["items"]] == [action_id]
    item = (await world.get("outsider", url)).json()
    assert item["assignee"]["id"] == world.ids.outsider_person

    refused = await world.request(
        "outsider", "PATCH", url, json={"description": "Mine now"}, headers=etag(item)
    )
    assert_problem(refused, 403, "field_not_allowed")
    done = await world.request(
        "outsider", "PATCH", url, json={"status": "done"}, headers=etag(item)
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["done_at"] is not None) == ("done", True)
    assert (await world.read(url))["status"] == "done"
    # Still no delete for them, and no meeting or minutes of a network they are not in.
    deleted = await world.request("outsider", "DELETE", url)
    assert_problem(deleted, 403, "forbidden")
    response = await world.get("outsider", f"/v1/meetings/{meeting_id}/minutes")
    assert_problem(response, 404, "meeting_not_found")


async def test_someone_elses_item_stays_hidden(world: World) -> None:
    meeting_id, action_id = await _outsiders_item(world)
    await set_meeting(world.engine, meeting_id, minutes_status=MinutesStatus.PUBLISHED)
    url = f"/v1/action-items/{action_id}"
    # Credentials that change nothing are refused before any lookup.
    change_refused = {
        "forum_member": (404, "action_item_not_found"),
        "anonymous": (401, "authentication_required"),
        "website": (403, "read_only_credentials"),
    }
    for caller, (status, code) in change_refused.items():
        assert_problem(await world.get(caller, url), 404, "action_item_not_found")
        body: dict[str, Any] = {"status": "done"}
        response = await world.request(caller, "PATCH", url, json=body, headers={"If-Match": "*"})
        assert_problem(response, status, code)
    assert (await world.read(url))["status"] == "open"
