"""The reminder e-mail, in the invoice's language (nb, sv, en).

It states what a payer needs to pay without opening the invoice: its number and
original due date, what is due, the fee, the total, the KID/OCR and the account, and the
new date to pay by. Amounts and dates are written as the invoice's PDF writes them.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.companies.models import Language
from app.invoices import formatting
from app.invoices.labels import labels


@dataclass(frozen=True, slots=True)
class ReminderFacts:
    language: Language
    level: int
    seller_name: str
    number: str
    due_date: date
    currency: str
    amount_due: Decimal
    fee: Decimal
    earlier_fees: Decimal
    payment_reference: str | None
    seller_country: str  # "NO" or "SE": what the seller's bank reads (KID or OCR)
    bank_account: str | None
    iban: str | None
    bic: str | None
    pay_by: date

    @property
    def total(self) -> Decimal:
        return self.amount_due + self.earlier_fees + self.fee


_TEXT = {
    Language.NORWEGIAN_BOKMAL: {
        "subject": "Purring {level}: faktura {number} fra {seller}",
        "hello": "Hei,",
        "lead": "Vi kan ikke se å ha mottatt betaling for faktura {number}, som forfalt "
        "{due}. Dette er purring nummer {level}.",
        "due": "Utestående beløp",
        "fee": "Purregebyr",
        "earlier": "Tidligere purregebyr",
        "total": "Å betale",
        "pay_by": "Betal innen",
        "closing": "Har du betalt i mellomtiden, kan du se bort fra denne purringen.",
        "regards": "Med vennlig hilsen",
    },
    Language.SWEDISH: {
        "subject": "Påminnelse {level}: faktura {number} från {seller}",
        "hello": "Hej,",
        "lead": "Vi har inte fått betalning för faktura {number}, som förföll {due}. "
        "Detta är påminnelse nummer {level}.",
        "due": "Utestående belopp",
        "fee": "Påminnelseavgift",
        "earlier": "Tidigare påminnelseavgifter",
        "total": "Att betala",
        "pay_by": "Betala senast",
        "closing": "Om du redan har betalat kan du bortse från denna påminnelse.",
        "regards": "Med vänliga hälsningar",
    },
    Language.ENGLISH: {
        "subject": "Reminder {level}: invoice {number} from {seller}",
        "hello": "Hello,",
        "lead": "We have not received payment of invoice {number}, which was due on "
        "{due}. This is reminder number {level}.",
        "due": "Amount due",
        "fee": "Reminder fee",
        "earlier": "Earlier reminder fees",
        "total": "Total to pay",
        "pay_by": "Pay by",
        "closing": "If you have paid in the meantime, please disregard this reminder.",
        "regards": "Kind regards",
    },
}


def subject(facts: ReminderFacts) -> str:
    text = _TEXT[facts.language]
    # A seller's name may hold line breaks; a header must not.
    seller = " ".join(facts.seller_name.split())
    return text["subject"].format(level=facts.level, number=facts.number, seller=seller)


def body(facts: ReminderFacts) -> str:
    text, language = _TEXT[facts.language], facts.language

    def money(value: Decimal) -> str:
        return formatting.money(value, facts.currency, language)

    due = formatting.day(facts.due_date, language)
    rows = [(text["due"], money(facts.amount_due))]
    if facts.earlier_fees:
        rows.append((text["earlier"], money(facts.earlier_fees)))
    if facts.fee:
        rows.append((text["fee"], money(facts.fee)))
    rows.append((text["total"], money(facts.total)))
    # The reference and the account are named by the seller's bank, as on the invoice.
    words, swedish = labels(language), facts.seller_country == "SE"
    if facts.payment_reference:
        rows.append((words["ocr" if swedish else "kid"], facts.payment_reference))
    if facts.bank_account:
        account = formatting.bank_account(facts.bank_account, facts.seller_country)
        rows.append((words["bankgiro" if swedish else "bank_account"], account))
    if facts.iban:
        rows.append(("IBAN", facts.iban + (f" (BIC {facts.bic})" if facts.bic else "")))
    rows.append((text["pay_by"], formatting.day(facts.pay_by, language)))
    width = max(len(label) for label, _ in rows) + 2
    lines = [
        text["hello"],
        "",
        text["lead"].format(number=facts.number, due=due, level=facts.level),
        "",
        *(f"{label + ':':<{width}}{value}" for label, value in rows),
        "",
        text["closing"],
        "",
        text["regards"],
        facts.seller_name,
        "",
    ]
    return "\n".join(lines)
