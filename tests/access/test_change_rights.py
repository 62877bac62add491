"""What each kind of caller may change: the allowed paths, and the callers who change
nothing at all (read-only keys, the website, anonymous)."""

from typing import Any

import pytest

from tests.access.conftest import SINCE, World
from tests.factories import company_body
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_member_keeps_their_organisations_contact_data(world: World) -> None:
    url = f"/v1/companies/{world.ids.member_org}"
    address = {"line1": "Industrivegen 1", "postal_code": "3960", "city": "Stathelle"}
    response = await world.patch(
        "member",
        url,
        visiting_address={**address, "country": "NO"},
        invoice_email="faktura@member.example",
        peppol_endpoint_id="0192:923609016",
        website="https://member.example/",
    )
    assert response.status_code == 200, response.text
    stored = await fetch(world.admin_http, url)
    assert stored["invoice_email"] == "faktura@member.example"
    assert stored["visiting_address"]["city"] == "Stathelle"
    # Their answer is the public representation: still no notes.
    assert response.json()["notes"] is None
    assert stored["notes"] == "Internal: Member Prosess AS"


async def test_a_member_cannot_give_their_organisation_an_address_peppol_refuses(
    world: World,
) -> None:
    url = f"/v1/companies/{world.ids.member_org}"
    before = await fetch(world.admin_http, url)
    address = {"line1": "Industrivegen 1", "postal_code": "3960", "city": "Stathelle"}
    for changes, code in (
        ({"peppol_endpoint_id": "0192:123456789"}, "invalid_endpoint_identifier"),
        ({"peppol_endpoint_id": "9999:ABC123"}, "invalid_endpoint_scheme"),
        ({"visiting_address": {**address, "country": "XX"}}, "invalid_country_code"),
    ):
        response = await world.patch("member", url, **changes)
        assert_problem(response, 422, code)
    assert await fetch(world.admin_http, url) == before


async def test_a_user_keeps_their_own_record(world: World) -> None:
    url = f"/v1/people/{world.ids.member_person}"
    response = await world.patch(
        "member", url, full_name="Kari Medlem", email="kari@member.example", phone="+47 99 99 99 99"
    )
    assert response.status_code == 200, response.text
    assert (await fetch(world.admin_http, url))["full_name"] == "Kari Medlem"


async def _created(world: World, caller: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await world.request(caller, "POST", url, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_coordinator_manages_their_network_and_what_is_below_it(world: World) -> None:
    ids = world.ids
    changed = await world.patch(
        "coordinator",
        f"/v1/networks/{ids.council}",
        name="Process council 2027",
        meetings_per_year=6,
    )
    assert changed.status_code == 200, changed.text
    # Networks below the council, and below those.
    forum = await _created(
        world,
        "coordinator",
        "/v1/networks",
        {"parent_id": ids.council, "slug": "leaders", "name": "Leaders", "visibility": "closed"},
    )
    deeper = await _created(
        world,
        "coordinator",
        "/v1/networks",
        {"parent_id": ids.council_group, "slug": "deep", "name": "Deep", "visibility": "open"},
    )
    assert deeper["parent_id"] == ids.council_group
    # The coordinator sees the closed network they just made (it is below the council).
    assert (await world.get("coordinator", f"/v1/networks/{forum['id']}")).status_code == 200

    # New members: the organisation and its representative, then the membership.
    company = await _created(world, "coordinator", "/v1/companies", company_body())
    person = await _created(
        world,
        "coordinator",
        "/v1/people",
        {
            "full_name": "Ny Representant",
            "affiliations": [{"organisation_id": company["id"], "position": "ceo"}],
        },
    )
    membership = await _created(
        world,
        "coordinator",
        "/v1/memberships",
        {
            "organisation_id": company["id"],
            "network_id": ids.council,
            "status": "active",
            "starts_on": SINCE,
            "representatives": [{"person_id": person["id"]}],
        },
    )
    url = f"/v1/memberships/{membership['id']}"
    changed = await world.patch("coordinator", url, kind="observer")
    assert changed.status_code == 200, changed.text
    ended = await world.request("coordinator", "POST", f"{url}/end", json={"ends_on": "2026-06-30"})
    assert ended.status_code == 200, ended.text

    term = await _created(
        world,
        "coordinator",
        f"/v1/networks/{ids.council}/offices",
        {"person_id": person["id"], "office": "chair", "starts_on": "2027-01-01"},
    )
    changed = await world.patch(
        "coordinator", f"/v1/networks/{ids.council}/offices/{term['id']}", ends_on="2027-12-31"
    )
    assert changed.status_code == 200, changed.text
    changed = await world.patch(
        "coordinator", f"/v1/networks/{ids.council}/offices/{ids.council_term}", ends_on=SINCE
    )
    assert changed.status_code == 200, changed.text


def _attempts(world: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    """One change of every kind, on things every caller can see."""
    ids = world.ids
    network, membership = (
        f"/v1/networks/{ids.offshore}",
        f"/v1/memberships/{ids.offshore_membership}",
    )
    return [
        ("POST", "/v1/companies", company_body()),
        ("PATCH", f"/v1/companies/{ids.other_org}", {"website": "https://x.example/"}),
        ("POST", f"/v1/companies/{ids.other_org}/archive", None),
        ("DELETE", f"/v1/companies/{ids.other_org}", None),
        ("POST", "/v1/people", {"full_name": "Nobody"}),
        ("PATCH", f"/v1/people/{ids.other_person}", {"phone": "+47 1"}),
        ("DELETE", f"/v1/people/{ids.other_person}", None),
        ("POST", "/v1/networks", {"slug": "x", "name": "X", "visibility": "open"}),
        ("PATCH", network, {"name": "Renamed"}),
        ("DELETE", network, None),
        (
            "POST",
            f"{network}/offices",
            {"person_id": ids.other_person, "office": "chair", "starts_on": SINCE},
        ),
        ("PATCH", f"{network}/offices/{ids.offshore_term}", {"ends_on": SINCE}),
        (
            "POST",
            "/v1/memberships",
            {"organisation_id": ids.member_org, "network_id": ids.offshore, "starts_on": SINCE},
        ),
        ("PATCH", membership, {"kind": "observer"}),
        ("POST", f"{membership}/end", None),
    ]


async def _versions(world: World) -> dict[str, int]:
    ids = world.ids
    urls = [
        f"/v1/companies/{ids.other_org}",
        f"/v1/people/{ids.other_person}",
        f"/v1/networks/{ids.offshore}",
        f"/v1/networks/{ids.offshore}/offices/{ids.offshore_term}",
        f"/v1/memberships/{ids.offshore_membership}",
    ]
    return {url: await world.version(url) for url in urls}


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("read_key", 403, "read_only_credentials"),
        ("website", 403, None),
        ("anonymous", 401, "authentication_required"),
    ],
)
async def test_read_only_and_public_callers_change_nothing(
    world: World, caller: str, status: int, code: str | None
) -> None:
    before = await _versions(world)
    counts = {
        url: len((await fetch(world.admin_http, url))["items"])
        for url in ("/v1/companies", "/v1/people", "/v1/networks", "/v1/memberships")
    }
    for method, url, body in _attempts(world):
        response = await world.request(caller, method, url, json=body, headers={"If-Match": "*"})
        assert response.status_code == status, (method, url, response.text)
        if code is not None:
            assert_problem(response, status, code)
    assert await _versions(world) == before
    for url, count in counts.items():
        assert len((await fetch(world.admin_http, url))["items"]) == count
