"""The PDF: every legal field per seller country and language, read back with pypdf.

The renderer runs on in-memory invoices here; test_documents_api.py renders invoices
made through the API and compares the totals with the API's.
"""

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.companies.models import Language
from app.invoices.models import Currency, InvoiceKind, VatCategory
from app.invoices.pdf import render_pdf
from tests.invoices.document_samples import (
    NO_SELLER,
    SE_BUYER,
    SE_SELLER,
    sample_invoice,
    sample_line,
)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def lines_of(pdf: bytes) -> list[str]:
    return [line.strip() for line in text_of(pdf).splitlines()]


def test_norwegian_seller_in_norwegian_has_every_legal_field() -> None:
    invoice = sample_invoice(
        lines=[
            sample_line("Medlemskontingent 2026", "1", "12500.00"),
            sample_line("Kursdag", "3", "1333.33", rate="15.00"),
        ]
    )
    text = text_of(render_pdf(invoice))
    lines = lines_of(render_pdf(invoice))
    assert lines[0].startswith("Faktura")
    # Number, date, due date, delivery period (bokføringsforskriften 5-1-1 nr 1, 2, 5-1-2).
    assert "Fakturanummer 2026-000042" in lines
    assert "Fakturadato 02.03.2026" in lines
    assert "Forfallsdato 01.04.2026" in lines
    assert "Leveringsperiode 01.01.2026 - 31.12.2026" in lines
    # Seller: name, address, organisation number followed by MVA, Foretaksregisteret.
    assert "Kompetansesenter for Fag AS" in text
    assert "Hovedgata 1" in lines
    assert "3915 Porsgrunn" in lines
    assert "Org.nr. 923 609 016 MVA" in lines
    assert "Foretaksregisteret" in lines
    # Buyer: name, address, organisation number.
    assert "Porsgrunn Mek. Verksted AS" in lines
    assert "Verkstedveien 7" in lines
    assert "Org.nr. 974 760 673 MVA" in lines
    # Lines: description, quantity, unit price, VAT rate, amount.
    assert "Medlemskontingent 2026 1 EA 12 500,00 25 % 12 500,00" in lines
    assert "Kursdag 3 EA 1 333,33 15 % 3 999,99" in lines
    # VAT per rate: taxable amount and VAT.
    assert "25 % 12 500,00 3 125,00" in lines
    assert "15 % 3 999,99 600,00" in lines
    # Totals.
    assert "Sum eks. mva 16 499,99 NOK" in lines
    assert "Sum mva 3 725,00 NOK" in lines
    assert "Å betale 20 224,99 NOK" in lines
    # Payment: account, IBAN/BIC, KID.
    assert "Kontonummer 1234.56.78903" in lines  # as people write it
    assert "IBAN NO9386011117947" in lines
    assert "BIC DNBANOKK" in lines
    assert "KID 20260000421" in lines
    assert "Side 1 av 1" in lines


def test_not_in_the_business_register_and_not_vat_registered() -> None:
    seller = {**NO_SELLER, "vat_number": None, "in_business_register": False}
    lines = lines_of(
        render_pdf(
            sample_invoice(seller=seller, lines=[sample_line(category=VatCategory.OUTSIDE_SCOPE)])
        )
    )
    assert "Org.nr. 923 609 016" in lines
    assert "Foretaksregisteret" not in lines


def test_swedish_seller_in_swedish_has_every_legal_field() -> None:
    invoice = sample_invoice(
        seller=SE_SELLER,
        buyer=SE_BUYER,
        language=Language.SWEDISH,
        currency=Currency.SEK,
        payment_reference="2026000042107",
        lines=[sample_line(unit_price="800.00"), sample_line("Bok", "2", "150.00", rate="6.00")],
    )
    lines = lines_of(render_pdf(invoice))
    assert lines[0].startswith("Faktura")
    assert "Fakturanummer 2026-000042" in lines  # löpnummer
    assert "Fakturadatum 2026-03-02" in lines
    assert "Förfallodag 2026-04-01" in lines
    assert "Leveransperiod 2026-01-01 - 2026-12-31" in lines
    assert "Org.nr 556036-0793" in lines
    assert "Momsreg.nr SE556036079301" in lines
    assert "Godkänd för F-skatt" in lines
    assert "Verkstad i Göteborg AB" in lines
    assert "Momsreg.nr SE556677889901" in lines
    # Taxable amount and VAT per rate.
    assert "25 % 800,00 200,00" in lines
    assert "6 % 300,00 18,00" in lines
    assert "Summa exkl. moms 1 100,00 SEK" in lines
    assert "Summa moms 218,00 SEK" in lines
    assert "Att betala 1 318,00 SEK" in lines
    assert "Bankgiro 5050-1055" in lines
    assert "OCR 2026000042107" in lines


def test_english_labels_keep_the_legal_phrases() -> None:
    invoice = sample_invoice(
        seller=SE_SELLER, buyer=SE_BUYER, language=Language.ENGLISH, currency=Currency.SEK
    )
    lines = lines_of(render_pdf(invoice))
    assert lines[0].startswith("Invoice")
    assert "Invoice number 2026-000042" in lines
    assert "Invoice date 2026-03-02" in lines
    assert "Due date 2026-04-01" in lines
    assert "VAT no. SE556036079301" in lines
    assert "Godkänd för F-skatt (approved for F-tax)" in lines
    assert "Amount due 1,250.00 SEK" in lines
    norwegian = lines_of(render_pdf(sample_invoice(language=Language.ENGLISH)))
    assert "Org. no. 923 609 016 MVA" in norwegian
    assert "Foretaksregisteret" in norwegian
    assert "Total excl. VAT 1,000.00 NOK" in norwegian


