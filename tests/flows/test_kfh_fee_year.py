"""Issue 5's "done when", through the API alone: KFH runs Industrigruppen's yearly fee
run, issues lawful Swedish invoices (PDF and EHF / Peppol BIS Billing 3.0), records the
payments from its bank file, credits a mistake and reminds a late payer by e-mail through
a real SMTP server.
"""

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import today
from app.config import Settings
from app.invoices.references import is_valid_ocr
from app.mail.sender import deliver_due
from tests.factories import create_company, create_membership, create_network
from tests.helpers import assert_problem, fetch
from tests.invoice_factories import create_seller
from tests.mail.helpers import MailServer

pytestmark = pytest.mark.usefixtures("backend")

UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
# Employees per member company, and the tier each falls in.
COMPANIES = {"Saab Kockums": 900, "Ericsson": 400, "Vida": 120, "Babcock": 30}


async def _industrigruppen(client: httpx.AsyncClient, year: int) -> dict[str, Any]:
    kfh = await create_seller(
        client,
        country="SE",
        legal_name="Karlskrona Företags- och Hantverksförening",
        settings={"reminder_fee": "60.00"},
    )
    network = await create_network(
        client, name="Industrigruppen i Karlskrona", administered_by_id=kfh["id"]
    )
    for name, employees in COMPANIES.items():
        company = await create_company(
            client,
            country="SE",
            legal_name=f"{name} AB",
            employees=employees,
            language="sv",
            invoice_email=f"faktura@{name.lower().replace(' ', '-')}.example",
            postal_address={
                "line1": "Industrivägen 1",
                "postal_code": "371 32",
                "city": "Karlskrona",
                "country": "SE",
            },
        )
        await create_membership(
            client,
            organisation_id=company["id"],
            network_id=network["id"],
            # Babcock joined on 15 April: it pays from April, 9 of 12 months.
            starts_on=f"{year}-04-15" if name == "Babcock" else f"{year - 1}-01-01",
        )
    partner = await create_company(
        client, kind="partner", country="SE", legal_name="Teknikföretagen"
    )
    await create_membership(
        client,
        organisation_id=partner["id"],
        network_id=network["id"],
        kind="partner",
        starts_on=f"{year - 1}-01-01",
    )
    return {"kfh": kfh, "network": network}


