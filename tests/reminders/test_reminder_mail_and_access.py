"""A reminder reaches a real SMTP server; runs are the secretariat's, reminders are seen
by whoever sees the invoice."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.models import ApiKeyScope
from app.config import Settings
from app.mail.sender import deliver_due
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_person
from tests.helpers import assert_problem
from tests.mail.helpers import MailServer
from tests.reminders.helpers import day, due_today, run

pytestmark = pytest.mark.usefixtures("backend")


async def test_the_reminder_arrives_by_smtp(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    smtp_server: MailServer,
) -> None:
    invoice = await due_today(client)
    await run(client, 14)
    report = await deliver_due(sessions, mail_settings)
    assert (len(report.sent), report.failed) == (1, [])
    [received] = smtp_server.received
    assert received.recipients == ["ap@buyer.test"]
    assert str(received.message["Subject"]).startswith(f"Purring 1: faktura {invoice['number']}")
    text = received.text
    assert invoice["payment_reference"] in text
    assert "1 320,00 NOK" in text
    assert day(28).strftime("%d.%m.%Y") in text
    # Sent once: the next pass and the next run send nothing more.
    await run(client, 14)
    assert (await deliver_due(sessions, mail_settings)).sent == []
    assert len(smtp_server.received) == 1


async def test_access_to_reminders(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    invoice = await due_today(client)
    other = await create_company(client)
    own = await create_person(
        client, affiliations=[{"organisation_id": invoice["buyer_id"], "position": "ceo"}]
    )
    stranger = await create_person(
        client, affiliations=[{"organisation_id": other["id"], "position": "ceo"}]
    )
    member = await user_headers(application, person_id=own["id"])
    outsider = await user_headers(application, person_id=stranger["id"])
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    reader = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    body = {"as_of": day(14).isoformat()}
    for headers, status in ((member, 403), (website, 403), (reader, 403), ({}, 401)):
        response = await bare_client.post("/v1/reminder-runs", json=body, headers=headers)
        assert response.status_code == status, response.text
    await run(client, 14)

    url = f"/v1/invoices/{invoice['id']}/reminders"
    seen = await bare_client.get(url, headers=member)
    assert [item["level"] for item in seen.json()["items"]] == [1]
    assert_problem(await bare_client.get(url, headers=outsider), 404, "invoice_not_found")
    assert (await bare_client.get(url, headers=website)).status_code == 403
    assert (await bare_client.get(url, headers={})).status_code == 401
