"""Queries for invoices. Every read for a caller goes through `invoice_visible`, so a
member sees only the invoices addressed to their own organisations; lines are loaded
with one `SELECT … IN` per page, whatever its length."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.api.caller import Caller
from app.api.pagination import (
    PageParams,
    SortOrder,
    apply_keyset,
    apply_keyset_nulls_last,
    resolve_sort,
)
from app.invoices.access import invoice_visible
from app.invoices.balance import OPEN_STATUSES
from app.invoices.models import Invoice, InvoiceKind, InvoiceStatus

SORTS = {
    "created_at": Invoice.created_at,
    "issue_date": Invoice.issue_date,
    "due_date": Invoice.due_date,
    "number": Invoice.number,
}
# Drafts have none of these; they come last in either direction.
_NULLABLE_SORTS = frozenset({"issue_date", "due_date", "number"})


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    statuses: Collection[InvoiceStatus] = ()
    kind: InvoiceKind | None = None
    buyer_id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    fee_year: int | None = None
    overdue_on: date | None = None  # open and due before this day


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[Invoice], caller: Caller) -> Select[Invoice]:
        return stmt.where(invoice_visible(caller))

    async def get(self, caller: Caller, invoice_id: uuid.UUID) -> Invoice | None:
        stmt = self._visible(select(Invoice).where(Invoice.id == invoice_id), caller)
        return await self.session.scalar(stmt.options(selectinload(Invoice.lines)))

    async def with_lines(self, invoice_id: uuid.UUID) -> Invoice | None:
        """For the services' own reads (no caller's visibility)."""
        stmt = select(Invoice).where(Invoice.id == invoice_id)
        invoice: Invoice | None = await self.session.scalar(
            stmt.options(selectinload(Invoice.lines))
        )
        return invoice

    async def lock(self, invoice_id: uuid.UUID) -> Invoice | None:
        """The invoice read again with its lines, its row locked FOR UPDATE until the
        request ends (PostgreSQL; SQLite's writing transaction already holds the database's
        write lock). `populate_existing` replaces what the session held with the stored
        state, which a concurrent request may have changed before the lock was granted."""
        stmt = (
            select(Invoice)
            .where(Invoice.id == invoice_id)
            .with_for_update()
            .options(selectinload(Invoice.lines))
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def list(
        self, caller: Caller, where: InvoiceFilter, sort: str, page: PageParams
    ) -> tuple[list[Invoice], SortOrder]:
        order = resolve_sort(sort, SORTS, Invoice.id)
        stmt = self._visible(select(Invoice), caller)
        if where.statuses:
            stmt = stmt.where(Invoice.status.in_(list(where.statuses)))
        if where.kind is not None:
            stmt = stmt.where(Invoice.kind == where.kind)
        if where.buyer_id is not None:
            stmt = stmt.where(Invoice.buyer_id == where.buyer_id)
        if where.network_id is not None:
            stmt = stmt.where(Invoice.network_id == where.network_id)
        if where.fee_year is not None:
            stmt = stmt.where(Invoice.fee_year == where.fee_year)
        if where.overdue_on is not None:
            stmt = stmt.where(
                Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < where.overdue_on
            )
        keyset = (
            apply_keyset_nulls_last if sort.removeprefix("-") in _NULLABLE_SORTS else apply_keyset
        )
        stmt = keyset(stmt, order, page).options(selectinload(Invoice.lines))
        return list(await self.session.scalars(stmt)), order

    def add(self, invoice: Invoice) -> None:
        self.session.add(invoice)

    async def delete(self, invoice: Invoice) -> None:
        await self.session.delete(invoice)
