"""Minutes from the first note to publishing, and every rule that refuses a change."""

from datetime import timedelta

import pytest

from app.db import utcnow
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MinutesStatus
from tests.helpers import assert_problem
from tests.minutes.conftest import World
from tests.minutes.helpers import MeetingIds, count_action_items, etag, load

pytestmark = pytest.mark.usefixtures("backend")


async def test_draft_then_publish(world: World) -> None:
    meeting = await world.meeting(positions=[2, 1, 3])
    empty = await world.read(meeting.minutes_url, "coordinator")
    assert empty["status"] is None
    assert empty["published_at"] is None
    assert [item["position"] for item in empty["items"]] == [1, 2, 3]
    assert [item["title"] for item in empty["items"]] == ["Item 1", "Item 2", "Item 3"]
    assert all(item["notes"] is None and item["action_items"] == [] for item in empty["items"])

    response = await world.write_notes(
        meeting, 1, notes="Yara showed the new routines.", decisions="Adopted from May."
    )
    assert response.status_code == 200, response.text
    written = response.json()
    assert written["agenda_item_id"] == meeting.item_ids[1]
    assert (written["notes"], written["decisions"]) == (
        "Yara showed the new routines.",
        "Adopted from May.",
    )
    assert response.headers["etag"] == f'"{written["version"]}"'
    assert written["version"] == empty["items"][1]["version"] + 1

    first = await world.action_id(meeting, 1, description="Send the routines round")
    second = await world.action_id(meeting, 1, description="Book the next visit")
    third = await world.action_id(meeting, 2, description="Ask the county")

    draft = await world.read(meeting.minutes_url, "coordinator")
    assert draft["status"] == "draft"
    assert [a["id"] for a in draft["items"][1]["action_items"]] == [first, second]
    assert [a["id"] for a in draft["items"][2]["action_items"]] == [third]
    assert draft["items"][0]["action_items"] == []

    response = await world.publish(meeting)
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["status"] == "published"
    assert published["published_at"] is not None
    assert published["items"] == draft["items"]
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is MinutesStatus.PUBLISHED
    assert stored.minutes_published_at is not None

    # Now the network's members read them too.
    seen = await world.read(meeting.minutes_url, "member")
    assert seen == published


async def test_an_action_item_alone_makes_the_minutes_a_draft(world: World) -> None:
    meeting = await world.meeting()
    await world.action_id(meeting)
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is MinutesStatus.DRAFT


async def test_an_empty_change_writes_nothing(world: World) -> None:
    meeting = await world.meeting()
    response = await world.write_notes(meeting)
    assert response.status_code == 200, response.text
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is None


async def test_notes_can_be_cleared_while_draft(world: World) -> None:
    meeting = await world.meeting()
    await world.write_notes(meeting, notes="Wrong meeting", decisions="None")
    response = await world.write_notes(meeting, notes=None)
    assert response.status_code == 200, response.text
    assert (response.json()["notes"], response.json()["decisions"]) == (None, "None")


async def test_published_minutes_are_read_only(world: World) -> None:
    meeting = await world.meeting()
    await world.write_notes(meeting, notes="As agreed")
    action = await world.action_id(meeting, description="Call NHO")
    assert (await world.publish(meeting)).status_code == 200
    before = await world.read(meeting.minutes_url)
    stored_before = await load(world.engine, Meeting, meeting.id)

    assert_problem(
        await world.write_notes(meeting, notes="Changed afterwards"), 409, "minutes_published"
    )
    assert_problem(await world.write_notes(meeting, 1, notes="New"), 409, "minutes_published")
    assert_problem(await world.add_action(meeting), 409, "minutes_published")
    url = f"/v1/action-items/{action}"
    current = await world.read(url)
    changed = await world.request(
        "coordinator", "PATCH", url, json={"description": "Call LO"}, headers=etag(current)
    )
    assert_problem(changed, 409, "minutes_published")
    mixed = await world.request(
        "coordinator",
        "PATCH",
        url,
        json={"status": "done", "due_on": "2030-01-01"},
        headers=etag(current),
    )
    assert_problem(mixed, 409, "minutes_published")
    assert_problem(await world.request("coordinator", "DELETE", url), 409, "minutes_published")
    assert_problem(await world.publish(meeting), 409, "minutes_published")

    assert await world.read(meeting.minutes_url) == before
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored_before is not None
    assert (stored.version, stored.minutes_published_at) == (
        stored_before.version,
        stored_before.minutes_published_at,
    )


async def test_minutes_wait_for_the_meeting_to_start(world: World) -> None:
    meeting = await world.meeting(
        status=MeetingStatus.CONFIRMED, starts_at=utcnow() + timedelta(days=3)
    )
    assert_problem(await world.write_notes(meeting, notes="Early"), 409, "meeting_not_started")
    assert_problem(await world.add_action(meeting), 409, "meeting_not_started")
    assert_problem(await world.publish(meeting), 409, "meeting_not_held")
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is None
    item = await load(world.engine, AgendaItem, meeting.item_ids[0])
    assert item is not None
    assert item.notes is None
    assert await count_action_items(world.engine) == 0


