"""The last defence: an issued invoice is frozen, so text stored before the API refused
control characters must never stop its XML or PDF from rendering. The rows are written
straight into the database, as such old data would be."""

import io
import uuid

import httpx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.invoices.models import Invoice, InvoiceLine
from app.text import REPLACEMENT
from tests.invoice_factories import create_buyer, create_issued, create_seller

pytestmark = pytest.mark.usefixtures("backend")

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# Every kind the API now refuses: C0 (with and without NUL), DEL, C1, a non-character.
_DIRTY = "Kontingent\x01\x0b\x1f\x7f\x85\ufffe 2026"


async def _issued_with_dirty_text(client: httpx.AsyncClient, engine: AsyncEngine) -> str:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    invoice_id = uuid.UUID(invoice["id"])
    async with engine.begin() as connection:
        await connection.execute(
            update(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .values(description=_DIRTY)
        )
        await connection.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id)
            .values(
                note="Takk\x02 for\tsist\nHilsen",
                buyer_party={**invoice["buyer"], "name": "Kjøper\x03 AS"},
            )
        )
    return str(invoice_id)


async def test_the_xml_of_an_invoice_holding_control_characters_renders(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    invoice_id = await _issued_with_dirty_text(client, engine)
    response = await client.get(f"/v1/invoices/{invoice_id}.xml")
    assert response.status_code == 200, response.text
    document = etree.fromstring(response.content)
    name = document.findtext(".//cac:Item/cbc:Name", namespaces=NS)
    assert name == f"Kontingent{REPLACEMENT * 6} 2026"
    assert document.findtext("cbc:Note", namespaces=NS) == f"Takk{REPLACEMENT} for\tsist\nHilsen"


async def test_the_pdf_of_an_invoice_holding_control_characters_renders(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    invoice_id = await _issued_with_dirty_text(client, engine)
    response = await client.get(f"/v1/invoices/{invoice_id}.pdf")
    assert response.status_code == 200, response.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kontingent" in text
    assert "\x01" not in text
