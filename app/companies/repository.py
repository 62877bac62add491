"""Queries for organisations. Every read takes the caller, so visibility rules live here."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import AliasedClass

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.api.search import matches_text
from app.companies.models import Country, Organisation, OrganisationKind
from app.invoices.models import Invoice
from app.meetings.models import Meeting
from app.memberships.models import Membership
from app.networks.models import Network
from app.participants.models import Participant
from app.people.models import Affiliation

SORTS = {"name": Organisation.display_name, "created_at": Organisation.created_at}
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    kind: OrganisationKind | None = None
    country: Country | None = None
    organisation_number: str | None = None
    q: str | None = None
    archived: bool = False


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        # Organisations are business registry data, visible to every caller (their internal
        # `notes` are blanked for non-admins when described). Reads still pass through
        # here, so a rule that hides organisations would be added in this one place.
        return stmt

    @staticmethod
    def visible_on(
        caller: Caller, organisation: type[Organisation] | AliasedClass[Organisation] = Organisation
    ) -> ColumnElement[bool]:
        """`_visible`'s rule as a condition on `organisation` (an alias another resource's
        read LEFT JOINs for its `include=`): every organisation, as above."""
        return true()

    async def get(self, caller: Caller, organisation_id: uuid.UUID) -> Organisation | None:
        stmt = self._visible(select(Organisation).where(Organisation.id == organisation_id), caller)
        return await self.session.scalar(stmt)

    async def read_one(
        self, caller: Caller, shape: RowShape, organisation_id: uuid.UUID
    ) -> Row[Any] | None:
        """The organisation's columns of `shape`, for the read path (app/api/reads.py)."""
        stmt = select(*shape.columns(Organisation)).where(Organisation.id == organisation_id)
        return (await self.session.execute(self._visible(stmt, caller))).first()

    async def get_many(
        self, caller: Caller, organisation_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Organisation]:
        """The visible organisations among `organisation_ids`, by id, in one query."""
        if not organisation_ids:
            return {}
        stmt = self._visible(
            select(Organisation).where(Organisation.id.in_(set(organisation_ids))), caller
        )
        return {organisation.id: organisation for organisation in await self.session.scalars(stmt)}

    async def read_page(
        self,
        caller: Caller,
        shape: RowShape,
        where: OrganisationFilter,
        sort: str,
        page: PageParams,
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the organisations `where` selects, as rows of `shape`'s columns."""
        order = resolve_sort(sort, SORTS, Organisation.id)
        stmt = self._visible(select(*shape.columns(Organisation)), caller)
        stmt = stmt.where(
            Organisation.archived_at.is_not(None)
            if where.archived
            else Organisation.archived_at.is_(None)
        )
        if where.kind is not None:
            stmt = stmt.where(Organisation.kind == where.kind)
        if where.country is not None:
            stmt = stmt.where(Organisation.country == where.country)
        if where.organisation_number is not None:
            stmt = stmt.where(Organisation.organisation_number == where.organisation_number)
        if where.q:
            stmt = stmt.where(
                matches_text(where.q, Organisation.display_name, Organisation.legal_name)
            )
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order

    async def find_by_number(
        self, country: Country, organisation_number: str
    ) -> Organisation | None:
        return await self.session.scalar(
            select(Organisation).where(
                Organisation.country == country,
                Organisation.organisation_number == organisation_number,
            )
        )

    async def referenced_by(self, organisation_id: uuid.UUID) -> tuple[str, ...]:
        """What points at the organisation (so deleting it would lose history), in one query:
        any of `affiliations`, `memberships`, `networks` (as their administrator or the
        municipality they meet), `meetings` (as host), `meeting_participants`, `invoices`
        (as seller or buyer; an issued invoice is part of the books). Invoice settings do
        not count: they go with the organisation."""
        references = {
            "affiliations": exists().where(Affiliation.organisation_id == organisation_id),
            "memberships": exists().where(Membership.organisation_id == organisation_id),
            "networks": exists().where(
                or_(
                    Network.administered_by_id == organisation_id,
                    Network.municipality_id == organisation_id,
                )
            ),
            "meetings": exists().where(Meeting.host_organisation_id == organisation_id),
            "meeting_participants": exists().where(Participant.organisation_id == organisation_id),
            "invoices": exists().where(
                or_(Invoice.seller_id == organisation_id, Invoice.buyer_id == organisation_id)
            ),
        }
        row = (await self.session.execute(select(*references.values()))).one()
        return tuple(name for name, present in zip(references, row, strict=True) if present)

    async def lock(self, organisation_id: uuid.UUID) -> None:
        """Hold the organisation's row until the transaction ends (PostgreSQL).

        FOR UPDATE, not FOR NO KEY UPDATE: it also waits for, and then blocks, transactions
        inserting or repointing rows whose foreign key names the organisation (their key
        check takes FOR KEY SHARE), so a rule read after the lock sees them. SQLite needs
        nothing: a writing transaction already holds the database's write lock.
        """
        stmt = select(Organisation.id).where(Organisation.id == organisation_id)
        await self.session.execute(stmt.with_for_update())

    async def administered_network_count(self, organisation_id: uuid.UUID) -> int:
        """Networks administered by the organisation, their own or inherited from a parent."""
        stmt = select(func.count()).where(Network.administered_by_id == organisation_id)
        return int(await self.session.scalar(stmt) or 0)

    def add(self, organisation: Organisation) -> None:
        self.session.add(organisation)

    async def delete(self, organisation: Organisation) -> None:
        await self.session.delete(organisation)
