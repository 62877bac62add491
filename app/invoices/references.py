"""Payment references derived from an invoice's number, and their checks.

- Norwegian sellers, KID: the number's digits and a check digit, MOD10 (Luhn) or MOD11 (weights
  2-7 from the right; a remainder giving 10 is written `-`) as the seller's bank
  agreement says.
- Swedish sellers, OCR (Bankgirot's "OCR-referens" with length check): the digits, a length digit
  (the whole reference's length, check digit included, modulo 10), then a Luhn check
  digit over all of it.

Luhn comes from python-stdnum; MOD11 KID and the OCR length digit no kept library
provides, so they are written here.
"""

from stdnum import luhn

from app.companies.models import Country
from app.invoices.models import KidAlgorithm

_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)


def _digits(invoice_number: str) -> str:
    digits = "".join(ch for ch in invoice_number if ch.isdigit())
    if not digits:
        raise ValueError(f"invoice number {invoice_number!r} has no digits")
    return digits


def mod11_check_digit(digits: str) -> str:
    total = sum(
        int(digit) * _MOD11_WEIGHTS[i % len(_MOD11_WEIGHTS)]
        for i, digit in enumerate(reversed(digits))
    )
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def kid(invoice_number: str, algorithm: KidAlgorithm) -> str:
    digits = _digits(invoice_number)
    if algorithm is KidAlgorithm.MOD11:
        return digits + mod11_check_digit(digits)
    return digits + str(luhn.calc_check_digit(digits))


def ocr(invoice_number: str) -> str:
    digits = _digits(invoice_number)
    length_digit = str((len(digits) + 2) % 10)
    body = digits + length_digit
    return body + str(luhn.calc_check_digit(body))


def payment_reference(invoice_number: str, seller_country: Country, algorithm: KidAlgorithm) -> str:
    """The reference printed on an invoice: what the seller's bank reads, whatever the
    invoice's currency: a KID for a Norwegian seller, an OCR number for a Swedish one."""
    if seller_country is Country.SWEDEN:
        return ocr(invoice_number)
    return kid(invoice_number, algorithm)


def is_valid_kid(reference: str) -> bool:
    """A KID whose check digit holds by MOD10 or MOD11 (the payer's bank checked one)."""
    if len(reference) < 2 or not reference[:-1].isdigit():
        return False
    body, check = reference[:-1], reference[-1]
    return mod11_check_digit(body) == check or (check.isdigit() and luhn.is_valid(reference))


def is_valid_ocr(reference: str) -> bool:
    if len(reference) < 3 or not reference.isdigit() or not luhn.is_valid(reference):
        return False
    return int(reference[-2]) == len(reference) % 10


def is_valid_reference(reference: str) -> bool:
    return is_valid_kid(reference) or is_valid_ocr(reference)
