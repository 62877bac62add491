"""Recording payments: one from the API, or a bank file of many in one transaction.

Each payment adds to its invoice's `amount_paid` and `balance.settle` sets the status:
`partially_paid`, or `paid` once nothing is due. Money beyond what is owed is kept, not
refused (the bank has it already): the invoice shows it as `overpaid_amount`, to refund
or set off. The invoice rows are locked first, so concurrent payments add up.

A `bank_transaction_id` is recorded once (a unique key): posting a file again records
nothing twice. A single payment with a known id is 409 `payment_already_recorded`; in a
file it is listed under `duplicates`.
"""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape
from app.auth.policy import ensure_admin, ensure_admin_reads
from app.errors import (
    Conflict,
    InvalidField,
    KlyngeError,
    Unprocessable,
    not_found,
    register_constraint_error,
)
from app.invoices import balance
from app.invoices.models import Invoice
from app.payments.matching import Match, match_payment
from app.payments.models import Payment
from app.payments.repository import PaymentFilter, PaymentRepository
from app.payments.schemas import (
    BankFile,
    BankFilePayment,
    BankFileResult,
    DuplicateLine,
    PaymentCreate,
    PaymentRead,
    RecordedLine,
    UnmatchedLine,
    UnmatchedReason,
)


def _already_recorded() -> Conflict:
    return Conflict(
        "A payment with this bank_transaction_id is already recorded.",
        code="payment_already_recorded",
    )


# Two requests recording the same bank transaction at once: the loser gets the rule's code.
register_constraint_error("uq_payments_bank_transaction_id", _already_recorded())


def _refusal(match: Match) -> KlyngeError:
    """The problem a single payment that matched nothing answers with (nothing written)."""
    reason = match.reason
    if reason is UnmatchedReason.INVALID_REFERENCE:
        return InvalidField(
            "reference",
            "The reference's check digit does not hold: not a KID or OCR number.",
            code="invalid_payment_reference",
        )
    if reason is UnmatchedReason.AMBIGUOUS:
        return Unprocessable(
            "Invoices of several sellers carry this reference: send seller_id or invoice_id.",
            code="payment_ambiguous",
        )
    if reason is UnmatchedReason.CURRENCY_MISMATCH:
        return InvalidField(
            "currency", "The invoice is in another currency.", code="currency_mismatch"
        )
    if reason is UnmatchedReason.INVOICE_NOT_ISSUED:
        return Conflict(
            "The invoice is a draft: only issued invoices are paid.", code="invoice_not_issued"
        )
    return Unprocessable(
        "No issued invoice matches this payment's reference or invoice id.",
        code="payment_unmatched",
    )


def _apply(
    session: AsyncSession, invoice: Invoice, entry: BankFilePayment, match: Match
) -> Payment:
    payment = Payment(
        id=uuid.uuid4(),  # known before the flush, for the bank file's report
        invoice_id=invoice.id,
        amount=entry.amount,
        currency=entry.currency,
        paid_on=entry.paid_on,
        reference=entry.reference,
        matched_by=match.matched_by,
        bank_transaction_id=entry.bank_transaction_id,
    )
    session.add(payment)
    invoice.amount_paid = invoice.amount_paid + entry.amount
    balance.settle(invoice, paid_on=entry.paid_on)
    return payment


async def _candidates(
    repository: PaymentRepository, entries: list[BankFilePayment], seller_id: uuid.UUID | None
) -> tuple[dict[uuid.UUID, Invoice], dict[str, list[Invoice]]]:
    ids = {entry.invoice_id for entry in entries if entry.invoice_id is not None}
    references = {
        entry.reference
        for entry in entries
        if entry.invoice_id is None and entry.reference is not None
    }
    invoices = await repository.lock_invoices(ids, references, seller_id)
    by_reference: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        if invoice.payment_reference is not None:
            by_reference[invoice.payment_reference].append(invoice)
    return {invoice.id: invoice for invoice in invoices}, by_reference


def _match(
    entry: BankFilePayment,
    by_id: dict[uuid.UUID, Invoice],
    by_reference: dict[str, list[Invoice]],
) -> Match:
    return match_payment(
        invoice_id=entry.invoice_id,
        reference=entry.reference,
        currency=entry.currency,
        by_id=by_id,
        by_reference=by_reference,
    )


async def record_payment(
    session: AsyncSession, caller: Caller, body: PaymentCreate
) -> tuple[Payment, Invoice]:
    ensure_admin(caller)
    repository = PaymentRepository(session)
    entry = BankFilePayment.model_validate(body.model_dump(exclude={"seller_id"}))
    by_id, by_reference = await _candidates(repository, [entry], body.seller_id)
    match = _match(entry, by_id, by_reference)
    if match.reason is not None or match.invoice is None:
        raise _refusal(match)
    if entry.bank_transaction_id is not None and await repository.recorded_transactions(
        [entry.bank_transaction_id]
    ):
        raise _already_recorded()
    payment = _apply(session, match.invoice, entry, match)
    await session.flush()
    return payment, match.invoice


async def record_bank_file(session: AsyncSession, caller: Caller, body: BankFile) -> BankFileResult:
    """Every payment of the file that matches, in the file's order (two payments of one
    invoice both count), in the caller's transaction; the rest reported, not refused."""
    ensure_admin(caller)
    repository = PaymentRepository(session)
    by_id, by_reference = await _candidates(repository, body.payments, body.seller_id)
    seen = await repository.recorded_transactions(
        {entry.bank_transaction_id for entry in body.payments if entry.bank_transaction_id}
    )
    result = BankFileResult(recorded=[], unmatched=[], duplicates=[])
    for index, entry in enumerate(body.payments):
        if entry.bank_transaction_id is not None:
            if entry.bank_transaction_id in seen:
                result.duplicates.append(
                    DuplicateLine(index=index, bank_transaction_id=entry.bank_transaction_id)
                )
                continue
            seen.add(entry.bank_transaction_id)
        match = _match(entry, by_id, by_reference)
        if match.reason is not None or match.invoice is None:
            result.unmatched.append(
                UnmatchedLine(
                    index=index,
                    reference=entry.reference,
                    amount=entry.amount,
                    reason=match.reason or UnmatchedReason.UNMATCHED,
                )
            )
            continue
        payment = _apply(session, match.invoice, entry, match)
        # The status after this payment, before later lines of the file change it.
        result.recorded.append(
            RecordedLine(
                index=index,
                payment_id=payment.id,
                invoice_id=match.invoice.id,
                invoice_number=match.invoice.number,
                amount=entry.amount,
                invoice_status=match.invoice.status,
            )
        )
    await session.flush()
    return result


PAYMENT = RowShape(PaymentRead)


def describe_payment(payment: Row[Any] | Payment) -> dict[str, Any]:
    """The representation, from a read's row or a write's object."""
    if isinstance(payment, Payment):
        return PAYMENT.of_object(payment)
    return PAYMENT.of_row(payment)


async def list_payments(
    session: AsyncSession, caller: Caller, where: PaymentFilter, sort: str, page: PageParams
) -> tuple[list[Row[Any]], SortOrder]:
    ensure_admin_reads(caller, "Payments are for the secretariat.")
    return await PaymentRepository(session).read_page(PAYMENT, where, sort, page)


async def read_payment(session: AsyncSession, caller: Caller, payment_id: uuid.UUID) -> Row[Any]:
    ensure_admin_reads(caller, "Payments are for the secretariat.")
    row = await PaymentRepository(session).read_one(PAYMENT, payment_id)
    if row is None:
        raise not_found("payment")
    return row
