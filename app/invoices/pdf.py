"""An issued invoice or credit note as a PDF, in the invoice's language.

Everything printed comes from the invoice row, its lines and the parties frozen at issue
(`app.invoices.document_facts`), never from the live organisations. The legal content:

- Norway (bokføringsforskriften 5-1-1, 5-1-2): "Faktura"/"Kreditnota", number, date, due
  date, the seller's name, address and organisation number followed by "MVA" when
  VAT-registered, "Foretaksregisteret" when registered there, the buyer's name, address
  and organisation number, the delivery period, each line's description, quantity, price
  and amount, VAT per rate, totals, VAT in NOK when the invoice is in another currency,
  and KID and account number.
- Sweden (mervärdesskattelagen 17 kap. 24 §): "Faktura"/"Kreditfaktura", the löpnummer,
  date, the seller's momsregistreringsnummer, "Godkänd för F-skatt" where it applies,
  the buyer, the taxable amount and VAT per rate, totals, OCR, bankgiro and due date.
- A credit note names the invoice it credits, with its number and date.

The PDF is deterministic (its dates are the issue time), so equal invoices give equal
bytes and the HTTP layer can use a hash of them as the ETag. Fonts are the PDF core
fonts (latin-1 only): `formatting.latin1` replaces anything outside it.
"""

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from app.invoices import document_facts as facts
from app.invoices import formatting as fmt
from app.invoices.labels import Labels, labels
from app.invoices.models import Invoice, VatCategory

FONT = "Helvetica"
WIDTH = 180  # A4 (210 mm) less 15 mm margins
LINE = 4.6


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self._footer_text = footer_text
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        text = self._footer_text.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, fmt.latin1(text), align="C")


def render_pdf(invoice: Invoice, credited: Invoice | None = None) -> bytes:
    """The invoice (or credit note, with `credited` the invoice it credits) as PDF bytes.

    `invoice.lines` must be loaded and the invoice issued (it has a number and frozen
    parties); a draft raises ValueError.
    """
    if invoice.number is None or invoice.issue_date is None:
        raise ValueError("only an issued invoice can be rendered")
    words = labels(invoice.language)
    pdf = _Document(words["page"])
    issued = invoice.issued_at or datetime.combine(invoice.issue_date, time(), tzinfo=UTC)
    pdf.set_creation_date(issued)
    pdf.set_title(fmt.latin1(f"{_title(invoice, words)} {invoice.number}"))
    pdf.set_author(fmt.latin1(str(facts.seller(invoice)["name"])))
    pdf.set_creator("Klynge")
    pdf.add_page()
    _Writer(pdf, invoice, credited, words).write()
    return bytes(pdf.output())


def _title(invoice: Invoice, words: Labels) -> str:
    return words["credit_note"] if facts.is_credit_note(invoice) else words["invoice"]


