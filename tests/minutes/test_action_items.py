"""Action items: adding them, following them across meetings, ticking them off."""

from typing import Any

import pytest

from app.meetings.models import Meeting, MeetingStatus, MinutesStatus
from app.minutes.models import ActionItem, ActionItemStatus
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.minutes.conftest import World
from tests.minutes.helpers import count_action_items, etag, load, set_meeting

pytestmark = pytest.mark.usefixtures("backend")


async def _patch(world: World, caller: str, action_id: str, **body: Any) -> Any:
    url = f"/v1/action-items/{action_id}"
    current = await world.read(url)
    return await world.request(caller, "PATCH", url, json=body, headers=etag(current))


async def _listed(world: World, caller: str, **params: Any) -> list[str]:
    response = await world.get(caller, "/v1/action-items", **params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_create_answers_201_with_location_and_replays(world: World) -> None:
    meeting = await world.meeting()
    body = {
        "description": "Send the offer round",
        "assignee_person_id": world.ids.member_person,
        "due_on": "2027-04-15",
    }
    key = {"Idempotency-Key": "action-1"}
    response = await world.request(
        "coordinator", "POST", meeting.action_items_url(1), json=body, headers=key
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/action-items/{created['id']}"
    assert response.headers["etag"] == f'"{created["version"]}"'
    assert {k: created[k] for k in body} == body
    assert created["meeting_id"] == meeting.id
    assert created["agenda_item_id"] == meeting.item_ids[1]
    assert created["network_id"] == world.ids.council
    assert (created["status"], created["done_at"]) == ("open", None)

    replay = await world.request(
        "coordinator", "POST", meeting.action_items_url(1), json=body, headers=key
    )
    assert replay.status_code == 201
    assert replay.json()["id"] == created["id"]
    assert await count_action_items(world.engine) == 1
    assert await world.read(response.headers["location"], "coordinator") == created


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"description": "x", "assignee_person_id": UNKNOWN_ID},
            422,
            "unknown_person",
            "body.assignee_person_id",
        ),
        ({"description": "x", "due_on": "15.04.2027"}, 422, "validation_failed", "body.due_on"),
        ({"description": "x", "due_on": 1776211200}, 422, "validation_failed", "body.due_on"),
        ({"description": "x", "due_on": "2027-02-30"}, 422, "validation_failed", "body.due_on"),
        ({"description": ""}, 422, "validation_failed", "body.description"),
        ({}, 422, "validation_failed", "body.description"),
        ({"description": "x", "status": "done"}, 422, "validation_failed", "body.status"),
    ],
)
async def test_bad_action_items_are_refused(
    world: World, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    meeting = await world.meeting()
    response = await world.request("coordinator", "POST", meeting.action_items_url(), json=body)
    problem = assert_problem(response, status, code)
    assert field in [error["field"] for error in problem["errors"]]
    assert await count_action_items(world.engine) == 0
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is None


async def test_open_items_of_an_assignee_across_meetings(world: World) -> None:
    member, forum = world.ids.member_person, world.ids.forum_person
    spring = await world.meeting()
    autumn = await world.meeting()
    forum_meeting = await world.meeting("forum")
    mine_spring = await world.action_id(spring, assignee_person_id=member, due_on="2027-05-01")
    mine_autumn = await world.action_id(autumn, 1, assignee_person_id=member, due_on="2027-03-01")
    mine_done = await world.action_id(autumn, assignee_person_id=member)
    mine_forum = await world.action_id(
        forum_meeting, caller="admin", assignee_person_id=member, due_on="2027-04-01"
    )
    forums_in_council = await world.action_id(spring, assignee_person_id=forum)
    await world.action_id(autumn, description="Nobody's")
    # The secretariat ticks one off before publishing.
    assert (await _patch(world, "coordinator", mine_done, status="done")).status_code == 200

    open_mine = {"assignee": member, "status": "open"}
    assert await _listed(world, "admin", **open_mine) == [mine_autumn, mine_forum, mine_spring]
    assert await _listed(world, "admin", **open_mine, sort="-due_on") == [
        mine_spring,
        mine_forum,
        mine_autumn,
    ]
    assert await _listed(world, "admin", assignee=member, status="done") == [mine_done]
    assert await _listed(world, "admin", **open_mine, meeting_id=autumn.id) == [mine_autumn]
    assert await _listed(world, "admin", **open_mine, network_id=world.ids.forum) == [mine_forum]
    # The coordinator of the council sees the council's only.
    assert await _listed(world, "coordinator", **open_mine) == [mine_autumn, mine_spring]

    # Members see none of it while the minutes are drafts...
    assert await _listed(world, "member", assignee="me") == []
    for meeting in (spring, autumn, forum_meeting):
        assert (await world.publish(meeting, caller="admin")).status_code == 200
    # ...and, once it is published, what is in their own networks and what is assigned
    # to them in any other (the forum's item: not their network, but their task).
    assert await _listed(world, "member", assignee="me", status="open") == [
        mine_autumn,
        mine_forum,
        mine_spring,
    ]
    # The forum's member sees their own task in the closed council, and nothing else of it.
    assert await _listed(world, "forum_member", assignee="me") == [forums_in_council]
    assert await _listed(world, "forum_member", assignee=member) == [mine_forum]
    assert await _listed(world, "outsider") == []
    assert await _listed(world, "anonymous") == []
    assert await _listed(world, "website") == []


async def test_assignee_me_needs_a_person(world: World) -> None:
    response = await world.get("anonymous", "/v1/action-items", assignee="me")
    assert_problem(response, 401, "authentication_required")
    response = await world.get("write_key", "/v1/action-items", assignee="me")
    problem = assert_problem(response, 422, "no_linked_person")
    assert problem["errors"][0]["field"] == "query.assignee"
    response = await world.get("admin", "/v1/action-items", assignee="someone")
    assert_problem(response, 422, "validation_failed")


async def test_the_assignee_ticks_off_their_item_after_publishing(world: World) -> None:
    meeting = await world.meeting()
    action = await world.action_id(
        meeting, assignee_person_id=world.ids.member_person, due_on="2027-05-01"
    )
    # While the minutes are a draft the member cannot even see it.
    hidden = await world.get("member", f"/v1/action-items/{action}")
    assert_problem(hidden, 404, "action_item_not_found")
    assert (await world.publish(meeting)).status_code == 200

    done = await _patch(world, "member", action, status="done")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert done.json()["done_at"] is not None
    assert done.headers["etag"] == f'"{done.json()["version"]}"'

    refused = await _patch(world, "member", action, status="open", description="Easier")
    problem = assert_problem(refused, 403, "field_not_allowed")
    assert problem["fields"] == ["description"]
    stored = await load(world.engine, ActionItem, action)
    assert stored is not None
    assert (stored.status, stored.description) == (ActionItemStatus.DONE, "Follow up")

    reopened = await _patch(world, "member", action, status="open")
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["done_at"]) == ("open", None)

    # Not the assignee: reads it (a member of the network), changes nothing.
    other = await world.meeting()
    someone_elses = await world.action_id(other, assignee_person_id=world.ids.outsider_person)
    assert (await world.publish(other)).status_code == 200
    refused = await _patch(world, "member", someone_elses, status="done")
    assert_problem(refused, 403, "forbidden")
    # The managers still may, the status only.
    by_coordinator = await _patch(world, "coordinator", someone_elses, status="done")
    assert by_coordinator.status_code == 200, by_coordinator.text
    stored = await load(world.engine, ActionItem, someone_elses)
    assert stored is not None
    assert stored.status is ActionItemStatus.DONE


