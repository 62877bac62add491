"""Payments are the secretariat's: changes for admins, reads for admins and read keys."""

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem, fetch
from tests.invoice_factories import create_buyer, create_issued, create_seller

pytestmark = pytest.mark.usefixtures("backend")


async def test_only_admins_record_and_read_payments(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    body = {
        "amount": "10.00",
        "currency": "NOK",
        "paid_on": "2026-03-02",
        "reference": invoice["payment_reference"],
    }
    payment = (await client.post("/v1/payments", json=body)).json()
    person = await create_person(
        client, affiliations=[{"organisation_id": buyer["id"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=person["id"])
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    reader = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    batch = {"payments": [body]}
    for headers, status in ((member, 403), (website, 403), ({}, 401), (reader, 403)):
        for url, json in (("/v1/payments", body), ("/v1/payments/batches", batch)):
            response = await bare_client.post(url, json=json, headers=headers)
            assert response.status_code == status, (url, response.text)
    for headers, status in ((member, 403), (website, 403), ({}, 401)):
        for url in ("/v1/payments", f"/v1/payments/{payment['id']}"):
            response = await bare_client.get(url, headers=headers)
            assert response.status_code == status, (url, response.text)
    listed = await bare_client.get("/v1/payments", headers=reader)
    assert [item["id"] for item in listed.json()["items"]] == [payment["id"]]
    assert (await fetch(client, f"/v1/invoices/{invoice['id']}"))["amount_paid"] == "10.00"
    assert_problem(await client.get(f"/v1/payments/{UNKNOWN_ID}"), 404, "payment_not_found")
