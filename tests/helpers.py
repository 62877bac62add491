"""Small helpers shared by the API tests."""

from typing import Any

import httpx

# A well-formed id that names nothing.
UNKNOWN_ID = "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10"


async def fetch(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """GET `url`, assert 200 and return the JSON body."""
    response = await client.get(url)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def patch_current(client: httpx.AsyncClient, url: str, **changes: Any) -> httpx.Response:
    """PATCH `url` with `changes`, If-Match its current version."""
    current = await fetch(client, url)
    return await client.patch(url, json=changes, headers={"If-Match": f'"{current["version"]}"'})


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json answer with `status` and `code`; return the problem."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code
    return problem


def next_link(response: httpx.Response) -> str | None:
    """The target of the `Link: <url>; rel="next"` header (RFC 8288), or None without one."""
    link = response.headers.get("link")
    if link is None:
        return None
    url, rel = link.split(";")
    assert (url[:1], url[-1:], rel) == ("<", ">", ' rel="next"'), link
    return url[1:-1]
