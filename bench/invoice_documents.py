"""How fast one invoice renders as PDF (fpdf2) and as EHF/Peppol XML (lxml).

Renders a 10-line issued invoice in memory (no database, no HTTP) BENCH_DOCUMENTS times
per format, after a few warm-up renders, and prints the median milliseconds per document
and documents per second on one core. The HTTP routes add one indexed read of the
invoice and its lines (plus the credited invoice for credit notes) to this.

    .venv/bin/python -m bench.invoice_documents
    BENCH_DOCUMENTS=2000 .venv/bin/python -m bench.invoice_documents
"""

import os
import statistics
import time
from collections.abc import Callable

from app.invoices.models import Invoice, VatCategory
from app.invoices.pdf import render_pdf
from app.invoices.ubl import render_ubl
from tests.invoices.document_samples import sample_invoice, sample_line

DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "500"))
WARM_UP = 20


def ten_line_invoice() -> Invoice:
    lines = [
        sample_line(f"Medlemskontingent {i}, avdeling {i}", str(i), "1234.56", rate=rate)
        for i, rate in zip(range(1, 9), ["25.00", "15.00", "12.00", "25.00"] * 2, strict=True)
    ]
    lines.append(sample_line("Kurs", category=VatCategory.EXEMPT, reason="mval. § 3-5"))
    lines.append(sample_line("Materiell", "2.5", "99.99"))
    return sample_invoice(lines=lines, note="Takk for medlemskapet.")


def measure(render: Callable[[Invoice], bytes], invoice: Invoice) -> tuple[float, int]:
    for _ in range(WARM_UP):
        render(invoice)
    timings = []
    size = 0
    for _ in range(DOCUMENTS):
        started = time.perf_counter()
        size = len(render(invoice))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), size


def main() -> None:
    invoice = ten_line_invoice()
    print(f"\n10-line invoice, {DOCUMENTS} renders per format, one core\n")
    print("| document | median ms | docs/s | bytes |\n| --- | --- | --- | --- |")
    for name, render in (("PDF (fpdf2)", render_pdf), ("EHF/Peppol XML (lxml)", render_ubl)):
        median, size = measure(render, invoice)
        print(f"| {name} | {median * 1000:.2f} | {1 / median:,.0f} | {size:,} |")


if __name__ == "__main__":
    main()
