"""Credit notes are made by admins; seen by whoever sees the invoice."""

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_person
from tests.helpers import assert_problem
from tests.invoice_factories import create_buyer, create_issued, create_seller

pytestmark = pytest.mark.usefixtures("backend")


async def test_access_to_credit_notes(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    url = f"/v1/invoices/{invoice['id']}/credit-notes"
    note = (await client.post(url, json={"reason": "Mistake"})).json()
    other = await create_company(client)
    own = await create_person(
        client, affiliations=[{"organisation_id": buyer["id"], "position": "ceo"}]
    )
    stranger = await create_person(
        client, affiliations=[{"organisation_id": other["id"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=own["id"])
    outsider = await user_headers(application, person_id=stranger["id"])
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)

    for headers, status in ((member, 403), (outsider, 403), (website, 403), ({}, 401)):
        response = await bare_client.post(url, json={}, headers=headers)
        assert response.status_code == status, response.text
        assert invoice["id"] not in response.text

    seen = await bare_client.get(url, headers=member)
    assert [item["id"] for item in seen.json()["items"]] == [note["id"]]
    assert_problem(await bare_client.get(url, headers=outsider), 404, "invoice_not_found")
    assert (await bare_client.get(url, headers=website)).status_code == 403
    assert (await bare_client.get(url, headers={})).status_code == 401
    # Only the one credit note exists.
    assert len((await client.get(url)).json()["items"]) == 1
