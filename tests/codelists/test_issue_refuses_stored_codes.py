"""Rows stored before the code lists were checked at entry: issuing refuses to freeze a
country, a unit or an electronic address Peppol refuses (409), and the invoice stays a
draft without a number."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.companies.models import Organisation
from app.invoices.models import InvoiceLine
from tests.helpers import assert_problem, fetch
from tests.invoice_factories import address, create_buyer, create_draft, create_seller

pytestmark = pytest.mark.usefixtures("backend")


async def _store(engine: AsyncEngine, table: Any, where: Any, **values: Any) -> None:
    # Straight into the database, as an older version of Klynge could have stored it.
    async with engine.begin() as connection:
        await connection.execute(update(table).where(where).values(**values))


@pytest.mark.parametrize(
    ("party", "values", "code"),
    [
        ("buyer", {"peppol_endpoint_id": "0192:123456789"}, "buyer_endpoint_invalid"),
        ("seller", {"peppol_endpoint_id": "9999:ABC123"}, "seller_endpoint_invalid"),
        ("buyer", {"postal_address": {**address(), "country": "XX"}}, "buyer_country_invalid"),
        ("line", {"unit_code": "QQQ"}, "line_unit_code_invalid"),
    ],
)
async def test_issue_refuses_a_stored_value_peppol_refuses(
    client: httpx.AsyncClient, engine: AsyncEngine, party: str, values: dict[str, Any], code: str
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    if party == "line":
        line_id = uuid.UUID(draft["lines"][0]["id"])
        await _store(engine, InvoiceLine, InvoiceLine.id == line_id, **values)
    else:
        organisation_id = uuid.UUID((seller if party == "seller" else buyer)["id"])
        await _store(engine, Organisation, Organisation.id == organisation_id, **values)

    response = await client.post(f"/v1/invoices/{draft['id']}/issue")
    assert_problem(response, 409, code)
    stored = await fetch(client, f"/v1/invoices/{draft['id']}")
    assert (stored["status"], stored["number"], stored["seller"]) == ("draft", None, None)


async def test_a_stored_value_peppol_refuses_is_still_shown(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Reading checks nothing: the organisation is shown as stored, so it can be corrected."""
    company = await create_buyer(client)
    bad = {**address(), "line2": None, "country": "XX"}
    await _store(
        engine, Organisation, Organisation.id == uuid.UUID(company["id"]), postal_address=bad
    )
    assert (await fetch(client, f"/v1/companies/{company['id']}"))["postal_address"] == bad
    listed = await fetch(client, "/v1/companies")
    assert [item["postal_address"] for item in listed["items"]] == [bad]
    fixed = {**bad, "country": "NO"}
    response = await client.patch(
        f"/v1/companies/{company['id']}",
        json={"postal_address": fixed},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
