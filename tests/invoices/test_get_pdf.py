"""`GET /v1/invoices/{id}` with `Accept: application/pdf` answers the printable invoice."""

import httpx
import pytest

from app.invoices.negotiation import prefers_pdf
from tests.helpers import assert_problem
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller


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
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    url = f"/v1/invoices/{invoice['id']}"
    response = await client.get(url, headers={"Accept": "application/pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The very document (and ETag) of GET /v1/invoices/{id}.pdf, not the JSON's version.
    download = await client.get(f"{url}.pdf")
    assert response.content == download.content
    assert response.headers["ETag"] == download.headers["ETag"] != f'"{invoice["version"]}"'
    as_json = await client.get(url, headers={"Accept": "application/json"})
    assert as_json.json() == invoice


async def test_a_draft_has_no_pdf_by_accept_either(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    response = await client.get(
        f"/v1/invoices/{draft['id']}", headers={"Accept": "application/pdf"}
    )
    assert_problem(response, 409, "invoice_not_issued")


async def test_json_and_pdf_vary_on_accept(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    url = f"/v1/invoices/{(await create_issued(client, seller, buyer))['id']}"
    as_pdf = await client.get(url, headers={"Accept": "application/pdf"})
    assert as_pdf.headers["Vary"] == "Accept"
    assert (await client.get(url)).headers["Vary"] == "Accept"
    unchanged = await client.get(
        url, headers={"Accept": "application/pdf", "If-None-Match": as_pdf.headers["ETag"]}
    )
    assert unchanged.status_code == 304
