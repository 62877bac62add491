"""Which invoice a payment pays: by the invoice's id, or by the KID/OCR the bank reports.

Pure rules over invoices already fetched (one query for a whole bank file, see the
repository), so a single payment and a file of 5,000 are matched the same way.

A reference is looked up only when its check digit holds: a mistyped KID would
otherwise pay a stranger's invoice. Two sellers may number alike and so print the same
reference; then the payment's currency, and the seller when the caller names one, pick
the invoice, and when they cannot, the payment is ambiguous rather than guessed.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.invoices.models import Currency, Invoice, InvoiceKind, InvoiceStatus
from app.invoices.references import is_valid_reference
from app.payments.models import MatchedBy
from app.payments.schemas import UnmatchedReason


@dataclass(frozen=True, slots=True)
class Match:
    invoice: Invoice | None
    matched_by: MatchedBy
    reason: UnmatchedReason | None = None


def match_payment(
    *,
    invoice_id: uuid.UUID | None,
    reference: str | None,
    currency: Currency,
    by_id: Mapping[uuid.UUID, Invoice],
    by_reference: Mapping[str, Sequence[Invoice]],
) -> Match:
    if invoice_id is not None:
        found = by_id.get(invoice_id)
        if found is None or found.kind is not InvoiceKind.INVOICE:
            return Match(None, MatchedBy.INVOICE_ID, UnmatchedReason.UNMATCHED)
        return _check(found, currency, MatchedBy.INVOICE_ID)
    by = MatchedBy.PAYMENT_REFERENCE
    if reference is None:
        return Match(None, by, UnmatchedReason.UNMATCHED)
    if not is_valid_reference(reference):
        return Match(None, by, UnmatchedReason.INVALID_REFERENCE)
    candidates = list(by_reference.get(reference, ()))
    if not candidates:
        return Match(None, by, UnmatchedReason.UNMATCHED)
    if len(candidates) > 1:
        in_currency = [invoice for invoice in candidates if invoice.currency is currency]
        if not in_currency:
            return Match(None, by, UnmatchedReason.CURRENCY_MISMATCH)
        if len(in_currency) > 1:
            return Match(None, by, UnmatchedReason.AMBIGUOUS)
        candidates = in_currency
    return _check(candidates[0], currency, by)


def _check(invoice: Invoice, currency: Currency, matched_by: MatchedBy) -> Match:
    if invoice.status is InvoiceStatus.DRAFT:
        return Match(invoice, matched_by, UnmatchedReason.INVOICE_NOT_ISSUED)
    if invoice.currency is not currency:
        return Match(invoice, matched_by, UnmatchedReason.CURRENCY_MISMATCH)
    return Match(invoice, matched_by)
