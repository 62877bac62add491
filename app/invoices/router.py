"""HTTP for invoices: drafts, issue, reading (JSON, or the PDF by `Accept`)."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import (
    IfMatchHeader,
    OptionalIfMatchHeader,
    check_if_match_when_sent,
    require_if_match,
)
from app.api.idempotency import IdempotencyDep
from app.api.pagination import Page, PageParams, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.clock import today
from app.invoices import documents, service
from app.invoices.documents_router import PDF_MEDIA_TYPE, IfNoneMatch, document_response
from app.invoices.models import Invoice, InvoiceKind, InvoiceStatus
from app.invoices.negotiation import prefers_pdf
from app.invoices.repository import InvoiceFilter
from app.invoices.schemas import InvoiceCreate, InvoiceRead, InvoiceUpdate

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])

_ADMIN = " Admins only."
_READERS = (
    " Admins see every invoice; a signed-in member sees those addressed to their own "
    "organisations (others answer 404); the website key and anonymous callers are refused."
)
InvoiceSort = Annotated[
    str,
    Query(
        pattern=r"^-?(created_at|issue_date|due_date|number)$",
        description="`created_at`, `issue_date`, `due_date`, `number`; `-` for descending. "
        "Drafts, which have no issue date, due date or number, come last.",
    ),
]
_PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The invoice as JSON, or as a PDF when `Accept` prefers `application/pdf`.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _location(invoice_id: uuid.UUID) -> str:
    return f"/v1/invoices/{invoice_id}"


def _one(invoice: Invoice) -> Response:
    return resource_response(service.describe_invoice(invoice), version=invoice.version)


@router.post(
    "",
    status_code=201,
    response_model=InvoiceRead,
    summary="Create a draft invoice",
    description="A draft (no number yet) from an association with invoice settings (409 "
    "`not_an_association`, `seller_not_set_up`) to a known organisation (422 "
    "`unknown_organisation`; 409 `organisation_archived`). `language` defaults to the "
    "buyer's, `payment_terms_days` to the seller's default. Lines: quantity above zero; "
    "category S with a rate above zero (25.00 by default), E with "
    "`vat_exemption_reason`, O with rate 0. Totals follow EN 16931 (line amounts rounded "
    "to øre, VAT per rate group)." + _ADMIN,
    responses=problem_responses(400, 409),
)
async def create_invoice(
    body: InvoiceCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        invoice = await service.create_invoice(session, caller, body)
        return created_response(_one(invoice), _location(invoice.id))

    return await idempotency.run(create, authorise=lambda: service.authorise_create_invoice(caller))


@router.get(
    "",
    response_model=Page[InvoiceRead],
    summary="List invoices",
    description="Keyset-paginated, with their lines. `status` may be repeated; "
    "`overdue=true` keeps open invoices (issued, partially paid or partially credited) "
    "whose due date has passed." + _READERS,
    responses=problem_responses(400),
)
async def list_invoices(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[list[InvoiceStatus] | None, Query(max_length=6)] = None,
    kind: InvoiceKind | None = None,
    buyer_id: uuid.UUID | None = None,
    network_id: uuid.UUID | None = None,
    fee_year: Annotated[int | None, Query(ge=2000, le=2999)] = None,
    overdue: Annotated[bool, Query(description="Only open invoices past due.")] = False,
    sort: InvoiceSort = "-created_at",
) -> Response:
    where = InvoiceFilter(
        statuses=tuple(status or ()),
        kind=kind,
        buyer_id=buyer_id,
        network_id=network_id,
        fee_year=fee_year,
        overdue_on=today() if overdue else None,
    )
    items, next_cursor = await service.list_invoices(session, caller, where, sort, page)
    return page_response(request, items, next_cursor)


@router.get(
    "/{invoice_id:uuid}",
    response_model=InvoiceRead,
    summary="Get an invoice (JSON or PDF)",
    description="With its `ETag`. `Accept: application/pdf` answers the printable "
    "invoice instead." + _READERS,
    responses={**problem_responses(404, 409), **_PDF_RESPONSE},
)
async def get_invoice(
    invoice_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if prefers_pdf(accept):
        # The same document, ETag and rules (a draft: 409) as GET /v1/invoices/{id}.pdf.
        document = await documents.render(session, caller, invoice_id, documents.render_pdf)
        response = document_response(document, PDF_MEDIA_TYPE, "pdf", "inline", if_none_match)
    else:
        invoice = await service.read_invoice(session, caller, invoice_id)
        response = resource_response(invoice, version=invoice["version"])
    # One URL, two representations: caches must key on Accept.
    response.headers["Vary"] = "Accept"
    return response


@router.patch(
    "/{invoice_id:uuid}",
    response_model=InvoiceRead,
    summary="Change a draft invoice",
    description="Requires `If-Match`. Drafts only (409 `invoice_not_draft`: correct an "
    "issued invoice with a credit note). `lines`, when sent, replaces every line; the "
    "totals are computed again." + _ADMIN,
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_invoice(
    invoice_id: uuid.UUID,
    body: InvoiceUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    invoice = await service.invoice_to_change(session, caller, invoice_id)
    require_if_match(if_match, invoice.version)
    return _one(await service.update_invoice(session, invoice, body))


@router.delete(
    "/{invoice_id:uuid}",
    status_code=204,
    summary="Delete a draft invoice",
    description="Drafts only (409 `invoice_not_draft`): an issued invoice is part of the "
    "books and is credited instead. `If-Match` is optional; checked when sent (412 when "
    "stale)." + _ADMIN,
    responses=problem_responses(404, 409, 412),
)
async def delete_invoice(
    invoice_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    invoice = await service.invoice_to_change(session, caller, invoice_id)
    check_if_match_when_sent(if_match, invoice.version)
    await service.delete_invoice(session, invoice)
    return Response(status_code=204)


@router.post(
    "/{invoice_id:uuid}/issue",
    response_model=InvoiceRead,
    summary="Issue a draft invoice",
    description="Gives the draft the next number of its seller's series for the year "
    "(`2026-000042`, gap-free), freezes the seller's and buyer's names, addresses and "
    "numbers into it, and sets the issue date (today), due date and KID/OCR payment "
    "reference. 409 `invoice_not_draft`, `invoice_has_no_lines`, "
    "`seller_not_vat_registered` (VAT charged by a seller without a VAT number), "
    "`vat_exchange_rate_required`, `seller_not_set_up`; nothing is written and no number "
    "is used then. `If-Match` is optional; checked when sent (412 when stale)." + _ADMIN,
    responses=problem_responses(404, 409, 412),
)
async def issue_invoice(
    invoice_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    invoice = await service.invoice_to_change(session, caller, invoice_id)
    check_if_match_when_sent(if_match, invoice.version)
    return _one(await service.issue_invoice(session, invoice))
