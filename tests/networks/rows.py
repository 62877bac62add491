"""Rows written straight through the ORM, for domains whose API is built in parallel.

POST /v1/people and POST /v1/memberships are not ready yet; these tests need people
(office holders) and memberships (stats, delete rules) all the same.
"""

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from app.people.models import Person


async def insert_people(engine: AsyncEngine, *names: str) -> list[str]:
    people = [Person(full_name=name) for name in names]
    async with create_sessionmaker(engine).begin() as session:
        session.add_all(people)
    return [str(person.id) for person in people]


async def insert_person(engine: AsyncEngine, name: str = "Kari Nordmann") -> str:
    [person_id] = await insert_people(engine, name)
    return person_id


async def insert_membership(
    engine: AsyncEngine,
    organisation_id: str,
    network_id: str,
    *,
    kind: MembershipKind = MembershipKind.MEMBER,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    starts_on: date = date(2026, 1, 1),
    ends_on: date | None = None,
) -> None:
    async with create_sessionmaker(engine).begin() as session:
        session.add(
            Membership(
                organisation_id=uuid.UUID(organisation_id),
                network_id=uuid.UUID(network_id),
                kind=kind,
                status=status,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )
