"""Issuing: numbers per seller and year without gaps, frozen parties, the 409 rules."""

from datetime import timedelta

import httpx

from app.clock import today
from app.invoices.references import is_valid_kid, is_valid_ocr
from tests.helpers import UNKNOWN_ID, assert_problem, patch_current
from tests.invoice_factories import (
    address,
    create_buyer,
    create_draft,
    create_issued,
    create_seller,
    issue,
    line,
)


async def test_issue_numbers_freezes_and_dates(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, settings={"default_payment_terms_days": 10})
    buyer = await create_buyer(client, legal_name="Kjøper AS")
    draft = await create_draft(client, seller, buyer, buyer_reference="PO 1")
    issued = await issue(client, draft)
    year = today().year
    assert issued["status"] == "issued"
    assert (issued["number"], issued["sequence_number"]) == (f"{year}-000001", 1)
    assert issued["issue_date"] == today().isoformat()
    assert issued["due_date"] == (today() + timedelta(days=10)).isoformat()
    assert issued["issued_at"] is not None
    assert is_valid_kid(issued["payment_reference"])
    assert issued["version"] == draft["version"] + 1
    assert issued["seller"]["name"] == seller["legal_name"]
    assert issued["seller"]["bank_account"] == "12345678903"
    assert issued["seller"]["vat_number"] == seller["vat_number"]
    assert issued["buyer"]["name"] == "Kjøper AS"
    assert issued["buyer"]["address"]["city"] == "Porsgrunn"
    assert issued["amount_due"] == issued["payable_amount"] == "1250.00"
    read = await client.get(f"/v1/invoices/{draft['id']}")
    assert read.json() == issued
    assert read.headers["ETag"] == f'"{issued["version"]}"'


async def test_swedish_seller_gets_an_ocr(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, country="SE")
    buyer = await create_buyer(client, country="SE")
    issued = await create_issued(client, seller, buyer)
    assert issued["currency"] == "SEK"
    assert is_valid_ocr(issued["payment_reference"])


async def test_frozen_parties_survive_registry_changes(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client, legal_name="Gamle Navn AS")
    issued = await create_issued(client, seller, buyer)
    moved = address() | {"line1": "Nygata 9", "city": "Skien", "postal_code": "3717"}
    for company, changes in (
        (buyer, {"legal_name": "Nytt Navn AS", "postal_address": moved}),
        (seller, {"legal_name": "Ny Forening", "postal_address": moved}),
    ):
        response = await patch_current(client, f"/v1/companies/{company['id']}", **changes)
        assert response.status_code == 200, response.text
    again = (await client.get(f"/v1/invoices/{issued['id']}")).json()
    assert again["buyer"] == issued["buyer"]
    assert again["buyer"]["name"] == "Gamle Navn AS"
    assert again["buyer"]["address"]["line1"] == "Hovedgata 1"
    assert again["seller"] == issued["seller"]
    # A new invoice takes the new names.
    later = await create_issued(client, seller, buyer)
    assert later["buyer"]["name"] == "Nytt Navn AS"
    assert later["seller"]["address"]["city"] == "Skien"


async def test_consecutive_per_seller_separate_series(client: httpx.AsyncClient) -> None:
    first_seller = await create_seller(client)
    other_seller = await create_seller(client, country="SE")
    buyer = await create_buyer(client)
    numbers = []
    for seller in (first_seller, other_seller, first_seller, first_seller, other_seller):
        numbers.append((await create_issued(client, seller, buyer))["sequence_number"])
    assert numbers == [1, 1, 2, 3, 2]


async def test_failed_issue_leaves_no_gap_and_writes_nothing(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    unregistered = await create_seller(client, vat_registered=False)
    buyer = await create_buyer(client)
    assert (await create_issued(client, seller, buyer))["sequence_number"] == 1
    # The unregistered seller charges VAT: refused, and its series takes no number.
    with_vat = await create_draft(client, unregistered, buyer)
    response = await client.post(f"/v1/invoices/{with_vat['id']}/issue")
    assert_problem(response, 409, "seller_not_vat_registered")
    assert (await client.get(f"/v1/invoices/{with_vat['id']}")).json() == with_vat
    # Nor is it exempt from VAT (BR-E-02): outside the scope of VAT is what it invoices.
    exempt = await create_draft(
        client,
        unregistered,
        buyer,
        lines=[line(vat_category="E", vat_rate=None, vat_exemption_reason="§ 3-4")],
    )
    response = await client.post(f"/v1/invoices/{exempt['id']}/issue")
    assert_problem(response, 409, "seller_not_vat_registered")
    outside = await create_draft(
        client, unregistered, buyer, lines=[line(vat_category="O", vat_rate=None)]
    )
    assert (await issue(client, outside))["sequence_number"] == 1
    # A refused issue by the first seller leaves its series alone too.
    in_sek = await create_draft(client, seller, buyer, currency="SEK")
    response = await client.post(f"/v1/invoices/{in_sek['id']}/issue")
    assert_problem(response, 409, "vat_exchange_rate_required")
    assert (await create_issued(client, seller, buyer))["sequence_number"] == 2
    fixed = await patch_current(client, f"/v1/invoices/{in_sek['id']}", vat_exchange_rate="1.02")
    assert fixed.status_code == 200, fixed.text
    assert (await issue(client, fixed.json()))["sequence_number"] == 3


async def test_issuing_twice_and_if_match(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    url = f"/v1/invoices/{draft['id']}/issue"
    stale = await client.post(url, headers={"If-Match": f'"{draft["version"] + 5}"'})
    assert_problem(stale, 412, "etag_mismatch")
    issued = await client.post(url, headers={"If-Match": f'"{draft["version"]}"'})
    assert issued.status_code == 200, issued.text
    assert_problem(await client.post(url), 409, "invoice_not_draft")
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json() == issued.json()
    assert_problem(await client.post(f"/v1/invoices/{UNKNOWN_ID}/issue"), 404, "invoice_not_found")


async def test_issue_refuses_what_peppol_refuses(client: httpx.AsyncClient) -> None:
    """BR-O-11/12 (category O alone on an invoice) and the national rates (SE-R-006)."""
    seller, buyer = await create_seller(client), await create_buyer(client)
    mixed = await create_draft(
        client, seller, buyer, lines=[line(), line(vat_category="O", vat_rate=None)]
    )
    response = await client.post(f"/v1/invoices/{mixed['id']}/issue")
    assert_problem(response, 409, "vat_categories_mixed")
    assert (await client.get(f"/v1/invoices/{mixed['id']}")).json() == mixed
    swedish = await create_seller(client, country="SE")
    odd_rate = await create_draft(
        client, swedish, buyer, currency="SEK", lines=[line(vat_rate="15.00")]
    )
    response = await client.post(f"/v1/invoices/{odd_rate['id']}/issue")
    problem = assert_problem(response, 409, "vat_rate_not_allowed")
    assert "15.00" in problem["detail"]
    six = await create_draft(client, swedish, buyer, currency="SEK", lines=[line(vat_rate="6")])
    assert (await issue(client, six))["sequence_number"] == 1


async def test_issue_needs_addresses_and_dates_the_delivery(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    homeless = await create_buyer(client, postal_address=None)
    draft = await create_draft(client, seller, homeless)
    response = await client.post(f"/v1/invoices/{draft['id']}/issue")
    assert_problem(response, 409, "buyer_address_missing")
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json() == draft
    # No delivery period given: the delivery is dated the issue day (a legal field).
    issued = await create_issued(client, seller, await create_buyer(client))
    assert issued["delivery_starts_on"] == issued["delivery_ends_on"] == issued["issue_date"]
