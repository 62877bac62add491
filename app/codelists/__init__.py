"""The Peppol BIS Billing 3.0 code lists that values entering Klynge are checked against.

An issued invoice is frozen and must stay a valid EHF / Peppol document for good, so a
country, a unit or an electronic address that the Peppol rules refuse is refused where it
enters, not found when the XML is made. The lists are data files beside this module,
each naming its source and version in its header; `fields.py` holds the request field
types that use them and `endpoints.py` the per-scheme identifier checks.
"""

from functools import cache
from importlib.resources import files


@cache
def _codes(name: str) -> frozenset[str]:
    text = files(__name__).joinpath(name).read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 as Peppol accepts it (BR-CL-14), with 1A and XI."""
    return _codes("iso3166.txt")


def unit_codes() -> frozenset[str]:
    """UN/ECE Recommendation 20 with Recommendation 21 (BR-CL-23)."""
    return _codes("rec20.txt")


def endpoint_schemes() -> frozenset[str]:
    """The Electronic Address Schemes of Peppol (PEPPOL-EN16931-CL008, BR-CL-25)."""
    return _codes("eas.txt")
