"""Dates and date-times lie between 1900-01-01 and 2200-12-31, wherever they enter: a
term starting 9998-03-01 (whose default end overflowed) or a reminder run as of
9999-12-18 answered 500. Outside the range: 422, nothing changed."""

from typing import Any

import httpx
import pytest

from app.api.types import FIRST_DAY, LAST_DAY
from tests.api.request_schemas import (
    CALENDAR_TYPES,
    body_models,
    core_schema_of,
    leaves,
    parameters,
)
from tests.factories import create_network, create_person, meeting_body
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


def _fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


@pytest.mark.parametrize("starts_on", ["9998-03-01", "2201-01-01", "1899-12-31", "0001-01-01"])
async def test_an_office_term_outside_the_calendar_is_refused(
    client: httpx.AsyncClient, starts_on: str
) -> None:
    network = await create_network(client)
    person = await create_person(client)
    url = f"/v1/networks/{network['id']}/offices"
    response = await client.post(
        url, json={"person_id": person["id"], "office": "chair", "starts_on": starts_on}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.starts_on"]
    assert (await fetch(client, url))["items"] == []


@pytest.mark.parametrize("starts_on", [str(FIRST_DAY), str(LAST_DAY)])
async def test_the_first_and_last_day_are_accepted(
    client: httpx.AsyncClient, starts_on: str
) -> None:
    network = await create_network(client)
    person = await create_person(client)
    response = await client.post(
        f"/v1/networks/{network['id']}/offices",
        json={"person_id": person["id"], "office": "chair", "starts_on": starts_on},
    )
    assert response.status_code == 201, response.text


async def test_a_reminder_run_outside_the_calendar_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/reminder-runs", json={"as_of": "9999-12-18"})
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.as_of"]


async def test_a_date_in_a_query_outside_the_calendar_is_refused(
    client: httpx.AsyncClient,
) -> None:
    network = await create_network(client)
    response = await client.get(
        f"/v1/networks/{network['id']}/offices", params={"on": "9999-12-31"}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["query.on"]


@pytest.mark.parametrize(
    "starts_at", ["2500-03-11T09:00:00+01:00", "9999-12-31T23:59:59-23:59", "1899-12-31T09:00"]
)
async def test_a_meeting_outside_the_calendar_is_refused(
    client: httpx.AsyncClient, starts_at: str
) -> None:
    network = await create_network(client)
    body = meeting_body(network["id"], starts_at=starts_at)
    response = await client.post("/v1/meetings", json=body)
    problem = assert_problem(response, 422, "validation_failed")
    assert "body.starts_at" in _fields(problem)
    assert (await fetch(client, "/v1/meetings"))["items"] == []


async def test_an_api_key_expiring_outside_the_calendar_is_refused(
    client: httpx.AsyncClient,
) -> None:
    before = await fetch(client, "/v1/api-keys")
    response = await client.post(
        "/v1/api-keys",
        json={"name": "Website", "scopes": ["read"], "expires_at": "2500-01-01T00:00:00Z"},
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.expires_at"]
    assert await fetch(client, "/v1/api-keys") == before


async def test_an_audit_filter_outside_the_calendar_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/audit-events", params={"occurred_after": "0001-01-01T00:00:00+01:00"}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["query.occurred_after"]


def test_the_openapi_document_states_the_range(application: Any) -> None:
    schemas = application.openapi()["components"]["schemas"]
    starts_on = schemas["OfficeTermCreate"]["properties"]["starts_on"]
    assert starts_on["format"] == "date"
    assert starts_on["pattern"].startswith("^(19")


def test_every_date_that_enters_is_in_the_calendar_range(application: Any) -> None:
    """Guard: each date and date-time of a request body or parameter goes through
    `app.api.types.in_calendar` (IsoDate, or a type made by `iso_date_time`)."""
    unchecked = [
        f"{leaf.where} ({leaf.schema['type']})"
        for where, field in [*body_models(application), *parameters(application)]
        for leaf in leaves(core_schema_of(field), where)
        if leaf.schema.get("type") in CALENDAR_TYPES and not leaf.in_calendar
    ]
    assert unchecked == []
