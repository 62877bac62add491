"""The fee run's statements: one read of every candidate, then bulk inserts.

No query per member: the memberships, their organisations and any fee invoice they
already have for the year come back in one SELECT; invoices and their lines go in as
multi-row INSERTs of up to a chunk at a time.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.periods import overlaps
from app.companies.models import Language, Organisation
from app.db import dialect_insert
from app.invoices.models import Invoice, InvoiceLine
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from app.sellers.models import SellerSettings

# Core tables, not the ORM entities: a bulk INSERT of plain rows, no unit of work.
_INVOICES = cast(Table, Invoice.__table__)
_LINES = cast(Table, InvoiceLine.__table__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A membership of the network whose period meets the year, with what billing needs."""

    membership_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: MembershipKind
    status: MembershipStatus
    starts_on: date
    ends_on: date | None
    organisation_name: str
    employees: int | None
    language: Language
    archived_at: datetime | None
    invoice_id: uuid.UUID | None  # the fee invoice it already has for the year


async def seller(session: AsyncSession, seller_id: uuid.UUID) -> Organisation | None:
    """The organisation that sells, when it has invoice settings (none: it cannot sell)."""
    stmt = (
        select(Organisation)
        .join(SellerSettings, SellerSettings.organisation_id == Organisation.id)
        .where(Organisation.id == seller_id)
    )
    return await session.scalar(stmt)


async def candidates(session: AsyncSession, network_id: uuid.UUID, year: int) -> list[Candidate]:
    stmt = (
        select(
            Membership.id,
            Membership.organisation_id,
            Membership.kind,
            Membership.status,
            Membership.starts_on,
            Membership.ends_on,
            Organisation.display_name,
            Organisation.employees,
            Organisation.language,
            Organisation.archived_at,
            Invoice.id,
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(Invoice, and_(Invoice.membership_id == Membership.id, Invoice.fee_year == year))
        .where(
            Membership.network_id == network_id,
            overlaps(
                Membership.starts_on, Membership.ends_on, date(year, 1, 1), date(year, 12, 31)
            ),
        )
        # A fixed order: concurrent runs insert the same keys in the same order, so one
        # waits for the other instead of the two deadlocking.
        .order_by(Membership.id)
    )
    return [Candidate(*row) for row in await session.execute(stmt)]


async def insert_invoices(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> dict[uuid.UUID, uuid.UUID]:
    """Insert draft fee invoices; a membership that has one for the year already (a
    concurrent run committed it) is passed over by the unique key. Returns the invoice id
    of each membership actually inserted."""
    if not rows:
        return {}
    table = _INVOICES
    stmt = (
        dialect_insert(session)(table)
        .on_conflict_do_nothing(index_elements=[table.c.membership_id, table.c.fee_year])
        .returning(table.c.id, table.c.membership_id)
    )
    result = await session.execute(stmt, list(rows))
    return {membership_id: invoice_id for invoice_id, membership_id in result}


async def insert_lines(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(_LINES), list(rows))
