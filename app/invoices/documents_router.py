"""HTTP for an invoice's documents: `/v1/invoices/{id}.pdf` and `/v1/invoices/{id}.xml`.

Included before the invoices router, and the ids take Starlette's `uuid` convertor, so
`/v1/invoices/{id}.pdf` is never taken for an invoice id (as `/v1/meetings/{id}.ics`).
"""

import uuid
from typing import Annotated, Any

from fastapi import Header
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.problems import problem_responses
from app.api.routing import APIRouter
from app.invoices import documents

router = APIRouter(tags=["invoices"])

PDF_MEDIA_TYPE = "application/pdf"
XML_MEDIA_TYPE = "application/xml"
# The answer depends on who asks: no shared cache; revalidate with the ETag.
_CACHE = {"Cache-Control": "private, no-cache"}
_READERS = (
    " Admins: any invoice; a signed-in member: their own organisations' invoices (404 "
    "otherwise); the website key and anonymous callers: none (403/401). A draft has no "
    "document yet: 409 `invoice_not_issued`. The `ETag` is a hash of the bytes: send it "
    "back in `If-None-Match` for a 304."
)
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="An `ETag` from an earlier download: 304 when the document is unchanged.",
        max_length=200,
    ),
]


def _content(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        },
        304: {"description": "Not modified: the `If-None-Match` ETag is the document's."},
    }


def document_response(
    document: documents.Document,
    media_type: str,
    extension: str,
    disposition: str,
    if_none_match: str | None,
) -> Response:
    headers = {
        **_CACHE,
        "ETag": document.etag,
        "Content-Disposition": f'{disposition}; filename="{document.file_name}.{extension}"',
    }
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if document.etag in tags or "*" in tags:
            del headers["Content-Disposition"]
            return Response(status_code=304, headers=headers)
    return Response(content=document.content, media_type=media_type, headers=headers)


@router.get(
    "/v1/invoices/{invoice_id:uuid}.pdf",
    summary="Get an invoice as PDF",
    description="The printable invoice or credit note in the invoice's language (nb, sv "
    "or en), with every field Norwegian (bokføringsforskriften 5-1-1) or Swedish "
    "(mervärdesskattelagen) law requires of its seller: number, dates, parties as frozen "
    "at issue, lines, VAT per rate, totals, and the KID/OCR and account to pay to. The "
    "same as `GET /v1/invoices/{id}` with `Accept: application/pdf`." + _READERS,
    responses={**_content(PDF_MEDIA_TYPE, "A PDF document."), **problem_responses(404, 409)},
)
async def get_invoice_pdf(
    invoice_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    document = await documents.render(session, caller, invoice_id, documents.render_pdf)
    return document_response(document, PDF_MEDIA_TYPE, "pdf", "inline", if_none_match)


@router.get(
    "/v1/invoices/{invoice_id:uuid}.xml",
    summary="Get an invoice as EHF / Peppol BIS Billing 3.0 XML",
    description="A UBL 2.1 `Invoice` (a `CreditNote` for credit notes) as Peppol BIS "
    "Billing 3.0 and EHF require: customisation and profile ids, endpoint ids (scheme "
    "0192 for a Norwegian organisation number, 0007 for a Swedish one), the VAT "
    "breakdown, and payment means with the KID/OCR." + _READERS,
    responses={
        **_content(XML_MEDIA_TYPE, "A UBL 2.1 document."),
        **problem_responses(404, 409),
    },
)
async def get_invoice_xml(
    invoice_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    document = await documents.render(session, caller, invoice_id, documents.render_ubl)
    return document_response(document, XML_MEDIA_TYPE, "xml", "attachment", if_none_match)
