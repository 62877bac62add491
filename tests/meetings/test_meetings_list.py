"""Listing meetings: upcoming by default in time order, filters, ranges, keyset pages,
includes."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import MEETING_DAY, NEXT_YEAR, create_company, create_meeting, create_network
from tests.helpers import fetch, next_link
from tests.meetings.helpers import meeting_at, set_status

pytestmark = pytest.mark.usefixtures("backend")


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/meetings", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_the_default_is_upcoming_meetings_soonest_first(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    # Created out of order, so the order comes from the times.
    in_a_month = await meeting_at(client, network, timedelta(days=30))
    long_ago = await meeting_at(client, network, timedelta(days=-400))
    tomorrow = await meeting_at(client, network, timedelta(days=1))
    ended_an_hour_ago = await meeting_at(client, network, timedelta(hours=-3), hours=2)
    under_way = await meeting_at(client, network, timedelta(hours=-1), hours=2)

    assert await _ids(client) == [under_way["id"], tomorrow["id"], in_a_month["id"]]
    assert await _ids(client, sort="-starts_at") == [
        in_a_month["id"],
        tomorrow["id"],
        under_way["id"],
    ]
    everything = [long_ago, ended_an_hour_ago, under_way, tomorrow, in_a_month]
    assert await _ids(client, include_past="true") == [item["id"] for item in everything]
    assert await _ids(client, include_past="false") == await _ids(client)


async def test_a_time_range_includes_the_past_unless_told_not_to(
    client: httpx.AsyncClient,
) -> None:
    network = (await create_network(client))["id"]
    january = await create_meeting(
        client, network, starts_at="2025-01-09T09:00:00+01:00", ends_at="2025-01-09T12:00:00+01:00"
    )
    february = await create_meeting(
        client, network, starts_at="2025-02-06T09:00:00+01:00", ends_at="2025-02-06T12:00:00+01:00"
    )
    next_year = await create_meeting(client, network)  # on MEETING_DAY, next year

    assert await _ids(client, starts_after="2025-01-01T00:00:00+01:00") == [
        january["id"],
        february["id"],
        next_year["id"],
    ]
    # `starts_after` is inclusive, `starts_before` exclusive: 09:00 Oslo is 08:00 UTC.
    assert await _ids(client, starts_after="2025-02-06T08:00:00Z") == [
        february["id"],
        next_year["id"],
    ]
    assert await _ids(client, starts_before="2025-02-06T08:00:00Z") == [january["id"]]
    window = {
        "starts_after": "2025-01-01T00:00:00Z",
        "starts_before": f"{NEXT_YEAR + 1}-01-01T00:00:00Z",
    }
    assert await _ids(client, **window, include_past="false") == [next_year["id"]]


async def test_filters(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    forum, council = (await create_network(client))["id"], (await create_network(client))["id"]
    host = await create_company(client)
    regular = await create_meeting(client, forum)
    event = await create_meeting(
        client,
        forum,
        kind="event",
        host_organisation_id=host["id"],
        starts_at=f"{NEXT_YEAR}-04-08T09:00:00",
        ends_at=f"{NEXT_YEAR}-04-08T12:00:00",
    )
    other = await create_meeting(client, council)
    await set_status(engine, event["id"], "confirmed")

    assert await _ids(client, network_id=forum) == [regular["id"], event["id"]]
    assert await _ids(client, network_id=council) == [other["id"]]
    assert await _ids(client, kind="event") == [event["id"]]
    assert await _ids(client, kind="municipal") == []
    assert await _ids(client, status="confirmed") == [event["id"]]
    assert await _ids(client, status="planned", network_id=forum) == [regular["id"]]
    assert await _ids(client, host_organisation_id=host["id"]) == [event["id"]]


async def test_keyset_pages_follow_the_link_header(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    # Three share a start time, so the id tie-breaker has to carry the pages.
    on_the_day = f"{MEETING_DAY}T09:00:00+01:00"
    january, may = f"{NEXT_YEAR}-01-14T09:00:00+01:00", f"{NEXT_YEAR}-05-06T09:00:00+02:00"
    starts = [on_the_day] * 3 + [january, may]
    for starts_at in starts:
        await create_meeting(
            client, network, starts_at=starts_at, ends_at=f"{NEXT_YEAR}-06-01T00:00:00Z"
        )
    everything = (await client.get("/v1/meetings", params={"limit": 200})).json()["items"]
    assert [item["starts_at"] for item in everything] == [
        january,
        *[on_the_day] * 3,
        may,
    ]

    for sort, expected in (("starts_at", everything), ("-starts_at", everything[::-1])):
        seen: list[dict[str, Any]] = []
        url: str | None = f"/v1/meetings?limit=2&sort={sort}&network_id={network}"
        pages = 0
        while url is not None:
            response = await client.get(url)
            assert response.status_code == 200, response.text
            pages += 1
            seen.extend(response.json()["items"])
            url = next_link(response)
            assert (url is None) == (response.json()["next_cursor"] is None)
        assert pages == 3
        assert seen == expected


async def test_include_embeds_the_network_and_the_host(client: httpx.AsyncClient) -> None:
    network = await create_network(client, name="GIC Offshore forum")
    host = await create_company(client, display_name="Aker Solutions")
    meeting = await create_meeting(client, network["id"], host_organisation_id=host["id"])
    await create_meeting(
        client,
        network["id"],
        starts_at=f"{NEXT_YEAR}-04-08T09:00:00",
        ends_at=f"{NEXT_YEAR}-04-08T12:00:00",
    )

    plain = (await client.get("/v1/meetings")).json()["items"][0]
    assert (plain["network"], plain["host"]) == (None, None)

    params = {"include": "network,host"}
    listed = (await client.get("/v1/meetings", params=params)).json()["items"]
    single = await fetch(client, f"/v1/meetings/{meeting['id']}?include=network,host")
    assert listed[0] == single
    assert single["network"] == {
        "id": network["id"],
        "slug": network["slug"],
        "name": "GIC Offshore forum",
        "visibility": "open",
        "status": "active",
    }
    assert single["host"]["id"] == host["id"]
    assert single["host"]["display_name"] == "Aker Solutions"
    # The meeting without a host embeds none.
    assert listed[1]["host"] is None
    assert listed[1]["network"]["id"] == network["id"]


async def test_bad_list_parameters_are_problems(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    for _ in range(2):
        await create_meeting(client, network)
    first = await client.get("/v1/meetings", params={"limit": 1, "sort": "-starts_at"})
    other_sort_cursor = first.json()["next_cursor"]
    for params, status, code in [
        ({"cursor": "not-a-cursor"}, 400, "invalid_cursor"),
        ({"cursor": other_sort_cursor}, 400, "invalid_cursor"),
        ({"include": "network,participants"}, 422, "validation_failed"),
        ({"sort": "title"}, 422, "validation_failed"),
        ({"status": "postponed"}, 422, "validation_failed"),
        ({"kind": "party"}, 422, "validation_failed"),
        ({"include_past": "perhaps"}, 422, "validation_failed"),
        ({"starts_after": f"{NEXT_YEAR}-01-01T00:00:00"}, 422, "validation_failed"),
        ({"starts_before": f"{NEXT_YEAR}-01-01"}, 422, "validation_failed"),
        ({"network_id": "not-an-id"}, 422, "validation_failed"),
    ]:
        response = await client.get("/v1/meetings", params=params)
        assert response.status_code == status, params
        assert response.json()["code"] == code
