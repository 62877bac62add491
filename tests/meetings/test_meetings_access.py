"""Who sees and who changes meetings: a closed network's meetings are for its members,
its coordinators and the secretariat; everyone else gets the answer an unknown id gets.
Changes are for admins and the network's coordinators."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import MEETING_DAY, create_meeting, create_network, meeting_body
from tests.helpers import UNKNOWN_ID, fetch
from tests.meetings.helpers import meeting_url, member_headers

pytestmark = pytest.mark.usefixtures("backend")


@dataclass
class Scene:
    http: httpx.AsyncClient  # no credentials of its own
    forum: dict[str, Any]  # an open network
    council: dict[str, Any]  # a closed one
    open_meeting: dict[str, Any]
    closed_meeting: dict[str, Any]
    headers: dict[str, dict[str, str]]

    async def call(self, caller: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers[caller], **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def listed(self, caller: str, **params: Any) -> list[str]:
        response = await self.call(caller, "GET", "/v1/meetings", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]


@pytest.fixture
async def scene(client: httpx.AsyncClient, application: FastAPI) -> AsyncIterator[Scene]:
    engine = application.state.engine
    forum = await create_network(client, name="Offshore forum", visibility="open")
    council = await create_network(client, name="Secret council", visibility="closed")
    open_meeting = await create_meeting(client, forum["id"], title="Forum meeting")
    closed_meeting = await create_meeting(
        client,
        council["id"],
        title="Council meeting",
        starts_at=f"{MEETING_DAY + timedelta(days=1)}T09:00:00+01:00",
        ends_at=f"{MEETING_DAY + timedelta(days=1)}T12:00:00+01:00",
    )
    headers = {
        "anonymous": {},
        "website": await api_key_headers(engine, ApiKeyScope.PUBLIC),
        "read_key": await api_key_headers(engine, ApiKeyScope.READ),
        "council_member": await member_headers(application, client, council["id"]),
        "forum_member": await member_headers(application, client, forum["id"]),
        "council_coordinator": await user_headers(application, coordinates=[council["id"]]),
        "forum_coordinator": await user_headers(application, coordinates=[forum["id"]]),
        "admin": await user_headers(application, is_admin=True),
    }
    # A client of its own, without the secretariat's key that `client` carries.
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as http:
        yield Scene(http, forum, council, open_meeting, closed_meeting, headers)


SEES_COUNCIL = {"council_member", "council_coordinator", "read_key", "admin"}
OUTSIDERS = {"anonymous", "website", "forum_member", "forum_coordinator"}


@pytest.mark.parametrize("caller", sorted(SEES_COUNCIL | OUTSIDERS))
async def test_who_sees_a_closed_networks_meetings(scene: Scene, caller: str) -> None:
    closed_id = scene.closed_meeting["id"]
    everything = await scene.listed(caller, include="network,host")
    by_council = await scene.listed(caller, network_id=scene.council["id"])
    one = await scene.call(caller, "GET", meeting_url(scene.closed_meeting))
    if caller in SEES_COUNCIL:
        assert everything == [scene.open_meeting["id"], closed_id]
        assert by_council == [closed_id]
        assert one.status_code == 200, one.text
        assert one.json()["title"] == "Council meeting"
    else:
        assert everything == [scene.open_meeting["id"]]
        assert by_council == []
        unknown = await scene.call(caller, "GET", f"/v1/meetings/{UNKNOWN_ID}")
        assert (one.status_code, one.json()) == (404, unknown.json())
        assert "Secret council" not in one.text
        assert scene.council["id"] not in one.text
    # Everyone sees the open network's meetings.
    seen = await scene.call(
        caller, "GET", meeting_url(scene.open_meeting), params={"include": "network"}
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["network"]["name"] == "Offshore forum"


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        # No change at all without credentials, or with read-only ones (the floor under
        # every change, before any lookup).
        ("anonymous", 401),
        ("website", 403),
        ("read_key", 403),
        # Signed-in outsiders do not see the meeting: it does not exist for them.
        ("forum_member", 404),
        ("forum_coordinator", 404),
        ("council_member", 403),
        ("council_coordinator", 200),
        ("admin", 200),
    ],
)
async def test_who_changes_a_closed_networks_meeting(
    scene: Scene, client: httpx.AsyncClient, caller: str, expected: int
) -> None:
    url = meeting_url(scene.closed_meeting)
    changed = await scene.call(
        caller, "PATCH", url, json={"title": "Taken over"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == expected, changed.text
    if expected == 404:
        unknown = await scene.call(
            caller,
            "PATCH",
            f"/v1/meetings/{UNKNOWN_ID}",
            json={"title": "Taken over"},
            headers={"If-Match": '"1"'},
        )
        assert changed.json() == unknown.json()
    # Without If-Match, visibility and rights still answer first: 428 only for managers.
    unconditional = await scene.call(caller, "PATCH", url, json={"title": "Again"})
    assert unconditional.status_code == (expected if expected != 200 else 428)
    deleted = await scene.call(caller, "DELETE", url, headers={"If-Match": '"0"'})
    assert deleted.status_code == (expected if expected != 200 else 412)
    stored = await fetch(client, url)
    assert stored["title"] == ("Taken over" if expected == 200 else "Council meeting")


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("website", 403),
        ("read_key", 403),
        ("forum_member", 403),
        ("council_member", 403),
        ("council_coordinator", 403),
        ("forum_coordinator", 204),
    ],
)
async def test_who_changes_an_open_networks_meeting(
    scene: Scene, client: httpx.AsyncClient, caller: str, status: int
) -> None:
    url = meeting_url(scene.open_meeting)
    refused_or_done = await scene.call(caller, "DELETE", url)
    assert refused_or_done.status_code == status, refused_or_done.text
    left = await client.get(url)
    assert left.status_code == (404 if status == 204 else 200)


@pytest.mark.parametrize(
    ("caller", "network", "status"),
    [
        ("anonymous", "forum", 401),
        ("anonymous", "council", 401),
        ("website", "council", 403),
        ("read_key", "council", 403),
        ("forum_coordinator", "council", 404),
        ("forum_coordinator", "forum", 201),
        ("council_member", "council", 403),
        ("council_coordinator", "forum", 403),
        ("council_coordinator", "council", 201),
    ],
)
async def test_who_plans_meetings(
    scene: Scene, client: httpx.AsyncClient, caller: str, network: str, status: int
) -> None:
    network_id = getattr(scene, network)["id"]
    body = meeting_body(network_id, title="Planned by someone")
    response = await scene.call(caller, "POST", "/v1/meetings", json=body)
    assert response.status_code == status, response.text
    if status == 404:
        assert response.json()["code"] == "network_not_found"
        assert "Secret council" not in response.text
    titles = [
        item["title"]
        for item in (await client.get("/v1/meetings", params={"network_id": network_id})).json()[
            "items"
        ]
    ]
    assert ("Planned by someone" in titles) == (status == 201)
