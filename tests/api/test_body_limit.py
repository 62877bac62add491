"""Request bodies have a size limit, enforced before they are read whole: a declared
`Content-Length` over it is refused at once, and a chunked body as soon as it passes it."""

from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

MB = 1024 * 1024
CHUNK = 64 * 1024
JSON = "application/json"


class CountedBody:
    """A streamed request body of `total` bytes (JSON whitespace after a small object)
    that counts how many of its chunks the server asked for."""

    def __init__(self, total: int, prefix: bytes = b"{}") -> None:
        self.total = total
        self.prefix = prefix
        self.chunks_sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.total:
            chunk = self.prefix if sent == 0 else b" " * min(CHUNK, self.total - sent)
            sent += len(chunk)
            self.chunks_sent += 1
            yield chunk


async def _company_count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/v1/companies", params={"limit": 200})).json()["items"])


async def test_a_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient,
) -> None:
    body = CountedBody(50 * MB)
    response = await client.post(
        "/v1/companies",
        content=body,
        headers={"content-type": "application/json", "content-length": str(50 * MB)},
    )
    problem = assert_problem(response, 413, "body_too_large")
    assert problem["max_body_bytes"] == MB
    assert body.chunks_sent <= 1, "the body was read although its length was refused"
    assert await _company_count(client) == 0


async def test_a_chunked_body_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    body = CountedBody(50 * MB, prefix=b'{"legal_name": "X AS"')
    request = client.build_request(
        "POST", "/v1/companies", content=body, headers={"content-type": "application/json"}
    )
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    response = await client.send(request)
    assert_problem(response, 413, "body_too_large")
    # Read up to the limit and not a chunk more than it takes to pass it.
    assert body.chunks_sent <= MB // CHUNK + 2
    assert await _company_count(client) == 0


async def test_a_body_within_the_limit_is_read(client: httpx.AsyncClient) -> None:
    # Just under the limit, chunked and declared: parsed, and refused only by validation.
    for headers in ({}, {"content-length": str(MB)}):
        response = await client.post(
            "/v1/companies",
            content=CountedBody(MB),
            headers={"content-type": "application/json", **headers},
        )
        assert_problem(response, 422, "validation_failed")


async def test_a_route_without_a_body_refuses_a_large_one_too(client: httpx.AsyncClient) -> None:
    response = await client.request(
        "GET",
        "/v1/companies",
        content=CountedBody(2 * MB),
        headers={"content-length": str(2 * MB)},
    )
    assert_problem(response, 413, "body_too_large")


async def test_sign_in_forms_have_the_limit_too(anonymous_client: httpx.AsyncClient) -> None:
    body = CountedBody(2 * MB, prefix=b"username=a%40b.test&password=")
    response = await anonymous_client.post(
        "/v1/auth/token",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 413, "body_too_large")


async def test_bank_files_have_their_own_larger_limit(client: httpx.AsyncClient) -> None:
    # 3 MB is more than other bodies may be, and within what a bank file may be: it is
    # read (an empty file is a validation problem).
    for headers in ({}, {"content-length": str(3 * MB)}):
        response = await client.post(
            "/v1/payments/batches",
            content=CountedBody(3 * MB, prefix=b'{"payments": []}'),
            headers={"content-type": "application/json", **headers},
        )
        assert_problem(response, 422, "validation_failed")
    for headers in ({}, {"content-length": str(50 * MB)}):
        body = CountedBody(50 * MB, prefix=b'{"payments": []}')
        response = await client.post(
            "/v1/payments/batches",
            content=body,
            headers={"content-type": "application/json", **headers},
        )
        problem = assert_problem(response, 413, "body_too_large")
        assert problem["max_body_bytes"] == 10 * MB
        assert body.chunks_sent <= 10 * MB // CHUNK + 2


async def test_the_limits_are_settings(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        environment="test",
        log_json=False,
        max_body_bytes=2000,
        max_bank_file_bytes=5000,
    )
    application: FastAPI = create_app(settings)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)

    def post(url: str, size: int) -> Awaitable[httpx.Response]:
        # A JSON object of `size` bytes: {} and whitespace.
        body = b"{}" + b" " * (size - 2)
        return http.post(url, content=body, headers={"content-type": JSON})

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as http:
            small = await post("/v1/companies", 2001)
            assert assert_problem(small, 413, "body_too_large")["max_body_bytes"] == 2000
            bank = await post("/v1/payments/batches", 5001)
            assert assert_problem(bank, 413, "body_too_large")["max_body_bytes"] == 5000
            # Within the limit, the request goes on (to the credentials check).
            within = await post("/v1/payments/batches", 4000)
            assert within.status_code == 401, within.text
    finally:
        await application.state.engine.dispose()
