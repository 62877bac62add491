"""The minutes and the action item list cost a fixed number of SQL statements, whatever
the number of agenda items and action items — each action item naming its own assignee."""

from typing import Any

import pytest

from tests.minutes.conftest import World
from tests.minutes.helpers import MeetingIds

pytestmark = pytest.mark.usefixtures("backend")


async def _meeting_with_actions(world: World, items: int) -> MeetingIds:
    """Each action item assigned to a person of its own, so the assignees are as many as
    the rows (set by the secretariat, who sees every person)."""
    meeting = await world.meeting(items=items)
    for index in range(items):
        person = await world.request(
            "admin", "POST", "/v1/people", json={"full_name": f"Assignee {index}"}
        )
        assert person.status_code == 201, person.text
        await world.action_id(
            meeting, index, caller="admin", assignee_person_id=person.json()["id"]
        )
    return meeting


async def _count(world: World, count_queries: Any, caller: str, url: str, **params: Any) -> int:
    with count_queries() as log:
        response = await world.get(caller, url, **params)
    assert response.status_code == 200, response.text
    count: int = log.count
    return count


@pytest.mark.parametrize("caller", ["admin", "coordinator", "member"])
async def test_minutes_cost_the_same_for_one_item_or_ten(
    world: World, count_queries: Any, caller: str
) -> None:
    small = await _meeting_with_actions(world, 1)
    large = await _meeting_with_actions(world, 10)
    for meeting in (small, large):
        assert (await world.publish(meeting)).status_code == 200
    counts = [await _count(world, count_queries, caller, m.minutes_url) for m in (small, large)]
    assert counts[0] == counts[1], counts
    minutes = await world.read(large.minutes_url, caller)
    assert len(minutes["items"]) == 10
    assert all(len(item["action_items"]) == 1 for item in minutes["items"])
    assert [item["action_items"][0]["assignee"]["full_name"] for item in minutes["items"]] == [
        f"Assignee {index}" for index in range(10)
    ]


@pytest.mark.parametrize("caller", ["admin", "coordinator", "member"])
async def test_the_action_item_list_costs_the_same_for_one_row_or_ten(
    world: World, count_queries: Any, caller: str
) -> None:
    small = await _meeting_with_actions(world, 1)
    large = await _meeting_with_actions(world, 10)
    for meeting in (small, large):
        assert (await world.publish(meeting)).status_code == 200
    counts = []
    for meeting in (small, large):
        count = await _count(
            world, count_queries, caller, "/v1/action-items", meeting_id=meeting.id, status="open"
        )
        counts.append(count)
    assert counts[0] == counts[1], counts
    response = await world.get(caller, "/v1/action-items", meeting_id=large.id)
    names = sorted(item["assignee"]["full_name"] for item in response.json()["items"])
    assert names == sorted(f"Assignee {index}" for index in range(10))
