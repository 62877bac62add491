"""Planning a meeting and reading it back; every refused create writes nothing."""

from typing import Any

import httpx
import pytest

from tests.factories import MEETING_DAY, create_network, meeting_body
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.meetings.helpers import iso_in

pytestmark = pytest.mark.usefixtures("backend")


async def _all_meetings(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/v1/meetings", params={"include_past": "true"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_create_answers_the_whole_meeting(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    body = meeting_body(
        network["id"],
        title="Process council, first quarter",
        description="Energy prices.",
        online_url="https://meet.example/q1",
    )
    response = await client.post("/v1/meetings", json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/meetings/{created['id']}"
    assert response.headers["etag"] == f'"{created["version"]}"'
    expected = {
        "network_id": network["id"],
        "kind": "regular",
        "title": "Process council, first quarter",
        "description": "Energy prices.",
        "starts_at": f"{MEETING_DAY}T09:00:00+01:00",
        "ends_at": f"{MEETING_DAY}T12:00:00+01:00",
        "time_zone": "Europe/Oslo",
        "place_name": "Herøya Forskningspark",
        "place_address": "Hydrovegen 55, 3936 Porsgrunn",
        "online_url": "https://meet.example/q1",
        "host_organisation_id": None,
        "status": "planned",
        "sequence": 0,
        "minutes_status": None,
        "minutes_published_at": None,
        "plan_year": None,
        "plan_slot": None,
        "answers": {"accepted": 0, "declined": 0, "tentative": 0, "unanswered": 0},
        "attendance": None,
        "network": None,
        "host": None,
        "version": 1,
    }
    assert {key: created[key] for key in expected} == expected
    read = await client.get(f"/v1/meetings/{created['id']}")
    assert read.json() == created
    assert read.headers["etag"] == '"1"'


async def test_an_online_meeting_needs_no_place(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    body = meeting_body(
        network["id"], place_name=None, place_address=None, online_url="http://meet.example/x"
    )
    response = await client.post("/v1/meetings", json=body)
    assert response.status_code == 201, response.text
    assert (response.json()["place_name"], response.json()["online_url"]) == (
        None,
        "http://meet.example/x",
    )


async def test_a_meeting_in_the_past_may_be_recorded(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    body = meeting_body(
        network["id"], starts_at="2019-05-02T10:00:00+02:00", ends_at="2019-05-02T14:00:00+02:00"
    )
    response = await client.post("/v1/meetings", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == "2019-05-02T10:00:00+02:00"
    assert response.json()["status"] == "planned"
    # It has started: attendance is counted (nobody yet).
    assert response.json()["attendance"] == {"attended": 0, "absent": 0, "unrecorded": 0}


async def test_an_idempotency_key_replays_the_create(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    body = meeting_body(network["id"])
    headers = {"Idempotency-Key": "meeting-q1"}
    first = await client.post("/v1/meetings", json=body, headers=headers)
    again = await client.post("/v1/meetings", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    other = await client.post("/v1/meetings", json={**body, "title": "Another"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert [item["id"] for item in await _all_meetings(client)] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        (
            {"ends_at": f"{MEETING_DAY}T08:00:00+01:00"},
            422,
            "ends_before_start",
            "body.ends_at",
        ),
        (
            {"ends_at": f"{MEETING_DAY}T09:00:00+01:00"},
            422,
            "ends_before_start",
            "body.ends_at",
        ),
        # 09:00 in Oslo is 08:00 UTC: ending at 08:00 UTC ends at the start.
        ({"ends_at": f"{MEETING_DAY}T08:00:00Z"}, 422, "ends_before_start", "body.ends_at"),
        ({"time_zone": "Europe/Trondheim"}, 422, "unknown_time_zone", "body.time_zone"),
        ({"time_zone": "europe/oslo"}, 422, "unknown_time_zone", "body.time_zone"),
        ({"time_zone": "localtime"}, 422, "unknown_time_zone", "body.time_zone"),
        ({"place_name": None, "place_address": None}, 422, "place_required", "body.place_name"),
        ({"online_url": "ftp://files.example/x"}, 422, "validation_failed", "body.online_url"),
        ({"online_url": "http://:80/"}, 422, "invalid_url", "body.online_url"),
        ({"starts_at": MEETING_DAY.isoformat()}, 422, "validation_failed", "body.starts_at"),
        ({"starts_at": 1804752000}, 422, "validation_failed", "body.starts_at"),
        ({"starts_at": "next thursday"}, 422, "validation_failed", "body.starts_at"),
        (
            # Outside the product's calendar (1900-01-01 … 2200-12-31): a schema error.
            {"starts_at": "1850-03-11T09:00:00+01:00"},
            422,
            "validation_failed",
            "body.starts_at",
        ),
        (
            {"starts_at": "0001-01-01T00:00:00+14:00"},
            422,
            "validation_failed",
            "body.starts_at",
        ),
        (
            # On the calendar's first day, but before it in UTC.
            {"starts_at": "1900-01-01T00:30:00+14:00", "ends_at": "1900-01-01T03:00:00+14:00"},
            422,
            "time_out_of_range",
            "body.starts_at",
        ),
        ({"title": "   "}, 422, "validation_failed", "body.title"),
        ({"kind": "party"}, 422, "validation_failed", "body.kind"),
        ({"status": "confirmed"}, 422, "validation_failed", "body.status"),
        ({"sequence": 3}, 422, "validation_failed", "body.sequence"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, overrides: dict[str, Any], status: int, code: str, field: str
) -> None:
    network = await create_network(client)
    response = await client.post("/v1/meetings", json=meeting_body(network["id"], **overrides))
    problem = assert_problem(response, status, code)
    assert field in [error["field"] for error in problem["errors"]]
    assert await _all_meetings(client) == []


async def test_an_unknown_network_is_404_and_an_archived_one_409(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post("/v1/meetings", json=meeting_body(UNKNOWN_ID))
    assert_problem(unknown, 404, "network_not_found")
    archived = await create_network(client, status="archived")
    refused = await client.post("/v1/meetings", json=meeting_body(archived["id"]))
    assert_problem(refused, 409, "network_archived")
    assert await _all_meetings(client) == []


async def test_missing_fields_are_named(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    body = meeting_body(network["id"])
    for name in ("title", "starts_at", "ends_at", "time_zone", "kind"):
        del body[name]
    problem = assert_problem(await client.post("/v1/meetings", json=body), 422, "validation_failed")
    assert {error["field"] for error in problem["errors"]} == {
        "body.title",
        "body.starts_at",
        "body.ends_at",
        "body.time_zone",
        "body.kind",
    }


async def test_get_of_an_unknown_meeting_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/meetings/{UNKNOWN_ID}")
    problem = assert_problem(response, 404, "meeting_not_found")
    assert UNKNOWN_ID not in response.text
    assert problem["detail"] == "No such meeting."


async def test_a_meeting_under_way_is_upcoming_and_counts_attendance(
    client: httpx.AsyncClient,
) -> None:
    network = await create_network(client)
    body = meeting_body(network["id"], starts_at=iso_in(hours=-1), ends_at=iso_in(hours=1))
    created = (await client.post("/v1/meetings", json=body)).json()
    assert created["attendance"] == {"attended": 0, "absent": 0, "unrecorded": 0}
    listed = (await client.get("/v1/meetings")).json()["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert await fetch(client, f"/v1/meetings/{created['id']}") == created
