"""A company list page costs the same number of SQL statements for 1 row or 50."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company

pytestmark = pytest.mark.usefixtures("backend")


async def _statements_for_page(client: httpx.AsyncClient, count_queries: Any) -> int:
    with count_queries() as log:
        response = await client.get("/v1/companies", params={"limit": 50})
    assert response.status_code == 200
    return int(log.count)


async def test_list_statement_count_does_not_grow_with_rows(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    await create_company(client)
    one_row = await _statements_for_page(client, count_queries)
    for _ in range(49):
        await create_company(client)
    fifty_rows = await _statements_for_page(client, count_queries)
    assert fifty_rows == one_row
    assert len((await client.get("/v1/companies", params={"limit": 50})).json()["items"]) == 50
    assert one_row <= 2  # the caller's API key, the page