class _Writer:
    def __init__(
        self, pdf: FPDF, invoice: Invoice, credited: Invoice | None, words: Labels
    ) -> None:
        self.pdf = pdf
        self.invoice = invoice
        self.credited = credited
        self.words = words
        self.language = invoice.language
        self.seller = facts.seller(invoice)
        self.buyer = facts.buyer(invoice)

    def write(self) -> None:
        self._heading()
        self._parties_and_facts()
        self._lines()
        self._vat_breakdown()
        self._totals()
        self._payment()
        if self.invoice.note:
            self._paragraph(f"{self.words['note']}: {self.invoice.note}")

    # -- pieces -----------------------------------------------------------------------

    def _text(self, text: str, *, size: float = 9, bold: bool = False, width: float = 0) -> None:
        self.pdf.set_font(FONT, style="B" if bold else "", size=size)
        self.pdf.cell(width, LINE, fmt.latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _paragraph(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(FONT, size=9)
        self.pdf.multi_cell(WIDTH, LINE, fmt.latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _money(self, value: Decimal) -> str:
        return fmt.money(value, self.invoice.currency.value, self.language)

    def _day(self, value: Any) -> str:
        return fmt.day(value, self.language)

    def _heading(self) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, style="B", size=20)
        pdf.cell(WIDTH / 2, 10, fmt.latin1(_title(self.invoice, self.words)))
        pdf.set_font(FONT, style="B", size=12)
        pdf.cell(WIDTH / 2, 10, fmt.latin1(str(self.seller["name"])), align="R")
        pdf.ln(14)

    def _party_lines(self, party: dict[str, Any], *, is_seller: bool) -> list[str]:
        lines = [str(party["name"])]
        address = party.get("address") or {}
        for key in ("line1", "line2"):
            if address.get(key):
                lines.append(str(address[key]))
        place = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
        if place:
            lines.append(place)
        country = address.get("country") or party["country"]
        if country != self.seller["country"]:
            lines.append(str(country))
        lines.extend(self._identifiers(party, is_seller=is_seller))
        if is_seller and party.get("email"):
            lines.append(f"{self.words['email']}: {party['email']}")
        return lines

    def _identifiers(self, party: dict[str, Any], *, is_seller: bool) -> list[str]:
        """Organisation number (+ "MVA"), VAT number and registrations, by country."""
        words = self.words
        # Not the XML's BR-O-02 omission: Norwegian law wants "MVA" on every sales document.
        vat = facts.registered_vat_number(party)
        org = fmt.organisation_number(str(party["organisation_number"]), str(party["country"]))
        lines = []
        if party["country"] == "NO":
            # Norway: the number followed by "MVA" says the party is VAT-registered.
            lines.append(f"{words['organisation_number']} {org}{' MVA' if vat else ''}")
            if is_seller and party.get("in_business_register"):
                lines.append("Foretaksregisteret")
        else:
            lines.append(f"{words['organisation_number']} {org}")
            if vat:
                lines.append(f"{words['vat_number']} {vat}")
            if is_seller and party.get("approved_for_f_tax"):
                lines.append(f"Godkänd för F-skatt{words['f_tax_note']}")
        return lines

    def _facts(self) -> list[tuple[str, str]]:
        invoice, words = self.invoice, self.words
        credit = facts.is_credit_note(invoice)
        issued = self._day(invoice.issue_date) if invoice.issue_date else ""
        rows = [
            (words["credit_note_number" if credit else "number"], invoice.number or ""),
            (words["credit_note_date" if credit else "issue_date"], issued),
        ]
        if invoice.due_date and not credit:
            rows.append((words["due_date"], self._day(invoice.due_date)))
        period = fmt.period(invoice.delivery_starts_on, invoice.delivery_ends_on, self.language)
        if period:
            rows.append((words["delivery_period"], period))
        if invoice.buyer_reference:
            rows.append((words["buyer_reference"], invoice.buyer_reference))
        if invoice.payment_reference and not credit:
            rows.append((self._reference_label(), invoice.payment_reference))
        if credit and self.credited is not None and self.credited.number:
            dated = self.credited.issue_date
            text = self.credited.number + (f" {words['dated']} {self._day(dated)}" if dated else "")
            rows.append((words["credits"], text))
        return rows

    def _reference_label(self) -> str:
        # The reference follows the seller's bank (app/invoices/references.py), not the currency.
        return self.words["ocr" if self.seller["country"] == "SE" else "kid"]

    def _parties_and_facts(self) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        left = self._party_lines(self.seller, is_seller=True)
        self._column(15, top, self.words["seller"], left, 85)
        self._facts_column(110, top)
        bottom = pdf.get_y()
        pdf.set_y(max(bottom, top + (len(left) + 1) * LINE) + 6)
        self._column(15, pdf.get_y(), self.words["buyer"], self._buyer_lines(), 85)
        pdf.ln(6)

    def _buyer_lines(self) -> list[str]:
        return self._party_lines(self.buyer, is_seller=False)

    def _column(self, x: float, y: float, heading: str, lines: list[str], width: float) -> None:
        pdf = self.pdf
        pdf.set_xy(x, y)
        pdf.set_font(FONT, style="B", size=8)
        pdf.set_text_color(110)
        pdf.cell(width, LINE, fmt.latin1(heading.upper()), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_text_color(0)
        for i, line in enumerate(lines):
            pdf.set_font(FONT, style="B" if i == 0 else "", size=9)
            pdf.cell(width, LINE, fmt.latin1(line), new_x=XPos.LEFT, new_y=YPos.NEXT)

    def _facts_column(self, x: float, y: float) -> None:
        pdf = self.pdf
        pdf.set_xy(x, y)
        for label, value in self._facts():
            pdf.set_x(x)
            pdf.set_font(FONT, size=9)
            pdf.cell(40, LINE, fmt.latin1(label))
            pdf.set_font(FONT, style="B", size=9)
            pdf.cell(45, LINE, fmt.latin1(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _category_text(self, category: VatCategory, rate: Decimal, *, short: bool = False) -> str:
        if category is VatCategory.STANDARD:
            return fmt.rate(rate, self.language)
        return self.words[f"{'short' if short else 'category'}_{category.value}"]

    def _lines(self) -> None:
        words, language = self.words, self.language
        heading = [
            words["description"],
            words["quantity"],
            words["unit_price"],
            words["vat_rate"],
            words["amount"],
        ]
        rows = []
        for line in self.invoice.lines:
            reason = line.vat_exemption_reason
            rows.append(
                [
                    line.description + (f"\n({reason})" if reason else ""),
                    f"{fmt.number(line.quantity, language)} {line.unit_code}",
                    fmt.amount(line.unit_price, language),
                    self._category_text(line.vat_category, line.vat_rate, short=True),
                    fmt.amount(line.line_amount, language),
                ]
            )
        self._table((78, 20, 28, 24, 30), ("L", "R", "R", "R", "R"), heading, rows)
        self.pdf.ln(4)

    def _vat_breakdown(self) -> None:
        words, language = self.words, self.language
        self._text(words["vat_category"], bold=True)
        heading = [
            words["vat_rate"],
            words["exemption_reason"],
            words["taxable_amount"],
            words["vat"],
        ]
        rows = [
            [
                self._category_text(group.category, group.rate),
                group.exemption_reason or "",
                fmt.amount(group.taxable_amount, language),
                fmt.amount(group.tax_amount, language),
            ]
            for group in facts.vat_breakdown(self.invoice)
        ]
        self._table((60, 60, 30, 30), ("L", "L", "R", "R"), heading, rows)
        self.pdf.ln(3)

    # fpdf2's own `table()` lays every cell out twice and made a 10-line invoice cost
    # ~35 ms; this measures only cells that may wrap and draws the rest with `cell`.
    def _table(
        self,
        widths: tuple[float, ...],
        aligns: tuple[str, ...],
        heading: list[str],
        rows: list[list[str]],
    ) -> None:
        self._row(widths, aligns, heading, bold=True)
        for row in rows:
            if self._row(widths, aligns, row, bold=False):
                self._row(widths, aligns, heading, bold=True, after_break=True)
                self._row(widths, aligns, row, bold=False)

    def _row(
        self,
        widths: tuple[float, ...],
        aligns: tuple[str, ...],
        cells: list[str],
        *,
        bold: bool,
        after_break: bool = False,
    ) -> bool:
        """Draws one row; answers True, drawing nothing, when it needs a new page first
        (then the caller repeats the heading on the new page)."""
        pdf = self.pdf
        pdf.set_font(FONT, style="B" if bold else "", size=8.5)
        wrapped = [
            self._wrap(fmt.latin1(text), width - 2)
            for text, width in zip(cells, widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * LINE + 2
        if not after_break and not bold and pdf.will_page_break(height):
            pdf.add_page()
            return True
        top, x = pdf.get_y(), pdf.l_margin
        for lines, width, align in zip(wrapped, widths, aligns, strict=True):
            for i, text in enumerate(lines):
                pdf.set_xy(x + 1, top + 1 + i * LINE)
                pdf.cell(width - 2, LINE, text, align=align)
            x += width
        pdf.set_draw_color(190)
        pdf.line(pdf.l_margin, top + height, pdf.l_margin + sum(widths), top + height)
        pdf.set_xy(pdf.l_margin, top + height)
        return False

    def _wrap(self, text: str, width: float) -> list[str]:
        if "\n" not in text and self.pdf.get_string_width(text) <= width:
            return [text]
        lines = self.pdf.multi_cell(width, LINE, text, dry_run=True, output=MethodReturnValue.LINES)
        if not isinstance(lines, list):
            raise TypeError("fpdf2 answered no lines")
        return [str(line) for line in lines] or [""]

    def _totals(self) -> None:
        invoice, words = self.invoice, self.words
        rows = [
            (words["net_total"], self._money(invoice.line_extension_amount), False),
            (words["vat_total"], self._money(invoice.tax_amount), False),
        ]
        own = facts.vat_in_accounting_currency(invoice)
        if own is not None:
            currency = facts.accounting_currency(invoice)
            rate = fmt.number(invoice.vat_exchange_rate or Decimal(0), self.language)
            label = f"{words['vat_in'].format(currency=currency)} ({words['exchange_rate']} {rate})"
            rows.append((label, fmt.money(own, currency, self.language), False))
        total = words["credit_total" if facts.is_credit_note(invoice) else "total"]
        rows.append((total, self._money(invoice.payable_amount), True))
        pdf = self.pdf
        for label, value, bold in rows:
            pdf.set_x(15 + WIDTH - 110)
            pdf.set_font(FONT, style="B" if bold else "", size=10 if bold else 9)
            pdf.cell(70, LINE + 1, fmt.latin1(label))
            pdf.cell(
                40, LINE + 1, fmt.latin1(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.ln(4)

    def _payment(self) -> None:
        invoice, words, seller = self.invoice, self.words, self.seller
        if facts.is_credit_note(invoice):
            self._paragraph(words["no_payment"])
            return
        self._text(words["payment"], bold=True)
        account_label = words["bankgiro" if seller["country"] == "SE" else "bank_account"]
        account = fmt.bank_account(str(seller["bank_account"]), str(seller["country"]))
        rows = [(account_label, account)]
        if seller.get("iban"):
            rows.append((words["iban"], str(seller["iban"])))
        if seller.get("bic"):
            rows.append((words["bic"], str(seller["bic"])))
        if invoice.payment_reference:
            rows.append((self._reference_label(), invoice.payment_reference))
        if invoice.due_date:
            rows.append((words["due_date"], self._day(invoice.due_date)))
        rows.append((words["total"], self._money(invoice.payable_amount)))
        pdf = self.pdf
        for label, value in rows:
            pdf.set_font(FONT, size=9)
            pdf.cell(40, LINE, fmt.latin1(label))
            pdf.set_font(FONT, style="B", size=9)
            pdf.cell(80, LINE, fmt.latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
