"""Recording single payments: matching by KID, OCR and id; partial, exact and over-payment;
refusals that write nothing."""

from typing import Any

import httpx
import pytest

from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller, line

pytestmark = pytest.mark.usefixtures("backend")


async def _nok_invoice(client: httpx.AsyncClient) -> dict[str, Any]:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    # 1000 + 25 % VAT = 1250.00
    return await create_issued(client, seller, buyer)


def _payment(invoice: dict[str, Any], amount: str, **overrides: Any) -> dict[str, Any]:
    return {
        "amount": amount,
        "currency": invoice["currency"],
        "paid_on": "2026-03-02",
        "reference": invoice["payment_reference"],
        **overrides,
    }


async def _payments(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await fetch(client, "/v1/payments"))["items"]
    return items


async def test_payment_by_kid_pays_partially_then_fully(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    assert invoice["payable_amount"] == "1250.00"
    response = await client.post("/v1/payments", json=_payment(invoice, "250.00"))
    assert response.status_code == 201, response.text
    recorded = response.json()
    assert response.headers["Location"] == f"/v1/payments/{recorded['id']}"
    assert recorded["matched_by"] == "payment_reference"
    assert recorded["invoice_id"] == invoice["id"]
    assert recorded["invoice"]["status"] == "partially_paid"
    assert recorded["invoice"]["amount_due"] == "1000.00"

    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_paid"], after["amount_due"]) == (
        "partially_paid",
        "250.00",
        "1000.00",
    )
    rest = await client.post("/v1/payments", json=_payment(invoice, "1000", paid_on="2026-03-05"))
    assert rest.status_code == 201, rest.text
    paid = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (paid["status"], paid["amount_due"], paid["overpaid_amount"], paid["paid_on"]) == (
        "paid",
        "0.00",
        "0.00",
        "2026-03-05",
    )
    assert await fetch(client, f"/v1/payments/{recorded['id']}") == {
        key: value for key, value in recorded.items() if key != "invoice"
    }


async def test_over_payment_is_recorded_and_visible(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    response = await client.post("/v1/payments", json=_payment(invoice, "1300.50"))
    assert response.status_code == 201, response.text
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_paid"], after["amount_due"]) == (
        "paid",
        "1300.50",
        "0.00",
    )
    assert after["overpaid_amount"] == "50.50"


async def test_payment_by_ocr_for_a_swedish_seller(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, country="SE")
    buyer = await create_buyer(client, country="SE")
    invoice = await create_issued(client, seller, buyer)
    assert invoice["currency"] == "SEK"
    reference = invoice["payment_reference"]
    # The bank may report the OCR number with spaces.
    spaced = " ".join([reference[:4], reference[4:]])
    response = await client.post(
        "/v1/payments", json=_payment(invoice, invoice["payable_amount"], reference=spaced)
    )
    assert response.status_code == 201, response.text
    assert response.json()["reference"] == reference
    assert (await fetch(client, f"/v1/invoices/{invoice['id']}"))["status"] == "paid"


