"""Queries for organisations. Every read takes the caller, so visibility rules live here."""

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.companies.models import Country, Organisation, OrganisationKind
from app.memberships.models import Membership
from app.networks.models import Network
from app.people.models import Affiliation

SORTS = {"name": Organisation.display_name, "created_at": Organisation.created_at}


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    kind: OrganisationKind | None = None
    country: Country | None = None
    organisation_number: str | None = None
    q: str | None = None
    archived: bool = False


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[Organisation], caller: Caller) -> Select[Organisation]:
        # Every organisation is visible today; access control narrows this in one place.
        return stmt

    async def get(self, caller: Caller, organisation_id: uuid.UUID) -> Organisation | None:
        stmt = self._visible(select(Organisation).where(Organisation.id == organisation_id), caller)
        return await self.session.scalar(stmt)

    async def list(
        self, caller: Caller, where: OrganisationFilter, sort: str, page: PageParams
    ) -> tuple[list[Organisation], SortOrder]:
        order = resolve_sort(sort, SORTS, Organisation.id)
        stmt = self._visible(select(Organisation), caller)
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
            pattern = like_pattern(where.q)
            stmt = stmt.where(
                or_(
                    func.lower(Organisation.display_name).like(pattern, escape="\\"),
                    func.lower(Organisation.legal_name).like(pattern, escape="\\"),
                )
            )
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
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

    async def is_referenced(self, organisation_id: uuid.UUID) -> bool:
        """Whether anything points at the organisation, so deleting it would lose history."""
        references = (
            exists().where(Affiliation.organisation_id == organisation_id),
            exists().where(Membership.organisation_id == organisation_id),
            exists().where(Network.administered_by_id == organisation_id),
        )
        return bool(await self.session.scalar(select(or_(*references))))

    def add(self, organisation: Organisation) -> None:
        self.session.add(organisation)

    async def delete(self, organisation: Organisation) -> None:
        await self.session.delete(organisation)
