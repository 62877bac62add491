"""Every failure is an RFC 9457 problem document with a stable code, never a trace."""

import logging
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/companies", content=b'{"legal_name": ', headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 400, "malformed_json")
    assert problem.keys() >= PROBLEM_KEYS
    assert (await client.get("/v1/companies")).json()["items"] == []


async def test_validation_problem_lists_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/companies", json={"legal_name": "", "country": "DK", "employees": -1}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    fields = {error["field"] for error in problem["errors"]}
    assert {"body.legal_name", "body.country", "body.employees", "body.organisation_number"} <= (
        fields
    )


async def test_unknown_field_is_refused_not_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/companies",
        json={"legal_name": "X AS", "country": "NO", "organisation_number": "1", "id": "x"},
    )
    assert response.status_code == 422
    assert "body.id" in {error["field"] for error in response.json()["errors"]}


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "route_not_found"
    wrong_method = await client.put("/v1/companies")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert wrong_method.headers["Allow"] == "GET, HEAD, POST"
    # Every method of the path, across routes of different routers.
    order = await client.patch(f"/v1/meetings/{uuid.uuid4()}/agenda-items/order")
    assert order.status_code == 405
    assert order.headers["Allow"] == "PUT"
    ics = await client.delete(f"/v1/meetings/{uuid.uuid4()}.ics")
    assert ics.status_code == 405
    assert ics.headers["Allow"] == "GET, HEAD"


async def test_bad_uuid_in_path_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/companies/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.company_id"


async def test_unexpected_error_is_500_without_internals(
    application: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "internal detail that must not leak"

    async def explode() -> None:
        raise RuntimeError(secret)

    application.add_api_route("/test-only/explode", explode)
    try:
        with caplog.at_level(logging.ERROR):
            response = await client.get("/test-only/explode")
    finally:
        application.router.routes.pop()
    assert_problem(response, 500, "internal_error")
    assert secret not in response.text
    assert "Traceback" not in response.text
