"""The year's plan of an Industrigruppen-like network: visits with rotating hosts and the
yearly meeting with the municipality, from last year's history."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.meetings.models import MeetingKind, MeetingStatus
from tests.factories import create_company, create_membership
from tests.meeting_plans.helpers import (
    Group,
    add_meeting,
    address,
    make_group,
    plan,
    post_plan,
    stored_meetings,
    utc,
)

pytestmark = pytest.mark.usefixtures("backend")

ALL_ALONG = ("2020-01-01", None)
MEMBERS = {
    "Karlskrona Marinteknik": ALL_ALONG,
    "Blekinge Elektronik": ALL_ALONG,
    "Östersjö Verkstad": ALL_ALONG,
    "Vämö Industri": ("2020-01-01", "2027-05-31"),  # leaves at the end of May
    "Nyköping Svets": ("2027-06-01", None),  # joins in June, never hosted
}


async def _with_last_year(client: httpx.AsyncClient, engine: AsyncEngine) -> Group:
    group = await make_group(client, members=MEMBERS)
    m = group.members
    # 2026: four visits, Marinteknik last; a cancelled visit did not happen; KFH hosted
    # the municipal meeting.
    for when, host in [
        (utc(2026, 2, 12), "Östersjö Verkstad"),
        (utc(2026, 4, 30), "Vämö Industri"),
        (utc(2026, 8, 27), "Blekinge Elektronik"),
        (utc(2026, 11, 12), "Karlskrona Marinteknik"),
    ]:
        await add_meeting(engine, group.network_id, MeetingKind.COMPANY_VISIT, when, m[host])
    await add_meeting(
        engine,
        group.network_id,
        MeetingKind.COMPANY_VISIT,
        utc(2026, 12, 3),
        m["Östersjö Verkstad"],
        status=MeetingStatus.CANCELLED,
    )
    await add_meeting(
        engine, group.network_id, MeetingKind.MUNICIPAL, utc(2026, 6, 11), group.association_id
    )
    return group


def _hosts(group: Group, answer: dict[str, Any]) -> list[tuple[int, str | None]]:
    return [(m["slot"], group.name_of(m["host_organisation_id"])) for m in answer["meetings"]]


async def test_industrigruppen_year_with_rotating_hosts_and_the_municipality(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _with_last_year(client, engine)

    response = await post_plan(client, group.network_id, year=2027, time_zone="Europe/Stockholm")

    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["network_id"], answer["year"], answer["dry_run"]) == (
        group.network_id,
        2027,
        False,
    )
    assert (answer["created"], answer["existing"], answer["warnings"]) == (5, 0, [])
    # Östersjö hosted longest ago; Vämö still a member in April; after it left, the
    # newcomer who never hosted; then Blekinge (August 2026) before Marinteknik
    # (November 2026). The cancelled December visit does not count as Östersjö hosting.
    assert _hosts(group, answer) == [
        (1, "Östersjö Verkstad"),
        (2, "Vämö Industri"),
        (0, "Karlskrona kommun"),  # KFH hosted last year: the municipality's turn
        (3, "Nyköping Svets"),
        (4, "Blekinge Elektronik"),
    ]
    first, second, municipal, third, fourth = answer["meetings"]
    assert [m["starts_at"] for m in answer["meetings"]] == [
        "2027-02-11T09:00:00+01:00",
        "2027-04-29T09:00:00+02:00",
        "2027-06-10T09:00:00+02:00",
        "2027-08-26T09:00:00+02:00",
        "2027-11-11T09:00:00+01:00",
    ]
    assert first["ends_at"] == "2027-02-11T12:00:00+01:00"
    assert first == {
        "slot": 1,
        "kind": "company_visit",
        "title": "Industrigruppen i Karlskrona: company visit 1/4 — Östersjö Verkstad",
        "starts_at": "2027-02-11T09:00:00+01:00",
        "ends_at": "2027-02-11T12:00:00+01:00",
        "time_zone": "Europe/Stockholm",
        "host_organisation_id": group.members["Östersjö Verkstad"],
        "host_name": "Östersjö Verkstad",
        "place_name": "Östersjö Verkstad",
        "place_address": "Verkstadsgatan 3, 371 30 Karlskrona",
        "meeting_id": first["meeting_id"],
        "state": "created",
    }
    assert municipal["kind"] == "municipal"
    assert (
        municipal["title"] == "Industrigruppen i Karlskrona: yearly meeting with Karlskrona kommun"
    )
    assert municipal["place_name"] == "Karlskrona kommun"
    assert municipal["place_address"] == "Östra Hamngatan 7B, 371 83 Karlskrona"
    assert fourth["title"].endswith("company visit 4/4 — Blekinge Elektronik")

    stored = [m for m in await stored_meetings(engine, group.network_id) if m.plan_year == 2027]
    assert [str(m.id) for m in stored] == [m["meeting_id"] for m in answer["meetings"]]
    assert [m.plan_slot for m in stored] == [1, 2, 0, 3, 4]
    assert all(m.status is MeetingStatus.PLANNED and m.sequence == 0 for m in stored)
    # Stored in UTC: 09:00 in Stockholm is 08:00 UTC in winter, 07:00 UTC in summer.
    assert [m.starts_at for m in stored] == [
        datetime(2027, 2, 11, 8, tzinfo=UTC),
        datetime(2027, 4, 29, 7, tzinfo=UTC),
        datetime(2027, 6, 10, 7, tzinfo=UTC),
        datetime(2027, 8, 26, 7, tzinfo=UTC),
        datetime(2027, 11, 11, 8, tzinfo=UTC),
    ]
    assert [m.time_zone for m in stored] == ["Europe/Stockholm"] * 5
    assert second["host_organisation_id"] == group.members["Vämö Industri"]
    assert third["host_organisation_id"] == group.members["Nyköping Svets"]


async def test_plans_follow_on_from_year_to_year(client: httpx.AsyncClient) -> None:
    group = await make_group(
        client,
        members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG, "Gamma": ALL_ALONG},
        meetings_per_year=2,
    )
    hosts = []
    municipal_hosts = []
    for year in (2026, 2027, 2028):
        answer = await plan(client, group.network_id, year=year)
        hosts += [group.name_of(m["host_organisation_id"]) for m in answer["meetings"] if m["slot"]]
        municipal_hosts += [
            group.name_of(m["host_organisation_id"]) for m in answer["meetings"] if not m["slot"]
        ]
    # Never hosted first, by name; then whoever hosted longest ago — never twice in a row.
    assert hosts == ["Alfa", "Beta", "Gamma", "Alfa", "Beta", "Gamma"]
    # No history: the association first, then the two take turns.
    assert municipal_hosts == ["KFH", "Karlskrona kommun", "KFH"]


async def test_nobody_hosts_twice_in_a_row_across_the_year_boundary(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG})
    # Both hosted on the same day last year; Beta's visit was the later one.
    await add_meeting(
        engine,
        group.network_id,
        MeetingKind.COMPANY_VISIT,
        utc(2026, 11, 12, 8),
        group.members["Beta"],
    )
    await add_meeting(
        engine,
        group.network_id,
        MeetingKind.COMPANY_VISIT,
        utc(2026, 11, 12, 7),
        group.members["Alfa"],
    )
    answer = await plan(client, group.network_id, year=2027)
    visits = [group.name_of(m["host_organisation_id"]) for m in answer["meetings"] if m["slot"]]
    assert visits == ["Alfa", "Beta", "Alfa", "Beta"]


async def test_a_lone_member_hosts_every_visit(client: httpx.AsyncClient) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG})
    answer = await plan(client, group.network_id, year=2027)
    visits = [group.name_of(m["host_organisation_id"]) for m in answer["meetings"] if m["slot"]]
    assert visits == ["Alfa"] * 4


async def test_visits_nobody_can_host_are_skipped_then_filled_by_a_later_run(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await make_group(client, members={"Alfa": ("2027-06-01", None)})

    answer = await plan(client, group.network_id, year=2027, weekday="monday")

    # Mondays 15 February and 3 May come before Alfa joins: no member, no visit.
    assert (answer["created"], answer["existing"]) == (3, 0)
    assert [(m["slot"], m["state"], m["meeting_id"] is None) for m in answer["meetings"]] == [
        (1, "skipped", True),
        (2, "skipped", True),
        (0, "created", False),
        (3, "created", False),
        (4, "created", False),
    ]
    skipped = answer["meetings"][0]
    assert skipped == {
        "slot": 1,
        "kind": "company_visit",
        "title": "Industrigruppen i Karlskrona: company visit 1/4",
        "starts_at": "2027-02-15T09:00:00+01:00",
        "ends_at": "2027-02-15T12:00:00+01:00",
        "time_zone": "Europe/Oslo",
        "host_organisation_id": None,
        "host_name": None,
        "place_name": None,
        "place_address": None,
        "meeting_id": None,
        "state": "skipped",
    }
    assert [(w["slot"], w["code"]) for w in answer["warnings"]] == [
        (1, "no_eligible_host"),
        (2, "no_eligible_host"),
    ]
    assert "2027-02-15" in answer["warnings"][0]["detail"]
    assert "not created" in answer["warnings"][0]["detail"]
    stored = await stored_meetings(engine, group.network_id)
    assert [(m.plan_slot, m.host_organisation_id is None) for m in stored] == [
        (0, False),
        (3, False),
        (4, False),
    ]

    # A member who was there all along: the next run creates the two visits.
    beta = await create_company(
        client, country="SE", display_name="Beta", visiting_address=address("Beta 1")
    )
    await create_membership(
        client, organisation_id=beta["id"], network_id=group.network_id, starts_on="2020-01-01"
    )
    again = await plan(client, group.network_id, year=2027, weekday="monday")
    assert (again["created"], again["existing"], again["warnings"]) == (2, 3, [])
    states = [(m["slot"], m["state"]) for m in again["meetings"]]
    assert states == [(1, "created"), (2, "created"), (0, "existing"), (3, "existing"),
                      (4, "existing")]  # fmt: skip
    visits = [m for m in again["meetings"] if m["slot"]]
    # Beta is the only member in February and May; Alfa hosts in August and November.
    assert [m["host_organisation_id"] for m in visits] == [beta["id"], beta["id"]] + [
        group.members["Alfa"]
    ] * 2
    assert len(await stored_meetings(engine, group.network_id)) == 5


async def test_a_visit_made_by_hand_this_year_counts_in_the_rotation(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await make_group(
        client, members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG, "Gamma": ALL_ALONG}
    )
    # Alfa hosted on 1 February 2027, a visit the secretariat created by hand; a
    # cancelled one by Beta on 4 February was not hosted.
    await add_meeting(
        engine, group.network_id, MeetingKind.COMPANY_VISIT, utc(2027, 2, 1), group.members["Alfa"]
    )
    await add_meeting(
        engine,
        group.network_id,
        MeetingKind.COMPANY_VISIT,
        utc(2027, 2, 4),
        group.members["Beta"],
        status=MeetingStatus.CANCELLED,
    )
    answer = await plan(client, group.network_id, year=2027)
    visits = [group.name_of(m["host_organisation_id"]) for m in answer["meetings"] if m["slot"]]
    # Without it Alfa would open the year (by name), twice in a row.
    assert visits == ["Beta", "Gamma", "Alfa", "Beta"]


async def test_a_host_without_address_is_warned_about(client: httpx.AsyncClient) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG}, meetings_per_year=1)
    await client.patch(
        f"/v1/companies/{group.members['Alfa']}",
        json={"visiting_address": None},
        headers={"If-Match": '"1"'},
    )
    answer = await plan(client, group.network_id, year=2027)
    [visit] = [m for m in answer["meetings"] if m["slot"]]
    assert (visit["place_name"], visit["place_address"]) == ("Alfa", None)
    assert [(w["slot"], w["code"]) for w in answer["warnings"]] == [(1, "host_without_address")]


async def test_only_the_municipal_meeting_when_no_visits_are_held(
    client: httpx.AsyncClient,
) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG}, meetings_per_year=0)
    answer = await plan(client, group.network_id, year=2027, weekday="tuesday")
    assert [(m["slot"], m["kind"]) for m in answer["meetings"]] == [(0, "municipal")]
    assert answer["meetings"][0]["host_organisation_id"] == group.association_id
    assert answer["meetings"][0]["starts_at"] == "2027-06-15T09:00:00+02:00"
    assert answer["created"] == 1


async def test_without_a_municipality_only_visits(client: httpx.AsyncClient) -> None:
    group = await make_group(
        client, members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG}, with_municipality=False
    )
    answer = await plan(
        client,
        group.network_id,
        year=2027,
        weekday="wednesday",
        start_time="13:30",
        duration_minutes=90,
        time_zone="Europe/Oslo",
    )
    assert [m["kind"] for m in answer["meetings"]] == ["company_visit"] * 4
    assert [(m["starts_at"], m["ends_at"]) for m in answer["meetings"]][:2] == [
        ("2027-02-17T13:30:00+01:00", "2027-02-17T15:00:00+01:00"),
        ("2027-05-05T13:30:00+02:00", "2027-05-05T15:00:00+02:00"),
    ]


async def test_the_time_zone_defaults_to_klynge_time_zone(client: httpx.AsyncClient) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG}, meetings_per_year=1)
    answer = await plan(client, group.network_id, year=2027)
    assert {m["time_zone"] for m in answer["meetings"]} == {"Europe/Oslo"}


async def test_dst_across_the_year_in_another_zone(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await make_group(
        client, members={"Alfa": ALL_ALONG}, meetings_per_year=12, with_municipality=False
    )
    answer = await plan(
        client, group.network_id, year=2027, time_zone="America/New_York", weekday="friday"
    )
    offsets = {m["starts_at"][:10]: m["starts_at"][-6:] for m in answer["meetings"]}
    # New York: daylight saving from 14 March to 7 November 2027.
    assert offsets["2027-03-12"] == "-05:00"
    assert offsets["2027-04-09"] == "-04:00"
    assert offsets["2027-11-12"] == "-05:00"
    stored = {m.starts_at.date().isoformat(): m.starts_at for m in await stored_meetings(
        engine, group.network_id
    )}  # fmt: skip
    assert stored["2027-03-12"].hour == 14
    assert stored["2027-04-09"].hour == 13


async def test_an_archived_municipal_host_hands_the_turn_over(client: httpx.AsyncClient) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG}, meetings_per_year=1)
    first = await plan(client, group.network_id, year=2026)
    assert sorted(group.name_of(m["host_organisation_id"]) or "" for m in first["meetings"]) == [
        "Alfa",
        "KFH",
    ]
    # Next it is the municipality's turn, but it is archived: KFH hosts again, with a word.
    archived = await client.post(f"/v1/companies/{group.municipality_id}/archive")
    assert archived.status_code == 200, archived.text
    second = await plan(client, group.network_id, year=2027)
    (municipal,) = [m for m in second["meetings"] if m["kind"] == "municipal"]
    assert group.name_of(municipal["host_organisation_id"]) == "KFH"
    assert [w["code"] for w in second["warnings"]] == ["host_archived"]
    assert "Karlskrona kommun is archived" in second["warnings"][0]["detail"]
