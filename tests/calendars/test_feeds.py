"""Feeds through their secret URLs, and one meeting's `.ics`: what they show, read with
the current rights of the token's owner, and what they never show."""

import uuid
from datetime import UTC, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKey, ApiKeyScope, User
from app.calendars.models import CalendarToken
from app.db import create_sessionmaker, utcnow
from app.meetings.models import MeetingStatus
from tests.calendars.helpers import (
    add_meeting,
    add_member,
    add_participant,
    at,
    closed_network,
    disable_user,
    end_membership,
    events,
    feed_path,
    make_token,
    open_network,
    parse,
    uid,
    use_mail_from,
)
from tests.callers import api_key_headers, user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_network_feed_shows_its_meetings_in_their_zones(
    client: httpx.AsyncClient,
    application: FastAPI,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_mail_from(monkeypatch, application, "Klynge Secretariat <post@klynge.example.no>")
    network_id = await open_network(client, name="GIC Offshore forum")
    other_network = await open_network(client)
    winter = await add_meeting(
        engine, network_id, starts_at=at(1, 14, 8), title="Winter; meeting, Herøya", sequence=2
    )
    spring = await add_meeting(
        engine, network_id, starts_at=at(4, 15, 7), status=MeetingStatus.CONFIRMED
    )
    swedish = await add_meeting(
        engine,
        network_id,
        starts_at=at(5, 20, 6),
        time_zone="Europe/Stockholm",
        place_name="Göteborg",
        status=MeetingStatus.CANCELLED,
        sequence=1,
    )
    last_year = await add_meeting(engine, network_id, starts_at=utcnow() - timedelta(days=300))
    too_old = await add_meeting(engine, network_id, starts_at=utcnow() - timedelta(days=400))
    elsewhere = await add_meeting(engine, other_network, starts_at=at(2, 1, 8))
    token = await make_token(client, kind="network", network_id=network_id)

    client.headers.pop("Authorization")  # calendar apps send no credentials
    response = await client.get(feed_path(token))
    calendar = parse(response)
    assert response.headers["cache-control"] == "private, max-age=300"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "GIC Offshore forum"
    shown = events(calendar)
    assert set(shown) == {uid(m) for m in (winter, spring, swedish, last_year)}
    assert uid(too_old) not in shown
    assert uid(elsewhere) not in shown
    # In time order.
    starts = [event.decoded("dtstart") for event in calendar.walk("VEVENT")]
    assert starts == sorted(starts)

    # PUBLISH needs an ORGANIZER (RFC 5546 3.2.1): the secretariat's address.
    for event in shown.values():
        assert str(event["organizer"]) == "mailto:post@klynge.example.no"
        assert event["organizer"].params["CN"] == "Klynge Secretariat"
        assert "attendee" not in event

    event = shown[uid(winter)]
    assert event.decoded("sequence") == 2
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["summary"]) == "Winter; meeting, Herøya"
    start = event.decoded("dtstart")
    assert (str(start.tzinfo), start.hour, start.utcoffset()) == (
        "Europe/Oslo",
        9,
        timedelta(hours=1),
    )
    assert start.astimezone(UTC) == winter.starts_at

    event = shown[uid(spring)]
    assert str(event["status"]) == "CONFIRMED"
    start = event.decoded("dtstart")
    assert (start.hour, start.utcoffset()) == (9, timedelta(hours=2))
    assert start.astimezone(UTC) == spring.starts_at

    event = shown[uid(swedish)]
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 1
    start = event.decoded("dtstart")
    assert (str(start.tzinfo), start.hour, start.utcoffset()) == (
        "Europe/Stockholm",
        8,
        timedelta(hours=2),
    )
    assert str(event["location"]) == "Göteborg, Hydrovegen 55, 3936 Porsgrunn"
    assert {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")} == {
        "Europe/Oslo",
        "Europe/Stockholm",
    }


