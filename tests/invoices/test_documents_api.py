"""`GET /v1/invoices/{id}.pdf` and `.xml` for invoices made through the API: the
documents' figures equal the API's, the invoice's visibility holds, drafts have none."""

import io
from datetime import date
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from lxml import etree
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.companies.models import Language
from app.invoices import formatting
from tests.callers import api_key_headers, user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.invoice_factories import (
    create_buyer,
    create_draft,
    create_issued,
    create_seller,
    line,
)

pytestmark = pytest.mark.usefixtures("backend")

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# Odd quantities and prices over three rates and an exemption: rounding shows here.
MIXED_LINES = [
    line(description="Kontingent", quantity="1", unit_price="12500.00"),
    line(description="Kursdag", quantity="3", unit_price="1333.33", vat_rate="15.00"),
    line(description="Materiell", quantity="2.5", unit_price="99.99"),
    line(description="Lunsj", quantity="7", unit_price="123.45", vat_rate="15.00"),
    line(description="Bok", quantity="1.333", unit_price="249.50", vat_rate="12.00"),
    line(
        description="Kurs",
        quantity="2",
        unit_price="1499.75",
        vat_category="E",
        vat_rate=None,
        vat_exemption_reason="Undervisning, mval. § 3-5",
    ),
]


def pdf_lines(response: httpx.Response) -> list[str]:
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [row.strip() for row in text.splitlines()]


