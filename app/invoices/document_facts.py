"""What the PDF and the EHF/Peppol XML both derive from an issued invoice, decided once.

Both documents read only the invoice row, its lines and the parties frozen at issue, so
they say what the invoice said when it was sent, whatever later happens to the registry.

Category O (outside the scope of VAT) and the seller's VAT number: Peppol BIS Billing 3.0
rule BR-O-02 forbids the seller's and buyer's VAT identifiers in the XML of an invoice
with an O line, and the issue asks for the number "left off as Peppol requires": the XML
(`seller_vat_number`, `buyer_vat_number`) leaves them off. The PDF is a sales document
under bokføringsforskriften 5-1-1, which wants "MVA" after a VAT-registered seller's
organisation number on every one, so it states the registration as frozen at issue
(`registered_vat_number`), O lines or not. (BR-O-11 also forbids O beside other
categories on one invoice; issuing refuses that, app/invoices/issuing.py.)
"""

from decimal import Decimal
from typing import Any

from app.companies.models import Country
from app.invoices.issuing import ACCOUNTING_CURRENCY
from app.invoices.models import Invoice, InvoiceKind, VatCategory
from app.invoices.money import VatGroup, round_money, totals
from app.invoices.vat_rules import OUTSIDE_SCOPE_REASON

# EN 16931 wants a reason for every E and O group (BR-E-10, BR-O-10).
OUTSIDE_SCOPE_REASON_CODE = "VATEX-EU-O"


def seller(invoice: Invoice) -> dict[str, Any]:
    if invoice.seller_party is None:
        raise ValueError("only an issued invoice has frozen parties")
    return invoice.seller_party


def buyer(invoice: Invoice) -> dict[str, Any]:
    if invoice.buyer_party is None:
        raise ValueError("only an issued invoice has frozen parties")
    return invoice.buyer_party


def is_credit_note(invoice: Invoice) -> bool:
    return invoice.kind is InvoiceKind.CREDIT_NOTE


def has_outside_scope_line(invoice: Invoice) -> bool:
    return any(line.vat_category is VatCategory.OUTSIDE_SCOPE for line in invoice.lines)


def seller_vat_number(invoice: Invoice) -> str | None:
    """The VAT number both documents state, or None (not registered, or BR-O-02)."""
    if has_outside_scope_line(invoice):
        return None
    number: str | None = seller(invoice).get("vat_number")
    return number or None


def buyer_vat_number(invoice: Invoice) -> str | None:
    if has_outside_scope_line(invoice):
        return None
    number: str | None = buyer(invoice).get("vat_number")
    return number or None


def registered_vat_number(party: dict[str, Any]) -> str | None:
    """The party's VAT registration as frozen at issue (the PDF's "MVA", momsreg.nr)."""
    number: str | None = party.get("vat_number")
    return number or None


def accounting_currency(invoice: Invoice) -> str:
    return ACCOUNTING_CURRENCY[Country(seller(invoice)["country"])].value


def vat_in_accounting_currency(invoice: Invoice) -> Decimal | None:
    """The VAT in the seller's own currency when the invoice is in another one and
    carries VAT (bokføringsforskriften 5-1-1 (1) nr 6: "VAT in NOK"; EN 16931 BT-111)."""
    if (
        invoice.currency.value == accounting_currency(invoice)
        or invoice.tax_amount == 0
        or invoice.vat_exchange_rate is None
    ):
        return None
    return round_money(invoice.tax_amount * invoice.vat_exchange_rate)


def vat_breakdown(invoice: Invoice) -> tuple[VatGroup, ...]:
    """One group per category and rate, computed by the same function as the row's
    totals (so the documents' figures equal the API's)."""
    return totals(invoice.lines).vat_breakdown


def exemption_reason(group: VatGroup) -> str | None:
    if group.category is VatCategory.STANDARD:
        return None
    if group.category is VatCategory.OUTSIDE_SCOPE:
        return group.exemption_reason or OUTSIDE_SCOPE_REASON
    return group.exemption_reason
