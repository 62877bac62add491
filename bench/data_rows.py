"""The benchmark's national-scale rows, as tuples in each table's column order for COPY.

Deterministic (one seeded generator), so two runs at one scale hold the same data and a
difference between runs is the code's, not the data's. At scale 1: 100,000 organisations
(1 % archived, some with internal notes), 300,000 people each affiliated with one
organisation (one in ten with a second), 200 networks (one in four closed), 20,000
memberships (some ended) with their representatives, and 100,000 issued invoices with
one line each.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
_WORDS = [
    "Nord",
    "Fjord",
    "Vest",
    "Aust",
    "Berg",
    "Elv",
    "Skog",
    "Havn",
    "Lys",
    "Stein",
    "Vind",
    "Bølge",
    "Kyst",
    "Dal",
    "Tind",
    "Myr",
    "Sjø",
    "Ås",
    "Furu",
    "Bjørk",
    "Eik",
    "Laks",
    "Torsk",
    "Polar",
    "Aurora",
    "Viking",
    "Norrøn",
    "Midnatt",
    "Fonn",
    "Bre",
]
_TRADES = [
    "Prosess",
    "Mekaniske",
    "Elektro",
    "Plast",
    "Bygg",
    "Marine",
    "Kjemi",
    "Energi",
    "Data",
    "Logistikk",
    "Metall",
    "Tre",
]
_CITIES = ("Oslo", "Bergen", "Trondheim", "Stavanger", "Porsgrunn", "Skien", "Tromsø", "Bodø")
_FIRST = [
    "Ola",
    "Kari",
    "Per",
    "Anne",
    "Lars",
    "Ingrid",
    "Nils",
    "Marit",
    "Jon",
    "Sigrid",
    "Erik",
    "Astrid",
    "Tor",
    "Liv",
]
_LAST = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Berg",
    "Haugen",
    "Lie",
    "Dahl",
]


@dataclass(frozen=True, slots=True)
class Counts:
    organisations: int
    people: int
    networks: int
    memberships: int
    invoices: int

    @classmethod
    def at(cls, scale: float) -> "Counts":
        return cls(
            organisations=max(1_000, int(100_000 * scale)),
            people=max(3_000, int(300_000 * scale)),
            networks=max(20, int(200 * scale)),
            memberships=max(200, int(20_000 * scale)),
            invoices=max(1_000, int(100_000 * scale)),
        )


@dataclass
class Tables:
    """Rows per table, in the order COPY must load them (foreign keys)."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        self.columns[table] = columns
        self.rows[table] = rows


class _Make:
    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)

    def id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, after: datetime = EPOCH, days: int = 1000) -> datetime:
        return after + timedelta(seconds=self.rng.randrange(days * 86_400), microseconds=1)

    def stamps(self) -> tuple[datetime, datetime]:
        created = self.moment()
        return created, created + timedelta(seconds=self.rng.randrange(86_400 * 30))

    def address(self, i: int) -> str:
        value = {
            "line1": f"{self.rng.choice(_WORDS)}veien {i % 200 + 1}",
            "line2": None if i % 5 else f"Postboks {i % 997}",
            "postal_code": f"{self.rng.randrange(1000, 9999)}",
            "city": self.rng.choice(_CITIES),
            "country": "NO",
        }
        return orjson.dumps(value).decode()


