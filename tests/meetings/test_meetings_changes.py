"""Changing meetings: If-Match, status transitions, final meetings, the iCalendar
sequence, and refusals that change nothing.

States other than `planned` are set in the database where the test is not about how
the meeting got there (confirming invites people: see test_meetings_confirm.py).
"""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import MEETING_DAY, create_company, create_meeting, create_network
from tests.helpers import assert_problem, fetch
from tests.meetings.helpers import (
    bump_version_behind_the_back,
    iso_in,
    meeting_at,
    meeting_url,
    patch_with,
    set_status,
)

pytestmark = pytest.mark.usefixtures("backend")


async def _meeting(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    network = await create_network(client)
    return await create_meeting(client, network["id"], **fields)


async def _in_status(
    client: httpx.AsyncClient, engine: AsyncEngine, status: str, *, past: bool = True
) -> dict[str, Any]:
    """A meeting (yesterday, or next week) in `status`, as the API then shows it."""
    network = await create_network(client)
    meeting = await meeting_at(client, network["id"], timedelta(days=-1 if past else 7))
    if status != "planned":
        await set_status(engine, meeting["id"], status)
    return await fetch(client, meeting_url(meeting))


async def test_patch_requires_the_current_etag(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    meeting = await _meeting(client)
    url = meeting_url(meeting)

    missing = await client.patch(url, json={"title": "Moved"})
    assert_problem(missing, 428, "if_match_required")
    stale = await client.patch(url, json={"title": "Moved"}, headers={"If-Match": '"7"'})
    assert_problem(stale, 412, "etag_mismatch")
    assert await fetch(client, url) == meeting

    changed = await client.patch(url, json={"title": "Moved"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.headers["etag"]) == ("Moved", '"2"')
    await bump_version_behind_the_back(engine, meeting["id"])
    again = await client.patch(url, json={"title": "Again"}, headers={"If-Match": '"2"'})
    assert_problem(again, 412, "etag_mismatch")
    assert (await fetch(client, url))["title"] == "Moved"


@pytest.mark.parametrize(
    ("start", "wanted"),
    [
        ("planned", "held"),
        ("confirmed", "planned"),
        ("held", "cancelled"),
        ("held", "planned"),
        ("held", "confirmed"),
        ("cancelled", "held"),
        ("cancelled", "planned"),
        ("cancelled", "confirmed"),
    ],
)
async def test_invalid_transitions_are_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, start: str, wanted: str
) -> None:
    meeting = await _in_status(client, engine, start)
    refused = await patch_with(client, meeting, status=wanted)
    assert_problem(refused, 409, "invalid_status_transition")
    assert await fetch(client, meeting_url(meeting)) == meeting


@pytest.mark.parametrize(
    ("start", "wanted", "sequence"),
    [
        ("planned", "cancelled", 1),
        ("confirmed", "held", 0),
        ("confirmed", "cancelled", 1),
        # Staying is no move at all.
        ("held", "held", 0),
        ("planned", "planned", 0),
    ],
)
async def test_valid_transitions(
    client: httpx.AsyncClient, engine: AsyncEngine, start: str, wanted: str, sequence: int
) -> None:
    meeting = await _in_status(client, engine, start)
    changed = await patch_with(client, meeting, status=wanted)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["sequence"]) == (wanted, sequence)
    assert await fetch(client, meeting_url(meeting)) == changed.json()


async def test_a_meeting_is_held_only_once_it_has_started(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    meeting = await _in_status(client, engine, "confirmed", past=False)
    early = await patch_with(client, meeting, status="held")
    assert_problem(early, 409, "meeting_not_started")
    assert await fetch(client, meeting_url(meeting)) == meeting

    # The resulting meeting counts: moved to an hour ago, it has started.
    moved = await patch_with(
        client, meeting, status="held", starts_at=iso_in(hours=-1), ends_at=iso_in(hours=1)
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "held"


@pytest.mark.parametrize("status", ["held", "cancelled"])
async def test_final_meetings_keep_their_facts(
    client: httpx.AsyncClient, engine: AsyncEngine, status: str
) -> None:
    meeting = await _in_status(client, engine, status)
    host = await create_company(client)
    # The code every route gives for the state: see app/meetings/rules.py.
    code = "meeting_cancelled" if status == "cancelled" else "meeting_closed"
    for changes in (
        {"starts_at": iso_in(days=-2)},
        {"ends_at": iso_in(days=-1, hours=5)},
        {"time_zone": "Europe/Stockholm"},
        {"place_name": "Elsewhere"},
        {"place_address": None},
        {"online_url": "https://meet.example/late"},
        {"host_organisation_id": host["id"]},
        {"kind": "event"},
    ):
        refused = await patch_with(client, meeting, **changes)
        problem = assert_problem(refused, 409, code)
        assert next(iter(changes)) in problem["detail"]
    assert await fetch(client, meeting_url(meeting)) == meeting

    # The record may be corrected, and values sent unchanged are no change.
    corrected = await patch_with(
        client,
        meeting,
        title="Corrected title",
        description="What really happened.",
        place_name=meeting["place_name"],
        starts_at=meeting["starts_at"],
    )
    assert corrected.status_code == 200, corrected.text
    # Calendars hold the title too: their copies are replaced.
    assert (corrected.json()["title"], corrected.json()["sequence"]) == (
        "Corrected title",
        meeting["sequence"] + 1,
    )


async def test_the_sequence_rises_with_what_calendars_show_and_cancellation(
    client: httpx.AsyncClient,
) -> None:
    meeting = await _meeting(client)

    async def sequence_after(**changes: Any) -> int:
        response = await patch_with(client, meeting, **changes)
        assert response.status_code == 200, response.text
        value: int = response.json()["sequence"]
        return value

    # What calendars show moves the SEQUENCE; the kind is not shown.
    assert await sequence_after(title="Renamed", description="Agenda to follow.") == 1
    assert await sequence_after(kind="event") == 1
    assert await sequence_after(starts_at=f"{MEETING_DAY}T10:00:00+01:00") == 2
    # The same instant written another way is no change.
    assert await sequence_after(starts_at=f"{MEETING_DAY}T09:00:00Z") == 2
    assert await sequence_after(ends_at=f"{MEETING_DAY}T13:00:00") == 3
    assert await sequence_after(place_name="Porsgrunn rådhus") == 4
    assert await sequence_after(place_address=None) == 5
    assert await sequence_after(online_url="https://meet.example/q1") == 6
    assert await sequence_after(time_zone="Europe/Stockholm") == 7
    # Several reasons in one change: it rises once.
    assert await sequence_after(title="Final", starts_at=f"{MEETING_DAY}T08:00:00") == 8
    assert await sequence_after(status="cancelled", ends_at=f"{MEETING_DAY}T14:00:00") == 9


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"ends_at": f"{MEETING_DAY}T08:00:00+01:00"}, 422, "ends_before_start", "body.ends_at"),
        ({"starts_at": f"{MEETING_DAY}T12:00:00"}, 422, "ends_before_start", "body.ends_at"),
        ({"place_name": None}, 422, "place_required", "body.place_name"),
        ({"online_url": "https://"}, 422, "validation_failed", "body.online_url"),
        (
            {"network_id": "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10"},
            422,
            "validation_failed",
            "body.network_id",
        ),
        ({"title": None}, 422, "validation_failed", None),
        ({"starts_at": None}, 422, "validation_failed", None),
        ({"status": "postponed"}, 422, "validation_failed", "body.status"),
        ({"sequence": 9}, 422, "validation_failed", "body.sequence"),
    ],
)
async def test_a_refused_change_changes_nothing(
    client: httpx.AsyncClient,
    changes: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    meeting = await _meeting(client)
    problem = assert_problem(await patch_with(client, meeting, **changes), status, code)
    if field is not None:
        assert field in [error["field"] for error in problem["errors"]]
    assert await fetch(client, meeting_url(meeting)) == meeting
