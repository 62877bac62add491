"""In-memory issued invoices for the document renderers' unit tests (no database).

The API tests (test_documents_api.py) make real invoices through the API; these build
the same shape directly, so every rule of the renderers can be tested quickly.
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.companies.models import Language
from app.invoices.models import (
    Currency,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    VatCategory,
)
from app.invoices.money import line_amount, totals

NO_SELLER: dict[str, Any] = {
    "name": "Kompetansesenter for Fag AS",
    "country": "NO",
    "organisation_number": "923609016",
    "vat_number": "NO923609016MVA",
    "address": {
        "line1": "Hovedgata 1",
        "line2": None,
        "postal_code": "3915",
        "city": "Porsgrunn",
        "country": "NO",
    },
    "email": "faktura@kfh.test",
    "endpoint_scheme": "0192",
    "endpoint_id": "923609016",
    "in_business_register": True,
    "approved_for_f_tax": False,
    "bank_account": "12345678903",
    "iban": "NO9386011117947",
    "bic": "DNBANOKK",
}
SE_SELLER: dict[str, Any] = {
    **NO_SELLER,
    "name": "Branschföreningen Ideell",
    "country": "SE",
    "organisation_number": "5560360793",
    "vat_number": "SE556036079301",
    "address": {
        "line1": "Storgatan 1",
        "postal_code": "111 22",
        "city": "Stockholm",
        "country": "SE",
    },
    "endpoint_scheme": "0007",
    "endpoint_id": "5560360793",
    "in_business_register": False,
    "approved_for_f_tax": True,
    "bank_account": "50501055",
    "iban": None,
    "bic": None,
}
NO_BUYER: dict[str, Any] = {
    "name": "Porsgrunn Mek. Verksted AS",
    "country": "NO",
    "organisation_number": "974760673",
    "vat_number": "NO974760673MVA",
    "address": {"line1": "Verkstedveien 7", "postal_code": "3920", "city": "Porsgrunn"},
    "email": "ap@buyer.test",
    "endpoint_scheme": "0192",
    "endpoint_id": "974760673",
}
SE_BUYER: dict[str, Any] = {
    **NO_BUYER,
    "name": "Verkstad i Göteborg AB",
    "country": "SE",
    "organisation_number": "5566778899",
    "vat_number": "SE556677889901",
    "address": {"line1": "Hamngatan 3", "postal_code": "411 06", "city": "Göteborg"},
    "endpoint_scheme": "0007",
    "endpoint_id": "5566778899",
}


def sample_line(
    description: str = "Medlemskontingent 2026",
    quantity: str = "1",
    unit_price: str = "1000.00",
    category: VatCategory = VatCategory.STANDARD,
    rate: str = "25.00",
    reason: str | None = None,
) -> InvoiceLine:
    qty, price = Decimal(quantity), Decimal(unit_price)
    return InvoiceLine(
        id=uuid.uuid4(),
        description=description,
        quantity=qty,
        unit_code="EA",
        unit_price=price,
        line_amount=line_amount(qty, price),
        vat_category=category,
        vat_rate=Decimal(rate) if category is VatCategory.STANDARD else Decimal("0.00"),
        vat_exemption_reason=reason,
    )


def sample_invoice(
    *,
    seller: dict[str, Any] | None = None,
    buyer: dict[str, Any] | None = None,
    lines: list[InvoiceLine] | None = None,
    language: Language = Language.NORWEGIAN_BOKMAL,
    currency: Currency = Currency.NOK,
    kind: InvoiceKind = InvoiceKind.INVOICE,
    number: str = "2026-000042",
    payment_reference: str | None = "20260000421",
    **fields: Any,
) -> Invoice:
    lines = lines if lines is not None else [sample_line()]
    for position, line in enumerate(lines, start=1):
        line.position = position
    sums = totals(lines)
    credit = kind is InvoiceKind.CREDIT_NOTE
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "kind": kind,
        "status": InvoiceStatus.ISSUED,
        "seller_id": uuid.uuid4(),
        "buyer_id": uuid.uuid4(),
        "credited_invoice_id": uuid.uuid4() if credit else None,
        "currency": currency,
        "language": language,
        "number": number,
        "sequence_number": 42,
        "issue_date": date(2026, 3, 2),
        "due_date": None if credit else date(2026, 4, 1),
        "payment_terms_days": 30,
        "delivery_starts_on": date(2026, 1, 1),
        "delivery_ends_on": date(2026, 12, 31),
        "buyer_reference": "Ola Nordmann",
        "note": None,
        "payment_reference": None if credit else payment_reference,
        "vat_exchange_rate": None,
        "seller_party": seller or NO_SELLER,
        "buyer_party": buyer or NO_BUYER,
        "line_extension_amount": sums.line_extension_amount,
        "tax_amount": sums.tax_amount,
        "payable_amount": sums.payable_amount,
        "issued_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        **fields,
    }
    invoice = Invoice(**values)
    invoice.lines = lines
    return invoice