async def test_managers_change_everything_while_draft(world: World) -> None:
    meeting = await world.meeting()
    action = await world.action_id(meeting)
    response = await _patch(
        world,
        "coordinator",
        action,
        description="Call NHO and LO",
        assignee_person_id=world.ids.forum_person,
        due_on="2027-06-01",
        status="done",
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["description"], changed["assignee_person_id"], changed["due_on"]) == (
        "Call NHO and LO",
        world.ids.forum_person,
        "2027-06-01",
    )
    assert changed["done_at"] is not None

    unknown = await _patch(world, "coordinator", action, assignee_person_id=UNKNOWN_ID)
    assert_problem(unknown, 422, "unknown_person")
    nulled = await _patch(world, "coordinator", action, description=None)
    assert_problem(nulled, 422, "validation_failed")
    malformed = await _patch(world, "coordinator", action, due_on="next week")
    assert_problem(malformed, 422, "validation_failed")
    assert await world.read(f"/v1/action-items/{action}") == changed

    cleared = await _patch(world, "coordinator", action, assignee_person_id=None, due_on=None)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["assignee_person_id"], cleared.json()["due_on"]) == (None, None)


async def test_changing_an_action_item_requires_its_etag(world: World) -> None:
    meeting = await world.meeting()
    action = await world.action_id(meeting)
    url = f"/v1/action-items/{action}"
    missing = await world.request("coordinator", "PATCH", url, json={"status": "done"})
    assert_problem(missing, 428, "if_match_required")
    stale = await world.request(
        "coordinator", "PATCH", url, json={"status": "done"}, headers={"If-Match": '"42"'}
    )
    assert_problem(stale, 412, "etag_mismatch")
    stale_delete = await world.request("coordinator", "DELETE", url, headers={"If-Match": '"42"'})
    assert_problem(stale_delete, 412, "etag_mismatch")
    stored = await load(world.engine, ActionItem, action)
    assert stored is not None
    assert stored.status is ActionItemStatus.OPEN


