"""Credit notes: whole invoice or some lines, own number series, never more than was
invoiced, refused for drafts and credit notes, readable like invoices."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.clock import today
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller, line

pytestmark = pytest.mark.usefixtures("backend")

TWO_LINES = [
    line(),  # 1000 + 250 VAT
    line(
        description="Seminar",
        quantity="4",
        unit_price="500.00",
        vat_category="E",
        vat_rate=None,
        vat_exemption_reason="Exempt course",
    ),  # 2000, no VAT
]


async def _invoice(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    seller, buyer = await create_seller(client), await create_buyer(client)
    return await create_issued(client, seller, buyer, lines=TWO_LINES, **overrides)


async def _credit(
    client: httpx.AsyncClient, invoice: dict[str, Any], body: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.post(f"/v1/invoices/{invoice['id']}/credit-notes", json=body or {})


async def _notes(client: httpx.AsyncClient, invoice: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await fetch(client, f"/v1/invoices/{invoice['id']}/credit-notes")
    )["items"]
    return items


async def test_crediting_the_whole_invoice(client: httpx.AsyncClient) -> None:
    invoice = await _invoice(client)
    assert invoice["payable_amount"] == "3250.00"
    response = await _credit(client, invoice, {"reason": "Invoiced by mistake."})
    assert response.status_code == 201, response.text
    note = response.json()
    assert response.headers["Location"] == f"/v1/invoices/{note['id']}"
    year = today().year
    assert (note["kind"], note["status"], note["number"]) == (
        "credit_note",
        "issued",
        f"K{year}-000001",
    )
    assert note["credited_invoice_id"] == invoice["id"]
    assert note["note"] == "Invoiced by mistake."
    assert (note["seller_id"], note["buyer_id"], note["currency"]) == (
        invoice["seller_id"],
        invoice["buyer_id"],
        invoice["currency"],
    )
    assert note["seller"]["name"] == invoice["seller"]["name"]
    assert note["payable_amount"] == "3250.00"
    assert note["tax_amount"] == "250.00"
    assert [(n["quantity"], n["line_amount"], n["credited_line_id"]) for n in note["lines"]] == [
        (il["quantity"], il["line_amount"], il["id"]) for il in invoice["lines"]
    ]
    assert await fetch(client, f"/v1/invoices/{note['id']}") == note

    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_credited"], after["amount_due"]) == (
        "credited",
        "3250.00",
        "0.00",
    )
    assert [n["id"] for n in await _notes(client, invoice)] == [note["id"]]
    # Nothing is left to credit.
    assert_problem(await _credit(client, invoice), 409, "credit_exceeds_invoice")


async def test_crediting_some_lines_then_the_rest(client: httpx.AsyncClient) -> None:
    invoice = await _invoice(client)
    seminar = invoice["lines"][1]
    first = await _credit(client, invoice, {"lines": [{"line_id": seminar["id"], "quantity": "1"}]})
    assert first.status_code == 201, first.text
    assert first.json()["payable_amount"] == "500.00"
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_credited"], after["amount_due"]) == (
        "partially_credited",
        "500.00",
        "2750.00",
    )
    # Without a quantity: what is left of the line (3 of 4).
    second = await _credit(client, invoice, {"lines": [{"line_id": seminar["id"]}]})
    assert second.status_code == 201, second.text
    assert Decimal(second.json()["lines"][0]["quantity"]) == 3
    # The rest: only the first line is left.
    rest = await _credit(client, invoice)
    assert rest.status_code == 201, rest.text
    assert [n["credited_line_id"] for n in rest.json()["lines"]] == [invoice["lines"][0]["id"]]
    numbers = [n["number"] for n in await _notes(client, invoice)]
    year = today().year
    assert numbers == [f"K{year}-00000{n}" for n in (1, 2, 3)]
    assert (await fetch(client, f"/v1/invoices/{invoice['id']}"))["status"] == "credited"


async def test_credit_after_part_payment_leaves_it_paid(client: httpx.AsyncClient) -> None:
    invoice = await _invoice(client)
    payment = {
        "amount": "1250.00",
        "currency": "NOK",
        "paid_on": "2026-03-02",
        "invoice_id": invoice["id"],
    }
    assert (await client.post("/v1/payments", json=payment)).status_code == 201
    seminar = invoice["lines"][1]
    assert (
        await _credit(client, invoice, {"lines": [{"line_id": seminar["id"]}]})
    ).status_code == 201
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_due"]) == ("paid", "0.00")


async def test_crediting_more_than_invoiced_writes_nothing(client: httpx.AsyncClient) -> None:
    invoice = await _invoice(client)
    seminar = invoice["lines"][1]
    too_much = {"lines": [{"line_id": seminar["id"], "quantity": "5"}]}
    problem = assert_problem(
        await _credit(client, invoice, too_much), 409, "credit_exceeds_invoice"
    )
    assert "4" in problem["detail"]
    unknown = {"lines": [{"line_id": UNKNOWN_ID}]}
    problem = assert_problem(await _credit(client, invoice, unknown), 422, "unknown_invoice_line")
    assert problem["errors"][0]["field"] == "body.lines.0.line_id"
    twice = {"lines": [{"line_id": seminar["id"]}, {"line_id": seminar["id"]}]}
    assert_problem(await _credit(client, invoice, twice), 422, "duplicate_line")
    zero = {"lines": [{"line_id": seminar["id"], "quantity": "0"}]}
    assert_problem(await _credit(client, invoice, zero), 422, "validation_failed")

    assert await _notes(client, invoice) == []
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_credited"]) == ("issued", "0.00")
    # The series took no number: the next credit note is still the first.
    note = (await _credit(client, invoice)).json()
    assert note["number"].endswith("-000001")


async def test_drafts_and_credit_notes_are_not_credited(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    assert_problem(await _credit(client, draft), 409, "invoice_not_issued")
    invoice = await create_issued(client, seller, buyer)
    note = (
        await _credit(
            client, invoice, {"lines": [{"line_id": invoice["lines"][0]["id"], "quantity": "0.5"}]}
        )
    ).json()
    assert_problem(await _credit(client, note), 409, "not_an_invoice")
    assert_problem(
        await client.post(f"/v1/invoices/{UNKNOWN_ID}/credit-notes", json={}),
        404,
        "invoice_not_found",
    )
    assert len(await _notes(client, invoice)) == 1


async def test_listing_credit_notes_costs_the_same_for_one_and_many(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    invoice = await _invoice(client)
    seminar = invoice["lines"][1]
    partial = {"lines": [{"line_id": seminar["id"], "quantity": "1"}]}
    assert (await _credit(client, invoice, partial)).status_code == 201
    with count_queries() as one:
        assert len(await _notes(client, invoice)) == 1
    for _ in range(2):
        assert (await _credit(client, invoice, partial)).status_code == 201
    with count_queries() as many:
        assert len(await _notes(client, invoice)) == 3
    assert one.count == many.count


async def test_a_credit_note_renders_as_pdf_and_ubl_credit_note(client: httpx.AsyncClient) -> None:
    invoice = await _invoice(client)
    note = (await _credit(client, invoice, {"reason": "Mistake"})).json()
    pdf = await client.get(f"/v1/invoices/{note['id']}.pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    xml = await client.get(f"/v1/invoices/{note['id']}.xml")
    assert xml.status_code == 200, xml.text
    assert b"CreditNote" in xml.content
    assert invoice["number"].encode() in xml.content  # the billing reference


async def test_a_credit_note_names_the_parties_as_the_invoice_did(
    client: httpx.AsyncClient,
) -> None:
    """It corrects that document: a renamed buyer, or a seller that has left the VAT
    register since, changes nothing on it and does not stop it."""
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    for company, change in ((buyer, {"legal_name": "Renamed AS"}), (seller, {"vat_number": None})):
        url = f"/v1/companies/{company['id']}"
        etag = (await client.get(url)).headers["ETag"]
        changed = await client.patch(url, json=change, headers={"If-Match": etag})
        assert changed.status_code == 200, changed.text
    credit = await client.post(f"/v1/invoices/{invoice['id']}/credit-notes", json={})
    assert credit.status_code == 201, credit.text
    assert credit.json()["buyer"] == invoice["buyer"]
    assert credit.json()["seller"] == invoice["seller"]
