"""Keyset pagination: stable order across pages, cursors, Link headers."""

import base64

import httpx
import orjson
import pytest

from tests.factories import create_company
from tests.helpers import assert_problem, next_link

pytestmark = pytest.mark.usefixtures("backend")


async def _walk(client: httpx.AsyncClient, url: str, **params: object) -> list[list[str]]:
    pages: list[list[str]] = []
    response = await client.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["display_name"] for item in body["items"]])
        link = next_link(response)
        if body["next_cursor"] is None:
            assert link is None
            return pages
        assert link is not None
        # Following the Link header gives the same page as passing the cursor.
        response = await client.get(link)
        by_cursor = await client.get(url, params={**params, "cursor": body["next_cursor"]})
        assert response.json() == by_cursor.json()


async def test_pages_cover_every_row_once_in_order(client: httpx.AsyncClient) -> None:
    names = [f"Company {letter}" for letter in "GCAEBFD"]
    for name in names:
        await create_company(client, legal_name=name, display_name=name)

    pages = await _walk(client, "/v1/companies", limit=3)
    assert pages == [
        ["Company A", "Company B", "Company C"],
        ["Company D", "Company E", "Company F"],
        ["Company G"],
    ]
    descending = await _walk(client, "/v1/companies", limit=4, sort="-name")
    assert descending == [
        ["Company G", "Company F", "Company E", "Company D"],
        ["Company C", "Company B", "Company A"],
    ]


async def test_equal_sort_values_are_ordered_by_id(client: httpx.AsyncClient) -> None:
    for _ in range(5):
        await create_company(client, display_name="Same Name")
    pages = await _walk(client, "/v1/companies", limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    response = await client.get("/v1/companies", params={"limit": 5})
    ids = [item["id"] for item in response.json()["items"]]
    paged_ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/v1/companies", params=params)).json()
        paged_ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert paged_ids == ids
    assert len(set(ids)) == 5


async def test_cursor_from_another_sort_is_refused(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await create_company(client)
    first = (await client.get("/v1/companies", params={"limit": 1})).json()
    response = await client.get(
        "/v1/companies", params={"limit": 1, "sort": "-created_at", "cursor": first["next_cursor"]}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("cursor", ["garbage", "W1siYSJd", "%%%", "eyJ4Ijog"])
async def test_garbage_cursor_is_a_400(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.get("/v1/companies", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_limit_out_of_range_is_refused(client: httpx.AsyncClient, limit: int) -> None:
    response = await client.get("/v1/companies", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


async def test_unknown_sort_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/companies", params={"sort": "password"})
    assert response.status_code == 422


async def test_paging_by_creation_time_in_both_directions(client: httpx.AsyncClient) -> None:
    created = [await create_company(client) for _ in range(5)]
    names = [company["display_name"] for company in created]
    assert await _walk(client, "/v1/companies", limit=2, sort="created_at") == [
        names[0:2],
        names[2:4],
        names[4:],
    ]
    newest_first = list(reversed(names))
    assert await _walk(client, "/v1/companies", limit=2, sort="-created_at") == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:],
    ]


def _cursor(*parts: object) -> str:
    """A cursor built as `encode_cursor` builds one, from any JSON values."""
    return base64.urlsafe_b64encode(orjson.dumps(list(parts))).decode().rstrip("=")


_ID = "0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10"

_TAMPERED_CURSORS = {
    # The id that breaks ties: not a string.
    "id-number": ("/v1/companies", _cursor("name", "A", 123)),
    "id-list": ("/v1/companies", _cursor("name", "A", [_ID])),
    "id-object": ("/v1/companies", _cursor("name", "A", {"id": _ID})),
    "id-null": ("/v1/companies", _cursor("name", "A", None)),
    "id-bool": ("/v1/companies", _cursor("name", "A", True)),
    # The sort value: of another JSON type than the column's.
    "text-list": ("/v1/companies", _cursor("name", ["A"], _ID)),
    "text-number": ("/v1/companies", _cursor("name", 7, _ID)),
    "text-null": ("/v1/companies", _cursor("name", None, _ID)),
    "integer-text": ("/v1/fee-schedules", _cursor("-year", "2026", _ID)),
    "integer-float": ("/v1/fee-schedules", _cursor("-year", 2026.5, _ID)),
    "integer-bool": ("/v1/fee-schedules", _cursor("-year", True, _ID)),
    # Past the column's range.
    "integer-int32": ("/v1/fee-schedules", _cursor("-year", 2**31, _ID)),
    "integer-int64": ("/v1/fee-schedules", _cursor("-year", 2**63, _ID)),
    "integer-negative": ("/v1/fee-schedules", _cursor("-year", -(2**31) - 1, _ID)),
    "datetime-past-9999": (
        "/v1/companies",
        _cursor("created_at", "9999-12-31T23:59:59-23:59", _ID),
    ),
    "datetime-before-1": ("/v1/companies", _cursor("created_at", "0001-01-01T00:00:00+01:00", _ID)),
    "datetime-naive": ("/v1/companies", _cursor("created_at", "2026-01-01T00:00:00", _ID)),
    "datetime-number": ("/v1/companies", _cursor("created_at", 1767225600, _ID)),
    # A NUL, which PostgreSQL's text cannot hold.
    "nul-in-text": ("/v1/companies", _cursor("name", "A\u0000B", _ID)),
    "nul-in-id": ("/v1/companies", _cursor("name", "A", _ID + "\u0000")),
    "nul-in-name": ("/v1/companies", _cursor("name\u0000", "A", _ID)),
}


@pytest.mark.parametrize("case", sorted(_TAMPERED_CURSORS))
async def test_a_tampered_cursor_is_a_400(client: httpx.AsyncClient, case: str) -> None:
    url, cursor = _TAMPERED_CURSORS[case]
    params = {"cursor": cursor, "sort": "created_at"} if "datetime" in case else {"cursor": cursor}
    response = await client.get(url, params=params)
    assert_problem(response, 400, "invalid_cursor")


async def test_cursors_built_alike_but_valid_are_taken(client: httpx.AsyncClient) -> None:
    # The tests' own cursors are the server's: a tampered one fails for its values only.
    await create_company(client, legal_name="A AS")
    await create_company(client, legal_name="B AS")
    for url, params in (
        ("/v1/companies", {"cursor": _cursor("name", "A AS", _ID)}),
        (
            "/v1/companies",
            {
                "cursor": _cursor("created_at", "2026-01-01T00:00:00+01:00", _ID),
                "sort": "created_at",
            },
        ),
        ("/v1/fee-schedules", {"cursor": _cursor("-year", 2026, _ID)}),
    ):
        response = await client.get(url, params=params)
        assert response.status_code == 200, (url, response.text)
    last_id = "ffffffff-ffff-ffff-ffff-ffffffffffff"
    names = (
        await client.get("/v1/companies", params={"cursor": _cursor("name", "A AS", last_id)})
    ).json()
    assert [item["display_name"] for item in names["items"]] == ["B AS"]
