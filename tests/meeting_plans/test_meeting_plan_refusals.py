"""Bad input and callers without the right get a clear problem, and nothing is written."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_network, create_person
from tests.helpers import UNKNOWN_ID, assert_problem, patch_current
from tests.meeting_plans.helpers import (
    Group,
    make_group,
    nobody,
    plan_url,
    post_plan,
    stored_meetings,
)

pytestmark = pytest.mark.usefixtures("backend")

ALL_ALONG = ("2020-01-01", None)


async def _group(client: httpx.AsyncClient, **network: Any) -> Group:
    return await make_group(client, members={"Alfa": ALL_ALONG}, **network)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.year"),
        ({"year": 1999}, "body.year"),
        ({"year": 2101}, "body.year"),
        ({"year": 2027, "weekday": "saturday"}, "body.weekday"),
        ({"year": 2027, "weekday": "sunday"}, "body.weekday"),
        ({"year": 2027, "start_time": "24:00"}, "body.start_time"),
        ({"year": 2027, "start_time": "9:00"}, "body.start_time"),
        ({"year": 2027, "duration_minutes": 14}, "body.duration_minutes"),
        ({"year": 2027, "duration_minutes": 721}, "body.duration_minutes"),
        ({"year": 2027, "time_zone": "Europe/" + "x" * 58}, "body.time_zone"),
        ({"year": 2027, "surprise": True}, "body.surprise"),
    ],
)
async def test_invalid_bodies_are_refused_on_their_field(
    client: httpx.AsyncClient, engine: AsyncEngine, body: dict[str, Any], field: str
) -> None:
    group = await _group(client)
    response = await client.post(plan_url(group.network_id), json=body)
    problem = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await stored_meetings(engine, group.network_id) == []


@pytest.mark.parametrize(
    "zone", ["Europe/Karlskrona", "../etc/passwd", "localtime", "CET ", "", "europe/oslo"]
)
async def test_an_unknown_time_zone_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, zone: str
) -> None:
    group = await _group(client)
    response = await post_plan(client, group.network_id, year=2027, time_zone=zone)
    problem = assert_problem(response, 422, "unknown_time_zone")
    assert [error["field"] for error in problem["errors"]] == ["body.time_zone"]
    assert await stored_meetings(engine, group.network_id) == []


async def test_a_start_time_the_clocks_skip_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # Egypt's summer time begins at midnight on the last Friday of April: on Friday
    # 30 April 2027, the second of four Friday visits, the clocks go from 00:00 to 01:00.
    group = await _group(client, with_municipality=False)
    body = {"year": 2027, "weekday": "friday", "time_zone": "Africa/Cairo"}
    for dry_run in (True, False):
        response = await post_plan(
            client, group.network_id, start_time="00:30", dry_run=dry_run, **body
        )
        problem = assert_problem(response, 422, "nonexistent_local_time")
        assert [error["field"] for error in problem["errors"]] == ["body.start_time"]
        assert "00:30 does not exist in Africa/Cairo on 2027-04-30" in problem["detail"]
    assert await stored_meetings(engine, group.network_id) == []

    # 01:00 exists (the first minute of summer time); the meetings keep their wall clock.
    answer = await post_plan(client, group.network_id, start_time="01:00", **body)
    assert answer.status_code == 201, answer.text
    assert [m["starts_at"] for m in answer.json()["meetings"]][:2] == [
        "2027-02-12T01:00:00+02:00",
        "2027-04-30T01:00:00+03:00",
    ]


async def test_an_archived_network_is_not_planned(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)
    archived = await patch_current(client, f"/v1/networks/{group.network_id}", status="archived")
    assert archived.status_code == 200, archived.text
    response = await post_plan(client, group.network_id, year=2027)
    assert_problem(response, 409, "network_archived")
    assert await stored_meetings(engine, group.network_id) == []


async def test_nothing_to_plan_without_meetings_or_municipality(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client, meetings_per_year=0, with_municipality=False)
    response = await post_plan(client, group.network_id, year=2027, dry_run=True)
    assert_problem(response, 409, "nothing_to_plan")
    assert await stored_meetings(engine, group.network_id) == []


async def test_more_meetings_than_open_days_are_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client, meetings_per_year=45)
    # 45 Thursdays in 2027 outside July and Christmas: the visits fit, the municipal
    # meeting does not.
    response = await post_plan(client, group.network_id, year=2027)
    problem = assert_problem(response, 409, "too_many_meetings")
    assert "46 meetings" in problem["detail"]
    assert await stored_meetings(engine, group.network_id) == []


async def test_an_unknown_network_is_404(client: httpx.AsyncClient) -> None:
    response = await post_plan(client, UNKNOWN_ID, year=2027)
    assert_problem(response, 404, "network_not_found")


async def test_only_managers_plan_and_hidden_networks_are_404(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    group = await _group(client)
    closed = await create_network(client, visibility="closed", meetings_per_year=4)
    # A member of the open network (its person works for the member company).
    member_person = await create_person(
        client, affiliations=[{"organisation_id": group.members["Alfa"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=member_person["id"])
    sibling_coordinator = await user_headers(application, coordinates=[closed["id"]])
    read_key = await api_key_headers(engine, ApiKeyScope.READ)
    website_key = await api_key_headers(engine, ApiKeyScope.PUBLIC)
    coordinator = await user_headers(application, coordinates=[group.network_id])
    body = {"year": 2027, "dry_run": True}
    url = plan_url(group.network_id)
    closed_url = plan_url(closed["id"])

    async with nobody(application) as http:
        assert_problem(await http.post(url, json=body), 401, "authentication_required")
        for headers in (member, sibling_coordinator):
            assert_problem(await http.post(url, json=body, headers=headers), 403, "forbidden")
        for headers in (read_key, website_key):
            assert_problem(
                await http.post(url, json=body, headers=headers), 403, "read_only_credentials"
            )
        # A closed network answers like an unknown one, before any question of rights
        # (anonymous callers and read-only keys are refused every change first).
        for headers in ({}, member, coordinator, website_key, read_key):
            unknown = await http.post(plan_url(UNKNOWN_ID), json=body, headers=headers)
            hidden = await http.post(closed_url, json=body, headers=headers)
            assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())
        for headers in (member, coordinator):
            hidden = await http.post(closed_url, json=body, headers=headers)
            assert_problem(hidden, 404, "network_not_found")
        assert await stored_meetings(engine, group.network_id) == []
        assert await stored_meetings(engine, closed["id"]) == []

        # The network's coordinator plans it, and the closed network's its own.
        planned = await http.post(url, json={"year": 2027}, headers=coordinator)
        assert planned.status_code == 201, planned.text
        own_closed = await http.post(closed_url, json={"year": 2027}, headers=sibling_coordinator)
    # It has no members yet: its four visits are planned, but skipped.
    assert own_closed.status_code == 200, own_closed.text
    assert [m["state"] for m in own_closed.json()["meetings"]] == ["skipped"] * 4


async def test_a_refused_idempotent_retry_is_not_replayed(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    group = await _group(client)
    member_company = await create_company(client)
    person = await create_person(
        client, affiliations=[{"organisation_id": member_company["id"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=person["id"])
    headers = {"Idempotency-Key": "k", **member}
    response = await client.post(plan_url(group.network_id), json={"year": 2027}, headers=headers)
    assert_problem(response, 403, "forbidden")
