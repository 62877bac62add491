"""Writing a person costs the same number of SQL statements for 1 affiliation or 10."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_person

pytestmark = pytest.mark.usefixtures("backend")


def _affiliations(companies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"organisation_id": company["id"], "position": "other"} for company in companies]


async def test_create_statement_count_does_not_grow_with_affiliations(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    companies = [await create_company(client) for _ in range(10)]

    async def statements_for(affiliations: list[dict[str, Any]], n: int) -> int:
        body = {"full_name": f"Person {n}", "affiliations": affiliations}
        with count_queries() as log:
            response = await client.post("/v1/people", json=body)
        assert response.status_code == 201, response.text
        assert len(response.json()["affiliations"]) == len(affiliations)
        return int(log.count)

    one = await statements_for(_affiliations(companies[:1]), 1)
    ten = await statements_for(_affiliations(companies), 10)
    assert ten == one


async def test_patch_statement_count_does_not_grow_with_affiliations(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    companies = [await create_company(client) for _ in range(10)]

    async def statements_for(affiliations: list[dict[str, Any]]) -> int:
        person = await create_person(client)
        with count_queries() as log:
            response = await client.patch(
                f"/v1/people/{person['id']}",
                json={"affiliations": affiliations},
                headers={"If-Match": '"1"'},
            )
        assert response.status_code == 200, response.text
        assert len(response.json()["affiliations"]) == len(affiliations)
        return int(log.count)

    one = await statements_for(_affiliations(companies[:1]))
    ten = await statements_for(_affiliations(companies))
    assert ten == one
