"""`GET /v1/invoices/{id}` with `Accept: application/pdf` answers the printable invoice."""

import httpx
import pytest

from app.invoices.negotiation import prefers_pdf
from tests.invoice_factories import create_buyer, create_issued, create_seller


@pytest.mark.parametrize(
    ("accept", "pdf"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("application/pdf", True),
        ("application/pdf, */*", True),
        ("application/json, application/pdf", False),
        ("application/pdf, application/json", True),
        ("application/json;q=0.5, application/pdf", True),
        ("application/pdf;q=0", False),
    ],
)
def test_accept_negotiation(accept: str | None, pdf: bool) -> None:
    assert prefers_pdf(accept) is pdf


async def test_pdf_by_accept(client: httpx.AsyncClient) -> None:
    pytest.importorskip("app.invoices.pdf")
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    url = f"/v1/invoices/{invoice['id']}"
    response = await client.get(url, headers={"Accept": "application/pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["ETag"] == f'"{invoice["version"]}"'
    as_json = await client.get(url, headers={"Accept": "application/json"})
    assert as_json.json() == invoice
