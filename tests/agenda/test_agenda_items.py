"""Agenda items over HTTP: add at the end or at a position, read, change, and bad input."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.agenda.conftest import MeetingIds
from tests.agenda.helpers import add_item, agenda, insert_meeting, item_url, titles
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def test_items_are_added_at_the_end_and_listed_in_order(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    response = await client.post(
        meeting.url,
        json={
            "title": "  Welcome  ",
            "description": "Coffee and a round of names.",
            "planned_minutes": 15,
            "presenter_name": "Kari Nordmann",
        },
    )
    assert response.status_code == 201, response.text
    first = response.json()
    assert response.headers["location"] == item_url(meeting.meeting_id, first["id"])
    assert response.headers["etag"] == '"1"'
    assert first["meeting_id"] == meeting.meeting_id
    assert first["position"] == 1
    assert first["title"] == "Welcome"
    assert first["description"] == "Coffee and a round of names."
    assert first["planned_minutes"] == 15
    assert first["presenter_name"] == "Kari Nordmann"
    assert first["presenter"] is None
    assert first["guests"] == []
    assert first["version"] == 1

    await add_item(client, meeting.meeting_id, title="Energy prices")
    await add_item(client, meeting.meeting_id, title="Any other business")
    assert await titles(client, meeting.meeting_id) == [
        (1, "Welcome"),
        (2, "Energy prices"),
        (3, "Any other business"),
    ]

    fetched = await client.get(item_url(meeting.meeting_id, first["id"]))
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == first


async def test_an_item_is_inserted_at_a_position(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    first = await add_item(client, meeting.meeting_id, title="A")
    await add_item(client, meeting.meeting_id, title="C")
    inserted = await add_item(client, meeting.meeting_id, title="B", position=2)
    assert inserted["position"] == 2
    assert await titles(client, meeting.meeting_id) == [(1, "A"), (2, "B"), (3, "C")]
    await add_item(client, meeting.meeting_id, title="Start", position=1)
    await add_item(client, meeting.meeting_id, title="End", position=5)
    assert await titles(client, meeting.meeting_id) == [
        (1, "Start"),
        (2, "A"),
        (3, "B"),
        (4, "C"),
        (5, "End"),
    ]
    # A moved item's ETag moves with it; one that stayed keeps its own.
    moved = (await client.get(item_url(meeting.meeting_id, first["id"]))).json()
    assert (moved["position"], moved["version"]) == (2, 2)


async def test_a_position_beyond_the_end_is_refused(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    await add_item(client, meeting.meeting_id, title="A")
    response = await client.post(meeting.url, json={"title": "Far", "position": 3})
    problem = assert_problem(response, 422, "position_out_of_range")
    assert problem["errors"][0]["field"] == "body.position"
    for position in (0, -1):
        response = await client.post(meeting.url, json={"title": "Far", "position": position})
        assert_problem(response, 422, "validation_failed")
    assert await titles(client, meeting.meeting_id) == [(1, "A")]


async def test_a_presenter_from_the_registry(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    person = await create_person(client, full_name="Ola Berg")
    item = await add_item(client, meeting.meeting_id, presenter_person_id=person["id"])
    assert item["presenter"] == {"id": person["id"], "full_name": "Ola Berg"}
    assert item["presenter_name"] is None
    [listed] = await agenda(client, meeting.meeting_id)
    assert listed["presenter"] == {"id": person["id"], "full_name": "Ola Berg"}


async def test_bad_items_are_refused_and_nothing_is_added(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    person = await create_person(client)
    refused = [
        (
            {"title": "X", "presenter_person_id": UNKNOWN_ID},
            "unknown_person",
            "presenter_person_id",
        ),
        (
            {"title": "X", "presenter_person_id": person["id"], "presenter_name": "Ola"},
            "presenter_person_and_name",
            "presenter_name",
        ),
        ({"title": "X", "planned_minutes": 0}, "validation_failed", "planned_minutes"),
        ({"title": "   "}, "validation_failed", "title"),
        ({"description": "no title"}, "validation_failed", "title"),
        ({"title": "X", "notes": "minutes are not written here"}, "validation_failed", "notes"),
    ]
    for body, code, field in refused:
        problem = assert_problem(await client.post(meeting.url, json=body), 422, code)
        assert problem["errors"][0]["field"] == f"body.{field}", body
    assert await agenda(client, meeting.meeting_id) == []


async def test_an_unknown_meeting_or_item_is_404(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    item = await add_item(client, meeting.meeting_id)
    assert_problem(
        await client.get(f"/v1/meetings/{UNKNOWN_ID}/agenda-items"), 404, "meeting_not_found"
    )
    response = await client.post(f"/v1/meetings/{UNKNOWN_ID}/agenda-items", json={"title": "X"})
    assert_problem(response, 404, "meeting_not_found")
    assert_problem(await client.get(item_url(UNKNOWN_ID, item["id"])), 404, "meeting_not_found")
    response = await client.get(item_url(meeting.meeting_id, UNKNOWN_ID))
    assert_problem(response, 404, "agenda_item_not_found")


async def test_an_item_of_another_meeting_is_not_found_through_this_one(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine
) -> None:
    other = await insert_meeting(engine, meeting.network_id)
    item = await add_item(client, other)
    response = await client.get(item_url(meeting.meeting_id, item["id"]))
    assert_problem(response, 404, "agenda_item_not_found")
    response = await client.patch(
        item_url(meeting.meeting_id, item["id"]), json={"title": "X"}, headers={"If-Match": "*"}
    )
    assert_problem(response, 404, "agenda_item_not_found")


async def test_patch_changes_fields_and_needs_a_fresh_etag(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    item = await add_item(
        client, meeting.meeting_id, title="Energy", planned_minutes=20, presenter_name="Kari"
    )
    url = item_url(meeting.meeting_id, item["id"])
    assert_problem(await client.patch(url, json={"title": "Y"}), 428, "if_match_required")
    stale = await client.patch(url, json={"title": "Y"}, headers={"If-Match": '"7"'})
    assert_problem(stale, 412, "etag_mismatch")
    assert (await client.get(url)).json() == item

    response = await client.patch(
        url,
        json={
            "title": "Energy prices",
            "description": "From the grid company.",
            "planned_minutes": None,
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert response.headers["etag"] == '"2"'
    assert (changed["title"], changed["description"], changed["planned_minutes"]) == (
        "Energy prices",
        "From the grid company.",
        None,
    )
    assert changed["presenter_name"] == "Kari"
    assert changed["position"] == 1
    assert (await client.get(url)).json() == changed


async def test_patch_replaces_the_presenter_of_either_kind(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    person = await create_person(client, full_name="Ola Berg")
    item = await add_item(client, meeting.meeting_id, presenter_name="Kari")
    url = item_url(meeting.meeting_id, item["id"])

    async def patch(**changes: object) -> dict[str, object]:
        current = (await client.get(url)).json()
        response = await client.patch(
            url, json=changes, headers={"If-Match": f'"{current["version"]}"'}
        )
        assert response.status_code == 200, response.text
        result: dict[str, object] = response.json()
        return result

    changed = await patch(presenter_person_id=person["id"])
    assert (changed["presenter"], changed["presenter_name"]) == (
        {"id": person["id"], "full_name": "Ola Berg"},
        None,
    )
    changed = await patch(presenter_name="Per Hansen")
    assert (changed["presenter"], changed["presenter_name"]) == (None, "Per Hansen")
    changed = await patch(presenter_name=None)
    assert (changed["presenter"], changed["presenter_name"]) == (None, None)
    changed = await patch(presenter_person_id=person["id"])
    changed = await patch(presenter_person_id=None)
    assert (changed["presenter"], changed["presenter_name"]) == (None, None)


async def test_bad_patches_change_nothing(client: httpx.AsyncClient, meeting: MeetingIds) -> None:
    person = await create_person(client)
    item = await add_item(client, meeting.meeting_id, title="Energy")
    await add_item(client, meeting.meeting_id, title="Other")
    url = item_url(meeting.meeting_id, item["id"])
    refused = [
        ({"position": 2}, "validation_failed", "body.position"),
        ({"title": None}, "validation_failed", "body"),
        ({"planned_minutes": -5}, "validation_failed", "body.planned_minutes"),
        ({"presenter_person_id": UNKNOWN_ID}, "unknown_person", "body.presenter_person_id"),
        (
            {"presenter_person_id": person["id"], "presenter_name": "Ola"},
            "presenter_person_and_name",
            "body.presenter_name",
        ),
    ]
    for body, code, field in refused:
        response = await client.patch(url, json=body, headers={"If-Match": '"1"'})
        problem = assert_problem(response, 422, code)
        assert problem["errors"][0]["field"] == field, body
    assert (await client.get(url)).json() == item
    assert await titles(client, meeting.meeting_id) == [(1, "Energy"), (2, "Other")]


async def test_an_idempotency_key_replays_the_create(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    headers = {"Idempotency-Key": "agenda-1"}
    first = await client.post(meeting.url, json={"title": "Welcome"}, headers=headers)
    again = await client.post(meeting.url, json={"title": "Welcome"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    other = await client.post(meeting.url, json={"title": "Other"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert await titles(client, meeting.meeting_id) == [(1, "Welcome")]
