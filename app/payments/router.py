"""HTTP for payments: one at a time, or a bank file. The secretariat's alone."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, cut_page, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, json_response, page_response, resource_response
from app.api.routing import APIRouter
from app.payments import service
from app.payments.repository import PaymentFilter
from app.payments.schemas import (
    BankFile,
    BankFileResult,
    InvoiceBalance,
    PaymentCreate,
    PaymentRead,
    PaymentRecorded,
)

router = APIRouter(prefix="/v1/payments", tags=["payments"])

PaymentSort = Annotated[
    str,
    Query(
        pattern=r"^-?(paid_on|created_at)$",
        description="`paid_on`, `created_at`; `-` for descending.",
    ),
]


@router.post(
    "",
    status_code=201,
    response_model=PaymentRecorded,
    summary="Record a payment",
    description="Matched to an issued invoice by `invoice_id`, else by `reference` (the "
    "KID or OCR number; its check digit must hold: 422 `invalid_payment_reference`), "
    "narrowed by `seller_id` when given. No match: 422 `payment_unmatched`; invoices of "
    "several sellers carry the reference: 422 `payment_ambiguous`; a draft: 409 "
    "`invoice_not_issued`; another currency: 422 `currency_mismatch`; a "
    "`bank_transaction_id` recorded before: 409 `payment_already_recorded`. Nothing is "
    "written on any of these. The invoice becomes `partially_paid` or `paid`; money "
    "beyond what is owed is recorded and shown as the invoice's `overpaid_amount`. "
    "Admins only.",
    responses=problem_responses(400, 409),
)
async def record_payment(
    body: PaymentCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        payment, invoice = await service.record_payment(session, caller, body)
        recorded = PaymentRecorded(
            **PaymentRead.of(payment).model_dump(), invoice=InvoiceBalance.of(invoice)
        )
        return created_response(
            resource_response(recorded, version=payment.version), f"/v1/payments/{payment.id}"
        )

    return await idempotency.run(create, authorise=idempotency.admin_only)


@router.post(
    "/batches",
    response_model=BankFileResult,
    summary="Record a bank file of payments",
    description="Up to 5,000 payments, matched as `POST /v1/payments` matches one, in one "
    "transaction and in the file's order (two payments of one invoice both count). Every "
    "payment that matches is recorded; the answer lists them (`recorded`, with each "
    "invoice's status after it), the ones that did not match with the reason "
    "(`unmatched`: unmatched, invalid_reference, ambiguous, currency_mismatch, "
    "invoice_not_issued), and the ones whose `bank_transaction_id` was recorded before "
    "or earlier in the file (`duplicates`): posting a file again records nothing twice. "
    "Admins only.",
    responses=problem_responses(400, 409),
)
async def record_bank_file(
    body: BankFile, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        return json_response(await service.record_bank_file(session, caller, body))

    return await idempotency.run(create, authorise=idempotency.admin_only)


@router.get(
    "",
    response_model=Page[PaymentRead],
    summary="List payments",
    description="Keyset-paginated, newest payment first by default. Admins (and read keys) only.",
    responses=problem_responses(400),
)
async def list_payments(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    invoice_id: uuid.UUID | None = None,
    sort: PaymentSort = "-paid_on",
) -> Response:
    rows, order = await service.list_payments(
        session, caller, PaymentFilter(invoice_id=invoice_id), sort, page
    )
    items, next_cursor = cut_page(rows, order, page)
    return page_response(request, [service.describe_payment(row) for row in items], next_cursor)


# `:uuid`: so `/v1/payments/batches` is not also a payment's path (its `Allow` would
# list this GET).
@router.get(
    "/{payment_id:uuid}",
    response_model=PaymentRead,
    summary="Get a payment",
    responses=problem_responses(404),
)
async def get_payment(payment_id: uuid.UUID, session: SessionDep, caller: CallerDep) -> Response:
    payment = await service.read_payment(session, caller, payment_id)
    return resource_response(service.describe_payment(payment), version=payment.version)
