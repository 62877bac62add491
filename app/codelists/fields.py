"""Request field types for the values Peppol checks against its code lists: one type per
list, used wherever such a value enters (companies' addresses and electronic address,
invoice lines), so a value the Peppol rules refuse never reaches an issued invoice.

Each answers 422 with its own stable code on the field (`invalid_country_code`,
`invalid_unit_code`, `invalid_endpoint_scheme`, `invalid_endpoint_identifier`).
"""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from app.api.field_errors import coded_error
from app.codelists import country_codes, endpoint_schemes, unit_codes
from app.codelists.endpoints import IDENTIFIER_PATTERN, InvalidEndpoint, check_endpoint


def _country(value: str) -> str:
    if value not in country_codes():
        raise coded_error(
            "invalid_country_code",
            f"{value} is not an ISO 3166-1 alpha-2 country code (as Peppol accepts them, "
            "e.g. NO, SE, DK).",
        )
    return value


def _unit(value: str) -> str:
    if value not in unit_codes():
        raise coded_error(
            "invalid_unit_code",
            f"{value} is not a unit code of UN/ECE Recommendation 20 or 21, which Peppol "
            "requires (e.g. EA each, C62 one, HUR hour, DAY day, MON month, ANN year).",
        )
    return value


def _endpoint(value: str) -> str:
    try:
        return check_endpoint(value)
    except InvalidEndpoint as exc:
        raise coded_error(exc.code, exc.message) from exc


# The pattern comes first, so the code-list check sees only letters and digits.
CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{2}$"),
    AfterValidator(_country),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(country_codes()),
            "description": "ISO 3166-1 alpha-2, as Peppol BIS 3.0 accepts it (with 1A "
            "Kosovo and XI Northern Ireland).",
            "examples": ["NO"],
        }
    ),
]

UnitCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{1,3}$"),
    AfterValidator(_unit),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[A-Z0-9]{1,3}$",
            "description": "A unit of UN/ECE Recommendation 20 (with Recommendation 21): "
            "EA each, C62 one, HUR hour, DAY day, MON month, ANN year, …",
            "examples": ["EA"],
        }
    ),
]

# The request takes any four-digit scheme, so an unknown one is answered as such
# (`invalid_endpoint_scheme`); the document names the schemes Peppol knows.
_ENDPOINT_FORMAT = rf"^\d{{4}}:{IDENTIFIER_PATTERN}$"
_ENDPOINT_PATTERN = rf"^(?:{'|'.join(sorted(endpoint_schemes()))}):{IDENTIFIER_PATTERN}$"

PeppolEndpointId = Annotated[
    str,
    StringConstraints(pattern=_ENDPOINT_FORMAT),
    AfterValidator(_endpoint),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _ENDPOINT_PATTERN,
            "maxLength": 50,
            "description": "Peppol electronic address `scheme:identifier`: a scheme of the "
            "EAS code list and an identifier valid for it, written without separators "
            "(0192 Norwegian and 0007 Swedish organisation numbers, 0088 GLN, 0208 Belgian "
            "enterprise number, 0184 Danish CVR, 9930 German VAT number, …).",
            "examples": ["0192:923609016"],
        }
    ),
]
