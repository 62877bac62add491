"""The rendered XML of in-memory invoices, and XPath helpers, for the BIS rule tests
(test_ubl.py, test_ubl_vat_and_national.py). `doc` runs a test on every sample."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from app.companies.models import Language
from app.invoices.models import Currency, Invoice, InvoiceKind, VatCategory
from app.invoices.references import ocr
from app.invoices.ubl import render_ubl
from tests.invoices.document_samples import (
    SE_BUYER,
    SE_SELLER,
    sample_invoice,
    sample_line,
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
SELLER = "/*/cac:AccountingSupplierParty/cac:Party"
BUYER = "/*/cac:AccountingCustomerParty/cac:Party"
LINES = "/*/cac:InvoiceLine | /*/cac:CreditNoteLine"
SUBTOTALS = "/*/cac:TaxTotal/cac:TaxSubtotal"
TOTAL = "/*/cac:LegalMonetaryTotal"


class Doc:
    def __init__(self, invoice: Invoice, credited: Invoice | None = None) -> None:
        self.bytes = render_ubl(invoice, credited)
        self.root = etree.fromstring(self.bytes)

    def all(self, path: str) -> list[etree._Element]:
        result = self.root.xpath(path, namespaces=NS)
        assert isinstance(result, list)
        return [element for element in result if isinstance(element, etree._Element)]

    def one(self, path: str) -> etree._Element:
        (element,) = self.all(path)
        return element

    def text(self, path: str) -> str:
        return (self.one(path).text or "").strip()

    def texts(self, path: str) -> list[str]:
        return [(element.text or "").strip() for element in self.all(path)]

    def amount(self, path: str) -> Decimal:
        return Decimal(self.text(path))

    def count(self, path: str) -> int:
        return len(self.all(path))


def quantity_of(line: etree._Element) -> etree._Element:
    """BT-129: InvoicedQuantity on an invoice line, CreditedQuantity on a credit note's."""
    found = [child for child in line if etree.QName(child).localname.endswith("edQuantity")]
    assert len(found) == 1
    return found[0]


def standard() -> Invoice:
    """A Norwegian fee invoice with two rates and an odd quantity."""
    return sample_invoice(
        lines=[
            sample_line("Medlemskontingent 2026", "1", "12500.00"),
            sample_line("Kursdag", "3", "1333.33", rate="15.00"),
            sample_line("Materiell", "2.5", "99.99"),
        ]
    )


def exempt() -> Invoice:
    return sample_invoice(
        lines=[
            sample_line(),
            sample_line(
                "Kurs", category=VatCategory.EXEMPT, reason="Undervisningstjenester, mval. § 3-5"
            ),
        ]
    )


def outside_scope() -> Invoice:
    return sample_invoice(
        lines=[
            sample_line("Kontingent", category=VatCategory.OUTSIDE_SCOPE),
            sample_line("Gave", "2", "50.00", category=VatCategory.OUTSIDE_SCOPE),
        ]
    )


def swedish() -> Invoice:
    return sample_invoice(
        seller=SE_SELLER,
        buyer=SE_BUYER,
        language=Language.SWEDISH,
        currency=Currency.SEK,
        payment_reference=ocr("2026-000042"),
        lines=[sample_line(unit_price="800.00"), sample_line("Bok", rate="6.00")],
    )


def in_sek_from_norway() -> Invoice:
    return sample_invoice(currency=Currency.SEK, vat_exchange_rate=Decimal("0.981234"))


def credit_note() -> tuple[Invoice, Invoice]:
    original = standard()
    note = sample_invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        number="K2026-000001",
        issue_date=date(2026, 3, 20),
        lines=[sample_line("Medlemskontingent 2026", "1", "12500.00")],
    )
    return note, original


ALL = {
    "standard": lambda: Doc(standard()),
    "exempt": lambda: Doc(exempt()),
    "outside_scope": lambda: Doc(outside_scope()),
    "swedish": lambda: Doc(swedish()),
    "foreign_currency": lambda: Doc(in_sek_from_norway()),
    "credit_note": lambda: Doc(*credit_note()),
}


@pytest.fixture(params=list(ALL))
def doc(request: pytest.FixtureRequest) -> Doc:
    return ALL[request.param]()
