"""`/v1/fee-schedules`: what each network's members pay in a year."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_network
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.invoice_factories import create_seller

URL = "/v1/fee-schedules"


def schedule_body(network_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "network_id": network_id,
        "year": 2026,
        "currency": "NOK",
        "invoice_text": "Kontingent 2026",
        "lines": [{"description": "Administrasjonsgebyr", "amount": "12000", "vat_category": "S"}],
    }
    body.update(overrides)
    return body


async def _network(client: httpx.AsyncClient, **overrides: Any) -> str:
    return str((await create_network(client, **overrides))["id"])


async def _stored(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await fetch(client, URL))["items"]
    return items


async def test_create_and_read_back_a_flat_and_a_tiered_line(client: httpx.AsyncClient) -> None:
    network_id = await _network(client)
    tiered = {
        "description": "Kurs",
        "tiers": [
            {"min_employees": 0, "amount": "1000"},
            {"min_employees": 50, "amount": "2500.5"},
        ],
        "vat_category": "E",
        "vat_exemption_reason": "Unntatt etter mval. § 3-5",
    }
    body = schedule_body(network_id, lines=[*schedule_body(network_id)["lines"], tiered])
    response = await client.post(URL, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"] == f"{URL}/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    assert created["billable_kinds"] == ["member"]
    assert created["payment_terms_days"] == 30  # no seller: the default
    assert created["lines"] == [
        {
            "description": "Administrasjonsgebyr",
            "amount": "12000.00",
            "tiers": None,
            "vat_category": "S",
            "vat_rate": "25.00",
            "vat_exemption_reason": None,
        },
        {
            "description": "Kurs",
            "amount": None,
            "tiers": [
                {"min_employees": 0, "amount": "1000.00"},
                {"min_employees": 50, "amount": "2500.50"},
            ],
            "vat_category": "E",
            "vat_rate": "0.00",
            "vat_exemption_reason": "Unntatt etter mval. § 3-5",
        },
    ]
    read = await client.get(f"{URL}/{created['id']}")
    assert read.json() == created
    assert read.headers["ETag"] == '"1"'


async def test_payment_terms_default_to_the_sellers(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, settings={"default_payment_terms_days": 14})
    network_id = await _network(client, administered_by_id=seller["id"])
    response = await client.post(
        URL, json=schedule_body(network_id, billable_kinds=["member", "partner"])
    )
    assert response.status_code == 201, response.text
    assert response.json()["payment_terms_days"] == 14
    assert response.json()["billable_kinds"] == ["member", "partner"]


def _line(**overrides: Any) -> dict[str, Any]:
    return {"description": "Gebyr", "amount": "100.00", "vat_category": "S", **overrides}


BAD_LINES = {
    "amount and tiers": (
        [_line(tiers=[{"min_employees": 0, "amount": "1"}])],
        "fee_line_amount_or_tiers",
        "body.lines.0.amount",
    ),
    "neither amount nor tiers": (
        [_line(), _line(amount=None)],
        "fee_line_amount_or_tiers",
        "body.lines.1.amount",
    ),
    "first tier above 0": (
        [_line(amount=None, tiers=[{"min_employees": 1, "amount": "1"}])],
        "fee_tiers_out_of_order",
        "body.lines.0.tiers.0.min_employees",
    ),
    "tiers not ascending": (
        [
            _line(
                amount=None,
                tiers=[
                    {"min_employees": 0, "amount": "1"},
                    {"min_employees": 10, "amount": "2"},
                    {"min_employees": 10, "amount": "3"},
                ],
            )
        ],
        "fee_tiers_out_of_order",
        "body.lines.0.tiers.2.min_employees",
    ),
    "standard at 0 %": ([_line(vat_rate="0")], "invalid_vat_rate", "body.lines.0.vat_rate"),
    "standard with a reason": (
        [_line(vat_exemption_reason="Unntatt")],
        "vat_exemption_reason_not_allowed",
        "body.lines.0.vat_exemption_reason",
    ),
    "exempt without reason": (
        [_line(vat_category="E")],
        "vat_exemption_reason_required",
        "body.lines.0.vat_exemption_reason",
    ),
    "exempt with a rate": (
        [_line(vat_category="E", vat_rate="25", vat_exemption_reason="x")],
        "invalid_vat_rate",
        "body.lines.0.vat_rate",
    ),
    "outside scope with a rate": (
        [_line(vat_category="O", vat_rate="12")],
        "invalid_vat_rate",
        "body.lines.0.vat_rate",
    ),
    "negative employees": (
        [_line(amount=None, tiers=[{"min_employees": -1, "amount": "1"}])],
        "validation_failed",
        "body.lines.0.tiers.0.min_employees",
    ),
    "unknown category": (
        [_line(vat_category="Z")],
        "validation_failed",
        "body.lines.0.vat_category",
    ),
    "amount as a number": ([_line(amount=100.0)], "validation_failed", "body.lines.0.amount"),
    "negative amount": ([_line(amount="-5.00")], "validation_failed", "body.lines.0.amount"),
    "three decimals": ([_line(amount="1.005")], "validation_failed", "body.lines.0.amount"),
    "no lines": ([], "validation_failed", "body.lines"),
    "21 lines": ([_line() for _ in range(21)], "validation_failed", "body.lines"),
}


@pytest.mark.parametrize(("lines", "code", "field"), BAD_LINES.values(), ids=BAD_LINES.keys())
async def test_bad_lines_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, lines: list[dict[str, Any]], code: str, field: str
) -> None:
    network_id = await _network(client)
    response = await client.post(URL, json=schedule_body(network_id, lines=lines))
    problem = assert_problem(response, 422, code)
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await _stored(client) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"billable_kinds": []},
        {"billable_kinds": ["member", "member"]},
        {"billable_kinds": ["sponsor"]},
        {"currency": "EUR"},
        {"year": 1999},
        {"payment_terms_days": -1},
    ],
    ids=["no kinds", "kind twice", "unknown kind", "EUR", "year 1999", "negative terms"],
)
async def test_bad_fields_are_refused(client: httpx.AsyncClient, fields: dict[str, Any]) -> None:
    network_id = await _network(client)
    response = await client.post(URL, json=schedule_body(network_id, **fields))
    assert_problem(response, 422, "validation_failed")
    assert await _stored(client) == []


async def test_unknown_network_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=schedule_body(UNKNOWN_ID))
    assert_problem(response, 422, "unknown_network")
    assert await _stored(client) == []


async def test_one_schedule_per_network_and_year(client: httpx.AsyncClient) -> None:
    network_id = await _network(client)
    first = await client.post(URL, json=schedule_body(network_id))
    assert first.status_code == 201
    again = await client.post(URL, json=schedule_body(network_id, currency="SEK"))
    assert_problem(again, 409, "fee_schedule_exists")
    next_year = await client.post(URL, json=schedule_body(network_id, year=2027))
    assert next_year.status_code == 201
    stored = await _stored(client)
    assert sorted((row["year"], row["currency"]) for row in stored) == [
        (2026, "NOK"),
        (2027, "NOK"),
    ]


async def test_idempotency_key_replays_the_create(client: httpx.AsyncClient) -> None:
    network_id = await _network(client)
    headers = {"Idempotency-Key": "schedule-2026"}
    first = await client.post(URL, json=schedule_body(network_id), headers=headers)
    again = await client.post(URL, json=schedule_body(network_id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(await _stored(client)) == 1


async def test_list_filters_and_pages(client: httpx.AsyncClient, count_queries: Any) -> None:
    first, second = await _network(client), await _network(client)
    for network_id in (first, second):
        for year in (2025, 2026):
            response = await client.post(URL, json=schedule_body(network_id, year=year))
            assert response.status_code == 201
    only = await fetch(client, f"{URL}?network_id={first}&year=2026")
    assert [(row["network_id"], row["year"]) for row in only["items"]] == [(first, 2026)]
    years = [row["year"] for row in (await fetch(client, f"{URL}?network_id={second}"))["items"]]
    assert years == [2026, 2025]  # newest first by default

    seen: list[str] = []
    url: str | None = f"{URL}?limit=3&sort=year"
    while url is not None:
        page = await fetch(client, url)
        seen += [row["id"] for row in page["items"]]
        url = (
            f"{URL}?limit=3&sort=year&cursor={page['next_cursor']}" if page["next_cursor"] else None
        )
    assert len(seen) == len(set(seen)) == 4

    with count_queries() as one:
        await fetch(client, f"{URL}?limit=1")
    with count_queries() as many:
        await fetch(client, f"{URL}?limit=4")
    assert one.count == many.count


async def test_patch_needs_if_match_and_replaces_lines(client: httpx.AsyncClient) -> None:
    network_id = await _network(client)
    created = (await client.post(URL, json=schedule_body(network_id))).json()
    url = f"{URL}/{created['id']}"
    change = {"lines": [_line(description="Ny", amount="500")], "payment_terms_days": 10}
    assert_problem(await client.patch(url, json=change), 428, "if_match_required")
    stale = await client.patch(url, json=change, headers={"If-Match": '"7"'})
    assert_problem(stale, 412, "etag_mismatch")
    bad = await client.patch(
        url, json={"lines": [_line(vat_category="E")]}, headers={"If-Match": '"1"'}
    )
    assert_problem(bad, 422, "vat_exemption_reason_required")
    assert (await fetch(client, url))["version"] == 1

    response = await client.patch(url, json=change, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["version"] == 2
    assert changed["payment_terms_days"] == 10
    assert [line["amount"] for line in changed["lines"]] == ["500.00"]
    assert changed["invoice_text"] == "Kontingent 2026"  # not sent, kept
    moved = await client.patch(url, json={"year": 2030}, headers={"If-Match": '"2"'})
    assert_problem(moved, 422, "validation_failed")
    nulled = await client.patch(url, json={"lines": None}, headers={"If-Match": '"2"'})
    assert_problem(nulled, 422, "validation_failed")


async def test_delete(client: httpx.AsyncClient) -> None:
    network_id = await _network(client)
    created = (await client.post(URL, json=schedule_body(network_id))).json()
    url = f"{URL}/{created['id']}"
    assert_problem(await client.delete(url, headers={"If-Match": '"9"'}), 412, "etag_mismatch")
    assert (await client.delete(url)).status_code == 204
    assert_problem(await client.get(url), 404, "fee_schedule_not_found")
    assert_problem(await client.delete(url), 404, "fee_schedule_not_found")


async def test_only_the_secretariat(client: httpx.AsyncClient, application: FastAPI) -> None:
    network_id = await _network(client)
    created = (await client.post(URL, json=schedule_body(network_id))).json()
    url = f"{URL}/{created['id']}"
    engine = application.state.engine
    callers = {
        401: {},
        403: await api_key_headers(engine, ApiKeyScope.PUBLIC),
    }
    member = await user_headers(application)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as other:
        for status, headers in [*callers.items(), (403, member)]:
            other.headers.clear()
            other.headers.update(headers)
            assert (await other.get(URL)).status_code == status
            assert (await other.get(url)).status_code == status
            body = schedule_body(network_id, year=2027)
            assert (await other.post(URL, json=body)).status_code == status
            patch = await other.patch(url, json={"invoice_text": "x"}, headers={"If-Match": '"1"'})
            assert patch.status_code == status
            assert (await other.delete(url)).status_code == status
            # A refusal names nothing, not even for an unknown id.
            unknown = await other.patch(f"{URL}/{UNKNOWN_ID}", json={}, headers={"If-Match": '"1"'})
            assert unknown.status_code == status
        other.headers.clear()
        other.headers.update(await api_key_headers(engine, ApiKeyScope.READ))
        assert (await other.get(url)).status_code == 200
        refused = await other.post(URL, json=schedule_body(network_id, year=2027))
        assert_problem(refused, 403, "read_only_credentials")
    stored = await _stored(client)
    assert [(row["year"], row["invoice_text"]) for row in stored] == [(2026, "Kontingent 2026")]


async def test_an_outside_scope_line_says_why_as_invoices_do(client: httpx.AsyncClient) -> None:
    """EN 16931 BR-O-10: the same default reason as an invoice line of category O."""
    network_id = await _network(client)
    body = schedule_body(
        network_id, lines=[{"description": "Kontingent", "amount": "500", "vat_category": "O"}]
    )
    created = await client.post(URL, json=body)
    assert created.status_code == 201, created.text
    line = created.json()["lines"][0]
    assert (line["vat_rate"], line["vat_exemption_reason"]) == ("0.00", "Outside the scope of VAT")
