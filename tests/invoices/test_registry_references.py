"""The registry keeps what invoices refer to: deleting it is a clear 409."""

import uuid

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.invoices.models import Invoice
from tests.factories import create_network
from tests.helpers import assert_problem
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller


async def test_organisations_with_invoices_stay(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    await create_issued(client, seller, buyer)
    for company in (seller, buyer):
        response = await client.delete(f"/v1/companies/{company['id']}")
        problem = assert_problem(response, 409, "organisation_referenced")
        assert "invoices" in problem["referenced_by"]
        assert (await client.get(f"/v1/companies/{company['id']}")).status_code == 200


async def test_seller_settings_go_with_their_organisation(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    assert (await client.delete(f"/v1/companies/{seller['id']}")).status_code == 204
    response = await client.get(f"/v1/companies/{seller['id']}/invoice-settings")
    assert_problem(response, 404, "company_not_found")


async def test_networks_with_invoices_stay(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    network = await create_network(client)
    draft = await create_draft(client, seller, buyer)
    async with engine.begin() as connection:
        await connection.execute(
            update(Invoice)
            .where(Invoice.id == uuid.UUID(draft["id"]))
            .values(network_id=uuid.UUID(network["id"]))
        )
    response = await client.delete(f"/v1/networks/{network['id']}")
    assert_problem(response, 409, "network_in_use")
    assert (await client.get(f"/v1/networks/{network['id']}")).status_code == 200
