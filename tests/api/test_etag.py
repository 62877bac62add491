"""`If-Match` as RFC 9110 §13.1.1 defines it: the strong comparison, `*` alone, or a
list of entity tags, any of which may match."""

import httpx
import pytest

from tests.factories import create_company
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize(
    "if_match",
    [
        'W/"1"',  # a weak tag never matches strongly
        '"2", W/"1"',
        "1",  # not an entity tag at all
        '"1',
        '*, "1"',  # "*" stands alone or not at all
        '"1" "2"',
        "",
    ],
)
async def test_if_match_that_does_not_strongly_match_is_refused(
    client: httpx.AsyncClient, if_match: str
) -> None:
    company = await create_company(client)
    url = f"/v1/companies/{company['id']}"
    patched = await client.patch(url, json={"employees": 5}, headers={"If-Match": if_match})
    assert_problem(patched, 412, "etag_mismatch")
    archived = await client.post(f"{url}/archive", headers={"If-Match": if_match})
    assert_problem(archived, 412, "etag_mismatch")
    current = (await client.get(url)).json()
    assert current["version"] == 1
    assert current["employees"] == company["employees"]
    assert current["archived_at"] is None


@pytest.mark.parametrize(
    "if_match",
    ['"1"', "*", ' "1" ', '"7", "1"', '"7","1"', 'W/"7", "1"', '"a,b", "1"', ', "1",'],
)
async def test_if_match_that_strongly_matches_is_taken(
    client: httpx.AsyncClient, if_match: str
) -> None:
    company = await create_company(client)
    url = f"/v1/companies/{company['id']}"
    patched = await client.patch(url, json={"employees": 5}, headers={"If-Match": if_match})
    assert patched.status_code == 200, patched.text
    assert patched.json()["employees"] == 5
