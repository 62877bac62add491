"""An issued invoice's documents: the PDF and the EHF/Peppol XML, with their ETags.

Reads go through the invoices service (`ensure_may_read_invoices`, `invoice_visible`:
404 `invoice_not_found` when unknown or hidden); only issued invoices and credit notes
have documents, since a draft has neither a number nor frozen parties (409
`invoice_not_issued`).
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.errors import Conflict
from app.invoices import service
from app.invoices.models import Invoice, InvoiceStatus

Renderer = Callable[[Invoice, Invoice | None], bytes]


# The renderers are imported on first use: fpdf2 (with fontTools and Pillow) and lxml add
# about 60 MiB to every worker's memory, and most workers never draw a document.
def render_pdf(invoice: Invoice, credited: Invoice | None) -> bytes:
    from app.invoices.pdf import render_pdf as draw_pdf

    return draw_pdf(invoice, credited)


def render_ubl(invoice: Invoice, credited: Invoice | None) -> bytes:
    from app.invoices.ubl import render_ubl as write_ubl

    return write_ubl(invoice, credited)


@dataclass(frozen=True, slots=True)
class Document:
    content: bytes
    etag: str  # strong: a hash of the bytes, which are the same on every render
    file_name: str  # without extension: "invoice-2026-000042"


def ensure_issued(invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.DRAFT or invoice.number is None:
        raise Conflict(
            "A draft has no number and no frozen parties yet: issue it first.",
            code="invoice_not_issued",
        )


async def render(
    session: AsyncSession, caller: Caller, invoice_id: uuid.UUID, renderer: Renderer
) -> Document:
    """The visible, issued invoice rendered by `renderer` (`render_pdf`, `render_ubl`)."""
    invoice = await service.get_invoice(session, caller, invoice_id)
    ensure_issued(invoice)
    credited = await service.credited_invoice(session, invoice)
    content = renderer(invoice, credited)
    digest = hashlib.sha256(content).hexdigest()[:32]
    return Document(content=content, etag=f'"{digest}"', file_name=service.file_name(invoice))
