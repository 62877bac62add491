"""One meeting as an `.ics` file: the meeting's own visibility, a PUBLISH calendar with
the secretariat as its ORGANIZER, and read-only."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.calendars.helpers import (
    NEXT_YEAR,
    add_meeting,
    add_member,
    add_participant,
    at,
    closed_network,
    events,
    open_network,
    parse,
    uid,
    use_mail_from,
)
from tests.callers import user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def test_one_meeting_as_ics(
    client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_mail_from(monkeypatch, application, "post@klynge.example.no")
    network_id = await open_network(client)
    meeting = await add_meeting(
        engine,
        network_id,
        starts_at=at(4, 15, 7),
        title="Spring meeting",
        online_url="https://meet.example.no/spring",
        sequence=4,
    )
    response = await client.get(f"/v1/meetings/{meeting.id}.ics")
    calendar = parse(response)
    assert str(calendar["method"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == uid(meeting)
    assert event.decoded("sequence") == 4
    assert str(event["organizer"]) == "mailto:post@klynge.example.no"
    assert str(event["url"]) == "https://meet.example.no/spring"
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=2)
    assert f"DTSTART;TZID=Europe/Oslo:{NEXT_YEAR}0415T090000" in response.text
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]


async def test_one_meeting_follows_the_meetings_visibility(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    open_id = await open_network(client)
    closed = await closed_network(client)
    public = await add_meeting(engine, open_id)
    secret = await add_meeting(engine, closed, title="Closed council")
    member = await add_member(client, application, closed)
    outsider = await user_headers(application)

    assert parse(await client.get(f"/v1/meetings/{secret.id}.ics", headers=member.headers))
    hidden = await client.get(f"/v1/meetings/{secret.id}.ics", headers=outsider)
    unknown = await client.get(f"/v1/meetings/{UNKNOWN_ID}.ics", headers=outsider)
    assert_problem(hidden, 404, "meeting_not_found")
    assert hidden.json() == unknown.json()
    assert "Closed council" not in hidden.text
    # An outsider invited to the meeting (a partner) gets it, and only it.
    partner = (await create_person(client))["id"]
    await add_participant(engine, secret, partner)
    partner_headers = await user_headers(application, person_id=partner)
    shown = parse(await client.get(f"/v1/meetings/{secret.id}.ics", headers=partner_headers))
    assert set(events(shown)) == {uid(secret)}
    other_secret = await add_meeting(engine, closed, title="Another closed meeting")
    assert_problem(
        await client.get(f"/v1/meetings/{other_secret.id}.ics", headers=partner_headers),
        404,
        "meeting_not_found",
    )

    admin = {"Authorization": client.headers.pop("Authorization")}
    assert parse(await client.get(f"/v1/meetings/{public.id}.ics"))  # anonymous, open network
    assert_problem(await client.get(f"/v1/meetings/{secret.id}.ics"), 404, "meeting_not_found")
    assert parse(await client.get(f"/v1/meetings/{secret.id}.ics", headers=admin))
    # A malformed id matches no route (meeting ids take the `uuid` path convertor).
    assert_problem(
        await client.get("/v1/meetings/not-an-id.ics", headers=admin), 404, "route_not_found"
    )


async def test_a_meetings_ics_is_read_only(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    meeting = await add_meeting(engine, await open_network(client))
    for method in ("PATCH", "DELETE", "POST"):
        response = await client.request(method, f"/v1/meetings/{meeting.id}.ics", json={})
        assert_problem(response, 405, "method_not_allowed")
        assert response.headers["allow"] == "GET, HEAD"
    assert parse(await client.get(f"/v1/meetings/{meeting.id}.ics"))
