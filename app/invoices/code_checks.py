"""The last look at the Peppol code lists before an invoice is frozen.

Values are checked where they enter (app/codelists/fields.py), so this only refuses what
was stored before those checks existed: an issued invoice is frozen for good, and one
that carried a country, a unit or an electronic address Peppol refuses could never be
sent as EHF. Each is a 409 naming what to correct.
"""

from app.codelists import country_codes, unit_codes
from app.codelists.endpoints import InvalidEndpoint, check_endpoint
from app.companies.models import Organisation
from app.errors import Conflict
from app.invoices.models import Invoice
from app.invoices.parties import party_address


def check_codes(invoice: Invoice, seller: Organisation, buyer: Organisation) -> None:
    """`invoice.lines` must be loaded."""
    for role, party in (("seller", seller), ("buyer", buyer)):
        if party.peppol_endpoint_id:
            try:
                check_endpoint(party.peppol_endpoint_id)
            except InvalidEndpoint as exc:
                raise Conflict(
                    f"The {role}'s electronic address is not one Peppol accepts: "
                    f"{exc.message} Correct the organisation's peppol_endpoint_id.",
                    code=f"{role}_endpoint_invalid",
                ) from exc
        country = (party_address(party) or {}).get("country")
        if country is not None and country not in country_codes():
            raise Conflict(
                f"The {role}'s address has the country {country}, which is not an "
                "ISO 3166-1 code: correct the organisation's address.",
                code=f"{role}_country_invalid",
            )
    wrong = sorted({line.unit_code for line in invoice.lines} - unit_codes())
    if wrong:
        raise Conflict(
            f"Unit {', '.join(wrong)} is not a UN/ECE Recommendation 20 unit: correct the "
            "invoice's lines.",
            code="line_unit_code_invalid",
        )
