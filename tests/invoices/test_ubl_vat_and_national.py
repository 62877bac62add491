"""EHF / Peppol BIS Billing 3.0: the VAT category rules (BR-S, BR-E, BR-O), identifiers
(PEPPOL-COMMON), the Norwegian and Swedish national rules and the payment reference."""

from decimal import Decimal

from stdnum import luhn

from app.invoices.models import Currency, KidAlgorithm
from app.invoices.references import is_valid_kid, is_valid_ocr, kid, ocr
from tests.invoices.document_samples import SE_BUYER, SE_SELLER, sample_invoice
from tests.invoices.ubl_samples import (
    LINES,
    NS,
    SELLER,
    SUBTOTALS,
    Doc,
    doc,
    exempt,
    outside_scope,
    standard,
    swedish,
)

__all__ = ["doc"]  # the fixture, used by name


# -- VAT categories -------------------------------------------------------------------


def test_br_s_01_s_02_s_05_standard_rate() -> None:
    result = Doc(standard())
    assert result.count(f"{SUBTOTALS}/cac:TaxCategory[cbc:ID='S']") >= 1  # BR-S-01
    vat = f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    assert result.text(vat) == "NO923609016MVA"  # BR-S-02
    for percent in result.texts("//cac:ClassifiedTaxCategory[cbc:ID='S']/cbc:Percent"):
        assert Decimal(percent) > 0  # BR-S-05


def test_br_s_08_taxable_amount_per_rate() -> None:
    result = Doc(standard())
    for subtotal in result.all(f"{SUBTOTALS}[cac:TaxCategory/cbc:ID='S']"):
        rate = subtotal.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS)
        lines = result.texts(
            f"({LINES})[cac:Item/cac:ClassifiedTaxCategory[cbc:ID='S' and cbc:Percent='{rate}']]"
            "/cbc:LineExtensionAmount"
        )
        assert lines
        taxable = subtotal.findtext("cbc:TaxableAmount", namespaces=NS)
        assert Decimal(taxable or "") == sum(Decimal(t) for t in lines)


def test_br_s_09_vat_per_rate() -> None:
    result = Doc(standard())
    amounts = {
        s.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS): s.findtext(
            "cbc:TaxAmount", namespaces=NS
        )
        for s in result.all(SUBTOTALS)
    }
    # 25 %: 12 500.00 + 249.98 (2.5 x 99.99 = 249.975, rounded half up); 15 %: 3 x 1 333.33.
    assert amounts == {"25": "3187.50", "15": "600.00"}


def test_br_s_10_no_exemption_reason_for_standard_rate(doc: Doc) -> None:
    assert doc.count("//cac:TaxCategory[cbc:ID='S']/cbc:TaxExemptionReason") == 0
    assert doc.count("//cac:TaxCategory[cbc:ID='S']/cbc:TaxExemptionReasonCode") == 0