async def test_a_changed_meeting_keeps_its_uid_and_shows_its_new_sequence(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    meeting = await add_meeting(engine, network_id, starts_at=at(3, 4, 8))
    token = await make_token(client, kind="network", network_id=network_id)
    before = events(parse(await client.get(feed_path(token))))[uid(meeting)]
    async with create_sessionmaker(engine).begin() as session:
        moved = await session.get_one(type(meeting), meeting.id)
        moved.starts_at = at(3, 5, 8)
        moved.ends_at = at(3, 5, 10)
        moved.sequence = 1
        moved.status = MeetingStatus.CANCELLED
    after = events(parse(await client.get(feed_path(token))))[uid(meeting)]
    assert (before.decoded("sequence"), after.decoded("sequence")) == (0, 1)
    assert after.decoded("dtstart").day == 5
    assert str(after["status"]) == "CANCELLED"


async def test_a_members_feed_of_a_closed_network_ends_with_the_membership(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    closed = await closed_network(client)
    meeting = await add_meeting(engine, closed, title="Closed council")
    member = await add_member(client, application, closed)
    response = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": closed},
        headers=member.headers,
    )
    token = response.json()
    assert uid(meeting) in events(parse(await client.get(feed_path(token))))

    await end_membership(engine, member.membership_id)
    gone = await client.get(feed_path(token))
    assert_problem(gone, 404, "calendar_feed_not_found")
    assert "Closed council" not in gone.text
    assert closed not in gone.text
    unknown = await client.get("/v1/calendar-feeds/no-such-token.ics")
    assert gone.json() == unknown.json()


async def test_a_disabled_users_feeds_stop(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    await add_meeting(engine, network_id)
    member = await add_member(client, application, network_id)
    token = (
        await client.post(
            "/v1/calendar-tokens",
            json={"kind": "network", "network_id": network_id},
            headers=member.headers,
        )
    ).json()
    assert (await client.get(feed_path(token))).status_code == 200
    await disable_user(engine, member.user_id)
    assert_problem(await client.get(feed_path(token)), 404, "calendar_feed_not_found")


async def test_a_revoked_or_expired_api_keys_feeds_stop(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    await add_meeting(engine, network_id)
    key = await api_key_headers(engine, ApiKeyScope.READ, ApiKeyScope.WRITE)
    tokens = [
        (
            await client.post(
                "/v1/calendar-tokens",
                json={"kind": "network", "network_id": network_id},
                headers=key,
            )
        ).json()
        for _ in range(2)
    ]
    for token in tokens:
        assert (await client.get(feed_path(token))).status_code == 200
    async with create_sessionmaker(engine).begin() as session:
        key_id = await session.scalar(
            select(CalendarToken.api_key_id).where(CalendarToken.id == uuid.UUID(tokens[0]["id"]))
        )
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(expires_at=utcnow()))
    assert_problem(await client.get(feed_path(tokens[0])), 404, "calendar_feed_not_found")
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(expires_at=None, revoked_at=utcnow())
        )
    assert_problem(await client.get(feed_path(tokens[1])), 404, "calendar_feed_not_found")


async def test_feeds_never_show_a_closed_networks_meetings_to_outsiders(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    open_id = await open_network(client)
    closed = await closed_network(client, name="Secret council")
    public = await add_meeting(engine, open_id, title="Open forum")
    invited = await add_meeting(engine, closed, title="Partner briefing", starts_at=at(5, 5, 8))
    secret = await add_meeting(engine, closed, title="Secret strategy", starts_at=at(6, 6, 8))
    # An outsider invited to one of the closed network's meetings (a partner).
    outsider = await add_member(client, application, open_id)
    await add_participant(engine, public, outsider.person_id)
    await add_participant(engine, invited, outsider.person_id)
    someone_else = (await create_person(client))["id"]
    await add_participant(engine, secret, someone_else)

    feeds = {}
    for body in (
        {"kind": "network", "network_id": open_id},
        {"kind": "person", "person_id": outsider.person_id},
    ):
        response = await client.post("/v1/calendar-tokens", json=body, headers=outsider.headers)
        assert response.status_code == 201, response.text
        feeds[body["kind"]] = response.json()
    refused = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "network", "network_id": closed},
        headers=outsider.headers,
    )
    assert_problem(refused, 404, "network_not_found")

    network_feed = await client.get(feed_path(feeds["network"]))
    assert set(events(parse(network_feed))) == {uid(public)}
    # Their own invitation, as the meetings API shows it to them; nothing else of the
    # closed network.
    person_feed = await client.get(feed_path(feeds["person"]))
    assert set(events(parse(person_feed))) == {uid(public), uid(invited)}
    for response in (network_feed, person_feed):
        for trace in ("Secret strategy", "Secret council", str(secret.id)):
            assert trace not in response.text
    assert "Partner briefing" not in network_feed.text


