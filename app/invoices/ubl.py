"""An issued invoice as EHF / Peppol BIS Billing 3.0: a UBL 2.1 Invoice or CreditNote.

Element order follows the UBL 2.1 schemas; every amount carries its currencyID and two
decimals; no element is written empty (PEPPOL-EN16931-R008). Choices where BIS leaves
room, and why:

- BuyerReference (BT-10): Peppol wants it or an order reference (PEPPOL-EN16931-R003).
  Without a reference from the buyer we repeat the invoice number: it is what the buyer
  will quote back, and it invents nothing about the buyer.
- Payment means: code 30 (credit transfer) with the KID/OCR as PaymentID. Code 58 is SEPA
  credit transfer, for euro payments only; NOK and SEK payments are not SEPA. The
  domestic account comes first (a Norwegian kontonummer; a Swedish bankgiro number with
  FinancialInstitutionBranch "SE:BANKGIRO", as SE-R-011 asks); an IBAN, when the seller
  has one, is a second code-30 means with the BIC as branch.
- Credit notes (CreditNoteTypeCode 381) carry positive amounts, refer to the credited
  invoice in BillingReference (BR-55), and have no payment means or due date: they ask
  for no payment.
- Category O: no seller or buyer VAT identifier (BR-O-02), no Percent (BR-O-05, BR-O-14)
  and the reason code VATEX-EU-O. See `document_facts` for the same rule on the PDF.
- Norway: "Foretaksregisteret" as a PartyTaxScheme with TaxScheme "TAX" (NO-R-002);
  Sweden: "Godkänd för F-skatt" the same way (SE-R-005).
"""

from decimal import Decimal
from typing import Any

from lxml import etree

from app.companies.models import Country
from app.invoices import document_facts as facts
from app.invoices.labels import payment_terms_note
from app.invoices.models import Invoice, InvoiceLine, VatCategory
from app.invoices.money import VatGroup, format_money
from app.invoices.parties import ENDPOINT_SCHEME
from app.text import printable

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CREDIT_TRANSFER = "30"
# ISO 6523 ICD of the legal registration number, by the party's country.


