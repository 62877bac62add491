"""A value Peppol refuses is refused where it enters: a company's electronic address and
addresses, an invoice line's unit. 422 with the rule's code on the field, and nothing
stored or changed."""

from typing import Any

import httpx
import pytest

from tests.factories import company_body, create_company
from tests.helpers import assert_problem, fetch
from tests.invoice_factories import address, create_buyer, create_draft, create_seller, line

pytestmark = pytest.mark.usefixtures("backend")

BAD_ENDPOINTS = [
    ("0192:123456789", "invalid_endpoint_identifier"),  # Norwegian mod 11 fails
    ("9999:ABC123", "invalid_endpoint_scheme"),  # not in the EAS list
    ("0088:7080000000001", "invalid_endpoint_identifier"),  # GS1 check digit fails
]
BAD_ADDRESS = {**address(), "country": "XX"}


def assert_refused(response: httpx.Response, field: str, code: str) -> None:
    problem = assert_problem(response, 422, code)
    assert problem["errors"] == [
        {"field": f"body.{field}", "message": problem["errors"][0]["message"], "code": code}
    ]
    assert problem["errors"][0]["message"]


@pytest.mark.parametrize(("endpoint", "code"), BAD_ENDPOINTS)
async def test_a_new_company_with_a_bad_endpoint_is_refused(
    client: httpx.AsyncClient, endpoint: str, code: str
) -> None:
    response = await client.post("/v1/companies", json=company_body(peppol_endpoint_id=endpoint))
    assert_refused(response, "peppol_endpoint_id", code)
    assert (await fetch(client, "/v1/companies"))["items"] == []


@pytest.mark.parametrize("field", ["visiting_address", "postal_address", "invoice_address"])
async def test_a_new_company_with_a_bad_country_is_refused(
    client: httpx.AsyncClient, field: str
) -> None:
    response = await client.post("/v1/companies", json=company_body(**{field: BAD_ADDRESS}))
    assert_refused(response, f"{field}.country", "invalid_country_code")
    assert (await fetch(client, "/v1/companies"))["items"] == []


@pytest.mark.parametrize(
    "changes",
    [
        *({"peppol_endpoint_id": endpoint} for endpoint, _ in BAD_ENDPOINTS),
        {"postal_address": BAD_ADDRESS},
        {"invoice_address": BAD_ADDRESS},
    ],
)
async def test_a_change_to_a_bad_endpoint_or_country_changes_nothing(
    client: httpx.AsyncClient, changes: dict[str, Any]
) -> None:
    company = await create_company(
        client, peppol_endpoint_id="0192:923609016", postal_address=address()
    )
    url = f"/v1/companies/{company['id']}"
    response = await client.patch(url, json=changes, headers={"If-Match": '"1"'})
    assert response.status_code == 422, response.text
    assert response.json()["code"] != "validation_failed"
    assert await fetch(client, url) == company


async def test_several_kinds_of_bad_value_answer_the_generic_code(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/companies",
        json=company_body(peppol_endpoint_id="9999:ABC123", postal_address=BAD_ADDRESS),
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert {(error["field"], error["code"]) for error in problem["errors"]} == {
        ("body.peppol_endpoint_id", "invalid_endpoint_scheme"),
        ("body.postal_address.country", "invalid_country_code"),
    }


async def test_valid_values_of_other_schemes_and_countries_are_kept(
    client: httpx.AsyncClient,
) -> None:
    company = await create_company(
        client,
        peppol_endpoint_id="0088:7080000000005",
        postal_address={**address(), "country": "DK"},
    )
    assert company["peppol_endpoint_id"] == "0088:7080000000005"
    assert company["postal_address"]["country"] == "DK"


async def test_a_new_invoice_line_with_a_bad_unit_is_refused(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    body = {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK",
        "lines": [line(), line(unit_code="QQQ")],
    }
    response = await client.post("/v1/invoices", json=body)
    assert_refused(response, "lines.1.unit_code", "invalid_unit_code")
    assert (await fetch(client, "/v1/invoices"))["items"] == []


async def test_a_draft_changed_to_a_bad_unit_keeps_its_lines(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer, lines=[line(unit_code="HUR")])
    url = f"/v1/invoices/{draft['id']}"
    response = await client.patch(
        url, json={"lines": [line(unit_code="QQQ")]}, headers={"If-Match": '"1"'}
    )
    assert_refused(response, "lines.0.unit_code", "invalid_unit_code")
    assert await fetch(client, url) == draft