def test_br_e_01_e_02_e_05_e_09_exempt() -> None:
    result = Doc(exempt())
    assert result.count(f"{SUBTOTALS}/cac:TaxCategory[cbc:ID='E']") == 1  # BR-E-01
    assert result.count(f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']") == 1  # E-02
    assert result.texts("//cac:ClassifiedTaxCategory[cbc:ID='E']/cbc:Percent") == ["0"]  # E-05
    assert result.amount(f"{SUBTOTALS}[cac:TaxCategory/cbc:ID='E']/cbc:TaxAmount") == 0  # E-09


def test_br_e_08_exempt_taxable_amount() -> None:
    result = Doc(exempt())
    lines = result.texts(
        f"({LINES})[cac:Item/cac:ClassifiedTaxCategory/cbc:ID='E']/cbc:LineExtensionAmount"
    )
    taxable = result.amount(f"{SUBTOTALS}[cac:TaxCategory/cbc:ID='E']/cbc:TaxableAmount")
    assert taxable == sum(Decimal(t) for t in lines) == Decimal("1000.00")


def test_br_e_10_exemption_reason() -> None:
    result = Doc(exempt())
    reason = f"{SUBTOTALS}/cac:TaxCategory[cbc:ID='E']/cbc:TaxExemptionReason"
    assert result.text(reason) == "Undervisningstjenester, mval. § 3-5"


def test_br_o_01_o_11_o_12_one_outside_scope_group_only() -> None:
    result = Doc(outside_scope())
    assert result.count(f"{SUBTOTALS}/cac:TaxCategory[cbc:ID='O']") == 1  # BR-O-01
    assert result.count(SUBTOTALS) == 1  # BR-O-11
    assert set(result.texts("//cac:ClassifiedTaxCategory/cbc:ID")) == {"O"}  # BR-O-12


def test_br_o_02_no_vat_identifiers_when_outside_scope() -> None:
    result = Doc(outside_scope())
    assert result.count("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']") == 0
    # The registration in Foretaksregisteret is not a VAT identifier: it stays.
    assert result.texts(f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID") == ["Foretaksregisteret"]


def test_br_o_05_o_09_no_rate_and_no_vat_outside_scope() -> None:
    result = Doc(outside_scope())
    assert result.count("//cac:ClassifiedTaxCategory[cbc:ID='O']/cbc:Percent") == 0  # BR-O-05
    assert result.count("//cac:TaxCategory[cbc:ID='O']/cbc:Percent") == 0
    assert result.amount(f"{SUBTOTALS}/cbc:TaxAmount") == 0  # BR-O-09
    assert result.amount("/*/cac:TaxTotal/cbc:TaxAmount") == 0


def test_br_o_08_outside_scope_taxable_amount() -> None:
    result = Doc(outside_scope())
    assert result.amount(f"{SUBTOTALS}/cbc:TaxableAmount") == Decimal("1100.00")


def test_br_o_10_outside_scope_reason() -> None:
    result = Doc(outside_scope())
    category = f"{SUBTOTALS}/cac:TaxCategory[cbc:ID='O']"
    assert result.text(f"{category}/cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    assert result.text(f"{category}/cbc:TaxExemptionReason") == "Outside the scope of VAT"


# -- identifiers and national rules -----------------------------------------------


def _mod11(number: str) -> bool:
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    check = (11 - sum(w * int(d) for w, d in zip(weights, number[:8], strict=True)) % 11) % 11
    return check == int(number[8])


def test_peppol_common_r041_norwegian_numbers_0192() -> None:
    result = Doc(standard())
    identifiers = result.all("//*[@schemeID='0192']")
    assert len(identifiers) == 4  # endpoint and legal entity of both parties
    for element in identifiers:
        assert len(element.text or "") == 9
        assert _mod11(element.text or "")


def test_peppol_common_r049_swedish_numbers_0007() -> None:
    result = Doc(swedish())
    identifiers = result.all("//*[@schemeID='0007']")
    assert len(identifiers) == 4
    for element in identifiers:
        text = element.text or ""
        assert len(text) == 10
        assert text.isdigit()
        assert luhn.is_valid(text)


def test_br_co_26_seller_identified_by_legal_registration() -> None:
    for result in (Doc(standard()), Doc(swedish()), Doc(outside_scope())):
        assert result.text(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")


def test_no_r_001_norwegian_vat_number() -> None:
    vat = Doc(standard()).text(
        f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    )
    assert vat.startswith("NO")
    assert vat.endswith("MVA")
    assert len(vat[2:-3]) == 9
    assert _mod11(vat[2:-3])


def test_no_r_002_foretaksregisteret() -> None:
    result = Doc(standard())
    register = f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID"
    assert result.text(register) == "Foretaksregisteret"
    seller = {**sample_invoice().seller_party, "in_business_register": False}  # type: ignore[dict-item]
    assert Doc(sample_invoice(seller=seller)).count(register) == 0


def test_se_r_001_and_se_r_002_swedish_vat_number() -> None:
    vat = Doc(swedish()).text(
        f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    )
    assert len(vat) == 14
    assert vat.startswith("SE")
    assert vat[2:].isdigit()


def test_se_r_003_se_r_004_se_r_013_swedish_organisation_number() -> None:
    number = Doc(swedish()).text(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID")
    assert number.isdigit()
    assert len(number) == 10
    assert luhn.is_valid(number)


def test_se_r_005_godkand_for_f_skatt() -> None:
    result = Doc(swedish())
    texts = result.texts(f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID")
    assert texts == ["Godkänd för F-skatt"]
    seller = {**SE_SELLER, "approved_for_f_tax": False}
    unapproved = Doc(sample_invoice(seller=seller, buyer=SE_BUYER, currency=Currency.SEK))
    assert unapproved.count(f"{SELLER}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']") == 0


def test_se_r_006_swedish_rates() -> None:
    result = Doc(swedish())
    rates = result.texts("//cac:ClassifiedTaxCategory[cbc:ID='S']/cbc:Percent")
    assert set(rates) <= {"25", "12", "6"}
    assert rates


def test_se_r_008_se_r_009_se_r_011_bankgiro() -> None:
    result = Doc(swedish())
    (means,) = result.all("/*/cac:PaymentMeans")
    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "30"  # not 50/56
    branch = "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    assert means.findtext(branch, namespaces=NS) == "SE:BANKGIRO"
    account = means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) or ""
    assert account == "50501055"
    assert len(account) in (7, 8)


def test_payment_id_is_the_kid() -> None:
    reference = kid("2026-000042", KidAlgorithm.MOD10)
    result = Doc(sample_invoice(payment_reference=reference))
    ids = result.texts("/*/cac:PaymentMeans/cbc:PaymentID")
    assert ids == [reference, reference]  # the kontonummer and the IBAN
    assert is_valid_kid(reference)
    accounts = result.texts("/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    assert accounts == ["12345678903", "NO9386011117947"]
    bic = "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    assert result.texts(bic) == ["DNBANOKK"]


def test_payment_id_is_the_ocr() -> None:
    result = Doc(swedish())
    (reference,) = result.texts("/*/cac:PaymentMeans/cbc:PaymentID")
    assert reference == ocr("2026-000042")
    assert is_valid_ocr(reference)