def organisation_numbers(count: int) -> Iterator[str]:
    """Distinct 9-digit Norwegian organisation numbers with valid mod-11 check digits."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    body, made = 80_000_000, 0
    while made < count:
        body += 1
        digits = str(body)
        check = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
        if check != 10:
            made += 1
            yield digits + str(check)


ORGANISATION_COLUMNS = [
    "id",
    "kind",
    "legal_name",
    "display_name",
    "country",
    "organisation_number",
    "vat_number",
    "visiting_address",
    "postal_address",
    "invoice_address",
    "invoice_email",
    "peppol_endpoint_id",
    "nace_code",
    "employees",
    "apprentices",
    "website",
    "language",
    "notes",
    "archived_at",
    "created_at",
    "updated_at",
    "version",
]


def _organisations(make: _Make, counts: Counts) -> list[tuple[Any, ...]]:
    rows = []
    for i, number in enumerate(organisation_numbers(counts.organisations)):
        rng = make.rng
        kind = "association" if i < 50 else ("public_body" if i % 97 == 0 else "company")
        name = f"{rng.choice(_WORDS)} {rng.choice(_TRADES)} {rng.choice(_WORDS)}{i}"
        created, updated = make.stamps()
        rows.append(
            (
                make.id(),
                kind,
                f"{name} AS",
                name,
                "NO",
                number,
                f"NO{number}MVA" if i % 3 else None,
                make.address(i) if i % 4 else None,
                make.address(i + 1),
                None if i % 2 else make.address(i + 2),
                f"faktura@firma{i}.no" if i % 3 else None,
                None,
                f"{rng.randrange(10, 99)}.{rng.randrange(100, 999)}",
                rng.randrange(0, 2000) if i % 10 else None,
                rng.randrange(0, 20),
                f"https://firma{i}.no/" if i % 2 else None,
                "nb",
                f"Internal remark {i}" if i % 7 == 0 else None,
                make.moment() if i % 100 == 99 else None,
                created,
                updated,
                1 + i % 3,
            )
        )
    return rows


def _people(
    make: _Make, counts: Counts, organisation_ids: list[uuid.UUID]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[uuid.UUID, list[uuid.UUID]]]:
    people, affiliations = [], []
    staff: dict[uuid.UUID, list[uuid.UUID]] = {}
    rng = make.rng
    for i in range(counts.people):
        person_id = make.id()
        created, updated = make.stamps()
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        email = f"person{i}@example.no" if i % 4 else None
        people.append((person_id, name, email, None, created, updated, 1))
        employers = {organisation_ids[i % len(organisation_ids)]}
        if i % 10 == 0:
            employers.add(rng.choice(organisation_ids))
        for organisation_id in employers:
            position = rng.choice(("ceo", "site_manager", "purchasing_manager", "other"))
            affiliations.append(
                (make.id(), person_id, organisation_id, position, None, created, updated, 1)
            )
            staff.setdefault(organisation_id, []).append(person_id)
    return people, affiliations, staff


def _networks(make: _Make, counts: Counts) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    roots: list[uuid.UUID] = []
    for i in range(counts.networks):
        network_id = make.id()
        parent = None if i < 10 else roots[i % len(roots)]
        if parent is None:
            roots.append(network_id)
        created, updated = make.stamps()
        visibility = "closed" if i % 4 == 3 else "open"
        slug = f"network-{i}"
        rows.append(
            (
                network_id,
                parent,
                slug,
                f"Nettverk {i}",
                None,
                visibility,
                "active",
                4,
                False,
                None,
                False,
                None,
                created,
                updated,
                1,
            )
        )
    return rows


NETWORK_COLUMNS = [
    "id",
    "parent_id",
    "slug",
    "name",
    "description",
    "visibility",
    "status",
    "meetings_per_year",
    "requires_parent_membership",
    "administered_by_id",
    "administered_by_inherited",
    "municipality_id",
    "created_at",
    "updated_at",
    "version",
]


def _memberships(
    make: _Make,
    counts: Counts,
    organisation_ids: list[uuid.UUID],
    network_ids: list[uuid.UUID],
    staff: dict[uuid.UUID, list[uuid.UUID]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rng = make.rng
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    while len(pairs) < counts.memberships:
        pairs.add((rng.choice(organisation_ids), rng.choice(network_ids)))
    memberships, representatives = [], []
    for i, (organisation_id, network_id) in enumerate(sorted(pairs)):
        membership_id = make.id()
        starts_on = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
        status = ("active",) * 8 + ("ended", "applied", "suspended")
        chosen = status[i % len(status)]
        ends_on = starts_on + timedelta(days=rng.randrange(30, 900)) if chosen == "ended" else None
        kind = "partner" if i % 20 == 0 else "member"
        created, updated = make.stamps()
        memberships.append(
            (
                membership_id,
                organisation_id,
                network_id,
                kind,
                chosen,
                starts_on,
                ends_on,
                created,
                updated,
                1,
            )
        )
        people = staff.get(organisation_id, [])
        for n, person_id in enumerate(people[: 2 if i % 4 == 0 else 1]):
            role = "representative" if n == 0 else "deputy"
            at = created + timedelta(seconds=n)
            representatives.append((make.id(), membership_id, person_id, role, at, at, 1))
    return memberships, representatives


MEMBERSHIP_COLUMNS = [
    "id",
    "organisation_id",
    "network_id",
    "kind",
    "status",
    "starts_on",
    "ends_on",
    "created_at",
    "updated_at",
    "version",
]
REPRESENTATIVE_COLUMNS = [
    "id",
    "membership_id",
    "person_id",
    "role",
    "created_at",
    "updated_at",
    "version",
]
INVOICE_COLUMNS = [
    "id",
    "kind",
    "status",
    "seller_id",
    "buyer_id",
    "currency",
    "language",
    "number",
    "sequence_number",
    "issue_date",
    "due_date",
    "payment_terms_days",
    "payment_reference",
    "seller_party",
    "buyer_party",
    "line_extension_amount",
    "tax_amount",
    "payable_amount",
    "amount_paid",
    "amount_credited",
    "reminder_level",
    "reminder_fees",
    "issued_at",
    "paid_on",
    "created_at",
    "updated_at",
    "version",
]
LINE_COLUMNS = [
    "id",
    "invoice_id",
    "position",
    "description",
    "quantity",
    "unit_code",
    "unit_price",
    "line_amount",
    "vat_category",
    "vat_rate",
    "created_at",
    "updated_at",
    "version",
]


def _party(organisation: tuple[Any, ...]) -> str:
    return orjson.dumps(
        {
            "name": organisation[2],
            "country": "NO",
            "organisation_number": organisation[5],
            "vat_number": organisation[6],
            "address": orjson.loads(organisation[8]),
            "email": organisation[10],
            "endpoint_scheme": "0192",
            "endpoint_id": organisation[5],
        }
    ).decode()


def _invoices(
    make: _Make, counts: Counts, organisations: list[tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rng = make.rng
    sellers = [row for row in organisations if row[1] == "association"]
    numbers: dict[tuple[uuid.UUID, int], int] = {}
    invoices, lines = [], []
    for i in range(counts.invoices):
        seller, buyer = sellers[i % len(sellers)], rng.choice(organisations)
        issued_at = make.moment(days=700)
        issue_date = issued_at.date()
        key = (seller[0], issue_date.year)
        sequence = numbers[key] = numbers.get(key, 0) + 1
        net = rng.randrange(1_000, 5_000_000)  # øre
        tax = net // 4
        payable = net + tax
        status = ("issued", "paid", "paid", "partially_paid")[i % 4]
        paid = {"issued": 0, "paid": payable, "partially_paid": payable // 2}[status]
        invoice_id = make.id()
        invoices.append(
            (
                invoice_id,
                "invoice",
                status,
                seller[0],
                buyer[0],
                "NOK",
                "nb",
                f"{issue_date.year}-{sequence}",
                sequence,
                issue_date,
                issue_date + timedelta(days=14),
                14,
                f"{i:08d}{i % 10}",
                _party(seller),
                _party(buyer),
                net,
                tax,
                payable,
                paid,
                0,
                0,
                0,
                issued_at,
                issue_date + timedelta(days=10) if status == "paid" else None,
                issued_at,
                issued_at,
                2,
            )
        )
        lines.append(
            (
                make.id(),
                invoice_id,
                1,
                f"Medlemskontingent {issue_date.year}",
                10000,
                "EA",
                net,
                net,
                "S",
                2500,
                issued_at,
                issued_at,
                1,
            )
        )
    counters = [(seller_id, "invoice", year, last) for (seller_id, year), last in numbers.items()]
    return invoices, lines, counters


def build(scale: float) -> tuple[Tables, Counts]:
    counts = Counts.at(scale)
    make = _Make()
    tables = Tables()
    organisations = _organisations(make, counts)
    organisation_ids = [row[0] for row in organisations]
    tables.add("organisations", tuple(ORGANISATION_COLUMNS), organisations)
    people, affiliations, staff = _people(make, counts, organisation_ids)
    tables.add("people", ("id", "full_name", "email", "phone", *_STAMPS), people)
    affiliation_columns = ("id", "person_id", "organisation_id", "position", "title")
    tables.add("affiliations", affiliation_columns + _STAMPS, affiliations)
    networks = _networks(make, counts)
    tables.add("networks", tuple(NETWORK_COLUMNS), networks)
    network_ids = [row[0] for row in networks]
    memberships, representatives = _memberships(make, counts, organisation_ids, network_ids, staff)
    tables.add("memberships", tuple(MEMBERSHIP_COLUMNS), memberships)
    tables.add("membership_representatives", tuple(REPRESENTATIVE_COLUMNS), representatives)
    invoices, lines, counters = _invoices(make, counts, organisations)
    tables.add("invoices", tuple(INVOICE_COLUMNS), invoices)
    tables.add("invoice_lines", tuple(LINE_COLUMNS), lines)
    tables.add("invoice_counters", ("seller_id", "series", "year", "last_number"), counters)
    return tables, counts


_STAMPS = ("created_at", "updated_at", "version")
