"""Who sees which invoices: the secretariat all of them, a signed-in member the issued
invoices and credit notes addressed to their own organisations, the website and the public none.

Fees are the secretariat's business: every change (drafts, issuing, payments, credit
notes, reminders, fee schedules and runs) is for admins alone (`ensure_admin`).
"""

from sqlalchemy import ColumnElement, false, true

from app.api.caller import Caller, Role
from app.auth.policy import refusal
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
