"""Paths and methods: no redirect built from the client's `Host`, and HEAD wherever GET."""

import httpx
import pytest

from tests.factories import create_company, create_network
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
async def test_a_trailing_slash_is_not_found_and_never_redirected(
    client: httpx.AsyncClient, method: str
) -> None:
    await create_network(client)
    response = await client.request(
        method, "/v1/networks/", headers={"Host": "evil.example"}, json=None
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    if method != "HEAD":
        assert_problem(response, 404, "route_not_found")


async def test_head_answers_what_get_answers_without_the_body(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    for _ in range(2):
        await create_company(client)
    for url in (
        f"/v1/companies/{company['id']}",
        "/v1/companies?limit=1",
        "/health/live",
        "/openapi.json",
    ):
        got = await client.get(url)
        head = await client.head(url)
        assert head.status_code == got.status_code == 200, (url, head.text)
        assert head.content == b""
        for name in ("content-type", "content-length", "etag", "link"):
            assert head.headers.get(name) == got.headers.get(name), (url, name)
    assert (await client.head(f"/v1/companies/{company['id']}")).headers["etag"] == '"1"'


async def test_head_answers_get_s_problems_without_the_body(client: httpx.AsyncClient) -> None:
    missing = await client.head("/v1/companies/0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.content == b""


async def test_head_where_no_get_is_served_is_405(client: httpx.AsyncClient) -> None:
    response = await client.head("/v1/auth/token")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_allow_names_head_beside_get(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/companies")
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_the_openapi_document_lists_no_head_operations(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [path for path, operations in paths.items() if "head" in operations]