async def test_kfh_bills_industrigruppen_through_the_api(
    client: httpx.AsyncClient,
    smtp_server: MailServer,
    mail_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    year = today().year
    scene = await _industrigruppen(client, year)
    network_id = scene["network"]["id"]

    # The fee schedule: an administrative fee in tiers by company size, VAT 25 %.
    schedule = await client.post(
        "/v1/fee-schedules",
        json={
            "network_id": network_id,
            "year": year,
            "currency": "SEK",
            "payment_terms_days": 30,
            "invoice_text": "Administrativ avgift för Industrigruppen.",
            "lines": [
                {
                    "description": f"Administrativ avgift {year}",
                    "tiers": [
                        {"min_employees": 0, "amount": "4000.00"},
                        {"min_employees": 250, "amount": "12000.00"},
                    ],
                    "vat_category": "S",
                    "vat_rate": "25.00",
                }
            ],
        },
    )
    assert schedule.status_code == 201, schedule.text

    # The fee run: proposed first, then made, then nothing twice.
    run = {"network_id": network_id, "year": year}
    proposed = await client.post("/v1/fee-runs", json={**run, "dry_run": True})
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["created_count"] == 4
    assert [s["reason"] for s in proposed.json()["skipped"]] == ["kind_not_billable"]
    assert (await fetch(client, f"/v1/invoices?network_id={network_id}"))["items"] == []
    made = (await client.post("/v1/fee-runs", json=run)).json()
    assert made["created_count"] == 4
    # 12000 x 2 + 4000 + 4000 x 9/12 = 31000 net, 38750 with VAT.
    assert Decimal(made["total_amount"]) == Decimal("38750.00")
    again = (await client.post("/v1/fee-runs", json=run)).json()
    assert again["created_count"] == 0
    assert sorted(s["reason"] for s in again["skipped"]) == ["already_invoiced"] * 4 + [
        "kind_not_billable"
    ]

    # Issue them: consecutive numbers in KFH's series, each with a valid OCR.
    drafts = (await fetch(client, f"/v1/invoices?network_id={network_id}&limit=10"))["items"]
    issued = []
    for draft in drafts:
        response = await client.post(f"/v1/invoices/{draft['id']}/issue")
        assert response.status_code == 200, response.text
        issued.append(response.json())
    assert [i["sequence_number"] for i in issued] == [1, 2, 3, 4]
    assert all(is_valid_ocr(i["payment_reference"]) for i in issued)
    by_buyer = {i["buyer"]["name"]: i for i in issued}
    babcock = by_buyer["Babcock AB"]
    assert babcock["payable_amount"] == "3750.00"
    assert babcock["delivery_starts_on"] == f"{year}-04-01"

    # Lawful documents: the Swedish PDF and the EHF / Peppol XML say what the API says.
    pdf = await client.get(f"/v1/invoices/{babcock['id']}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for fact in ("Godkänd för F-skatt", babcock["number"], babcock["payment_reference"]):
        assert fact in text
    assert "3 750,00" in text
    xml = await client.get(f"/v1/invoices/{babcock['id']}.xml")
    assert xml.status_code == 200
    document = etree.fromstring(xml.content)
    assert document.findtext("cbc:ID", namespaces=UBL) == babcock["number"]
    assert document.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL) == (
        "3750.00"
    )
    assert (
        document.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=UBL)
        == (babcock["payment_reference"])
    )

    # The bank file: Saab pays in full, Ericsson half, a stranger's payment matches nothing.
    saab, ericsson, vida = (by_buyer[f"{n} AB"] for n in ("Saab Kockums", "Ericsson", "Vida"))
    bank_file = await client.post(
        "/v1/payments/batches",
        json={
            "seller_id": scene["kfh"]["id"],
            "payments": [
                {
                    "amount": saab["payable_amount"],
                    "currency": "SEK",
                    "paid_on": str(today()),
                    "reference": saab["payment_reference"],
                    "bank_transaction_id": "BG-1",
                },
                {
                    "amount": "7500.00",
                    "currency": "SEK",
                    "paid_on": str(today()),
                    "reference": ericsson["payment_reference"],
                    "bank_transaction_id": "BG-2",
                },
                {
                    "amount": "100.00",
                    "currency": "SEK",
                    "paid_on": str(today()),
                    "reference": "1234567890",
                    "bank_transaction_id": "BG-3",
                },
            ],
        },
    )
    assert bank_file.status_code == 200, bank_file.text
    assert [line["invoice_status"] for line in bank_file.json()["recorded"]] == [
        "paid",
        "partially_paid",
    ]
    assert [line["index"] for line in bank_file.json()["unmatched"]] == [2]
    ericsson_now = await fetch(client, f"/v1/invoices/{ericsson['id']}")
    assert ericsson_now["amount_due"] == "7500.00"

    # Vida was billed by mistake (it left last year): credit the whole invoice.
    credit = await client.post(
        f"/v1/invoices/{vida['id']}/credit-notes", json={"reason": "Utträdde före årets början."}
    )
    assert credit.status_code == 201, credit.text
    assert credit.json()["kind"] == "credit_note"
    assert credit.json()["number"] == f"K{year}-000001"
    assert credit.json()["credited_invoice_id"] == vida["id"]
    assert (await fetch(client, f"/v1/invoices/{vida['id']}"))["status"] == "credited"
    too_much = await client.post(f"/v1/invoices/{vida['id']}/credit-notes", json={})
    assert_problem(too_much, 409, "credit_exceeds_invoice")
    credit_xml = await client.get(f"/v1/invoices/{credit.json()['id']}.xml")
    assert etree.fromstring(credit_xml.content).tag.endswith("CreditNote")

    # A month after the due date: Ericsson (half paid) and Babcock (nothing) are reminded.
    due = date.fromisoformat(babcock["due_date"])
    as_of = due + timedelta(days=15)
    overdue = await fetch(client, f"/v1/invoices?overdue=true&network_id={network_id}")
    assert overdue["items"] == []  # not yet overdue today
    reminders = await client.post("/v1/reminder-runs", json={"as_of": str(as_of)})
    assert reminders.status_code == 200, reminders.text
    reminded = {r["invoice_id"]: r for r in reminders.json()["reminded"]}
    assert set(reminded) == {ericsson["id"], babcock["id"]}
    assert all(r["level"] == 1 for r in reminded.values())
    twice = (await client.post("/v1/reminder-runs", json={"as_of": str(as_of)})).json()
    assert twice["reminded"] == []

    report = await deliver_due(sessions, mail_settings)
    assert len(report.sent) == 2
    assert {a for m in smtp_server.received for a in m.recipients} == {
        "faktura@ericsson.example",
        "faktura@babcock.example",
    }
    babcock_mail = next(m for m in smtp_server.received if "babcock" in m.recipients[0])
    assert babcock["number"] in babcock_mail.text
    assert babcock["payment_reference"] in babcock_mail.text
