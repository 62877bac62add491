"""Time zones: values read in the meeting's zone, answered with the offset of the day,
across the change to summer time in late March (its last Sunday, 02:00 → 03:00). All
days are next year's, derived from the real date, so the meetings stay in the future."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.factories import (
    MEETING_DAY,
    NEXT_YEAR,
    create_meeting,
    create_network,
    last_sunday,
    meeting_body,
)
from tests.helpers import assert_problem, fetch
from tests.meetings.helpers import meeting_url, patch_with

pytestmark = pytest.mark.usefixtures("backend")

# Days well inside winter time (UTC+1) and summer time (UTC+2) in Scandinavia; the winter
# day is also before North America's change to summer time (second Sunday of March).
WINTER_DAY = f"{NEXT_YEAR}-02-04"
SUMMER_DAY = f"{NEXT_YEAR}-06-10"
AUTUMN_DAY = f"{NEXT_YEAR}-09-01"
# Clocks go forward 02:00 → 03:00 on the last Sunday of March, back 03:00 → 02:00 on
# October's.
SPRING_FORWARD = last_sunday(3)
SATURDAY_BEFORE = SPRING_FORWARD - timedelta(days=1)
FALL_BACK = last_sunday(10)


async def _network(client: httpx.AsyncClient) -> str:
    return str((await create_network(client))["id"])


async def _utc_window(client: httpx.AsyncClient, start: str, end: str) -> list[str]:
    params = {"starts_after": start, "starts_before": end}
    response = await client.get("/v1/meetings", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_a_time_without_offset_is_read_in_the_meetings_zone(
    client: httpx.AsyncClient,
) -> None:
    network = await _network(client)
    winter = await create_meeting(
        client,
        network,
        time_zone="Europe/Stockholm",
        starts_at=f"{WINTER_DAY}T09:00:00",
        ends_at=f"{WINTER_DAY}T11:30",
    )
    assert (winter["starts_at"], winter["ends_at"]) == (
        f"{WINTER_DAY}T09:00:00+01:00",
        f"{WINTER_DAY}T11:30:00+01:00",
    )
    summer = await create_meeting(
        client,
        network,
        time_zone="Europe/Stockholm",
        starts_at=f"{SUMMER_DAY}T09:00:00",
        ends_at=f"{SUMMER_DAY}T11:00:00",
    )
    assert summer["starts_at"] == f"{SUMMER_DAY}T09:00:00+02:00"
    # The instant stored is the one meant: 07:00 UTC in June.
    assert await _utc_window(client, f"{SUMMER_DAY}T07:00:00Z", f"{SUMMER_DAY}T07:00:01Z") == [
        summer["id"]
    ]
    assert await _utc_window(client, f"{WINTER_DAY}T08:00:00Z", f"{WINTER_DAY}T08:00:01Z") == [
        winter["id"]
    ]


async def test_a_time_with_another_offset_is_answered_in_the_meetings_zone(
    client: httpx.AsyncClient,
) -> None:
    network = await _network(client)
    meeting = await create_meeting(
        client,
        network,
        time_zone="Europe/Oslo",
        starts_at=f"{AUTUMN_DAY}T07:00:00Z",
        ends_at=f"{AUTUMN_DAY}T05:00:00-05:00",
    )
    assert (meeting["starts_at"], meeting["ends_at"]) == (
        f"{AUTUMN_DAY}T09:00:00+02:00",
        f"{AUTUMN_DAY}T12:00:00+02:00",
    )


async def test_a_meeting_across_the_change_to_summer_time(client: httpx.AsyncClient) -> None:
    network = await _network(client)
    # A night-long event from Saturday evening to Sunday morning in Stockholm.
    meeting = await create_meeting(
        client,
        network,
        kind="event",
        time_zone="Europe/Stockholm",
        starts_at=f"{SATURDAY_BEFORE}T20:00:00",
        ends_at=f"{SPRING_FORWARD}T10:00:00",
    )
    assert meeting["starts_at"] == f"{SATURDAY_BEFORE}T20:00:00+01:00"
    assert meeting["ends_at"] == f"{SPRING_FORWARD}T10:00:00+02:00"
    # Stored as the instant meant: 20:00 winter time is 19:00 UTC.
    assert await _utc_window(
        client, f"{SATURDAY_BEFORE}T19:00:00Z", f"{SATURDAY_BEFORE}T19:00:01Z"
    ) == [meeting["id"]]
    listed = (await client.get("/v1/meetings", params={"network_id": network})).json()["items"]
    assert (listed[0]["starts_at"], listed[0]["ends_at"]) == (
        meeting["starts_at"],
        meeting["ends_at"],
    )

    # Moving its end by wall-clock keeps the summer offset; moving it before the change
    # gives the winter one.
    moved = await patch_with(client, meeting, ends_at=f"{SPRING_FORWARD}T01:30:00")
    assert moved.status_code == 200, moved.text
    assert moved.json()["ends_at"] == f"{SPRING_FORWARD}T01:30:00+01:00"


async def test_a_wall_clock_time_the_clocks_skip_is_refused(client: httpx.AsyncClient) -> None:
    network = await _network(client)
    body = meeting_body(
        network,
        time_zone="Europe/Oslo",
        starts_at=f"{SPRING_FORWARD}T02:30:00",
        ends_at=f"{SPRING_FORWARD}T04:00:00",
    )
    problem = assert_problem(
        await client.post("/v1/meetings", json=body), 422, "nonexistent_local_time"
    )
    assert problem["errors"][0]["field"] == "body.starts_at"
    # With an offset it names an instant, which is fine (03:30 summer time).
    body["starts_at"] = f"{SPRING_FORWARD}T02:30:00+01:00"
    made = await client.post("/v1/meetings", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["starts_at"] == f"{SPRING_FORWARD}T03:30:00+02:00"


async def test_a_wall_clock_time_that_happens_twice_is_the_first(
    client: httpx.AsyncClient,
) -> None:
    network = await _network(client)
    meeting = await create_meeting(
        client,
        network,
        time_zone="Europe/Oslo",
        starts_at=f"{FALL_BACK}T02:30:00",
        ends_at=f"{FALL_BACK}T04:00:00",
    )
    assert (meeting["starts_at"], meeting["ends_at"]) == (
        f"{FALL_BACK}T02:30:00+02:00",
        f"{FALL_BACK}T04:00:00+01:00",
    )


async def test_changing_the_zone_alone_keeps_the_instants(client: httpx.AsyncClient) -> None:
    network = await _network(client)
    # A winter day in both Oslo (UTC+1) and New York (UTC-5).
    meeting = await create_meeting(
        client,
        network,
        time_zone="Europe/Oslo",
        starts_at=f"{WINTER_DAY}T09:00:00",
        ends_at=f"{WINTER_DAY}T12:00:00",
    )
    moved = await patch_with(client, meeting, time_zone="America/New_York")
    assert moved.status_code == 200, moved.text
    body: dict[str, Any] = moved.json()
    assert (body["time_zone"], body["starts_at"], body["ends_at"]) == (
        "America/New_York",
        f"{WINTER_DAY}T03:00:00-05:00",
        f"{WINTER_DAY}T06:00:00-05:00",
    )
    assert body["sequence"] == meeting["sequence"] + 1


async def test_a_time_without_offset_in_a_patch_is_read_in_the_resulting_zone(
    client: httpx.AsyncClient,
) -> None:
    network = await _network(client)
    meeting = await create_meeting(client, network, time_zone="Europe/Oslo")
    moved = await patch_with(
        client,
        meeting,
        time_zone="Europe/London",
        starts_at=f"{MEETING_DAY}T09:00:00",
        ends_at=f"{MEETING_DAY}T10:00:00",
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["starts_at"], moved.json()["ends_at"]) == (
        f"{MEETING_DAY}T09:00:00Z",
        f"{MEETING_DAY}T10:00:00Z",
    )
    kept_zone = await patch_with(client, meeting, starts_at=f"{MEETING_DAY}T08:00:00")
    assert kept_zone.json()["starts_at"] == f"{MEETING_DAY}T08:00:00Z"


async def test_an_unknown_zone_in_a_patch_changes_nothing(client: httpx.AsyncClient) -> None:
    network = await _network(client)
    meeting = await create_meeting(client, network)
    refused = await patch_with(client, meeting, time_zone="Mars/Olympus_Mons")
    problem = assert_problem(refused, 422, "unknown_time_zone")
    assert problem["errors"][0]["field"] == "body.time_zone"
    assert await fetch(client, meeting_url(meeting)) == meeting


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        # Amsterdam kept its local mean time, +00:19:32, until 1937: Pydantic writes the
        # offset cut to +00:19 (orjson alone would round it to +00:20).
        ("Europe/Amsterdam", "1901-03-01T12:00:00", "1901-03-01T12:00:00+00:19"),
        # Dublin's was -00:25:21, cut toward zero.
        ("Europe/Dublin", "1901-03-01T12:00:00", "1901-03-01T12:00:00-00:25"),
        ("Europe/Oslo", "1901-03-01T12:00:00", "1901-03-01T12:00:00+01:00"),
    ],
)
async def test_a_historic_offset_with_seconds_is_written_as_pydantic_writes_it(
    client: httpx.AsyncClient, zone: str, local: str, expected: str
) -> None:
    # The read path writes its own JSON; it must equal what MeetingRead wrote before, for
    # the answer to the create, the get and the list alike.
    network = await _network(client)
    created = await create_meeting(
        client, network, time_zone=zone, starts_at=local, ends_at=local.replace("T12", "T14")
    )
    assert created["starts_at"] == expected
    read = await fetch(client, meeting_url(created))
    assert read["starts_at"] == expected
    listed = await client.get("/v1/meetings", params={"network_id": network, "include_past": True})
    assert [item["starts_at"] for item in listed.json()["items"]] == [expected]
