"""Organisation and VAT numbers, checked with python-stdnum and stored in one form.

Norway: 9-digit organisation number with a mod-11 check digit; VAT `NO<orgnr>MVA`.
Sweden: 10-digit organisation number with a Luhn check digit whose third digit is
at least 2 (lower values are personal identity numbers); VAT `SE<orgnr>01`.
"""

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.no import mva as no_vat
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import vat as se_vat

from app.companies.models import Country
from app.errors import InvalidField


def normalise_organisation_number(country: Country, raw: str) -> str:
    try:
        if country == Country.NORWAY:
            return str(no_orgnr.validate(raw))
        number = str(se_orgnr.validate(raw))
        luhn.validate(number)
    except ValidationError as exc:
        raise InvalidField(
            "organisation_number",
            f"Not a valid {_country_adjective(country)} organisation number: {exc}.",
            code="invalid_organisation_number",
        ) from exc
    if int(number[2]) < 2:
        raise InvalidField(
            "organisation_number",
            "A Swedish organisation number has 2 or more as its third digit; "
            "this looks like a personal identity number.",
            code="invalid_organisation_number",
        )
    return number


def normalise_vat_number(country: Country, raw: str, organisation_number: str) -> str:
    """Validate the VAT number and check it belongs to the organisation number."""
    try:
        if country == Country.NORWAY:
            compact = str(no_vat.validate(raw))  # "923609016MVA"
            vat_number, embedded = f"NO{compact}", compact[:9]
        else:
            compact = str(se_vat.validate(raw))  # "556036079301"
            vat_number, embedded = f"SE{compact}", compact[:10]
    except ValidationError as exc:
        raise InvalidField(
            "vat_number",
            f"Not a valid {_country_adjective(country)} VAT number: {exc}.",
            code="invalid_vat_number",
        ) from exc
    if embedded != organisation_number:
        raise InvalidField(
            "vat_number",
            f"The VAT number {vat_number} belongs to another organisation number.",
            code="vat_number_mismatch",
        )
    return vat_number


def _country_adjective(country: Country) -> str:
    return "Norwegian" if country == Country.NORWAY else "Swedish"
