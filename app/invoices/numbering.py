"""Gap-free, increasing invoice numbers per seller, series and year.

The counter row is incremented inside the issuing transaction with one UPDATE ...
RETURNING. On PostgreSQL the UPDATE's row lock queues every other issuer of the same
series until this transaction ends; on SQLite the writing transaction already holds the
database's write lock (BEGIN IMMEDIATE). If the issue fails and rolls back, so does the
increment: no number is ever skipped or given twice.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import dialect_insert
from app.invoices.models import InvoiceCounter, NumberSeries

_PREFIX = {NumberSeries.INVOICE: "", NumberSeries.CREDIT_NOTE: "K"}


@dataclass(frozen=True, slots=True)
class InvoiceNumber:
    text: str  # "2026-000042"; a credit note's "K2026-000003"
    sequence: int  # 42


def format_number(series: NumberSeries, year: int, sequence: int) -> str:
    return f"{_PREFIX[series]}{year}-{sequence:06d}"


async def next_number(
    session: AsyncSession, seller_id: uuid.UUID, series: NumberSeries, year: int
) -> InvoiceNumber:
    insert = dialect_insert(session)
    await session.execute(
        insert(InvoiceCounter)
        .values(seller_id=seller_id, series=series, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    result = await session.execute(
        update(InvoiceCounter)
        .where(
            InvoiceCounter.seller_id == seller_id,
            InvoiceCounter.series == series,
            InvoiceCounter.year == year,
        )
        .values(last_number=InvoiceCounter.last_number + 1)
        .returning(InvoiceCounter.last_number)
    )
    sequence: int = result.scalar_one()  # the row was inserted above or existed
    return InvoiceNumber(format_number(series, year, sequence), sequence)
