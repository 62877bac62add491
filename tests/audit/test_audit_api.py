"""GET /v1/audit-events: the secretariat's, filtered, keyset-paginated, newest first."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.audit.models import AuditEvent
from app.auth.models import ApiKeyScope
from app.db import create_sessionmaker, utcnow
from tests.audit.helpers import audit_events, created_id
from tests.callers import api_key_headers, user_headers
from tests.factories import company_body, create_company
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, next_link, patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def _pages(client: httpx.AsyncClient, url: str) -> list[list[dict[str, Any]]]:
    """Follow `Link: rel="next"` from `url`; the items of each page."""
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        next_url = next_link(response)
        assert (next_url is None) == (body["next_cursor"] is None)
    return pages


async def test_pages_follow_each_other_newest_first(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    url = f"/v1/companies/{company['id']}"
    for employees in (1, 2, 3, 4):
        assert (await patch_current(client, url, employees=employees)).status_code == 200
    query = f"/v1/audit-events?resource_id={company['id']}&limit=2"

    pages = await _pages(client, query)
    assert [len(page) for page in pages] == [2, 2, 1]
    events = [event for page in pages for event in page]
    assert [event["action"] for event in events] == ["update"] * 4 + ["create"]
    assert [event["after"].get("employees") for event in events[:4]] == [4, 3, 2, 1]
    times = [event["occurred_at"] for event in events]
    assert times == sorted(times, reverse=True)

    oldest_first = [e for page in await _pages(client, query + "&sort=occurred_at") for e in page]
    assert oldest_first == events[::-1]


async def test_a_cursor_belongs_to_its_sort_order(client: httpx.AsyncClient) -> None:
    await create_company(client)
    await create_company(client)
    first = await fetch(client, "/v1/audit-events?limit=1")
    response = await client.get(
        "/v1/audit-events",
        params={"limit": 1, "cursor": first["next_cursor"], "sort": "occurred_at"},
    )
    assert_problem(response, 400, "invalid_cursor")


async def test_filters(client: httpx.AsyncClient, application: FastAPI) -> None:
    key_id = await created_id(client, "api_keys")
    first = await create_company(client)
    headers = await user_headers(application, is_admin=True)
    user_id = await created_id(client, "users")
    second = (
        await client.post("/v1/companies", json=company_body(employees=5), headers=headers)
    ).json()

    companies = await audit_events(client, resource_type="organisations")
    assert [event["resource_id"] for event in companies] == [second["id"], first["id"]]
    assert await audit_events(client, resource_id=first["id"]) == companies[1:]
    assert await audit_events(client, actor_type="user") == companies[:1]
    assert await audit_events(client, actor_id=user_id) == companies[:1]
    assert await audit_events(client, actor_type="api_key") == companies[1:]
    assert await audit_events(client, actor_id=key_id) == companies[1:]
    system = await audit_events(client, actor_type="system")
    assert {event["resource_type"] for event in system} == {"api_keys", "users"}
    assert all(event["actor_id"] is None for event in system)
    assert await audit_events(client, action="delete") == []
    assert await audit_events(client, resource_type="people") == []

    # A half-open window: occurred_after inclusive, occurred_before exclusive.
    at = companies[0]["occurred_at"]
    assert companies[0] in await audit_events(client, occurred_after=at)
    assert companies[0] not in await audit_events(client, occurred_before=at)
    assert (
        await audit_events(
            client,
            resource_type="organisations",
            occurred_after=companies[1]["occurred_at"],
            occurred_before=at,
        )
        == companies[1:]
    )
    # Offsets are honoured: the same instant written in another zone.
    assert (
        await audit_events(
            client, resource_type="organisations", occurred_after="2000-01-01T01:00:00+01:00"
        )
        == companies
    )
    assert await audit_events(client, occurred_before="2000-01-01T00:00:00Z") == []
    # The calendar's first and last days (outside them: 422, see tests/api/test_date_range).
    assert len(await audit_events(client, occurred_after="1900-01-01T00:00:00+01:00")) == len(
        await audit_events(client)
    )
    assert await audit_events(client, occurred_after="2200-12-31T23:59:59-01:00") == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("occurred_after", "2026-01-01T00:00:00"),  # no offset: which instant?
        ("occurred_before", "2026-01-01"),
        ("occurred_after", "1767225600"),  # a Unix time
        ("actor_type", "robot"),
        ("action", "archive"),
        ("actor_id", "not-a-uuid"),
        ("sort", "created_at"),
    ],
)
async def test_bad_filters_are_refused(client: httpx.AsyncClient, name: str, value: str) -> None:
    response = await client.get("/v1/audit-events", params={name: value})
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == f"query.{name}"


async def test_one_event_by_id(client: httpx.AsyncClient) -> None:
    await create_company(client)
    (event,) = await audit_events(client, resource_type="organisations")
    assert await fetch(client, f"/v1/audit-events/{event['id']}") == event
    assert_problem(await client.get(f"/v1/audit-events/{UNKNOWN_ID}"), 404, "audit_event_not_found")


async def test_only_the_secretariat_reads_the_trail(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    await create_company(client)
    (event,) = await audit_events(client, resource_type="organisations")
    member = await user_headers(application)
    website = await api_key_headers(engine, ApiKeyScope.PUBLIC)
    readers = [
        await api_key_headers(engine, ApiKeyScope.READ),
        await user_headers(application, is_admin=True),
    ]
    # `client` and `anonymous_client` are one client; this one carries no credentials.
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as bare:
        for url in ("/v1/audit-events", f"/v1/audit-events/{event['id']}"):
            assert_problem(await bare.get(url), 401, "authentication_required")
            assert_problem(await bare.get(url, headers=member), 403, "forbidden")
            assert_problem(await bare.get(url, headers=website), 403, "forbidden")
            for headers in readers:
                response = await bare.get(url, headers=headers)
                assert response.status_code == 200, response.text
    # Nobody writes to the trail through the API.
    assert (await client.post("/v1/audit-events", json={})).status_code == 405
    assert (await client.delete(f"/v1/audit-events/{event['id']}")).status_code == 405


async def _statements_for_page(client: httpx.AsyncClient, count_queries: Any) -> int:
    with count_queries() as log:
        response = await client.get("/v1/audit-events", params={"limit": 50})
    assert response.status_code == 200
    return int(log.count)


async def test_statement_count_does_not_grow_with_events(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any
) -> None:
    # The key's creation is the one event so far.
    one_event = await _statements_for_page(client, count_queries)
    async with create_sessionmaker(engine).begin() as session:
        session.add_all(
            AuditEvent(
                occurred_at=utcnow(),
                actor_type="system",
                action="update",
                resource_type="organisations",
                resource_id=str(number),
                before={"employees": number},
                after={"employees": number + 1},
            )
            for number in range(49)
        )
    fifty_events = await _statements_for_page(client, count_queries)
    assert fifty_events == one_event
    assert len((await fetch(client, "/v1/audit-events?limit=50"))["items"]) == 50
    assert one_event <= 2  # the caller's API key, the page
