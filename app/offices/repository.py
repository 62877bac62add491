"""Queries for office terms. Every read takes the caller, so visibility rules live here."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.periods import covers, overlaps
from app.api.reads import RowShape
from app.networks.visibility import narrow_to_visible
from app.offices.models import OfficeKind, OfficeTerm
from app.people.models import Person

SORTS = {"starts_on": OfficeTerm.starts_on}
Columns = TypeVarTuple("Columns")
# Every representation of a term carries its holder's name, joined (made once: a label
# per request costs more than a short read).
_PERSON_NAME = Person.full_name.label("person_name")
# Holders are listed by rank, not by the alphabet.
_RANK = case(
    {kind: rank for rank, kind in enumerate(OfficeKind)},
    value=OfficeTerm.office,
    else_=len(OfficeKind),
)


@dataclass(frozen=True, slots=True)
class OfficeTermFilter:
    office: OfficeKind | None = None
    # True: terms covering `today`; False: terms not covering it (past or future ones).
    current: bool | None = None
    on: date | None = None


class OfficeTermRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        # Offices are public roles: a term is visible exactly when its network is.
        return narrow_to_visible(stmt, caller, OfficeTerm.network_id)

    def _read(self, caller: Caller, shape: RowShape) -> Select[Any]:
        """Visible terms as `shape`'s columns with the holder's name as `person_name`."""
        stmt: Select[Any] = select(*shape.columns(OfficeTerm), _PERSON_NAME).join(
            Person, Person.id == OfficeTerm.person_id
        )
        return self._visible(stmt, caller)

    def _with_person(self, caller: Caller) -> Select[OfficeTerm]:
        # Every representation carries the holder's name: join it, never load per row.
        stmt = select(OfficeTerm).join(OfficeTerm.person).options(contains_eager(OfficeTerm.person))
        return self._visible(stmt, caller)

    async def get(
        self, caller: Caller, network_id: uuid.UUID, term_id: uuid.UUID
    ) -> OfficeTerm | None:
        """The term as an ORM object (its holder loaded), for the writes that change it."""
        stmt = self._with_person(caller).where(
            OfficeTerm.id == term_id, OfficeTerm.network_id == network_id
        )
        return await self.session.scalar(stmt)

    async def read_one(
        self, caller: Caller, shape: RowShape, network_id: uuid.UUID, term_id: uuid.UUID
    ) -> Row[Any] | None:
        """The term's columns of `shape` and its holder's name, for the read path."""
        stmt = self._read(caller, shape).where(
            OfficeTerm.id == term_id, OfficeTerm.network_id == network_id
        )
        row: Row[Any] | None = (await self.session.execute(stmt)).first()
        return row

    # Above `list`: below it, that name shadows the builtin in annotations.
    async def read_current(
        self, caller: Caller, shape: RowShape, network_ids: Collection[uuid.UUID], today: date
    ) -> list[Row[Any]]:
        """The terms covering `today` in any of the networks, in one query: `network_id`
        and `shape`'s columns, the holder's name as `person_name`, by rank."""
        stmt = (
            select(
                OfficeTerm.network_id,
                *shape.columns(OfficeTerm),
                _PERSON_NAME,
            )
            .join(Person, Person.id == OfficeTerm.person_id)
            .where(
                OfficeTerm.network_id.in_(set(network_ids)),
                covers(OfficeTerm.starts_on, OfficeTerm.ends_on, today),
            )
            .order_by(_RANK, OfficeTerm.starts_on, OfficeTerm.id)
        )
        return list(await self.session.execute(self._visible(stmt, caller)))

    async def read_page(
        self,
        caller: Caller,
        shape: RowShape,
        network_id: uuid.UUID,
        where: OfficeTermFilter,
        sort: str,
        page: PageParams,
        today: date,
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the network's terms `where` selects, as rows for `shape`."""
        order = resolve_sort(sort, SORTS, OfficeTerm.id)
        stmt = self._read(caller, shape).where(OfficeTerm.network_id == network_id)
        if where.office is not None:
            stmt = stmt.where(OfficeTerm.office == where.office)
        if where.on is not None:
            stmt = stmt.where(covers(OfficeTerm.starts_on, OfficeTerm.ends_on, where.on))
        if where.current is True:
            stmt = stmt.where(covers(OfficeTerm.starts_on, OfficeTerm.ends_on, today))
        elif where.current is False:
            stmt = stmt.where(or_(OfficeTerm.starts_on > today, OfficeTerm.ends_on < today))
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order

    async def find_overlapping(
        self,
        network_id: uuid.UUID,
        office: OfficeKind,
        starts_on: date,
        ends_on: date | None,
        exclude_id: uuid.UUID | None = None,
    ) -> OfficeTerm | None:
        """Another term of the same office sharing at least one day with the period."""
        stmt = select(OfficeTerm).where(
            OfficeTerm.network_id == network_id,
            OfficeTerm.office == office,
            overlaps(OfficeTerm.starts_on, OfficeTerm.ends_on, starts_on, ends_on),
        )
        if exclude_id is not None:
            stmt = stmt.where(OfficeTerm.id != exclude_id)
        return await self.session.scalar(stmt.order_by(OfficeTerm.starts_on).limit(1))

    def add(self, term: OfficeTerm) -> None:
        self.session.add(term)
