"""`klynge demo-data`: the seeds' networks, valid numbers, and a second run changes nothing."""

import itertools

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import today
from app.companies.identifiers import normalise_organisation_number
from app.companies.models import Organisation
from app.db import Base, create_sessionmaker
from app.demo import data
from app.demo.loader import load_into
from app.meetings.models import Meeting, MeetingKind
from app.networks.models import Network, Visibility
from app.offices.models import OfficeKind, OfficeTerm
from app.offices.service import default_chair_end


@pytest.mark.parametrize("organisation", data.ORGANISATIONS, ids=lambda o: o.key)
def test_invented_numbers_pass_their_check_digits(organisation: data.DemoOrganisation) -> None:
    assert (
        normalise_organisation_number(organisation.country, organisation.organisation_number)
        == organisation.organisation_number
    )


async def _row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with create_sessionmaker(engine)() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.usefixtures("backend")
async def test_loading_twice_changes_nothing(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        first = await load_into(session)
    counts = await _row_counts(engine)
    async with sessionmaker() as session, session.begin():
        second = await load_into(session)
    assert first.created > 0
    assert first.existing == 0
    assert second.created == 0
    assert second.existing == first.created
    assert await _row_counts(engine) == counts
    assert counts["organisations"] == len(data.ORGANISATIONS)
    assert counts["networks"] == len(data.NETWORKS)
    assert counts["memberships"] == len(data.MEMBERSHIPS)
    # This year's and next year's plans of every active network that meets,
    # Industrigruppen's with the municipal meeting: created once, found the second time.
    planned = [n for n in data.NETWORKS if n.status.value == "active" and n.meetings_per_year]
    assert counts["meetings"] == 2 * (sum(n.meetings_per_year for n in planned) + 1)


@pytest.mark.usefixtures("backend")
async def test_seed_networks_are_shaped_as_the_seeds_say(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        await load_into(session)
    async with sessionmaker() as session:
        networks = {n.slug: n for n in await session.scalars(select(Network))}
        gic = networks["green-industry-cluster"]
        groups = [n for n in networks.values() if n.parent_id == gic.id]
        assert len(groups) == 4
        assert {n.slug for n in groups if n.visibility is Visibility.OPEN} == {"gic-offshore-forum"}
        assert networks["gic-offshore-forum"].status.value == "planned"
        assert all(n.administered_by_id == gic.administered_by_id for n in groups)
        assert all(n.administered_by_inherited for n in groups)

        industrigruppen = networks["industrigruppen-karlskrona"]
        assert industrigruppen.requires_parent_membership
        assert industrigruppen.parent_id == networks["kfh"].id
        assert industrigruppen.administered_by_id == networks["kfh"].administered_by_id

        chair = await session.scalar(
            select(OfficeTerm).where(
                OfficeTerm.network_id == industrigruppen.id, OfficeTerm.office == OfficeKind.CHAIR
            )
        )
        assert chair is not None
        # Elected for two years: the term ends the day before the second anniversary.
        assert chair.ends_on == default_chair_end(chair.starts_on)
        assert (chair.ends_on - chair.starts_on).days in (729, 730)
        assert chair.starts_on <= today() <= chair.ends_on

        # Industrigruppen meets Karlskrona kommun once a year, KFH hosting first.
        kommun = await session.scalar(
            select(Organisation).where(Organisation.display_name == "Karlskrona kommun")
        )
        assert kommun is not None
        assert industrigruppen.municipality_id == kommun.id
        meetings = list(await session.scalars(select(Meeting).order_by(Meeting.starts_at)))
        by_network: dict[str, list[Meeting]] = {}
        for meeting in meetings:
            slug = next(n.slug for n in networks.values() if n.id == meeting.network_id)
            by_network.setdefault(slug, []).append(meeting)
        # The closed GIC groups meet too (the leak walk needs their meetings).
        assert {slug: len(found) for slug, found in by_network.items()} == {
            "gic-process-industry-council": 8,
            "gic-process-leader-forum": 8,
            "gic-procurement-network": 8,
            "industriclusteret-grenland": 8,
            "industrigruppen-karlskrona": 10,
        }
        assert {m.plan_year for m in meetings} == {today().year, today().year + 1}
        group = by_network["industrigruppen-karlskrona"]
        # KFH hosts this year's municipal meeting, the municipality next year's.
        municipal = [m for m in group if m.kind is MeetingKind.MUNICIPAL]
        assert [(m.plan_year, m.host_organisation_id) for m in municipal] == [
            (today().year, industrigruppen.administered_by_id),
            (today().year + 1, kommun.id),
        ]
        assert {m.time_zone for m in group} == {"Europe/Stockholm"}
        # Four members, four visits a year: each hosts once a year, never twice in a row.
        hosts = [m.host_organisation_id for m in group if m.kind is MeetingKind.COMPANY_VISIT]
        assert len(hosts) == 8
        assert len(set(hosts[:4])) == len(set(hosts[4:])) == 4
        assert all(first != second for first, second in itertools.pairwise(hosts))


@pytest.mark.usefixtures("backend")
async def test_key_figures_match_the_seeds(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_into(session)

    async def stats(slug_query: str) -> dict[str, object]:
        found = (await client.get("/v1/networks", params={"q": slug_query})).json()["items"]
        assert len(found) == 1
        response = await client.get(f"/v1/networks/{found[0]['id']}/stats")
        assert response.status_code == 200
        result: dict[str, object] = response.json()
        return result

    grenland = await stats("IndustriClusteret Grenland")
    # "Omtrent 2000 mennesker jobber i industrien … over 100 lærlinger".
    assert grenland["member_count"] == 5
    assert 1900 <= int(grenland["total_employees"]) <= 2100  # type: ignore[call-overload]
    assert int(grenland["total_apprentices"]) > 100  # type: ignore[call-overload]
    industrigruppen = await stats("Industrigruppen")
    # "ca 5.000 anställda"; Teknikföretagen is a partner, not counted as a member.
    assert industrigruppen["member_count"] == 4
    assert industrigruppen["partner_count"] == 1
    assert industrigruppen["total_employees"] == 5000


@pytest.mark.usefixtures("backend")
async def test_demo_users_sign_in_and_see_what_their_role_allows(
    engine: AsyncEngine, anonymous_client: httpx.AsyncClient
) -> None:
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_into(session)

    async def network_slugs(email: str | None) -> set[str]:
        headers = {}
        if email is not None:
            signed_in = await anonymous_client.post(
                "/v1/auth/token", data={"username": email, "password": data.DEMO_PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        response = await anonymous_client.get("/v1/networks", params={"limit": 50}, headers=headers)
        assert response.status_code == 200
        return {network["slug"] for network in response.json()["items"]}

    closed_gic = {
        "gic-process-industry-council",
        "gic-process-leader-forum",
        "gic-procurement-network",
    }
    everything = await network_slugs("admin@demo.klynge.example")
    assert len(everything) == len(data.NETWORKS)
    public = await network_slugs(None)
    assert public == everything - closed_gic
    # Yara sits in all three closed GIC groups; Karlskrona's Marinteknik in none.
    assert await network_slugs("kari.nordmann@yara.example") == everything
    assert await network_slugs("anna.lindqvist@marinteknik.example") == public


async def test_the_demo_bills_kfh_and_igt_networks_as_drafts(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """This year's fee schedules read back through the API, and the fee run's drafts can
    be issued: one per member company (partners do not pay)."""
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_into(session)
    schedules = (await client.get("/v1/fee-schedules")).json()["items"]
    assert sorted((s["currency"], s["year"]) for s in schedules) == [
        ("NOK", today().year),
        ("SEK", today().year),
    ]
    drafts = (await client.get("/v1/invoices", params={"status": "draft", "limit": 50})).json()
    members = [m for m in data.MEMBERSHIPS if m.network in {s.network for s in data.FEE_SCHEDULES}]
    billed = [m for m in members if m.kind.value == "member"]
    assert len(drafts["items"]) == len(billed)
    issued = await client.post(f"/v1/invoices/{drafts['items'][0]['id']}/issue")
    assert issued.status_code == 200, issued.text
    assert issued.json()["number"] == f"{today().year}-000001"
