"""Queries for invoices. Every read for a caller goes through `invoice_visible`, so a
member sees only the invoices addressed to their own organisations; lines are loaded
with one `SELECT … IN` per page, whatever its length."""

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, select
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
from app.api.reads import RowShape
from app.invoices.access import invoice_visible
from app.invoices.balance import OPEN_STATUSES, amount_due_column, overpaid_amount_column
from app.invoices.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

SORTS = {
    "created_at": Invoice.created_at,
    "issue_date": Invoice.issue_date,
    "due_date": Invoice.due_date,
    "number": Invoice.number,
}
# Drafts have none of these; they come last in either direction.
_NULLABLE_SORTS = frozenset({"issue_date", "due_date", "number"})
# The fields of a read that are not columns of their own name, in the same statement:
# the parties as frozen at issue, and the balance (app/invoices/balance.py) in SQL.
_COMPUTED = (
    Invoice.seller_party.label("seller"),
    Invoice.buyer_party.label("buyer"),
    amount_due_column().label("amount_due"),
    overpaid_amount_column().label("overpaid_amount"),
)
Columns = TypeVarTuple("Columns")


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

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        return stmt.where(invoice_visible(caller))

    def _read(self, caller: Caller, shape: RowShape) -> Select[*tuple[Any, ...]]:
        return self._visible(select(*shape.columns(Invoice), *_COMPUTED), caller)

    async def read_one(
        self, caller: Caller, shape: RowShape, invoice_id: uuid.UUID
    ) -> Row[Any] | None:
        """The invoice's columns of `shape` (and the computed ones), for the read path."""
        stmt = self._read(caller, shape).where(Invoice.id == invoice_id)
        return (await self.session.execute(stmt)).first()

    async def read_page(
        self, caller: Caller, shape: RowShape, where: InvoiceFilter, sort: str, page: PageParams
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the invoices `where` selects, as rows of `shape`'s columns."""
        order = resolve_sort(sort, SORTS, Invoice.id)
        stmt = _filtered(self._read(caller, shape), where)
        keyset = (
            apply_keyset_nulls_last if sort.removeprefix("-") in _NULLABLE_SORTS else apply_keyset
        )
        return list(await self.session.execute(keyset(stmt, order, page))), order

    async def read_credit_notes(self, shape: RowShape, invoice_id: uuid.UUID) -> list[Row[Any]]:
        """The credit notes of an invoice the caller may see (its visibility covers
        them), oldest first, as rows of `shape`'s columns."""
        stmt = (
            select(*shape.columns(Invoice), *_COMPUTED)
            .where(Invoice.credited_invoice_id == invoice_id)
            .order_by(Invoice.sequence_number, Invoice.id)
        )
        return list(await self.session.execute(stmt))

    async def read_lines(
        self, shape: RowShape, invoice_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[Row[Any]]]:
        """The lines of the invoices read (already visible), in order, by invoice: one
        query for a whole page."""
        by_invoice: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
        if not invoice_ids:
            return by_invoice
        stmt: Select[Any] = (
            select(*shape.columns(InvoiceLine), InvoiceLine.invoice_id.label("invoice_id"))
            .where(InvoiceLine.invoice_id.in_(list(invoice_ids)))
            .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
        )
        for row in await self.session.execute(stmt):
            by_invoice[row.invoice_id].append(row)
        return by_invoice

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

    def add(self, invoice: Invoice) -> None:
        self.session.add(invoice)

    async def delete(self, invoice: Invoice) -> None:
        await self.session.delete(invoice)


def _filtered(stmt: Select[*Columns], where: InvoiceFilter) -> Select[*Columns]:
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
        stmt = stmt.where(Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < where.overdue_on)
    return stmt
