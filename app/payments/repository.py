"""Queries for payments. Payments are the secretariat's: no per-caller narrowing here,
the service refuses everyone else first."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.invoices.models import Invoice, InvoiceKind
from app.payments.models import Payment

SORTS = {"paid_on": Payment.paid_on, "created_at": Payment.created_at}
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    invoice_id: uuid.UUID | None = None


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_invoices(
        self,
        ids: Collection[uuid.UUID],
        references: Collection[str],
        seller_id: uuid.UUID | None,
    ) -> list[Invoice]:
        """Every invoice the payments may pay, in one query, rows locked FOR UPDATE until
        the transaction ends (in id order, so two files paying the same invoices queue
        rather than deadlock); SQLite needs no lock clause, a writing transaction holds
        the database's write lock. `populate_existing`: what another request committed
        before the lock was granted is what we add to."""
        if not ids and not references:
            return []
        by_reference = and_(
            Invoice.payment_reference.in_(references), Invoice.kind == InvoiceKind.INVOICE
        )
        # A bank file comes from one seller's account: with its seller named, an id or a
        # reference of another seller's invoice matches nothing.
        own = true() if seller_id is None else Invoice.seller_id == seller_id
        stmt = (
            select(Invoice)
            .where(or_(Invoice.id.in_(ids), by_reference), own)
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def recorded_transactions(self, transaction_ids: Collection[str]) -> set[str]:
        if not transaction_ids:
            return set()
        stmt = select(Payment.bank_transaction_id).where(
            Payment.bank_transaction_id.in_(transaction_ids)
        )
        return {row for row in (await self.session.scalars(stmt)).all() if row is not None}

    def _visible(self, stmt: Select[*Columns]) -> Select[*Columns]:
        # Payments are the secretariat's: the service refuses every other caller before
        # reading, so nothing narrows here; a finer rule would be added in this one place.
        return stmt

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        return await self.session.get(Payment, payment_id)

    async def read_one(self, shape: RowShape, payment_id: uuid.UUID) -> Row[Any] | None:
        """The payment's columns of `shape`, for the read path (app/api/reads.py)."""
        stmt = select(*shape.columns(Payment)).where(Payment.id == payment_id)
        return (await self.session.execute(self._visible(stmt))).first()

    async def read_page(
        self, shape: RowShape, where: PaymentFilter, sort: str, page: PageParams
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the payments `where` selects, as rows of `shape`'s columns."""
        order = resolve_sort(sort, SORTS, Payment.id)
        stmt = self._visible(select(*shape.columns(Payment)))
        if where.invoice_id is not None:
            stmt = stmt.where(Payment.invoice_id == where.invoice_id)
        return list(await self.session.execute(apply_keyset(stmt, order, page))), order
