"""Ids in meeting paths are UUIDs to the router itself (Starlette's `uuid` convertor): a
segment that is no UUID matches no route (404, never a 422 about the id), so literal
paths beside the id routes (`…/agenda-items/order`, `….ics`) answer 405 to the methods
they lack rather than being read as ids (tests/agenda/test_agenda_order.py,
tests/calendars/test_meeting_ics.py)."""

import httpx
import pytest

from tests.factories import create_meeting, create_network
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

NOT_A_UUID = "not-a-uuid"


async def test_a_malformed_id_matches_no_route(client: httpx.AsyncClient) -> None:
    meeting = (await create_meeting(client, (await create_network(client))["id"]))["id"]
    paths = [
        f"/v1/meetings/{NOT_A_UUID}",
        f"/v1/meetings/{NOT_A_UUID}.ics",
        f"/v1/meetings/{NOT_A_UUID}/agenda-items",
        f"/v1/meetings/{meeting}/agenda-items/{NOT_A_UUID}",
        f"/v1/meetings/{meeting}x",
    ]
    for path in paths:
        for method in ("GET", "PATCH", "DELETE"):
            response = await client.request(method, path, headers={"If-Match": '"1"'}, json={})
            assert_problem(response, 404, "route_not_found")
    # The meeting itself is untouched by all of that.
    assert (await client.get(f"/v1/meetings/{meeting}")).json()["version"] == 1
