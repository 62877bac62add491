"""Listing people: filters, search, sort, cursor paging, includes and query counts."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_person
from tests.helpers import UNKNOWN_ID, next_link

pytestmark = pytest.mark.usefixtures("backend")

# First letters differ, so every database collation agrees on the order.
NAMES = ["Astrid Lind", "Bjarne Holm", "Camilla Berg", "Dag Solberg", "Eva Moe"]


async def ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/people", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def walk(client: httpx.AsyncClient, sort: str) -> list[list[str]]:
    """Every page of `limit=2`, following the `Link` header, as lists of names."""
    pages: list[list[str]] = []
    url: str | None = f"/v1/people?limit=2&sort={sort}"
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["full_name"] for item in body["items"]])
        url = next_link(response)
        assert (url is None) == (body["next_cursor"] is None)
        if url is not None:
            assert f"cursor={body['next_cursor']}" in url
    return pages


async def test_sort_and_cursor_paging(client: httpx.AsyncClient) -> None:
    creation_order = ["Dag Solberg", "Astrid Lind", "Eva Moe", "Camilla Berg", "Bjarne Holm"]
    for name in creation_order:
        await create_person(client, full_name=name)

    assert await walk(client, "name") == [NAMES[0:2], NAMES[2:4], NAMES[4:]]
    backwards = list(reversed(NAMES))
    assert await walk(client, "-name") == [backwards[0:2], backwards[2:4], backwards[4:]]
    default = (await client.get("/v1/people")).json()
    assert [item["full_name"] for item in default["items"]] == NAMES
    assert default["next_cursor"] is None
    newest = (await client.get("/v1/people", params={"sort": "-created_at", "limit": 2})).json()
    assert [item["full_name"] for item in newest["items"]] == ["Bjarne Holm", "Camilla Berg"]


async def test_cursor_paging_by_creation_time(client: httpx.AsyncClient) -> None:
    creation_order = ["Dag Solberg", "Astrid Lind", "Eva Moe", "Camilla Berg", "Bjarne Holm"]
    for name in creation_order:
        await create_person(client, full_name=name)

    oldest_first = await walk(client, "created_at")
    assert oldest_first == [creation_order[0:2], creation_order[2:4], creation_order[4:]]
    newest_first = await walk(client, "-created_at")
    assert [name for page in newest_first for name in page] == list(reversed(creation_order))


async def test_bad_cursor_and_sort_are_refused(client: httpx.AsyncClient) -> None:
    for name in NAMES[:3]:
        await create_person(client, full_name=name)
    first = (await client.get("/v1/people", params={"limit": 1})).json()

    garbled = await client.get("/v1/people", params={"cursor": "not-a-cursor"})
    assert garbled.status_code == 400
    assert garbled.json()["code"] == "invalid_cursor"
    other_sort = await client.get(
        "/v1/people", params={"cursor": first["next_cursor"], "sort": "-created_at"}
    )
    assert other_sort.status_code == 400
    assert other_sort.json()["code"] == "invalid_cursor"
    bad_sort = await client.get("/v1/people", params={"sort": "email"})
    assert bad_sort.status_code == 422


async def test_filters_and_search(client: httpx.AsyncClient) -> None:
    yara, ineos = await create_company(client), await create_company(client)
    astrid = await create_person(
        client,
        full_name="Astrid Lind",
        email="astrid.lind@yara.example",
        affiliations=[
            {"organisation_id": yara["id"], "position": "ceo"},
            {"organisation_id": ineos["id"], "position": "other"},
        ],
    )
    bjarne = await create_person(
        client,
        full_name="Bjarne Holm",
        email="bh@ineos.example",
        affiliations=[{"organisation_id": ineos["id"], "position": "ceo"}],
    )
    camilla = await create_person(
        client,
        full_name="Camilla Berg",
        email="cb_100@example.test",
        affiliations=[{"organisation_id": yara["id"], "position": "union_representative"}],
    )
    dag = await create_person(client, full_name="Dag Solberg", email=None)

    assert await ids(client, organisation_id=yara["id"]) == [astrid["id"], camilla["id"]]
    assert await ids(client, organisation_id=ineos["id"]) == [astrid["id"], bjarne["id"]]
    assert await ids(client, position="ceo") == [astrid["id"], bjarne["id"]]
    # Both filters hold for one and the same affiliation: Astrid is no CEO at INEOS.
    assert await ids(client, organisation_id=ineos["id"], position="ceo") == [bjarne["id"]]
    assert await ids(client, position="union_representative", q="camilla") == [camilla["id"]]
    assert await ids(client, q="LIND") == [astrid["id"]]
    assert await ids(client, q="INEOS.example") == [bjarne["id"]]
    assert await ids(client, q="berg") == [camilla["id"], dag["id"]]
    assert await ids(client, q="cb_1") == [camilla["id"]]
    assert await ids(client, q="d_") == []  # `_` is literal, not a wildcard
    assert await ids(client, q="100%") == []
    assert await ids(client, organisation_id=UNKNOWN_ID) == []


async def test_include_organisations(client: httpx.AsyncClient) -> None:
    company = await create_company(client, legal_name="Yara Norge AS", display_name="Yara")
    person = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "site_manager"}]
    )

    plain = (await client.get("/v1/people")).json()["items"][0]
    assert plain["affiliations"][0]["organisation"] is None

    embedded = (await client.get("/v1/people", params={"include": "organisations"})).json()
    organisation = embedded["items"][0]["affiliations"][0]["organisation"]
    assert organisation == {
        "id": company["id"],
        "kind": "company",
        "display_name": "Yara",
        "country": "NO",
        "organisation_number": company["organisation_number"],
    }
    one = await client.get(f"/v1/people/{person['id']}", params={"include": "organisations"})
    assert one.json()["affiliations"][0]["organisation"] == organisation

    unknown = await client.get("/v1/people", params={"include": "networks"})
    assert unknown.status_code == 422


async def test_query_count_does_not_grow_with_the_page(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    companies = [await create_company(client) for _ in range(3)]

    async def add_people(count: int) -> None:
        for n in range(count):
            company = companies[n % len(companies)]
            await create_person(
                client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
            )

    async def measure() -> tuple[int, list[dict[str, Any]]]:
        with count_queries() as log:
            response = await client.get("/v1/people?include=organisations&limit=50")
        assert response.status_code == 200
        items: list[dict[str, Any]] = response.json()["items"]
        return log.count, items

    await add_people(1)
    with_one, items = await measure()
    assert len(items) == 1

    await add_people(49)
    with_fifty, items = await measure()
    assert len(items) == 50
    assert all(item["affiliations"][0]["organisation"] is not None for item in items)
    assert with_fifty == with_one
    # The caller's API key; the page; the affiliations with their organisations joined.
    assert with_fifty <= 3
