"""The code lists and the per-scheme identifier checks, on values worked out by hand.

Check digits: Norwegian 0192 mod 11 with weights 3 2 7 6 5 4 3 2; Swedish 0007 Luhn;
GLN 0088 GS1 (weights 3 1 from the right); Belgian 0208 97 - (first 8 digits mod 97);
Danish 0184 mod 11 with weights 2 7 6 5 4 3 2 1; Finnish Y-tunnus (0037 OVT) weights
7 9 10 5 8 4 2, check 11 - (sum mod 11).
"""

import pytest
from pydantic import TypeAdapter, ValidationError

from app.codelists import country_codes, endpoint_schemes, unit_codes
from app.codelists.endpoints import InvalidEndpoint, check_endpoint
from app.codelists.fields import CountryCode, PeppolEndpointId, UnitCode


def test_the_lists_are_the_published_ones() -> None:
    countries, units, schemes = country_codes(), unit_codes(), endpoint_schemes()
    # ISO 3166-1 has 249 codes; Peppol and EN 16931 add 1A (Kosovo) and XI (N. Ireland).
    assert len(countries) == 251
    assert {"NO", "SE", "DK", "FI", "DE", "GB", "1A", "XI"} <= countries
    assert not {"XX", "EU", "UK", "EL"} & countries
    assert len(units) == 2156
    assert {"EA", "C62", "H87", "HUR", "DAY", "WEE", "MON", "ANN", "KGM", "LTR", "XPP"} <= units
    assert not {"QQQ", "PCS", "ea"} & units
    assert len(schemes) == 94
    assert {"0002", "0007", "0037", "0088", "0184", "0192", "0208", "9930", "9957"} <= schemes
    assert not {"9999", "0000", "9901", "9955", "0001"} & schemes


@pytest.mark.parametrize(
    "endpoint",
    [
        "0192:923609016",  # 27+4+21+36+0+36+0+2 = 126, 126 mod 11 = 5, check 6
        "0007:5560360793",  # Luhn of 556036079 gives 3
        "0088:7080000000005",  # 7*1 + 8*1 = 15 from the right, check (10 - 5) = 5
        "0208:0403170701",  # 04031707 mod 97 = 96, check 97 - 96 = 01
        "0184:13585628",  # 2+21+30+40+20+18+4+8 = 143 = 13 * 11
        "0184:DK13585628",  # the same CVR with its DK prefix (PEPPOL-COMMON-R042)
        "0037:003701120389",  # Y-tunnus 0112038-9: 0+9+10+10+0+12+16 = 57, 11 - 2 = 9
        "0037:00370112038900001",  # with an organisational unit
        "9930:DE136695976",  # python-stdnum's documented German VAT example
        "0204:04011000-12345-03",  # a Leitweg-ID, dashes included
        "0060:123456789",  # D-U-N-S: nine digits, no check digit
        "0130:DIGIT",  # a scheme with no format of its own: letters and digits
    ],
)
def test_valid_endpoints(endpoint: str) -> None:
    assert check_endpoint(endpoint) == endpoint
    assert TypeAdapter(PeppolEndpointId).validate_python(endpoint) == endpoint


@pytest.mark.parametrize(
    ("endpoint", "code"),
    [
        ("0192:123456789", "invalid_endpoint_identifier"),  # 138 mod 11 = 6, check 5 not 9
        ("0192:92360901", "invalid_endpoint_identifier"),  # eight digits
        ("0007:5560360794", "invalid_endpoint_identifier"),  # Luhn check 3, not 4
        ("0088:7080000000001", "invalid_endpoint_identifier"),  # GS1 check 5, not 1
        ("0088:708000000005", "invalid_endpoint_identifier"),  # twelve digits
        ("0208:0403170702", "invalid_endpoint_identifier"),  # check 01, not 02
        ("0184:13585627", "invalid_endpoint_identifier"),  # 142 is not a multiple of 11
        ("0037:003701120388", "invalid_endpoint_identifier"),  # Y-tunnus check 9, not 8
        ("9930:DE136695978", "invalid_endpoint_identifier"),  # German check digit 6, not 8
        ("9999:ABC123", "invalid_endpoint_scheme"),  # not in the EAS list
        ("9901:12345", "invalid_endpoint_scheme"),  # withdrawn from the EAS list
    ],
)
def test_invalid_endpoints(endpoint: str, code: str) -> None:
    with pytest.raises(InvalidEndpoint) as caught:
        check_endpoint(endpoint)
    assert caught.value.code == code
    with pytest.raises(ValidationError) as error:
        TypeAdapter(PeppolEndpointId).validate_python(endpoint)
    assert error.value.errors()[0]["type"] == code


@pytest.mark.parametrize(
    ("adapter", "good", "bad", "code"),
    [
        (
            TypeAdapter(CountryCode),
            ["NO", "SE", "1A", "XI"],
            ["XX", "EU", "UK"],
            "invalid_country_code",
        ),
        (
            TypeAdapter(UnitCode),
            ["EA", "HUR", "C62", "XPP"],
            ["QQQ", "PCS", "ZZZ"],
            "invalid_unit_code",
        ),
    ],
)
def test_country_and_unit_fields(
    adapter: TypeAdapter[str], good: list[str], bad: list[str], code: str
) -> None:
    for value in good:
        assert adapter.validate_python(value) == value
    for value in bad:
        with pytest.raises(ValidationError) as error:
            adapter.validate_python(value)
        assert error.value.errors()[0]["type"] == code, value
