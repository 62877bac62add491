"""Who reads and writes minutes, in each state of the minutes, and what a meeting of a
closed network looks like to everyone else: exactly like one that does not exist."""

from typing import Any

import pytest

from app.meetings.models import AgendaItem, MinutesStatus
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.minutes.conftest import World
from tests.minutes.helpers import MeetingIds, load, set_meeting

pytestmark = pytest.mark.usefixtures("backend")

SIGNED_IN = frozenset({"forum_member", "outsider"})
STATES = (None, MinutesStatus.DRAFT, MinutesStatus.PUBLISHED)
# Reading a council (closed network) meeting's minutes: (status, code) per state.
COUNCIL_READS: dict[str, tuple[Any, ...]] = {
    "admin": ((200, None),) * 3,
    "read_key": ((200, None),) * 3,
    "coordinator": ((200, None),) * 3,
    "member": ((404, "minutes_not_found"), (404, "minutes_not_found"), (200, None)),
    # Cannot see the closed network at all.
    "forum_member": ((404, "meeting_not_found"),) * 3,
    "outsider": ((404, "meeting_not_found"),) * 3,
    "website": ((404, "meeting_not_found"),) * 3,
    "anonymous": ((404, "meeting_not_found"),) * 3,
}
# The same for a forum (open network) meeting: whoever is no member is refused.
FORUM_READS: dict[str, tuple[Any, ...]] = {
    "admin": ((200, None),) * 3,
    "coordinator": ((403, "forbidden"),) * 3,  # of the council, not of the forum
    "forum_member": ((404, "minutes_not_found"), (404, "minutes_not_found"), (200, None)),
    "member": ((403, "forbidden"),) * 3,
    "website": ((403, "forbidden"),) * 3,
    "anonymous": ((401, "authentication_required"),) * 3,
}


async def _meeting_in_state(world: World, network: str, state: MinutesStatus | None) -> MeetingIds:
    meeting = await world.meeting(network)
    if state is not None:
        # Written straight in the database: these tests are about reading, not the flow.
        await set_meeting(world.engine, meeting.id, minutes_status=state)
    return meeting


@pytest.mark.parametrize(
    ("network", "expected"), [("council", COUNCIL_READS), ("forum", FORUM_READS)]
)
async def test_who_reads_minutes_in_each_state(
    world: World, network: str, expected: dict[str, tuple[Any, ...]]
) -> None:
    answers: dict[str, list[tuple[int, str | None]]] = {caller: [] for caller in expected}
    for state in STATES:
        meeting = await _meeting_in_state(world, network, state)
        for caller in expected:
            response = await world.get(caller, meeting.minutes_url)
            code = None if response.is_success else response.json()["code"]
            answers[caller].append((response.status_code, code))
            if response.is_success:
                assert response.json()["status"] == (state and state.value)
                assert len(response.json()["items"]) == 2
    assert answers == {caller: list(rows) for caller, rows in expected.items()}


async def test_a_closed_networks_meeting_answers_like_an_unknown_id(world: World) -> None:
    meeting = await world.meeting()
    action = await world.action_id(meeting)
    unknown = MeetingIds(id=UNKNOWN_ID, network_id=world.ids.council, item_ids=[UNKNOWN_ID])
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "{minutes}", {}),
        ("PATCH", "{item_minutes}", {"json": {"notes": "x"}, "headers": {"If-Match": "*"}}),
        ("POST", "{action_items}", {"json": {"description": "x"}}),
        ("POST", "{publish}", {}),
    ]
    for caller in ("forum_member", "outsider", "anonymous", "website"):
        for method, template, kwargs in requests:
            answers = []
            for ids in (meeting, unknown):
                url = template.format(
                    minutes=ids.minutes_url,
                    item_minutes=ids.item_minutes_url(),
                    action_items=ids.action_items_url(),
                    publish=ids.publish_url,
                )
                response = await world.request(caller, method, url, **kwargs)
                answers.append((response.status_code, response.json()))
            # The public may write nothing at all (401/403 before any lookup); signed-in
            # users meet the same 404 as for an id that does not exist.
            if method == "GET" or caller in SIGNED_IN:
                assert answers[0][0] == 404
                assert answers[0][1]["code"] == "meeting_not_found"
            assert answers[0] == answers[1], (caller, method, template)
            assert meeting.id not in str(answers[0])
        for method in ("GET", "PATCH", "DELETE"):
            kwargs = {"json": {"status": "done"}, "headers": {"If-Match": "*"}}
            hidden, missing = [
                await world.request(
                    caller,
                    method,
                    f"/v1/action-items/{action_id}",
                    **(kwargs if method == "PATCH" else {}),
                )
                for action_id in (action, UNKNOWN_ID)
            ]
            assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
            if method == "GET" or caller in SIGNED_IN:
                assert_problem(hidden, 404, "action_item_not_found")
    stored = await load(world.engine, AgendaItem, meeting.item_ids[0])
    assert stored is not None
    assert stored.notes is None


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("member", 403),
        ("read_key", 403),
        ("anonymous", 401),
        ("website", 403),
    ],
)
async def test_only_managers_write_minutes(world: World, caller: str, status: int) -> None:
    meeting = await world.meeting("forum")
    written = await world.write_notes(meeting, caller=caller, notes="Mine")
    assert written.status_code == status, written.text
    added = await world.add_action(meeting, caller=caller)
    assert added.status_code == status, added.text
    published = await world.publish(meeting, caller=caller)
    assert published.status_code == status, published.text
    minutes = await world.read(meeting.minutes_url)
    assert minutes["status"] is None
    assert minutes["items"][0]["notes"] is None
    assert minutes["items"][0]["action_items"] == []


async def test_a_forum_member_without_coordination_is_refused_even_in_their_network(
    world: World,
) -> None:
    meeting = await world.meeting("forum")
    refused = await world.write_notes(meeting, caller="forum_member", notes="Mine")
    assert_problem(refused, 403, "forbidden")
    # Admins (users and write keys) and coordinators may.
    for caller in ("admin", "write_key"):
        response = await world.write_notes(meeting, caller=caller, notes=f"By {caller}")
        assert response.status_code == 200, response.text
    council = await world.meeting("council")
    response = await world.write_notes(council, caller="coordinator", notes="By the coordinator")
    assert response.status_code == 200, response.text
