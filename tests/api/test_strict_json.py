"""JSON bodies are read strictly: a number sent as a string, a boolean as a word or a
number as a boolean is refused, not coerced. Query strings and forms, which have only
strings, keep their usual parsing."""

from typing import Any

import httpx
import pytest

from app.api.schemas import RequestModel
from tests.api.request_schemas import COERCING_TYPES, body_models, core_schema_of, leaves
from tests.factories import company_body, create_network
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")

_NETWORK = {"slug": "strict", "name": "Strict", "visibility": "open"}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/v1/networks", {**_NETWORK, "meetings_per_year": "4"}, "meetings_per_year"),
        (
            "/v1/networks",
            {**_NETWORK, "requires_parent_membership": "no"},
            "requires_parent_membership",
        ),
        (
            "/v1/networks",
            {**_NETWORK, "requires_parent_membership": 0},
            "requires_parent_membership",
        ),
        ("/v1/companies", company_body(employees=True), "employees"),
        ("/v1/companies", company_body(apprentices="3"), "apprentices"),
    ],
)
async def test_wrong_json_types_are_refused(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(url, json=body)
    problem = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == [f"body.{field}"]
    assert (await fetch(client, url))["items"] == []


async def test_an_integral_number_is_an_integer(client: httpx.AsyncClient) -> None:
    # JSON Schema's `integer` takes 4.0, so the API does too.
    network = await create_network(client, meetings_per_year=4.0)
    assert network["meetings_per_year"] == 4


async def test_a_patch_with_a_wrong_json_type_changes_nothing(client: httpx.AsyncClient) -> None:
    network = await create_network(client, meetings_per_year=4)
    url = f"/v1/networks/{network['id']}"
    response = await client.patch(
        url, json={"meetings_per_year": "6"}, headers={"If-Match": f'"{network["version"]}"'}
    )
    assert_problem(response, 422, "validation_failed")
    assert await fetch(client, url) == network


async def test_query_strings_keep_their_parsing(client: httpx.AsyncClient) -> None:
    await create_network(client)
    listed = await fetch(client, "/v1/networks?limit=1")
    assert len(listed["items"]) == 1


def test_every_request_body_is_read_strictly(application: Any) -> None:
    """Guard: every model in a JSON body is a RequestModel (text rule) and no field of a
    type Pydantic would coerce (int, bool, float, decimal, dates and times) is lax."""
    lax: list[str] = []
    not_request_models: set[str] = set()
    for where, field in body_models(application):
        for leaf in leaves(core_schema_of(field), where):
            kind = leaf.schema.get("type")
            if kind == "model" and not issubclass(leaf.schema["cls"], RequestModel):
                not_request_models.add(leaf.schema["cls"].__name__)
            if kind in COERCING_TYPES and not leaf.schema.get("strict"):
                lax.append(f"{leaf.where} ({kind})")
    assert not_request_models == set()
    assert lax == []
