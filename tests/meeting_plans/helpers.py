"""Networks with members, history and a municipality for the plan tests."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.companies.models import Country, Language, Organisation, OrganisationKind
from app.db import create_sessionmaker
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from tests.factories import (
    create_company,
    create_membership,
    create_network,
    norwegian_organisation_number,
)

KARLSKRONA = {"line1": "Östra Hamngatan 7B", "postal_code": "371 83", "city": "Karlskrona",
              "country": "SE"}  # fmt: skip


def address(line1: str, postal_code: str = "371 30", city: str = "Karlskrona") -> dict[str, str]:
    return {"line1": line1, "postal_code": postal_code, "city": city, "country": "SE"}


def nobody(application: FastAPI) -> httpx.AsyncClient:
    """A client of its own with no credentials (the `client` fixture shares its headers
    with `anonymous_client`); each request then names its caller in `headers=`."""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://klynge.test")


def plan_url(network_id: str) -> str:
    return f"/v1/networks/{network_id}/meeting-plans"


async def post_plan(
    client: httpx.AsyncClient, network_id: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await client.post(plan_url(network_id), json=body, headers=headers)


async def plan(client: httpx.AsyncClient, network_id: str, **body: Any) -> dict[str, Any]:
    """POST the plan; assert 200/201 and return the answer."""
    response = await post_plan(client, network_id, **body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


@dataclass
class Group:
    """An Industrigruppen-like network: its association, municipality and members."""

    network_id: str
    association_id: str
    municipality_id: str
    members: dict[str, str] = field(default_factory=dict)  # display name → id

    def name_of(self, organisation_id: str | None) -> str | None:
        names = {v: k for k, v in self.members.items()}
        names[self.association_id] = "KFH"
        names[self.municipality_id] = "Karlskrona kommun"
        return None if organisation_id is None else names[organisation_id]


async def make_group(
    client: httpx.AsyncClient,
    *,
    members: dict[str, tuple[str, str | None]],
    meetings_per_year: int = 4,
    with_municipality: bool = True,
    **network: Any,
) -> Group:
    """`members`: display name → (starts_on, ends_on) of an active member membership."""
    kfh = await create_company(
        client, kind="association", country="SE", legal_name="KFH", display_name="KFH",
        visiting_address=address("Borgmästaregatan 13"),
    )  # fmt: skip
    kommun = await create_company(
        client, kind="public_body", country="SE", legal_name="Karlskrona kommun",
        display_name="Karlskrona kommun", visiting_address=KARLSKRONA,
    )  # fmt: skip
    created = await create_network(
        client,
        name=network.pop("name", "Industrigruppen i Karlskrona"),
        meetings_per_year=meetings_per_year,
        administered_by_id=kfh["id"],
        municipality_id=kommun["id"] if with_municipality else None,
        **network,
    )
    group = Group(created["id"], kfh["id"], kommun["id"])
    for number, (name, (starts_on, ends_on)) in enumerate(members.items(), start=1):
        company = await create_company(
            client, country="SE", legal_name=f"{name} AB", display_name=name,
            visiting_address=address(f"Verkstadsgatan {number}"),
        )  # fmt: skip
        await create_membership(
            client,
            organisation_id=company["id"],
            network_id=group.network_id,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        group.members[name] = company["id"]
    return group


async def add_meeting(
    engine: AsyncEngine,
    network_id: str,
    kind: MeetingKind,
    starts_at: datetime,
    host_id: str | None,
    *,
    status: MeetingStatus = MeetingStatus.HELD,
    **fields: Any,
) -> uuid.UUID:
    """A meeting straight in the database: the history the plan reads."""
    meeting = Meeting(
        network_id=uuid.UUID(network_id),
        kind=kind,
        title=f"{kind.value} on {starts_at.date()}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        time_zone="Europe/Stockholm",
        place_name="Somewhere",
        host_organisation_id=None if host_id is None else uuid.UUID(host_id),
        status=status,
        sequence=0,
        **fields,
    )
    async with create_sessionmaker(engine).begin() as session:
        session.add(meeting)
    return meeting.id


async def stored_meetings(engine: AsyncEngine, network_id: str) -> list[Meeting]:
    """The network's meetings as stored, in time order."""
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(Meeting)
            .where(Meeting.network_id == uuid.UUID(network_id))
            .order_by(Meeting.starts_at, Meeting.plan_slot)
        )
        return list(rows)


async def add_members_directly(
    engine: AsyncEngine, network_id: str, count: int, starts_on: date = date(2020, 1, 1)
) -> None:
    """`count` member companies, written straight to the database (fast for big lists)."""
    async with create_sessionmaker(engine).begin() as session:
        for n in range(count):
            organisation = Organisation(
                id=uuid.uuid4(),
                kind=OrganisationKind.COMPANY,
                legal_name=f"Member {n:03} AS",
                display_name=f"Member {n:03}",
                country=Country.NORWAY,
                organisation_number=norwegian_organisation_number(),
                language=Language.NORWEGIAN_BOKMAL,
                visiting_address=address(f"Gate {n}", "3936", "Porsgrunn"),
            )
            session.add(organisation)
            session.add(
                Membership(
                    organisation_id=organisation.id,
                    network_id=uuid.UUID(network_id),
                    kind=MembershipKind.MEMBER,
                    status=MembershipStatus.ACTIVE,
                    starts_on=starts_on,
                )
            )


def utc(year: int, month: int, day: int, hour: int = 8) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
