"""An invoice issued from values the code lists accept is a valid Peppol document: the
values reach the XML as given, the XML is valid UBL 2.1 and breaks no Peppol BIS rule
that the project checks."""

import httpx
import pytest
from lxml import etree
from peppol import check_rules

from tests.invoice_factories import address, create_buyer, create_issued, create_seller, line
from tests.invoices.test_ubl import _schema

pytestmark = pytest.mark.usefixtures("backend")

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
BUYER = "cac:AccountingCustomerParty/cac:Party"
SELLER = "cac:AccountingSupplierParty/cac:Party"


async def test_an_invoice_from_valid_codes_passes_the_peppol_checks(
    client: httpx.AsyncClient,
) -> None:
    seller = await create_seller(client)
    seller_endpoint = f"0192:{seller['organisation_number']}"
    response = await client.patch(
        f"/v1/companies/{seller['id']}",
        json={"peppol_endpoint_id": seller_endpoint},
        headers={"If-Match": f'"{seller["version"]}"'},
    )
    assert response.status_code == 200, response.text
    buyer = await create_buyer(
        client,
        peppol_endpoint_id="0088:7080000000005",  # a GLN with its GS1 check digit
        postal_address={**address(), "country": "DK"},
    )
    invoice = await create_issued(
        client,
        seller,
        buyer,
        lines=[line(unit_code="HUR", quantity="3"), line(unit_code="C62"), line()],
    )
    response = await client.get(f"/v1/invoices/{invoice['id']}.xml")
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)

    def endpoint(party: str) -> tuple[str | None, str | None]:
        element = root.find(f"{party}/cbc:EndpointID", NS)
        assert element is not None
        return element.get("schemeID"), element.text

    assert endpoint(SELLER) == ("0192", seller["organisation_number"])
    assert endpoint(BUYER) == ("0088", "7080000000005")
    assert (
        root.findtext(
            f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=NS
        )
        == "DK"
    )
    units = [q.get("unitCode") for q in root.iterfind("cac:InvoiceLine/cbc:InvoicedQuantity", NS)]
    assert units == ["HUR", "C62", "EA"]

    schema = _schema("Invoice")
    assert schema.validate(root), schema.error_log
    fatal = [finding for finding in check_rules(response.content) if finding.severity == "fatal"]
    assert fatal == []
