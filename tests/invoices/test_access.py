"""Who reads invoices: admins all, a buyer's people theirs, nobody else anything."""

import httpx
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_person
from tests.helpers import assert_problem
from tests.invoice_factories import create_buyer, create_draft, create_issued, create_seller, line


async def _member_of(
    application: FastAPI, client: httpx.AsyncClient, org_id: str
) -> dict[str, str]:
    person = await create_person(
        client, affiliations=[{"organisation_id": org_id, "position": "ceo"}]
    )
    return await user_headers(application, person_id=person["id"])


async def test_buyers_people_see_their_invoices_only(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller = await create_seller(client)
    buyer, other = await create_buyer(client), await create_buyer(client)
    mine = await create_issued(client, seller, buyer)
    theirs = await create_issued(client, seller, other)
    member = await _member_of(application, client, buyer["id"])

    own = await bare_client.get(f"/v1/invoices/{mine['id']}", headers=member)
    assert own.status_code == 200, own.text
    assert own.json() == mine
    hidden = await bare_client.get(f"/v1/invoices/{theirs['id']}", headers=member)
    problem = assert_problem(hidden, 404, "invoice_not_found")
    assert theirs["id"] not in problem["detail"]
    listed = await bare_client.get("/v1/invoices", headers=member)
    assert [item["id"] for item in listed.json()["items"]] == [mine["id"]]
    filtered = await bare_client.get(
        "/v1/invoices", params={"buyer_id": other["id"]}, headers=member
    )
    assert filtered.json()["items"] == []


async def test_website_and_anonymous_are_refused(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    invoice = await create_issued(client, seller, buyer)
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    for url in ("/v1/invoices", f"/v1/invoices/{invoice['id']}"):
        assert_problem(await bare_client.get(url), 401, "authentication_required")
        assert_problem(await bare_client.get(url, headers=website), 403, "forbidden")


async def test_changes_are_admins_only_and_refused_before_lookup(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer)
    member = await _member_of(application, client, buyer["id"])
    reader = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    body = {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK",
        "lines": [line()],
    }
    url = f"/v1/invoices/{draft['id']}"
    for headers in (member, reader, {}):
        expected = 401 if not headers else 403
        attempts = [
            await bare_client.post("/v1/invoices", json=body, headers=headers),
            await bare_client.post(f"{url}/issue", headers=headers),
            await bare_client.patch(url, json={"note": "x"}, headers=headers),
            await bare_client.delete(url, headers=headers),
        ]
        assert [attempt.status_code for attempt in attempts] == [expected] * 4
    # Nothing was written: still the one untouched draft.
    assert (await client.get(url)).json() == draft
    assert len((await client.get("/v1/invoices")).json()["items"]) == 1


async def test_the_buyers_people_do_not_see_drafts(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller, buyer = await create_seller(client), await create_buyer(client)
    draft = await create_draft(client, seller, buyer, note="Internal: check the tier")
    member = await _member_of(application, client, buyer["id"])
    hidden = await bare_client.get(f"/v1/invoices/{draft['id']}", headers=member)
    assert_problem(hidden, 404, "invoice_not_found")
    listed = await bare_client.get("/v1/invoices", headers=member)
    assert listed.json()["items"] == []
    issued = await client.post(f"/v1/invoices/{draft['id']}/issue")
    shown = await bare_client.get(f"/v1/invoices/{draft['id']}", headers=member)
    assert shown.json() == issued.json()
