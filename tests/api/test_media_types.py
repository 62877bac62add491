"""A body the route cannot read is refused before it is parsed: 415 for another media
type, 400 `malformed_json` for JSON that is not well formed, and nothing is written."""

import json
from collections.abc import Iterable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from app.api.routing import BodyReadingRoute
from tests.callers import PASSWORD, user_headers
from tests.factories import company_body
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def _company_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/companies", params={"limit": 200})).json()["items"])


_JSON = json.dumps(company_body()).encode()


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
    ids=["text", "xml", "form", "multipart", "none"],
)
async def test_a_json_route_refuses_other_media_types(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    # A body that is JSON all the same: the media type alone decides.
    request = client.build_request("POST", "/v1/companies", content=_JSON)
    if content_type is not None:
        request.headers["content-type"] = content_type
    assert request.headers.get("content-type") == content_type
    response = await client.send(request)
    problem = assert_problem(response, 415, "unsupported_media_type")
    assert "application/json" in problem["detail"]
    assert response.headers["accept"] == "application/json"
    assert await _company_count(client) == 0


async def test_a_patch_route_refuses_other_media_types(client: httpx.AsyncClient) -> None:
    created = (await client.post("/v1/companies", json=company_body())).json()
    response = await client.patch(
        f"/v1/companies/{created['id']}",
        content=b'{"employees": 5}',
        headers={"content-type": "text/plain", "If-Match": '"1"'},
    )
    assert_problem(response, 415, "unsupported_media_type")
    assert (await client.get(f"/v1/companies/{created['id']}")).json()["version"] == 1


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
async def test_json_and_its_suffix_types_are_read(
    client: httpx.AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/v1/companies",
        content=_JSON.replace(b"Test", b"Other"),
        headers={"content-type": content_type},
    )
    assert response.status_code == 201, response.text


async def test_sign_in_keeps_taking_its_form_and_refuses_json(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, application: FastAPI
) -> None:
    await user_headers(application, email="form@example.com")
    form = {"username": "form@example.com", "password": PASSWORD}
    signed_in = await anonymous_client.post("/v1/auth/token", data=form)
    assert signed_in.status_code == 200, signed_in.text
    unused_file = {"unused": ("unused.txt", b"")}
    multipart = await anonymous_client.post("/v1/auth/token", files=unused_file, data=form)
    assert multipart.request.headers["content-type"].startswith("multipart/form-data")
    assert multipart.status_code == 200, multipart.text
    refused = await anonymous_client.post("/v1/auth/token", json=form)
    assert_problem(refused, 415, "unsupported_media_type")
    assert refused.headers["accept"] == "application/x-www-form-urlencoded, multipart/form-data"


@pytest.mark.parametrize(
    "body",
    [
        b'{"legal_name": "\xff\xfe AS", "country": "NO"}',
        b'{"legal_name": "\\ud800", "country": "NO"}',
        b"[" * 10_000 + b"]" * 10_000,
        b'{"legal_name": "X AS", "employees": NaN}',
        b'{"legal_name": "X AS"} trailing',
        b"",
    ],
    ids=["invalid-utf-8", "lone-surrogate", "nested-10000", "nan", "trailing", "empty"],
)
async def test_malformed_json_is_a_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        "/v1/companies", content=body, headers={"content-type": "application/json"}
    )
    if body:
        assert_problem(response, 400, "malformed_json")
    else:
        # No body at all is a missing body, as without a media type.
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["field"] == "body"
    assert await _company_count(client) == 0


async def test_nesting_deep_but_within_the_limit_is_a_validation_problem(
    client: httpx.AsyncClient,
) -> None:
    nested = b"[" * 500 + b"]" * 500
    body = b'{"legal_name": ' + nested + b', "country": "NO"}'
    response = await client.post(
        "/v1/companies", content=body, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_failed")


def test_every_route_with_a_body_reads_it_through_klynges_route(application: FastAPI) -> None:
    # A router made from FastAPI's own class would take bodies of any media type again.
    with_body = [
        route
        for route in _api_routes(application.router.routes)
        if isinstance(route, APIRoute) and route.body_field is not None
    ]
    assert len(with_body) > 30
    assert [route.path for route in with_body if not isinstance(route, BodyReadingRoute)] == []


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _api_routes(included.routes) if included is not None else (route,)
