"""The parties as an issued invoice states them, frozen at issue.

An issued invoice must keep saying what it said when it was sent, whatever later happens
to the registry (a move, a new name, a VAT registration), so issue copies the parties
into the invoice as plain JSON. Every reader of an issued invoice (the API, the PDF, the
XML) reads these snapshots, never the live organisations.
"""

from typing import Any, TypedDict

from app.companies.models import Country, Organisation
from app.sellers.models import SellerSettings

# Peppol participant identifier schemes (ISO 6523 ICD) for organisation numbers.
ENDPOINT_SCHEME = {Country.NORWAY: "0192", Country.SWEDEN: "0007"}


class Party(TypedDict):
    name: str  # the legal name
    country: str  # "NO" or "SE": where the organisation is registered
    organisation_number: str
    vat_number: str | None  # "NO923609016MVA", "SE556036079301"; None: not registered
    address: dict[str, Any] | None  # line1, line2, postal_code, city, country
    email: str | None
    # Peppol endpoint "scheme:identifier"; the organisation number's by default.
    endpoint_scheme: str
    endpoint_id: str


class SellerParty(Party):
    in_business_register: bool  # Norway: "Foretaksregisteret"
    approved_for_f_tax: bool  # Sweden: "Godkänd för F-skatt"
    bank_account: str
    iban: str | None
    bic: str | None


def _endpoint(organisation: Organisation) -> tuple[str, str]:
    if organisation.peppol_endpoint_id:
        scheme, identifier = organisation.peppol_endpoint_id.split(":", 1)
        return scheme, identifier
    return ENDPOINT_SCHEME[organisation.country], organisation.organisation_number


def party_address(organisation: Organisation) -> dict[str, Any] | None:
    return (
        organisation.invoice_address
        or organisation.postal_address
        or (organisation.visiting_address)
    )


def buyer_party(organisation: Organisation) -> Party:
    scheme, identifier = _endpoint(organisation)
    return Party(
        name=organisation.legal_name,
        country=organisation.country.value,
        organisation_number=organisation.organisation_number,
        vat_number=organisation.vat_number,
        address=party_address(organisation),
        email=organisation.invoice_email,
        endpoint_scheme=scheme,
        endpoint_id=identifier,
    )


def seller_party(organisation: Organisation, settings: SellerSettings) -> SellerParty:
    scheme, identifier = _endpoint(organisation)
    return SellerParty(
        name=organisation.legal_name,
        country=organisation.country.value,
        organisation_number=organisation.organisation_number,
        vat_number=organisation.vat_number,
        address=party_address(organisation),
        email=settings.contact_email or organisation.invoice_email,
        endpoint_scheme=scheme,
        endpoint_id=identifier,
        in_business_register=settings.in_business_register,
        approved_for_f_tax=settings.approved_for_f_tax,
        bank_account=settings.bank_account,
        iban=settings.iban,
        bic=settings.bic,
    )