async def test_minutes_start_with_the_meeting_and_publish_once_it_is_held(world: World) -> None:
    # Under way but not yet marked held: notes may be taken, not published.
    meeting = await world.meeting(status=MeetingStatus.CONFIRMED)
    response = await world.write_notes(meeting, notes="Taken during the meeting")
    assert response.status_code == 200, response.text
    assert_problem(await world.publish(meeting), 409, "meeting_not_held")
    # A held meeting counts as started whatever its start time says.
    early = await world.meeting(status=MeetingStatus.HELD, starts_at=utcnow() + timedelta(hours=1))
    assert (await world.write_notes(early, notes="Held early")).status_code == 200


async def test_a_cancelled_meeting_has_no_minutes(world: World) -> None:
    meeting = await world.meeting(status=MeetingStatus.CANCELLED)
    assert_problem(await world.write_notes(meeting, notes="Nope"), 409, "meeting_cancelled")
    assert_problem(await world.add_action(meeting), 409, "meeting_cancelled")
    # The same code for the same state, publishing too.
    assert_problem(await world.publish(meeting), 409, "meeting_cancelled")
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert stored.minutes_status is None
    assert await count_action_items(world.engine) == 0


async def test_nothing_to_publish(world: World) -> None:
    meeting = await world.meeting()
    assert_problem(await world.publish(meeting), 409, "no_minutes")
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    assert (stored.minutes_status, stored.minutes_published_at) == (None, None)


async def test_writing_notes_requires_the_items_current_etag(world: World) -> None:
    meeting = await world.meeting()
    url = meeting.item_minutes_url()
    item = (await world.read(meeting.minutes_url))["items"][0]

    missing = await world.request("coordinator", "PATCH", url, json={"notes": "A"})
    assert_problem(missing, 428, "if_match_required")
    stale = await world.request(
        "coordinator", "PATCH", url, json={"notes": "B"}, headers={"If-Match": '"999"'}
    )
    assert_problem(stale, 412, "etag_mismatch")
    stored = await load(world.engine, AgendaItem, meeting.item_ids[0])
    assert stored is not None
    assert (stored.notes, stored.version) == (None, item["version"])
    meeting_row = await load(world.engine, Meeting, meeting.id)
    assert meeting_row is not None
    assert meeting_row.minutes_status is None

    ok = await world.request("coordinator", "PATCH", url, json={"notes": "C"}, headers=etag(item))
    assert ok.status_code == 200, ok.text
    # The ETag it answered with is the one to send next; the old one is stale now.
    again = await world.request(
        "coordinator", "PATCH", url, json={"notes": "D"}, headers=etag(item)
    )
    assert_problem(again, 412, "etag_mismatch")
    follow = await world.request(
        "coordinator", "PATCH", url, json={"notes": "D"}, headers={"If-Match": ok.headers["etag"]}
    )
    assert follow.status_code == 200
    assert follow.json()["notes"] == "D"


async def test_publishing_checks_the_meetings_etag_when_sent(world: World) -> None:
    meeting = await world.meeting()
    await world.write_notes(meeting, notes="Draft")
    stored = await load(world.engine, Meeting, meeting.id)
    assert stored is not None
    stale = await world.request(
        "coordinator",
        "POST",
        meeting.publish_url,
        headers={"If-Match": f'"{stored.version - 1}"'},
    )
    assert_problem(stale, 412, "etag_mismatch")
    unchanged = await load(world.engine, Meeting, meeting.id)
    assert unchanged is not None
    assert unchanged.minutes_status is MinutesStatus.DRAFT

    current = await world.request(
        "coordinator", "POST", meeting.publish_url, headers={"If-Match": f'"{stored.version}"'}
    )
    assert current.status_code == 200, current.text
    assert current.json()["status"] == "published"


@pytest.mark.parametrize(
    "body",
    [
        {"notes": 5},
        {"notes": "x", "summary": "not a field"},
        {"decisions": "x" * 20_001},
    ],
)
async def test_malformed_notes_are_refused(world: World, body: dict[str, object]) -> None:
    meeting = await world.meeting()
    response = await world.write_notes(meeting, **body)
    assert_problem(response, 422, "validation_failed")
    stored = await load(world.engine, AgendaItem, meeting.item_ids[0])
    assert stored is not None
    assert (stored.notes, stored.decisions) == (None, None)


async def test_unknown_agenda_item(world: World) -> None:
    meeting = await world.meeting()
    other = await world.meeting()
    # An item of another meeting is not an item of this one.
    url = f"/v1/meetings/{meeting.id}/agenda-items/{other.item_ids[0]}/minutes"
    response = await world.request(
        "coordinator", "PATCH", url, json={"notes": "x"}, headers={"If-Match": "*"}
    )
    assert_problem(response, 404, "agenda_item_not_found")
    mixed = MeetingIds(id=meeting.id, network_id=meeting.network_id, item_ids=other.item_ids)
    assert_problem(await world.add_action(mixed), 404, "agenda_item_not_found")