async def test_delete_while_draft_only(world: World) -> None:
    meeting = await world.meeting()
    action = await world.action_id(meeting)
    kept = await world.action_id(meeting)
    url = f"/v1/action-items/{action}"
    assert_problem(await world.request("member", "DELETE", url), 404, "action_item_not_found")
    deleted = await world.request("coordinator", "DELETE", url)
    assert deleted.status_code == 204, deleted.text
    assert_problem(await world.get("coordinator", url), 404, "action_item_not_found")
    assert (await world.publish(meeting)).status_code == 200
    refused = await world.request("coordinator", "DELETE", f"/v1/action-items/{kept}")
    assert_problem(refused, 409, "minutes_published")
    assert await count_action_items(world.engine) == 1


async def test_a_draft_of_a_meeting_cancelled_since_is_frozen(world: World) -> None:
    meeting = await world.meeting(status=MeetingStatus.CONFIRMED)
    action = await world.action_id(meeting)
    await set_meeting(world.engine, meeting.id, status=MeetingStatus.CANCELLED)
    assert_problem(
        await _patch(world, "coordinator", action, description="x"), 409, "meeting_cancelled"
    )
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is MinutesStatus.DRAFT


async def test_paging_by_due_date_puts_undated_items_last(world: World) -> None:
    meeting = await world.meeting()
    dated = [
        await world.action_id(meeting, due_on=day)
        for day in ("2027-03-01", "2027-01-01", "2027-02-01", "2027-02-01")
    ]
    undated = sorted([await world.action_id(meeting) for _ in range(3)])
    by_date = [dated[1], *sorted(dated[2:]), dated[0]]
    for sort, expected in (
        ("due_on", [*by_date, *undated]),
        ("-due_on", [*reversed(by_date), *reversed(undated)]),
    ):
        seen: list[str] = []
        url: str | None = "/v1/action-items"
        params: dict[str, Any] = {"limit": 2, "sort": sort}
        pages = 0
        while url is not None:
            response = await world.request("admin", "GET", url, params=params)
            assert response.status_code == 200, response.text
            seen += [item["id"] for item in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            params = {"limit": 2, "sort": sort, "cursor": cursor}
            url = None if cursor is None else "/v1/action-items"
            pages += 1
        assert seen == expected, sort
        assert pages == 4
    created = await _listed(world, "admin", sort="created_at")
    assert sorted(created) == sorted([*dated, *undated])
    wrong = await world.get("admin", "/v1/action-items", sort="created_at", cursor="bm9wZQ")
    assert_problem(wrong, 400, "invalid_cursor")