async def test_payment_by_invoice_id(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    body = _payment(invoice, "1250.00", reference=None, invoice_id=invoice["id"])
    response = await client.post("/v1/payments", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["matched_by"] == "invoice_id"
    assert response.json()["invoice"]["status"] == "paid"


async def test_seller_id_picks_between_sellers_sharing_a_reference(
    client: httpx.AsyncClient,
) -> None:
    # Two sellers' first invoices have the same number, so the same KID.
    buyer = await create_buyer(client)
    first_seller, second_seller = await create_seller(client), await create_seller(client)
    first = await create_issued(client, first_seller, buyer)
    second = await create_issued(client, second_seller, buyer)
    assert first["payment_reference"] == second["payment_reference"]

    ambiguous = await client.post("/v1/payments", json=_payment(first, "100.00"))
    assert_problem(ambiguous, 422, "payment_ambiguous")
    assert await _payments(client) == []

    narrowed = await client.post(
        "/v1/payments", json=_payment(first, "100.00", seller_id=second_seller["id"])
    )
    assert narrowed.status_code == 201, narrowed.text
    assert narrowed.json()["invoice_id"] == second["id"]
    # Named by id, another seller's invoice matches nothing either.
    other = await client.post(
        "/v1/payments",
        json=_payment(
            first, "100.00", reference=None, invoice_id=first["id"], seller_id=second_seller["id"]
        ),
    )
    assert_problem(other, 422, "payment_unmatched")
    assert len(await _payments(client)) == 1


async def test_refused_payments_write_nothing(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    reference = invoice["payment_reference"]
    # A reference whose check digit holds but that no invoice carries.
    unknown = "12345674"
    response = await client.post("/v1/payments", json=_payment(invoice, "10", reference=unknown))
    assert_problem(response, 422, "payment_unmatched")

    wrong_digit = reference[:-1] + str((int(reference[-1]) + 1) % 10)
    response = await client.post(
        "/v1/payments", json=_payment(invoice, "10", reference=wrong_digit)
    )
    problem = assert_problem(response, 422, "invalid_payment_reference")
    assert problem["errors"][0]["field"] == "body.reference"

    response = await client.post("/v1/payments", json=_payment(invoice, "10", currency="SEK"))
    assert_problem(response, 422, "currency_mismatch")

    response = await client.post(
        "/v1/payments", json=_payment(invoice, "10", reference=None, invoice_id=UNKNOWN_ID)
    )
    assert_problem(response, 422, "payment_unmatched")

    response = await client.post("/v1/payments", json=_payment(invoice, "0.00"))
    assert_problem(response, 422, "validation_failed")
    response = await client.post("/v1/payments", json=_payment(invoice, "-5.00"))
    assert_problem(response, 422, "validation_failed")

    assert await _payments(client) == []
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_paid"]) == ("issued", "0.00")


async def test_a_draft_is_not_paid(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer, lines=[line()])
    body = {
        "amount": "100.00",
        "currency": "NOK",
        "paid_on": "2026-03-02",
        "invoice_id": draft["id"],
    }
    assert_problem(await client.post("/v1/payments", json=body), 409, "invoice_not_issued")
    assert await _payments(client) == []


async def test_a_bank_transaction_is_recorded_once(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    body = _payment(invoice, "100.00", bank_transaction_id="TX-1")
    assert (await client.post("/v1/payments", json=body)).status_code == 201
    again = await client.post("/v1/payments", json=body)
    assert_problem(again, 409, "payment_already_recorded")
    assert len(await _payments(client)) == 1
    assert (await fetch(client, f"/v1/invoices/{invoice['id']}"))["amount_paid"] == "100.00"


async def test_idempotency_key_replays_the_payment(client: httpx.AsyncClient) -> None:
    invoice = await _nok_invoice(client)
    headers = {"Idempotency-Key": "pay-1"}
    first = await client.post("/v1/payments", json=_payment(invoice, "100"), headers=headers)
    second = await client.post("/v1/payments", json=_payment(invoice, "100"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(await _payments(client)) == 1


async def test_list_filters_by_invoice_and_pages(client: httpx.AsyncClient) -> None:
    first, second = await _nok_invoice(client), await _nok_invoice(client)
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        body = _payment(first, "10", reference=None, invoice_id=first["id"], paid_on=day)
        assert (await client.post("/v1/payments", json=body)).status_code == 201
    body = _payment(second, "10", reference=None, invoice_id=second["id"])
    assert (await client.post("/v1/payments", json=body)).status_code == 201

    page = await fetch(client, f"/v1/payments?invoice_id={first['id']}&limit=2")
    assert [item["paid_on"] for item in page["items"]] == ["2026-03-03", "2026-03-02"]
    rest = await fetch(
        client, f"/v1/payments?invoice_id={first['id']}&limit=2&cursor={page['next_cursor']}"
    )
    assert [item["paid_on"] for item in rest["items"]] == ["2026-03-01"]
    assert rest["next_cursor"] is None
    assert len(await _payments(client)) == 4


async def test_payment_list_costs_the_same_for_one_and_many(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    invoice = await _nok_invoice(client)
    body = _payment(invoice, "1", reference=None, invoice_id=invoice["id"])
    assert (await client.post("/v1/payments", json=body)).status_code == 201
    with count_queries() as one:
        await fetch(client, "/v1/payments")
    for _ in range(5):
        assert (await client.post("/v1/payments", json=body)).status_code == 201
    with count_queries() as many:
        assert len((await fetch(client, "/v1/payments"))["items"]) == 6
    assert one.count == many.count


async def test_money_for_a_wholly_credited_invoice_is_a_refund_not_a_payment(
    client: httpx.AsyncClient,
) -> None:
    invoice = await _nok_invoice(client)
    credit = await client.post(f"/v1/invoices/{invoice['id']}/credit-notes", json={})
    assert credit.status_code == 201, credit.text
    response = await client.post("/v1/payments", json=_payment(invoice, "1250.00"))
    assert response.status_code == 201, response.text
    after = await fetch(client, f"/v1/invoices/{invoice['id']}")
    assert (after["status"], after["amount_due"], after["overpaid_amount"]) == (
        "credited",
        "0.00",
        "1250.00",
    )
    assert after["paid_on"] is None


async def test_a_mod11_seller_is_paid_by_its_kid(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, settings={"kid_algorithm": "mod11"})
    invoice = await create_issued(client, seller, await create_buyer(client))
    # 2026000001-style digits with the MOD11 check digit, not the Luhn one.
    digits = invoice["number"].replace("-", "")
    assert invoice["payment_reference"] == digits + _mod11(digits)
    response = await client.post("/v1/payments", json=_payment(invoice, "1250.00"))
    assert response.status_code == 201, response.text
    assert response.json()["invoice"]["status"] == "paid"


def _mod11(digits: str) -> str:
    """Weights 2, 3, 4, 5, 6, 7 from the right; 11 → 0, 10 → "-" (written out here so the
    test does not trust the module it checks)."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    check = 11 - total % 11
    return {11: "0", 10: "-"}.get(check, str(check))
