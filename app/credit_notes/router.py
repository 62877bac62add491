"""HTTP for credit notes. A credit note is read, rendered and listed like any invoice
(`/v1/invoices/{id}`, `.pdf`, `.xml`); here it is made, and listed per invoice."""

import uuid

from fastapi import Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.credit_notes import service
from app.credit_notes.schemas import CreditNoteCreate
from app.invoices.schemas import InvoiceRead
from app.invoices.service import describe_invoice

router = APIRouter(prefix="/v1/invoices/{invoice_id}/credit-notes", tags=["invoices"])


@router.post(
    "",
    status_code=201,
    response_model=InvoiceRead,
    summary="Credit an invoice",
    description="Makes and issues a credit note (kind `credit_note`, numbered in the "
    "seller's credit-note series, `K2026-000001`) for the lines given, or for everything "
    "not yet credited when `lines` is absent; a line's `quantity` defaults to what is "
    "left of it. The invoice becomes `partially_credited` or `credited` (or `paid`, when "
    "payments cover what is left). Crediting more of a line than is left, or more than "
    "the invoice in all: 409 `credit_exceeds_invoice`; a draft: 409 `invoice_not_issued`; "
    "a credit note: 409 `not_an_invoice`; a line not on the invoice: 422 "
    "`unknown_invoice_line`. Nothing is written on any of these. `Location` is the credit "
    "note's `/v1/invoices/{id}`. Admins only.",
    responses=problem_responses(400, 404, 409),
)
async def create_credit_note(
    invoice_id: uuid.UUID,
    body: CreditNoteCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        note = await service.create_credit_note(session, caller, invoice_id, body)
        return created_response(
            resource_response(describe_invoice(note), version=note.version),
            f"/v1/invoices/{note.id}",
        )

    return await idempotency.run(create, authorise=idempotency.admin_only)


@router.get(
    "",
    response_model=Page[InvoiceRead],
    summary="List an invoice's credit notes",
    description="All of them in one page (`next_cursor` is null), oldest first. Whoever "
    "may see the invoice may see its credit notes; 404 when the invoice is hidden.",
    responses=problem_responses(404),
)
async def list_credit_notes(
    invoice_id: uuid.UUID, request: Request, session: SessionDep, caller: CallerDep
) -> Response:
    notes = await service.list_credit_notes(session, caller, invoice_id)
    return page_response(request, notes, None)