async def test_a_person_feed_shows_the_meetings_they_are_invited_to(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    open_id = await open_network(client)
    closed = await closed_network(client)
    member = await add_member(client, application, closed)
    invited_open = await add_meeting(engine, open_id, starts_at=at(2, 2, 8))
    invited_closed = await add_meeting(engine, closed, starts_at=at(6, 2, 8))
    not_invited = await add_meeting(engine, open_id, starts_at=at(2, 3, 8))
    someone_else = (await create_person(client))["id"]
    await add_participant(engine, invited_open, member.person_id)
    await add_participant(engine, invited_closed, member.person_id)
    await add_participant(engine, not_invited, someone_else)
    response = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": member.person_id, "label": "Kari's meetings"},
        headers=member.headers,
    )
    token = response.json()

    calendar = parse(await client.get(feed_path(token)))
    assert str(calendar["x-wr-calname"]) == "Kari's meetings"
    assert set(events(calendar)) == {uid(invited_open), uid(invited_closed)}

    # Out of the closed network, but still invited: the invitation stays in the feed, as
    # the meetings API still shows it to them.
    await end_membership(engine, member.membership_id)
    assert set(events(parse(await client.get(feed_path(token))))) == {
        uid(invited_open),
        uid(invited_closed),
    }

    # An admin's feed of the same person sees both.
    admin = await user_headers(application, is_admin=True)
    admins = await client.post(
        "/v1/calendar-tokens",
        json={"kind": "person", "person_id": member.person_id},
        headers=admin,
    )
    calendar = parse(await client.get(feed_path(admins.json())))
    assert str(calendar["x-wr-calname"]) == "Klynge: my meetings"
    assert set(events(calendar)) == {uid(invited_open), uid(invited_closed)}


async def test_a_person_feed_stops_when_the_user_is_someone_else(
    client: httpx.AsyncClient, application: FastAPI, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    member = await add_member(client, application, network_id)
    token = (
        await client.post(
            "/v1/calendar-tokens",
            json={"kind": "person", "person_id": member.person_id},
            headers=member.headers,
        )
    ).json()
    assert (await client.get(feed_path(token))).status_code == 200
    other = (await create_person(client))["id"]
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(User).where(User.id == member.user_id).values(person_id=uuid.UUID(other))
        )
    assert_problem(await client.get(feed_path(token)), 404, "calendar_feed_not_found")


async def test_reading_a_feed_notes_its_last_use_once_a_minute(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network_id = await open_network(client)
    token = await make_token(client, kind="network", network_id=network_id)
    assert token["last_used_at"] is None
    await client.get(feed_path(token))
    first = (await client.get(f"/v1/calendar-tokens/{token['id']}")).json()
    assert first["last_used_at"] is not None
    # Reading is not a change: the version (ETag) stays.
    assert first["version"] == token["version"]
    await client.get(feed_path(token))
    again = (await client.get(f"/v1/calendar-tokens/{token['id']}")).json()
    assert again["last_used_at"] == first["last_used_at"]
    # A minute later it is noted again.
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(CalendarToken)
            .where(CalendarToken.id == uuid.UUID(token["id"]))
            .values(last_used_at=utcnow() - timedelta(minutes=2))
        )
    await client.get(feed_path(token))
    later = (await client.get(f"/v1/calendar-tokens/{token['id']}")).json()
    assert later["last_used_at"] > first["last_used_at"]


async def test_feed_paths_that_name_nothing_answer_404(client: httpx.AsyncClient) -> None:
    for token in (UNKNOWN_ID, "x", "a" * 300, "%00"):
        assert_problem(
            await client.get(f"/v1/calendar-feeds/{token}.ics"), 404, "calendar_feed_not_found"
        )
