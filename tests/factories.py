"""Valid test data: organisation numbers with correct check digits, and API helpers."""

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from stdnum import luhn

_rng = random.Random(20261122)
_used: set[str] = set()
_counter = itertools.count(1)

# Test meetings happen next year: always ahead of the real clock whenever the tests run, so
# such a meeting has not started (no attendance yet, cannot be held).
NEXT_YEAR = datetime.now(UTC).year + 1


def thursday_in_march(year: int = NEXT_YEAR) -> date:
    """The second Thursday of March (8th to 14th): winter time in Europe, days before
    summer time starts on the last Sunday of March."""
    first = date(year, 3, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 7)


def last_sunday(month: int, year: int = NEXT_YEAR) -> date:
    """The last Sunday of a month: Europe changes to summer time on March's, back on October's."""
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


# The day of `meeting_body`'s meeting, a Thursday in March next year.
MEETING_DAY = thursday_in_march()


def utc_on(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC on `day`."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def norwegian_organisation_number() -> str:
    """A fresh 9-digit number with a valid mod-11 check digit."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        body = [_rng.choice((8, 9))] + [_rng.randrange(10) for _ in range(7)]
        remainder = sum(w * d for w, d in zip(weights, body, strict=True)) % 11
        check = (11 - remainder) % 11
        if check == 10:
            continue
        number = "".join(map(str, body)) + str(check)
        if number not in _used:
            _used.add(number)
            return number


def swedish_organisation_number() -> str:
    """A fresh 10-digit number, third digit >= 2, with a valid Luhn check digit."""
    while True:
        body = "5" + str(_rng.randrange(10)) + str(_rng.randrange(2, 10))
        body += "".join(str(_rng.randrange(10)) for _ in range(6))
        number = body + luhn.calc_check_digit(body)
        if number not in _used:
            _used.add(number)
            return number


def company_body(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    country = overrides.get("country", "NO")
    number = norwegian_organisation_number() if country == "NO" else swedish_organisation_number()
    body: dict[str, Any] = {
        "kind": "company",
        "legal_name": f"Test Company {n} AS",
        "country": country,
        "organisation_number": number,
        "employees": 100 + n,
        "apprentices": n % 7,
    }
    body.update(overrides)
    return body


async def create_company(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/companies", json=company_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_person(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """POST /v1/people. `affiliations`: [{organisation_id, position, title?}]."""
    n = next(_counter)
    body: dict[str, Any] = {
        "full_name": f"Test Person {n}",
        "email": f"person{n}@example.test",
        "phone": "+47 400 00 000",
        "affiliations": [],
    }
    body.update(overrides)
    response = await client.post("/v1/people", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_network(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """POST /v1/networks."""
    n = next(_counter)
    body: dict[str, Any] = {
        "slug": f"network-{n}",
        "name": f"Test Network {n}",
        "visibility": "open",
        "status": "active",
        "meetings_per_year": 4,
    }
    body.update(overrides)
    response = await client.post("/v1/networks", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_membership(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """POST /v1/memberships. Needs organisation_id and network_id in `overrides`."""
    body: dict[str, Any] = {
        "kind": "member",
        "status": "active",
        "starts_on": "2026-01-01",
        "representatives": [],
    }
    body.update(overrides)
    response = await client.post("/v1/memberships", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def meeting_body(network_id: str, **overrides: Any) -> dict[str, Any]:
    """A regular meeting in Oslo time (winter, UTC+1) on `MEETING_DAY`, 09:00 to 12:00."""
    n = next(_counter)
    body: dict[str, Any] = {
        "network_id": network_id,
        "kind": "regular",
        "title": f"Test Meeting {n}",
        "starts_at": f"{MEETING_DAY}T09:00:00+01:00",
        "ends_at": f"{MEETING_DAY}T12:00:00+01:00",
        "time_zone": "Europe/Oslo",
        "place_name": "Herøya Forskningspark",
        "place_address": "Hydrovegen 55, 3936 Porsgrunn",
    }
    body.update(overrides)
    return body


async def create_meeting(
    client: httpx.AsyncClient, network_id: str, **overrides: Any
) -> dict[str, Any]:
    """POST /v1/meetings (see `meeting_body`)."""
    response = await client.post("/v1/meetings", json=meeting_body(network_id, **overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
