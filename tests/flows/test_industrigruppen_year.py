"""The issue's "done when", through the API alone: the secretariat plans Industrigruppen's
year (four company visits with rotating hosts and the municipal meeting), invites, collects
answers, records attendance and publishes minutes; members get e-mail invitations from a
real SMTP server, answer for themselves, read the published minutes and subscribe to the
calendar. The year planned is 2026: its first visit lies in the past, so it can be held.
"""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.mail.sender import deliver_due
from tests.callers import user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import assert_problem, fetch
from tests.mail.helpers import MailServer

pytestmark = pytest.mark.usefixtures("backend")

COMPANIES = ["Affärsverken", "Babcock", "Ericsson", "Saab Kockums", "Vida"]


async def _industrigruppen(client: httpx.AsyncClient) -> tuple[dict[str, Any], list[str]]:
    """KFH, Karlskrona kommun, Industrigruppen and five member companies, one
    representative each; returns the network and the representatives' person ids."""
    kfh = await create_company(client, kind="association", country="SE", legal_name="KFH")
    kommun = await create_company(
        client, kind="public_body", country="SE", legal_name="Karlskrona kommun"
    )
    network = await create_network(
        client,
        name="Industrigruppen i Karlskrona",
        administered_by_id=kfh["id"],
        municipality_id=kommun["id"],
        meetings_per_year=4,
    )
    people = []
    for name in COMPANIES:
        company = await create_company(client, country="SE", legal_name=f"{name} AB")
        person = await create_person(
            client,
            full_name=f"Rep of {name}",
            email=f"rep@{name.lower().replace(' ', '-')}.example",
            affiliations=[{"organisation_id": company["id"], "position": "site_manager"}],
        )
        await create_membership(
            client,
            organisation_id=company["id"],
            network_id=network["id"],
            starts_on="2025-01-01",
            representatives=[{"person_id": person["id"], "role": "representative"}],
        )
        people.append(person["id"])
    return network, people


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _patch(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    current = await client.get(url, headers=headers)
    assert current.status_code == 200, current.text
    response = await client.patch(
        url, json=body, headers={**(headers or {}), "If-Match": current.headers["ETag"]}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_year_of_industrigruppen_through_the_api(
    client: httpx.AsyncClient,
    application: FastAPI,
    smtp_server: MailServer,
    mail_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    network, reps = await _industrigruppen(client)
    plan_url = f"/v1/networks/{network['id']}/meeting-plans"
    plan = {"year": 2026, "weekday": "thursday", "time_zone": "Europe/Stockholm"}

    # The plan: proposed first, nothing written; then created; then nothing twice.
    proposed = await client.post(plan_url, json={**plan, "dry_run": True})
    assert proposed.status_code == 200, proposed.text
    assert [m["state"] for m in proposed.json()["meetings"]] == ["proposed"] * 5
    assert (await fetch(client, "/v1/meetings?include_past=true"))["items"] == []
    created = await client.post(plan_url, json=plan)
    assert created.status_code == 201, created.text
    meetings = created.json()["meetings"]
    visits = [m for m in meetings if m["kind"] == "company_visit"]
    (municipal,) = [m for m in meetings if m["kind"] == "municipal"]
    assert len(visits) == 4
    assert len({m["host_organisation_id"] for m in visits}) == 4  # four different hosts
    assert municipal["host_name"] == "KFH"  # no history: the association hosts first
    assert all(m["starts_at"][:10] != "2026-07" for m in meetings)
    again = await client.post(plan_url, json=plan)
    assert again.status_code == 200
    assert [m["state"] for m in again.json()["meetings"]] == ["existing"] * 5

    # The agenda of the first visit, with a partner invited to its second item only.
    meeting_url = f"/v1/meetings/{visits[0]['meeting_id']}"
    items = []
    for title in ("Welcome and tour of the plant", "Skills supply with Teknikföretagen"):
        response = await client.post(f"{meeting_url}/agenda-items", json={"title": title})
        assert response.status_code == 201, response.text
        items.append(response.json())
    guest = await client.post(
        f"{meeting_url}/participants",
        json={
            "name": "Eva Gäst",
            "email": "eva@teknikforetagen.example",
            "role": "partner",
            "agenda_item_id": items[1]["id"],
        },
    )
    assert guest.status_code == 201, guest.text

    # Confirming invites every representative; the sender mails each an invitation.
    confirmed = await _patch(client, meeting_url, {"status": "confirmed"})
    assert confirmed["answers"]["unanswered"] == 6
    report = await deliver_due(sessions, mail_settings)
    assert len(report.sent) == 6
    invited = {address for mail in smtp_server.received for address in mail.recipients}
    assert invited == {f"rep@{n.lower().replace(' ', '-')}.example" for n in COMPANIES} | {
        "eva@teknikforetagen.example"
    }
    calendar = Calendar.from_ical(smtp_server.received[0].part("text/calendar").get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{visits[0]['meeting_id']}@klynge"

    # A member answers for themself, not for anyone else.
    member = await user_headers(application, person_id=reps[0])
    listed = await client.get(f"{meeting_url}/participants", params={"limit": 50})
    rows = {row["person"]["id"]: row for row in listed.json()["items"] if row["person"]}
    own_url = f"{meeting_url}/participants/{rows[reps[0]]['id']}"
    other_url = f"{meeting_url}/participants/{rows[reps[1]]['id']}"
    await _patch(client, own_url, {"answer": "accepted"}, headers=member)
    version = (await client.get(other_url)).headers["ETag"]
    refused = await client.patch(
        other_url, json={"answer": "declined"}, headers={**member, "If-Match": version}
    )
    assert_problem(refused, 403, "not_your_answer")
    await _patch(client, other_url, {"answer": "declined"})  # the secretariat may
    answers = (await fetch(client, meeting_url))["answers"]
    assert answers == {"accepted": 1, "declined": 1, "tentative": 0, "unanswered": 4}

    # After the meeting: held, attendance, minutes with an action item, published.
    await _patch(client, meeting_url, {"status": "held"})
    attendance = await client.put(
        f"{meeting_url}/attendance",
        json={"attended": [rows[reps[0]]["id"]], "absent": [rows[reps[1]]["id"]]},
    )
    assert attendance.status_code == 200, attendance.text
    assert (await fetch(client, meeting_url))["attendance"] == {
        "attended": 1,
        "absent": 1,
        "unrecorded": 4,
    }
    item_url = f"{meeting_url}/agenda-items/{items[0]['id']}"
    # The minutes' If-Match is the agenda item's ETag.
    item_etag = (await client.get(item_url)).headers["ETag"]
    minutes = await client.patch(
        f"{item_url}/minutes",
        json={"notes": "Visited the new line.", "decisions": "A joint fair in May."},
        headers={"If-Match": item_etag},
    )
    assert minutes.status_code == 200, minutes.text
    action = await client.post(
        f"{item_url}/action-items",
        json={"description": "Book the fair venue", "assignee_person_id": reps[0]},
    )
    assert action.status_code == 201, action.text
    assert (await client.get(f"{meeting_url}/minutes", headers=member)).status_code == 404
    published = await client.post(f"{meeting_url}/minutes/publish")
    assert published.status_code == 200, published.text

    # Members read the published minutes and their open action items; minutes are frozen.
    read = await _get(client, f"{meeting_url}/minutes", headers=member)
    assert read["status"] == "published"
    assert read["items"][0]["decisions"] == "A joint fair in May."
    mine = await _get(client, "/v1/action-items?assignee=me&status=open", headers=member)
    assert [row["description"] for row in mine["items"]] == ["Book the fair venue"]
    item_etag = (await client.get(item_url)).headers["ETag"]
    frozen = await client.patch(
        f"{item_url}/minutes", json={"notes": "Rewritten"}, headers={"If-Match": item_etag}
    )
    assert_problem(frozen, 409, "minutes_published")

    # The member's calendar subscription shows the year, the held visit confirmed.
    token = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": network["id"]},
        headers=member,
    )
    assert token.status_code == 201, token.text
    feed = await client.get(token.json()["feed_url"].removeprefix("http://klynge.test"))
    assert feed.status_code == 200, feed.text
    events = {str(e["UID"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert {f"{m['meeting_id']}@klynge" for m in meetings} <= set(events)
    assert str(events[f"{visits[0]['meeting_id']}@klynge"]["STATUS"]) == "CONFIRMED"
