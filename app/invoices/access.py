"""Who sees which invoices: the secretariat all of them, a signed-in member the issued
invoices and credit notes addressed to their own organisations, the website and the public none.

Fees are the secretariat's business: every change (drafts, issuing, payments, credit
notes, reminders, fee schedules and runs) is for admins alone (`ensure_admin`).
"""

import uuid

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller, Role
from app.auth.policy import refusal
from app.errors import not_found
from app.invoices.models import Invoice, InvoiceStatus


def ensure_may_read_invoices(caller: Caller) -> None:
    """The website key and anonymous callers are refused outright (401/403), not shown an
    empty list: invoices are never public."""
    if not caller.is_admin and caller.role is not Role.MEMBER:
        raise refusal(caller, "Invoices are for the secretariat and the buyer's people.")


def invoice_visible(caller: Caller) -> ColumnElement[bool]:
    """The WHERE condition of every invoice read; hidden invoices answer 404."""
    if caller.is_admin:
        return true()
    if caller.role is Role.MEMBER and caller.organisation_ids:
        # A draft is the secretariat's work in progress: the buyer sees what was sent.
        return Invoice.buyer_id.in_(caller.organisation_ids) & (
            Invoice.status != InvoiceStatus.DRAFT
        )
    return false()


async def ensure_invoice_visible(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID
) -> None:
    """For reads of what hangs off an invoice (credit notes, reminders): 401/403 as for
    invoices, 404 `invoice_not_found` when the invoice is unknown or hidden."""
    ensure_may_read_invoices(caller)
    visible = await session.scalar(
        select(Invoice.id).where(Invoice.id == invoice_id, invoice_visible(caller))
    )
    if visible is None:
        raise not_found("invoice")