def xml_of(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def xpath_texts(root: etree._Element, path: str) -> list[str]:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [(e.text or "") for e in found if isinstance(e, etree._Element)]


def nb_money(value: str, currency: str) -> str:
    return formatting.money(Decimal(value), currency, Language.NORWEGIAN_BOKMAL)


async def test_norwegian_invoice_pdf_has_the_legal_fields_and_the_apis_totals(
    client: httpx.AsyncClient,
) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client, language="nb")
    invoice = await create_issued(
        client,
        seller,
        buyer,
        lines=MIXED_LINES,
        delivery_starts_on="2026-01-01",
        delivery_ends_on="2026-12-31",
    )
    response = await client.get(f"/v1/invoices/{invoice['id']}.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    number = invoice["number"]
    assert response.headers["content-disposition"] == f'inline; filename="invoice-{number}.pdf"'
    assert response.headers["etag"].startswith('"')
    lines = pdf_lines(response)
    org = formatting.organisation_number(seller["organisation_number"], "NO")
    assert f"Org.nr. {org} MVA" in lines
    assert "Foretaksregisteret" in lines
    assert f"Fakturanummer {number}" in lines
    assert f"KID {invoice['payment_reference']}" in lines
    due = formatting.day(date.fromisoformat(invoice["due_date"]), Language.NORWEGIAN_BOKMAL)
    assert f"Forfallsdato {due}" in lines
    assert "Leveringsperiode 01.01.2026 - 31.12.2026" in lines
    assert invoice["buyer"]["name"] in lines
    # The totals are the API's, to the øre.
    assert f"Sum eks. mva {nb_money(invoice['line_extension_amount'], 'NOK')}" in lines
    assert f"Sum mva {nb_money(invoice['tax_amount'], 'NOK')}" in lines
    assert f"Å betale {nb_money(invoice['payable_amount'], 'NOK')}" in lines
    for group in invoice["vat_breakdown"]:
        taxable = formatting.amount(Decimal(group["taxable_amount"]), Language.NORWEGIAN_BOKMAL)
        tax = formatting.amount(Decimal(group["tax_amount"]), Language.NORWEGIAN_BOKMAL)
        assert any(row.endswith(f"{taxable} {tax}") for row in lines), group


async def test_xml_totals_and_breakdown_equal_the_apis(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    invoice = await create_issued(client, seller, buyer, lines=MIXED_LINES)
    response = await client.get(f"/v1/invoices/{invoice['id']}.xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="invoice-{invoice["number"]}.xml"'
    )
    root = xml_of(response)
    total = "/*/cac:LegalMonetaryTotal"
    assert xpath_texts(root, f"{total}/cbc:LineExtensionAmount") == [
        invoice["line_extension_amount"]
    ]
    assert xpath_texts(root, f"{total}/cbc:TaxExclusiveAmount") == [
        invoice["line_extension_amount"]
    ]
    assert xpath_texts(root, f"{total}/cbc:PayableAmount") == [invoice["payable_amount"]]
    assert xpath_texts(root, "/*/cac:TaxTotal/cbc:TaxAmount") == [invoice["tax_amount"]]
    subtotals = [
        (
            sub.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            sub.findtext("cbc:TaxableAmount", namespaces=NS),
            sub.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for sub in root.iterfind("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)
    ]
    assert subtotals == [
        (g["category"], g["taxable_amount"], g["tax_amount"]) for g in invoice["vat_breakdown"]
    ]
    assert xpath_texts(root, "/*/cac:InvoiceLine/cbc:LineExtensionAmount") == [
        item["line_amount"] for item in invoice["lines"]
    ]
    assert xpath_texts(root, "/*/cbc:ID") == [invoice["number"]]
    assert xpath_texts(root, "/*/cac:PaymentMeans/cbc:PaymentID")[0] == invoice["payment_reference"]
    seller_endpoint = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert seller_endpoint is not None
    assert (seller_endpoint.get("schemeID"), seller_endpoint.text) == (
        "0192",
        seller["organisation_number"],
    )


async def test_swedish_invoice_in_swedish(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, country="SE")
    buyer = await create_buyer(client, country="SE", language="sv")
    invoice = await create_issued(
        client, seller, buyer, lines=[line(unit_price="800.00"), line(vat_rate="6.00")]
    )
    assert invoice["language"] == "sv"
    lines = pdf_lines(await client.get(f"/v1/invoices/{invoice['id']}.pdf"))
    assert "Godkänd för F-skatt" in lines
    assert f"Momsreg.nr {seller['vat_number']}" in lines
    assert f"OCR {invoice['payment_reference']}" in lines
    assert f"Fakturanummer {invoice['number']}" in lines
    assert f"Förfallodag {invoice['due_date']}" in lines
    payable = formatting.money(Decimal(invoice["payable_amount"]), "SEK", Language.SWEDISH)
    assert f"Att betala {payable}" in lines
    root = xml_of(await client.get(f"/v1/invoices/{invoice['id']}.xml"))
    endpoints = root.xpath("//cbc:EndpointID", namespaces=NS)
    assert isinstance(endpoints, list)
    assert {e.get("schemeID") for e in endpoints if isinstance(e, etree._Element)} == {"0007"}
    assert xpath_texts(root, "/*/cac:PaymentMeans/cbc:PaymentID") == [invoice["payment_reference"]]


async def test_a_draft_has_no_documents(client: httpx.AsyncClient) -> None:
    draft = await create_draft(client, await create_seller(client), await create_buyer(client))
    for extension in ("pdf", "xml"):
        response = await client.get(f"/v1/invoices/{draft['id']}.{extension}")
        assert_problem(response, 409, "invoice_not_issued")


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    for extension in ("pdf", "xml"):
        assert_problem(
            await client.get(f"/v1/invoices/{UNKNOWN_ID}.{extension}"), 404, "invoice_not_found"
        )
        # Not a document route (uuid convertor); the invoices router answers for it.
        malformed = await client.get(f"/v1/invoices/not-a-uuid.{extension}")
        assert malformed.status_code in (404, 422)
        assert malformed.headers["content-type"] == "application/problem+json"


async def test_documents_follow_the_invoices_visibility(
    client: httpx.AsyncClient,
    bare_client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
) -> None:
    seller = await create_seller(client)
    buyer, other = await create_buyer(client), await create_buyer(client)
    mine = await create_issued(client, seller, buyer)
    theirs = await create_issued(client, seller, other)
    person = await create_person(
        client, affiliations=[{"organisation_id": buyer["id"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=person["id"])
    website = await api_key_headers(engine, ApiKeyScope.PUBLIC)
    for extension in ("pdf", "xml"):
        own = await bare_client.get(f"/v1/invoices/{mine['id']}.{extension}", headers=member)
        assert own.status_code == 200, own.text
        hidden = await bare_client.get(f"/v1/invoices/{theirs['id']}.{extension}", headers=member)
        problem = assert_problem(hidden, 404, "invoice_not_found")
        assert theirs["id"] not in str(problem)
        anonymous = await bare_client.get(f"/v1/invoices/{mine['id']}.{extension}")
        assert anonymous.status_code == 401
        refused = await bare_client.get(f"/v1/invoices/{mine['id']}.{extension}", headers=website)
        assert refused.status_code == 403


async def test_etag_is_stable_and_answers_if_none_match(client: httpx.AsyncClient) -> None:
    invoice = await create_issued(client, await create_seller(client), await create_buyer(client))
    for extension in ("pdf", "xml"):
        url = f"/v1/invoices/{invoice['id']}.{extension}"
        first, second = await client.get(url), await client.get(url)
        assert first.content == second.content
        assert first.headers["etag"] == second.headers["etag"]
        assert first.headers["cache-control"] == "private, no-cache"
        unchanged = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        changed = await client.get(url, headers={"If-None-Match": '"something-else"'})
        assert changed.status_code == 200


async def test_credit_note_documents_refer_to_the_invoice(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    invoice = await create_issued(client, seller, await create_buyer(client, language="nb"))
    created = await client.post(
        f"/v1/invoices/{invoice['id']}/credit-notes", json={"reason": "Feilfakturert."}
    )
    assert created.status_code == 201, created.text
    note = created.json()
    root = xml_of(await client.get(f"/v1/invoices/{note['id']}.xml"))
    assert etree.QName(root).localname == "CreditNote"
    reference = "/*/cac:BillingReference/cac:InvoiceDocumentReference"
    assert xpath_texts(root, f"{reference}/cbc:ID") == [invoice["number"]]
    assert xpath_texts(root, f"{reference}/cbc:IssueDate") == [invoice["issue_date"]]
    assert xpath_texts(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount") == [
        note["payable_amount"]
    ]
    assert xpath_texts(root, "/*/cbc:CreditNoteTypeCode") == ["381"]
    pdf = await client.get(f"/v1/invoices/{note['id']}.pdf")
    lines = pdf_lines(pdf)
    assert lines[0].startswith("Kreditnota")
    assert any(row.startswith(f"Krediterer faktura {invoice['number']} datert") for row in lines)
    assert f"Kreditert beløp {nb_money(note['payable_amount'], 'NOK')}" in lines
    assert pdf.headers["content-disposition"] == (
        f'inline; filename="credit-note-{note["number"]}.pdf"'
    )


async def test_documents_in_openapi(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    pdf = paths["/v1/invoices/{invoice_id}.pdf"]["get"]["responses"]
    xml = paths["/v1/invoices/{invoice_id}.xml"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert "application/xml" in xml["200"]["content"]
    for responses in (pdf, xml):
        assert {"401", "403", "404", "409", "422", "500"} <= set(responses)


async def test_documents_are_read_only(client: httpx.AsyncClient) -> None:
    """`/v1/invoices/{id}.pdf` is not taken for an invoice id by PATCH or DELETE."""
    url = f"/v1/invoices/{UNKNOWN_ID}.pdf"
    for method in ("PATCH", "DELETE", "POST"):
        response = await client.request(method, url)
        assert response.status_code == 405, (method, response.text)
        assert response.headers["allow"] == "GET, HEAD"