class _Builder:
    def __init__(self, root: etree._Element, currency: str) -> None:
        self.root = root
        self.currency = currency

    def add(
        self, parent: etree._Element, name: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        prefix, local = name.split(":")
        element = etree.SubElement(parent, f"{{{CAC if prefix == 'cac' else CBC}}}{local}")
        # `printable`: XML cannot hold control characters; text stored before the API
        # refused them must not keep an issued invoice from ever having its XML.
        if text is not None:
            element.text = printable(text)
        for key, value in attrs.items():
            element.set(key, printable(value))
        return element

    def optional(self, parent: etree._Element, name: str, text: Any) -> None:
        """An element only when it has a value: Peppol forbids empty ones (R008)."""
        if text is not None and str(text).strip():
            self.add(parent, name, str(text).strip())

    def amount(
        self, parent: etree._Element, name: str, value: Decimal, currency: str | None = None
    ) -> None:
        self.add(parent, name, format_money(value), currencyID=currency or self.currency)


def render_ubl(invoice: Invoice, credited: Invoice | None = None) -> bytes:
    """The invoice (or credit note, with `credited` the invoice it credits) as UBL XML.

    `invoice.lines` must be loaded and the invoice issued; a draft raises ValueError.
    """
    if invoice.number is None or invoice.issue_date is None:
        raise ValueError("only an issued invoice can be rendered")
    credit = facts.is_credit_note(invoice)
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        # UBL's root namespace is the default one; lxml-stubs types nsmap keys as str.
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},  # type: ignore[dict-item]
    )
    b = _Builder(root, invoice.currency.value)
    b.add(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    b.add(root, "cbc:ProfileID", PROFILE_ID)
    b.add(root, "cbc:ID", invoice.number)
    b.add(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if invoice.due_date and not credit:
        b.add(root, "cbc:DueDate", invoice.due_date.isoformat())
    b.add(
        root,
        "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode",
        "381" if credit else "380",
    )
    b.optional(root, "cbc:Note", invoice.note)
    b.add(root, "cbc:DocumentCurrencyCode", invoice.currency.value)
    vat_in_own = facts.vat_in_accounting_currency(invoice)
    if vat_in_own is not None:
        b.add(root, "cbc:TaxCurrencyCode", facts.accounting_currency(invoice))
    b.add(root, "cbc:BuyerReference", (invoice.buyer_reference or "").strip() or invoice.number)
    _invoice_period(b, invoice)
    if credit and credited is not None and credited.number:
        reference = b.add(b.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        b.add(reference, "cbc:ID", credited.number)
        if credited.issue_date:
            b.add(reference, "cbc:IssueDate", credited.issue_date.isoformat())
    _party(b, b.add(root, "cac:AccountingSupplierParty"), invoice, is_seller=True)
    _party(b, b.add(root, "cac:AccountingCustomerParty"), invoice, is_seller=False)
    if not credit:
        _payment(b, invoice)
    _tax_totals(b, invoice, vat_in_own)
    _monetary_total(b, invoice)
    for line in invoice.lines:
        _line(b, line, credit=credit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _invoice_period(b: _Builder, invoice: Invoice) -> None:
    if invoice.delivery_starts_on is None and invoice.delivery_ends_on is None:
        return
    period = b.add(b.root, "cac:InvoicePeriod")
    if invoice.delivery_starts_on:
        b.add(period, "cbc:StartDate", invoice.delivery_starts_on.isoformat())
    if invoice.delivery_ends_on:
        b.add(period, "cbc:EndDate", invoice.delivery_ends_on.isoformat())


def _party(b: _Builder, role: etree._Element, invoice: Invoice, *, is_seller: bool) -> None:
    data = facts.seller(invoice) if is_seller else facts.buyer(invoice)
    country = str(data["country"])
    party = b.add(role, "cac:Party")
    b.add(party, "cbc:EndpointID", str(data["endpoint_id"]), schemeID=str(data["endpoint_scheme"]))
    b.add(b.add(party, "cac:PartyName"), "cbc:Name", str(data["name"]))
    address = data.get("address") or {}
    postal = b.add(party, "cac:PostalAddress")
    b.optional(postal, "cbc:StreetName", address.get("line1"))
    b.optional(postal, "cbc:AdditionalStreetName", address.get("line2"))
    b.optional(postal, "cbc:CityName", address.get("city"))
    b.optional(postal, "cbc:PostalZone", address.get("postal_code"))
    code = address.get("country") or country
    b.add(b.add(postal, "cac:Country"), "cbc:IdentificationCode", str(code))
    vat = facts.seller_vat_number(invoice) if is_seller else facts.buyer_vat_number(invoice)
    if vat:
        _tax_scheme(b, party, vat, "VAT")
    if is_seller and country == "NO" and data.get("in_business_register"):
        _tax_scheme(b, party, "Foretaksregisteret", "TAX")
    if is_seller and country == "SE" and data.get("approved_for_f_tax"):
        _tax_scheme(b, party, "Godkänd för F-skatt", "TAX")
    legal = b.add(party, "cac:PartyLegalEntity")
    b.add(legal, "cbc:RegistrationName", str(data["name"]))
    # Stored as digits (app/companies/identifiers.py); the scheme is the country's register.
    scheme = ENDPOINT_SCHEME[Country(country)]
    b.add(legal, "cbc:CompanyID", str(data["organisation_number"]), schemeID=scheme)
    if data.get("email"):
        b.add(b.add(party, "cac:Contact"), "cbc:ElectronicMail", str(data["email"]))


def _tax_scheme(b: _Builder, party: etree._Element, company_id: str, scheme: str) -> None:
    element = b.add(party, "cac:PartyTaxScheme")
    b.add(element, "cbc:CompanyID", company_id)
    b.add(b.add(element, "cac:TaxScheme"), "cbc:ID", scheme)


def _payment(b: _Builder, invoice: Invoice) -> None:
    seller = facts.seller(invoice)
    swedish = seller["country"] == "SE"
    means = b.add(b.root, "cac:PaymentMeans")
    b.add(means, "cbc:PaymentMeansCode", CREDIT_TRANSFER)
    b.optional(means, "cbc:PaymentID", invoice.payment_reference)
    account = b.add(means, "cac:PayeeFinancialAccount")
    b.add(account, "cbc:ID", str(seller["bank_account"]))  # stored as digits
    if swedish:
        b.add(b.add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", "SE:BANKGIRO")
    if seller.get("iban"):
        abroad = b.add(b.root, "cac:PaymentMeans")
        b.add(abroad, "cbc:PaymentMeansCode", CREDIT_TRANSFER)
        b.optional(abroad, "cbc:PaymentID", invoice.payment_reference)
        iban_account = b.add(abroad, "cac:PayeeFinancialAccount")
        b.add(iban_account, "cbc:ID", str(seller["iban"]))
        if seller.get("bic"):
            branch = b.add(iban_account, "cac:FinancialInstitutionBranch")
            b.add(branch, "cbc:ID", str(seller["bic"]))
    if invoice.due_date:
        terms = b.add(b.root, "cac:PaymentTerms")
        days = invoice.payment_terms_days
        b.add(terms, "cbc:Note", payment_terms_note(days, invoice.due_date, invoice.language))


def _tax_category(b: _Builder, parent: etree._Element, name: str, group: VatGroup) -> None:
    category = b.add(parent, name)
    b.add(category, "cbc:ID", group.category.value)
    if group.category is not VatCategory.OUTSIDE_SCOPE:
        b.add(category, "cbc:Percent", _percent(group.rate))
    if group.category is VatCategory.OUTSIDE_SCOPE:
        b.add(category, "cbc:TaxExemptionReasonCode", facts.OUTSIDE_SCOPE_REASON_CODE)
    b.optional(category, "cbc:TaxExemptionReason", facts.exemption_reason(group))
    b.add(b.add(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _tax_totals(b: _Builder, invoice: Invoice, vat_in_own: Decimal | None) -> None:
    total = b.add(b.root, "cac:TaxTotal")
    b.amount(total, "cbc:TaxAmount", invoice.tax_amount)
    for group in facts.vat_breakdown(invoice):
        subtotal = b.add(total, "cac:TaxSubtotal")
        b.amount(subtotal, "cbc:TaxableAmount", group.taxable_amount)
        b.amount(subtotal, "cbc:TaxAmount", group.tax_amount)
        _tax_category(b, subtotal, "cac:TaxCategory", group)
    if vat_in_own is not None:
        # BT-111: the VAT in the seller's own currency, a TaxTotal without subtotals (R054).
        own = b.add(b.root, "cac:TaxTotal")
        b.amount(own, "cbc:TaxAmount", vat_in_own, facts.accounting_currency(invoice))


def _monetary_total(b: _Builder, invoice: Invoice) -> None:
    total = b.add(b.root, "cac:LegalMonetaryTotal")
    b.amount(total, "cbc:LineExtensionAmount", invoice.line_extension_amount)
    b.amount(total, "cbc:TaxExclusiveAmount", invoice.line_extension_amount)
    b.amount(total, "cbc:TaxInclusiveAmount", invoice.payable_amount)
    b.amount(total, "cbc:PayableAmount", invoice.payable_amount)


def _line(b: _Builder, line: InvoiceLine, *, credit: bool) -> None:
    element = b.add(b.root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    b.add(element, "cbc:ID", str(line.position))
    b.add(
        element,
        "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
        _decimal(line.quantity),
        unitCode=line.unit_code,
    )
    b.amount(element, "cbc:LineExtensionAmount", line.line_amount)
    item = b.add(element, "cac:Item")
    b.add(item, "cbc:Name", line.description.strip())
    category = b.add(item, "cac:ClassifiedTaxCategory")
    b.add(category, "cbc:ID", line.vat_category.value)
    if line.vat_category is not VatCategory.OUTSIDE_SCOPE:
        b.add(category, "cbc:Percent", _percent(line.vat_rate))
    b.add(b.add(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    price = b.add(element, "cac:Price")
    b.amount(price, "cbc:PriceAmount", line.unit_price)


def _decimal(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(rate: Decimal) -> str:
    return _decimal(rate)
