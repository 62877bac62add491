"""Office terms over HTTP: defaults, one holder per single-seat office, dates, history."""

from typing import Any

import httpx
import pytest

from tests.factories import create_network, create_person
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.offices.conftest import AddPeople

pytestmark = pytest.mark.usefixtures("backend")


async def _post(client: httpx.AsyncClient, network_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/v1/networks/{network_id}/offices", json=body)


async def _elect(client: httpx.AsyncClient, network_id: str, **body: Any) -> dict[str, Any]:
    response = await _post(client, network_id, **body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _terms(client: httpx.AsyncClient, network_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/networks/{network_id}/offices", params={"limit": 200})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_chair_term_defaults_to_two_years(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    first, second = await add_people("Ola Nordmann", "Kari Nordmann")
    response = await _post(
        client, network["id"], person_id=second, office="chair", starts_on="2026-03-01"
    )
    assert response.status_code == 201, response.text
    term = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/networks/{network['id']}/offices/{term['id']}"
    assert term["ends_on"] == "2028-02-29"
    assert term["person_name"] == "Kari Nordmann"
    assert term["network_id"] == network["id"]

    # From a leap day, the term ends the day before the (missing) anniversary; it
    # touches the next term without overlapping it.
    earlier = await _elect(
        client, network["id"], person_id=first, office="chair", starts_on="2024-02-29"
    )
    assert earlier["ends_on"] == "2026-02-28"

    fetched = await client.get(f"/v1/networks/{network['id']}/offices/{term['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == term


async def test_other_offices_and_explicit_ends(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    [person] = await add_people("Kari Nordmann")
    for office in ("vice_chair", "secretary", "board_member"):
        term = await _elect(
            client, network["id"], person_id=person, office=office, starts_on="2026-01-01"
        )
        assert term["ends_on"] is None

    other = await create_network(client)
    open_chair = await _elect(
        client, other["id"], person_id=person, office="chair", starts_on="2026-01-01", ends_on=None
    )
    assert open_chair["ends_on"] is None
    third = await create_network(client)
    short = await _elect(
        client,
        third["id"],
        person_id=person,
        office="chair",
        starts_on="2026-01-01",
        ends_on="2026-12-31",
    )
    assert short["ends_on"] == "2026-12-31"


async def test_single_seat_offices_never_overlap(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    neighbour = await create_network(client)
    ola, kari, per = await add_people("Ola", "Kari", "Per")
    chair = await _elect(
        client, network["id"], person_id=ola, office="chair", starts_on="2026-01-01"
    )

    response = await _post(
        client, network["id"], person_id=kari, office="chair", starts_on="2027-12-31"
    )
    problem = assert_problem(response, 409, "office_term_overlap")
    assert problem["existing_id"] == chair["id"]
    # An open-ended term overlaps everything after its start.
    response = await _post(
        client,
        network["id"],
        person_id=kari,
        office="chair",
        starts_on="2025-01-01",
        ends_on="2026-01-01",
    )
    assert_problem(response, 409, "office_term_overlap")
    assert [term["id"] for term in await _terms(client, network["id"])] == [chair["id"]]

    # The day after the term ends is free; so is another network, and a board has room.
    await _elect(client, network["id"], person_id=kari, office="chair", starts_on="2028-01-01")
    await _elect(client, neighbour["id"], person_id=kari, office="chair", starts_on="2026-06-01")
    for person in (ola, kari, per):
        await _elect(
            client, network["id"], person_id=person, office="board_member", starts_on="2026-01-01"
        )
    secretary = await _elect(
        client, network["id"], person_id=per, office="secretary", starts_on="2026-01-01"
    )
    response = await _post(
        client, network["id"], person_id=ola, office="secretary", starts_on="2030-01-01"
    )
    assert assert_problem(response, 409, "office_term_overlap")["existing_id"] == secretary["id"]
    assert len(await _terms(client, network["id"])) == 6


async def test_stepping_down_early_frees_the_seat(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    ola, kari = await add_people("Ola", "Kari")
    chair = await _elect(
        client, network["id"], person_id=ola, office="chair", starts_on="2026-01-01"
    )
    url = f"/v1/networks/{network['id']}/offices/{chair['id']}"

    assert_problem(
        await client.patch(url, json={"ends_on": "2026-06-30"}), 428, "if_match_required"
    )
    stale = await client.patch(url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"5"'})
    assert_problem(stale, 412, "etag_mismatch")

    response = await client.patch(url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.json()["ends_on"] == "2026-06-30"
    successor = await _elect(
        client, network["id"], person_id=kari, office="chair", starts_on="2026-07-01"
    )

    # Stretching the old term back over the successor's is refused, and changes nothing.
    response = await client.patch(url, json={"ends_on": None}, headers={"If-Match": '"2"'})
    assert assert_problem(response, 409, "office_term_overlap")["existing_id"] == successor["id"]
    assert (await client.get(url)).json()["ends_on"] == "2026-06-30"


async def test_period_must_be_ordered(client: httpx.AsyncClient, add_people: AddPeople) -> None:
    network = await create_network(client)
    [person] = await add_people("Kari Nordmann")
    response = await _post(
        client,
        network["id"],
        person_id=person,
        office="secretary",
        starts_on="2026-05-01",
        ends_on="2026-04-30",
    )
    problem = assert_problem(response, 422, "invalid_period")
    assert problem["errors"][0]["field"] == "body.ends_on"
    assert await _terms(client, network["id"]) == []

    term = await _elect(
        client, network["id"], person_id=person, office="secretary", starts_on="2026-05-01"
    )
    url = f"/v1/networks/{network['id']}/offices/{term['id']}"
    for change in ({"ends_on": "2026-04-30"}, {"starts_on": "2027-01-01", "ends_on": "2026-12-31"}):
        response = await client.patch(url, json=change, headers={"If-Match": '"1"'})
        assert_problem(response, 422, "invalid_period")
    assert (await client.get(url)).json()["version"] == 1


async def test_patch_changes_only_dates(client: httpx.AsyncClient, add_people: AddPeople) -> None:
    network = await create_network(client)
    [person] = await add_people("Kari Nordmann")
    term = await _elect(
        client, network["id"], person_id=person, office="vice_chair", starts_on="2026-01-01"
    )
    url = f"/v1/networks/{network['id']}/offices/{term['id']}"
    for change in ({"office": "chair"}, {"starts_on": None}):
        response = await client.patch(url, json=change, headers={"If-Match": '"1"'})
        assert_problem(response, 422, "validation_failed")
    response = await client.patch(
        url, json={"starts_on": "2025-09-01"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["starts_on"] == "2025-09-01"
    assert response.json()["office"] == "vice_chair"


async def test_unknown_references(client: httpx.AsyncClient, add_people: AddPeople) -> None:
    network = await create_network(client)
    other = await create_network(client)
    [person] = await add_people("Kari Nordmann")
    response = await _post(
        client, network["id"], person_id=UNKNOWN_ID, office="chair", starts_on="2026-01-01"
    )
    assert assert_problem(response, 422, "unknown_person")["errors"][0]["field"] == "body.person_id"
    assert await _terms(client, network["id"]) == []

    response = await _post(
        client, UNKNOWN_ID, person_id=person, office="chair", starts_on="2026-01-01"
    )
    assert_problem(response, 404, "network_not_found")
    assert_problem(await client.get(f"/v1/networks/{UNKNOWN_ID}/offices"), 404, "network_not_found")

    term = await _elect(
        client, network["id"], person_id=person, office="chair", starts_on="2026-01-01"
    )
    # A term is found only under its own network.
    response = await client.get(f"/v1/networks/{other['id']}/offices/{term['id']}")
    assert_problem(response, 404, "office_term_not_found")
    response = await client.get(f"/v1/networks/{UNKNOWN_ID}/offices/{term['id']}")
    assert_problem(response, 404, "network_not_found")
    response = await client.get(f"/v1/networks/{network['id']}/offices/{UNKNOWN_ID}")
    assert_problem(response, 404, "office_term_not_found")


async def test_create_is_idempotent_with_key(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    [person] = await add_people("Kari Nordmann")
    body = {"person_id": person, "office": "chair", "starts_on": "2026-01-01"}
    url = f"/v1/networks/{network['id']}/offices"
    first = await client.post(url, json=body, headers={"Idempotency-Key": "elect-chair"})
    again = await client.post(url, json=body, headers={"Idempotency-Key": "elect-chair"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(await _terms(client, network["id"])) == 1


@pytest.mark.parametrize("starts_on", [0, "0", 1767225600, "01.03.2026"])
async def test_start_must_be_an_iso_date(client: httpx.AsyncClient, starts_on: object) -> None:
    network = await create_network(client)
    person = await create_person(client)
    response = await client.post(
        f"/v1/networks/{network['id']}/offices",
        json={"person_id": person["id"], "office": "chair", "starts_on": starts_on},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.starts_on"
    listed = await client.get(f"/v1/networks/{network['id']}/offices")
    assert listed.json()["items"] == []


async def test_office_changes_move_the_networks_etag(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    [chair] = await add_people("Kari Nordmann")
    before = (await client.get(url)).headers["etag"]

    term = await _elect(
        client, network["id"], person_id=chair, office="chair", starts_on="2026-01-01"
    )
    after = await client.get(url)
    # The network shows its office holders, so its representation (and ETag) changed.
    assert after.headers["etag"] != before
    stale = await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": before})
    assert_problem(stale, 412, "etag_mismatch")
    assert (await client.get(url)).json()["name"] == network["name"]

    # Moving a term's dates moves it again; a PATCH with the same dates does not.
    term_url = f"{url}/offices/{term['id']}"
    moved = await client.patch(
        term_url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    moved_etag = (await client.get(url)).headers["etag"]
    assert moved_etag != after.headers["etag"]
    same = await client.patch(term_url, json={"ends_on": "2026-06-30"}, headers={"If-Match": '"2"'})
    assert same.status_code == 200, same.text
    assert same.headers["etag"] == '"2"'
    assert (await client.get(url)).headers["etag"] == moved_etag

    renamed = await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": moved_etag})
    assert renamed.status_code == 200, renamed.text


async def test_a_vice_chair_is_a_single_seat_too(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    ola, kari = await add_people("Ola", "Kari")
    vice = await _elect(
        client, network["id"], person_id=ola, office="vice_chair", starts_on="2026-01-01"
    )
    response = await _post(
        client, network["id"], person_id=kari, office="vice_chair", starts_on="2026-06-01"
    )
    assert assert_problem(response, 409, "office_term_overlap")["existing_id"] == vice["id"]
    assert [term["id"] for term in await _terms(client, network["id"])] == [vice["id"]]