def test_exemption_reason_is_printed() -> None:
    reason = "Undervisningstjenester, mval. § 3-5"
    invoice = sample_invoice(
        lines=[sample_line("Kurs", category=VatCategory.EXEMPT, reason=reason)]
    )
    text = text_of(render_pdf(invoice))
    assert f"({reason})" in text  # under the line
    assert f"Fritatt for mva {reason} 1 000,00 0,00" in text  # in the breakdown
    assert "Fritatt 1 000,00" in text


def test_outside_scope_still_says_mva_on_the_pdf() -> None:
    """BR-O-02 governs the XML; bokføringsforskriften 5-1-1 wants "MVA" on the PDF."""
    invoice = sample_invoice(lines=[sample_line("Kontingent", category=VatCategory.OUTSIDE_SCOPE)])
    lines = lines_of(render_pdf(invoice))
    assert "Org.nr. 923 609 016 MVA" in lines
    assert "Org.nr. 974 760 673 MVA" in lines
    assert "Foretaksregisteret" in lines
    assert "Kontingent 1 EA 1 000,00 Utenfor 1 000,00" in lines
    assert "Utenfor merverdiavgiftsområdet 1 000,00 0,00" in lines
    swedish = lines_of(
        render_pdf(
            sample_invoice(
                seller=SE_SELLER,
                buyer=SE_BUYER,
                currency=Currency.SEK,
                language=Language.SWEDISH,
                lines=[sample_line(category=VatCategory.OUTSIDE_SCOPE)],
            )
        )
    )
    assert any("Momsreg.nr" in line for line in swedish)
    assert "Godkänd för F-skatt" in swedish


def test_vat_in_nok_when_the_invoice_is_in_another_currency() -> None:
    invoice = sample_invoice(currency=Currency.SEK, vat_exchange_rate=Decimal("0.981234"))
    lines = lines_of(render_pdf(invoice))
    assert "Sum mva 250,00 SEK" in lines
    assert "Mva i NOK (kurs 0,981234) 245,31 NOK" in lines
    assert "Å betale 1 250,00 SEK" in lines
    same_currency = lines_of(render_pdf(sample_invoice()))
    assert not any(line.startswith("Mva i NOK") for line in same_currency)


def test_credit_note_refers_to_the_credited_invoice() -> None:
    original = sample_invoice()
    note = sample_invoice(
        kind=InvoiceKind.CREDIT_NOTE, number="K2026-000001", issue_date=date(2026, 3, 20)
    )
    lines = lines_of(render_pdf(note, original))
    assert lines[0].startswith("Kreditnota")
    assert "Kreditnotanummer K2026-000001" in lines
    assert "Dato 20.03.2026" in lines
    assert "Krediterer faktura 2026-000042 datert 02.03.2026" in lines
    assert "Kreditert beløp 1 250,00 NOK" in lines
    assert not any(line.startswith(("KID", "Forfallsdato")) for line in lines)
    swedish = sample_invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        number="K2026-000001",
        seller=SE_SELLER,
        buyer=SE_BUYER,
        language=Language.SWEDISH,
        currency=Currency.SEK,
    )
    swedish_lines = lines_of(render_pdf(swedish, original))
    assert swedish_lines[0].startswith("Kreditfaktura")
    assert "Krediterar faktura 2026-000042 daterad 2026-03-02" in swedish_lines


def test_many_lines_run_onto_more_pages() -> None:
    lines = [sample_line(f"Linje {i}", unit_price="10.00") for i in range(1, 121)]
    pdf = render_pdf(sample_invoice(lines=lines))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = text_of(pdf)
    assert "Linje 120 1 EA 10,00 25 % 10,00" in text
    assert "Å betale 1 500,00 NOK" in text
    # The column headings repeat on every page of lines.
    assert reader.pages[1].extract_text().count("Beskrivelse Antall Enhetspris") == 1


def test_characters_outside_latin_1_are_replaced_not_fatal() -> None:
    buyer = {**SE_BUYER, "name": "\u0141\u00f3d\u017a Trading \u2013 Sp. z o.o. \U0001f680"}
    text = text_of(render_pdf(sample_invoice(buyer=buyer, note="Takk “for” alt…")))
    assert "?ód? Trading - Sp. z o.o. ?" in text
    assert 'Takk "for" alt...' in text


def test_the_same_invoice_gives_the_same_bytes() -> None:
    """The download's ETag is a hash of the bytes: nothing in them may depend on when they
    were made (fpdf2 stamps the time by default), so two renders a second apart agree."""
    first = render_pdf(sample_invoice())
    time.sleep(1.1)
    assert render_pdf(sample_invoice()) == first


@pytest.mark.parametrize("language", list(Language))
def test_a_draft_is_refused(language: Language) -> None:
    with pytest.raises(ValueError, match="issued"):
        render_pdf(sample_invoice(number=None, language=language))  # type: ignore[arg-type]
