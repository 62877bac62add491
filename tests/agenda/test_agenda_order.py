"""Reordering a whole agenda in one request, and every way an order can be wrong."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.agenda.conftest import MeetingIds
from tests.agenda.helpers import add_item, agenda, insert_meeting, item_url, titles
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def _three(client: httpx.AsyncClient, meeting: MeetingIds) -> list[str]:
    return [
        (await add_item(client, meeting.meeting_id, title=title))["id"] for title in ("A", "B", "C")
    ]


def _order_url(meeting: MeetingIds) -> str:
    return f"{meeting.url}/order"


async def test_reorder_gives_positions_in_the_order_sent(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    a, b, c = await _three(client, meeting)
    response = await client.put(_order_url(meeting), json={"item_ids": [c, a, b]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    assert [(item["id"], item["position"]) for item in body["items"]] == [(c, 1), (a, 2), (b, 3)]
    assert await titles(client, meeting.meeting_id) == [(1, "C"), (2, "A"), (3, "B")]
    # Each moved item's ETag rises once; reading it shows the new position.
    fetched = await client.get(item_url(meeting.meeting_id, c))
    assert fetched.headers["etag"] == '"2"'
    assert fetched.json() == body["items"][0]

    # The same order again moves nothing.
    again = await client.put(_order_url(meeting), json={"item_ids": [c, a, b]})
    assert again.json() == body


async def test_reorder_of_a_longer_agenda_reverses_it(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    ids = [(await add_item(client, meeting.meeting_id, title=f"T{n}"))["id"] for n in range(7)]
    response = await client.put(_order_url(meeting), json={"item_ids": ids[::-1]})
    assert response.status_code == 200, response.text
    assert [item["id"] for item in await agenda(client, meeting.meeting_id)] == ids[::-1]
    assert [item["position"] for item in await agenda(client, meeting.meeting_id)] == list(
        range(1, 8)
    )


async def test_an_empty_agenda_takes_an_empty_order(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    response = await client.put(_order_url(meeting), json={"item_ids": []})
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


async def test_every_kind_of_mismatch_is_refused_and_nothing_moves(
    client: httpx.AsyncClient, meeting: MeetingIds, engine: AsyncEngine
) -> None:
    a, b, c = await _three(client, meeting)
    other_meeting = await insert_meeting(engine, meeting.network_id)
    foreign = (await add_item(client, other_meeting, title="Elsewhere"))["id"]
    before = await agenda(client, meeting.meeting_id)

    cases: list[tuple[list[str], dict[str, Any]]] = [
        ([a, b], {"missing": [c], "unknown": [], "duplicates": []}),
        ([a, b, c, UNKNOWN_ID], {"missing": [], "unknown": [3], "duplicates": []}),
        ([a, b, c, foreign], {"missing": [], "unknown": [3], "duplicates": []}),
        ([a, b, b, c], {"missing": [], "unknown": [], "duplicates": [b]}),
        ([a, a, UNKNOWN_ID], {"missing": [b, c], "unknown": [2], "duplicates": [a]}),
        ([], {"missing": [a, b, c], "unknown": [], "duplicates": []}),
    ]
    for item_ids, expected in cases:
        response = await client.put(_order_url(meeting), json={"item_ids": item_ids})
        problem = assert_problem(response, 422, "agenda_order_mismatch")
        found = {key: problem[key] for key in expected}
        found["missing"] = sorted(found["missing"])
        assert found == {**expected, "missing": sorted(expected["missing"])}, item_ids
        # The ids sent that are not this meeting's are never echoed.
        assert UNKNOWN_ID not in response.text
        assert foreign not in response.text
        assert problem["errors"], item_ids
    assert await agenda(client, meeting.meeting_id) == before

    malformed = await client.put(_order_url(meeting), json={"item_ids": ["not-an-id"]})
    assert_problem(malformed, 422, "validation_failed")
    missing_field = await client.put(_order_url(meeting), json={})
    assert_problem(missing_field, 422, "validation_failed")
    assert await agenda(client, meeting.meeting_id) == before


async def test_the_order_route_is_not_taken_for_an_item_id(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    a, b, c = await _three(client, meeting)
    # PUT reaches the reorder route, not `/{item_id}` with "order" as an id.
    response = await client.put(_order_url(meeting), json={"item_ids": [b, c, a]})
    assert response.status_code == 200, response.text
    # The item routes do not answer for `order` (ids are UUIDs), and the reorder route
    # only to PUT.
    for method in ("PATCH", "DELETE", "POST", "GET"):
        refused = await client.request(method, _order_url(meeting), json={"title": "X"})
        assert_problem(refused, 405, "method_not_allowed")
    assert await titles(client, meeting.meeting_id) == [(1, "B"), (2, "C"), (3, "A")]


async def test_reordering_an_unknown_meeting_is_404(client: httpx.AsyncClient) -> None:
    response = await client.put(
        f"/v1/meetings/{UNKNOWN_ID}/agenda-items/order", json={"item_ids": []}
    )
    assert_problem(response, 404, "meeting_not_found")


async def test_the_audit_trail_records_each_move_once(
    client: httpx.AsyncClient, meeting: MeetingIds
) -> None:
    # The rows step aside in a statement the trail does not see: it shows each item's
    # move from its old position to its new one, never the positions in between.
    a, b, c = await _three(client, meeting)
    response = await client.put(_order_url(meeting), json={"item_ids": [c, b, a]})
    assert response.status_code == 200, response.text
    moves = {}
    for item_id in (a, b, c):
        events = await client.get(
            "/v1/audit-events", params={"resource_type": "agenda_items", "resource_id": item_id}
        )
        assert events.status_code == 200, events.text
        updates = [event for event in events.json()["items"] if event["action"] == "update"]
        moves[item_id] = [(event["before"], event["after"]) for event in updates]
    assert moves == {
        a: [({"position": 1}, {"position": 3})],
        b: [],
        c: [({"position": 3}, {"position": 1})],
    }
