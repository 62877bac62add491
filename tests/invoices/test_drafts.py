"""Drafts: creating, changing and deleting, with the line and party rules."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.factories import create_company
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller, line


async def _count(client: httpx.AsyncClient) -> int:
    response = await client.get("/v1/invoices", params={"limit": 200})
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


async def test_draft_defaults_and_totals(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, settings={"default_payment_terms_days": 21})
    buyer = await create_buyer(client, country="SE")
    response = await client.post(
        "/v1/invoices",
        json={
            "seller_id": seller["id"],
            "buyer_id": buyer["id"],
            "currency": "NOK",
            "vat_exchange_rate": "1.05",
            "lines": [
                line(quantity="3", unit_price="333.33"),
                line(vat_category="E", vat_rate=None, vat_exemption_reason="Medlemskap"),
                line(vat_category="O", vat_rate="0", unit_price="10.00"),
                line(vat_rate=None, unit_price="0.05", quantity="0.5"),
            ],
        },
    )
    assert response.status_code == 201, response.text
    draft = response.json()
    assert response.headers["Location"] == f"/v1/invoices/{draft['id']}"
    assert response.headers["ETag"] == f'"{draft["version"]}"'
    assert (draft["status"], draft["kind"], draft["number"]) == ("draft", "invoice", None)
    assert draft["language"] == "sv"  # the buyer's
    assert draft["payment_terms_days"] == 21  # the seller's default
    assert draft["seller"] is None
    assert draft["buyer"] is None
    assert draft["vat_exchange_rate"] == "1.05"
    amounts = [item["line_amount"] for item in draft["lines"]]
    assert amounts == ["999.99", "1000.00", "10.00", "0.03"]
    assert [item["position"] for item in draft["lines"]] == [1, 2, 3, 4]
    assert draft["lines"][3]["vat_rate"] == "25.00"
    assert draft["lines"][2]["vat_exemption_reason"] == "Outside the scope of VAT"
    assert draft["vat_breakdown"] == [
        {
            "category": "E",
            "rate": "0.00",
            "taxable_amount": "1000.00",
            "tax_amount": "0.00",
            "exemption_reason": "Medlemskap",
        },
        {
            "category": "O",
            "rate": "0.00",
            "taxable_amount": "10.00",
            "tax_amount": "0.00",
            "exemption_reason": "Outside the scope of VAT",
        },
        {
            "category": "S",
            "rate": "25.00",
            "taxable_amount": "1000.02",
            "tax_amount": "250.01",
            "exemption_reason": None,
        },
    ]
    assert draft["line_extension_amount"] == "2010.02"
    assert draft["tax_amount"] == "250.01"
    assert draft["payable_amount"] == "2260.03"
    assert draft["amount_due"] == "2260.03"
    assert draft["overpaid_amount"] == "0.00"
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json() == draft


@pytest.mark.parametrize(
    ("bad_line", "code", "where"),
    [
        ({"quantity": "-1"}, "validation_failed", "quantity"),
        ({"quantity": "0"}, "validation_failed", "quantity"),
        ({"quantity": "0.0000"}, "validation_failed", "quantity"),
        ({"vat_category": "Z"}, "validation_failed", "vat_category"),
        ({"unit_price": "-5.00"}, "validation_failed", "unit_price"),
        ({"unit_price": 100.5}, "validation_failed", "unit_price"),
        ({"unit_price": "1.005"}, "validation_failed", "unit_price"),
        # Rules across fields, which the schema cannot state: each has its own code.
        ({"vat_category": "S", "vat_rate": "0"}, "invalid_vat_rate", "vat_rate"),
        ({"vat_category": "E", "vat_rate": None}, "vat_exemption_reason_required", "reason"),
        ({"vat_category": "O", "vat_rate": "25.00"}, "invalid_vat_rate", "vat_rate"),
        ({"vat_exemption_reason": "§ 3-4"}, "vat_exemption_reason_not_allowed", "reason"),
        # Within each field's pattern, but a line amount no column holds: a 422, not a 500.
        ({"quantity": "99999999", "unit_price": "999999999999.99"}, "line_too_large", "1"),
    ],
)
async def test_bad_lines_are_refused_and_nothing_written(
    client: httpx.AsyncClient, bad_line: dict[str, Any], code: str, where: str
) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    body = {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK",
        "lines": [line(), line(**bad_line)],
    }
    problem = assert_problem(await client.post("/v1/invoices", json=body), 422, code)
    fields = [error["field"] for error in problem["errors"]]
    assert all(field.startswith("body.lines.1") for field in fields), fields
    assert any(field.endswith(where) for field in fields), fields
    assert await _count(client) == 0


async def test_line_count_bounds(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    base = {"seller_id": seller["id"], "buyer_id": buyer["id"], "currency": "NOK"}
    for lines in ([], [line()] * 501):
        response = await client.post("/v1/invoices", json={**base, "lines": lines})
        assert_problem(response, 422, "validation_failed")
    assert await _count(client) == 0


async def test_parties_are_checked(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    company = await create_company(client)
    bare_association = await create_company(client, kind="association")
    base = {"currency": "NOK", "lines": [line()]}
    cases = [
        ({"seller_id": UNKNOWN_ID, "buyer_id": buyer["id"]}, 422, "unknown_organisation"),
        ({"seller_id": seller["id"], "buyer_id": UNKNOWN_ID}, 422, "unknown_organisation"),
        ({"seller_id": company["id"], "buyer_id": buyer["id"]}, 409, "not_an_association"),
        ({"seller_id": bare_association["id"], "buyer_id": buyer["id"]}, 409, "seller_not_set_up"),
    ]
    for parties, status, code in cases:
        response = await client.post("/v1/invoices", json={**base, **parties})
        assert_problem(response, status, code)
    unordered = {
        **base,
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "delivery_starts_on": "2026-02-01",
        "delivery_ends_on": "2026-01-31",
    }
    problem = assert_problem(
        await client.post("/v1/invoices", json=unordered), 422, "invalid_period"
    )
    assert problem["errors"][0]["field"] == "body.delivery_ends_on"
    assert await _count(client) == 0


async def test_patch_replaces_lines_and_recomputes(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    draft = await create_draft(client, seller, buyer, lines=[line(), line(), line()])
    url = f"/v1/invoices/{draft['id']}"
    assert_problem(await client.patch(url, json={"note": "x"}), 428, "if_match_required")
    changed = await client.patch(
        url,
        json={"lines": [line(quantity="2", unit_price="99.99")], "note": "Takk!"},
        headers={"If-Match": f'"{draft["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert [item["position"] for item in body["lines"]] == [1]
    assert (body["line_extension_amount"], body["tax_amount"], body["payable_amount"]) == (
        "199.98",
        "50.00",
        "249.98",
    )
    assert body["note"] == "Takk!"
    stale = await client.patch(
        url, json={"note": "y"}, headers={"If-Match": f'"{draft["version"]}"'}
    )
    assert_problem(stale, 412, "etag_mismatch")
    bad = await client.patch(
        url,
        json={"lines": [line(quantity="-2")], "note": "z"},
        headers={"If-Match": f'"{body["version"]}"'},
    )
    assert_problem(bad, 422, "validation_failed")
    assert (await client.get(url)).json() == body


async def test_issued_invoices_are_not_edited_or_deleted(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    issued = await create_issued(client, seller, buyer)
    url = f"/v1/invoices/{issued['id']}"
    etag = {"If-Match": f'"{issued["version"]}"'}
    patch = await client.patch(url, json={"lines": [line(unit_price="1.00")]}, headers=etag)
    assert_problem(patch, 409, "invoice_not_draft")
    assert_problem(await client.delete(url, headers=etag), 409, "invoice_not_draft")
    assert (await client.get(url)).json() == issued


async def test_delete_a_draft(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    url = f"/v1/invoices/{draft['id']}"
    assert_problem(await client.delete(url, headers={"If-Match": '"99"'}), 412, "etag_mismatch")
    assert (await client.delete(url)).status_code == 204
    assert_problem(await client.get(url), 404, "invoice_not_found")
    assert_problem(await client.delete(url), 404, "invoice_not_found")


async def test_idempotent_create(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    body = {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK",
        "lines": [line()],
    }
    headers = {"Idempotency-Key": "draft-1"}
    first = await client.post("/v1/invoices", json=body, headers=headers)
    again = await client.post("/v1/invoices", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await _count(client) == 1
    assert Decimal(first.json()["payable_amount"]) == Decimal("1250.00")


async def test_changing_only_the_lines_moves_the_etag(client: httpx.AsyncClient) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    url = f"/v1/invoices/{draft['id']}"
    etag = (await client.get(url)).headers["ETag"]
    first = await client.patch(
        url, json={"lines": [line(description="Kontingent")]}, headers={"If-Match": etag}
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] != etag
    # A second editor with the old ETag is refused, not silently overwriting the first.
    stale = await client.patch(
        url, json={"lines": [line(description="Medlemsavgift")]}, headers={"If-Match": etag}
    )
    assert_problem(stale, 412, "etag_mismatch")
    assert (await client.get(url)).json()["lines"][0]["description"] == "Kontingent"
