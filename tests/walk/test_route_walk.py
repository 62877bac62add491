"""Walk every route in the OpenAPI document as every kind of caller, and fail if a
caller who may not see a closed network gets any trace of it: its id, name or slug, or
the id of anything that belongs to it (every row of every table with a `network_id`).

Nothing here names a route: paths, methods and parameters come from the document, so
routes added later are walked too. Path parameters are filled with ids of closed
networks and of their rows, of an open network and an unknown id; list filters ending
in `_id` get the same ids, `q=` gets the closed networks' names, and `include=` every
option. Changes are sent too, by every caller but the admin, with `If-Match: *` and each
operation's documented example body, its `*_id` fields filled with those ids and with a
real organisation and person, so requests get past validation to the rules and their
error bodies (409s naming rows) are checked as well.
"""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.companies.models import Organisation
from app.db import Base, create_sessionmaker
from app.demo.loader import load_into
from app.networks.models import Network, NetworkStatus, Visibility
from app.offices.models import OfficeKind, OfficeTerm
from app.people.models import Affiliation, Person, Position
from tests.callers import api_key_headers, sign_in_again, user_headers

pytestmark = pytest.mark.usefixtures("backend")

UNKNOWN = str(uuid.UUID(int=1))
_UNSAFE = ("post", "put", "patch", "delete")


@dataclass
class Secrets:
    """What must not reach a caller, per closed network."""

    by_network: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    row_ids: list[str] = field(default_factory=list)


async def _closed_network_secrets(engine: AsyncEngine) -> Secrets:
    secrets = Secrets()
    tables_with_network = [
        table for table in Base.metadata.sorted_tables if "network_id" in table.c
    ]
    async with create_sessionmaker(engine)() as session:
        closed = list(
            await session.scalars(select(Network).where(Network.visibility == Visibility.CLOSED))
        )
        for network in closed:
            key = str(network.id)
            found = {key, network.name, network.slug}
            for table in tables_with_network:
                found |= await _row_ids(session, table, network.id)
            secrets.by_network[key] = found
            secrets.names[key] = [network.name]
            secrets.row_ids += sorted(found - {key, network.name, network.slug})
    return secrets


async def _row_ids(session: Any, table: Table, network_id: uuid.UUID) -> set[str]:
    if "id" not in table.c:
        return set()
    rows = await session.scalars(select(table.c.id).where(table.c.network_id == network_id))
    return {str(row) for row in rows}


async def _add(engine: AsyncEngine, *rows: object) -> None:
    async with create_sessionmaker(engine).begin() as session:
        session.add_all(rows)


async def _by(engine: AsyncEngine, model: Any, **where: Any) -> Any:
    async with create_sessionmaker(engine)() as session:
        return await session.scalar(select(model).filter_by(**where))


@dataclass
class WalkCaller:
    name: str
    headers: dict[str, str]
    sees: set[str]  # ids of the closed networks this caller may see
    changes: bool = True  # whether its changes are walked (the admin's would wreck the data)


async def _callers(application: FastAPI, engine: AsyncEngine) -> list[WalkCaller]:
    council = await _by(engine, Network, slug="gic-process-industry-council")
    leaders = await _by(engine, Network, slug="gic-process-leader-forum")
    procurement = await _by(engine, Network, slug="gic-procurement-network")
    offshore = await _by(engine, Network, slug="gic-offshore-forum")
    # An open group below a closed one, whose members must be members of the closed one:
    # its coordinator may not see the parent, yet meets rules that involve it.
    working_group = Network(
        parent_id=council.id,
        slug="council-working-group",
        name="Council working group",
        visibility=Visibility.OPEN,
        status=NetworkStatus.ACTIVE,
        meetings_per_year=2,
        requires_parent_membership=True,
        administered_by_id=council.administered_by_id,
        administered_by_inherited=True,
    )
    await _add(engine, working_group)
    nho = await _by(engine, Organisation, display_name="NHO")
    telemark = await _by(engine, Organisation, display_name="Telemark Offshore Service")
    # NHO is a partner in the council and the leader forum, not in procurement; Telemark
    # Offshore Service is only in open networks.
    partner = Person(full_name="Walk Partner", email="walk.partner@example.com")
    outsider = Person(full_name="Walk Outsider", email="walk.outsider@example.com")
    await _add(engine, partner, outsider)
    await _add(
        engine,
        Affiliation(person_id=partner.id, organisation_id=nho.id, position=Position.OTHER),
        Affiliation(person_id=outsider.id, organisation_id=telemark.id, position=Position.CEO),
        # Something to find below a closed network besides its memberships.
        OfficeTerm(
            network_id=procurement.id,
            person_id=outsider.id,
            office=OfficeKind.SECRETARY,
            starts_on=date(2025, 1, 1),
        ),
    )
    council_id, leaders_id = str(council.id), str(leaders.id)
    return [
        WalkCaller("anonymous", {}, set()),
        WalkCaller("website key", await api_key_headers(engine, ApiKeyScope.PUBLIC), set()),
        WalkCaller(
            "member of another network",
            await user_headers(application, person_id=outsider.id),
            set(),
        ),
        WalkCaller(
            "member",
            await user_headers(application, person_id=partner.id),
            {council_id, leaders_id},
        ),
        WalkCaller(
            "coordinator of a sibling",
            await user_headers(application, coordinates=[offshore.id]),
            set(),
        ),
        WalkCaller(
            "coordinator", await user_headers(application, coordinates=[council.id]), {council_id}
        ),
        WalkCaller(
            "coordinator below a closed network",
            await user_headers(application, coordinates=[working_group.id]),
            set(),
        ),
        # The admin sees every closed network, so nothing is hidden from it to check; it is
        # walked all the same, as the issue lists it.
        WalkCaller(
            "admin",
            await user_headers(application, is_admin=True),
            {str(network.id) for network in (council, leaders, procurement)},
            changes=False,
        ),
    ]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", *_UNSAFE)
    ]


def _include_values(parameter: dict[str, Any]) -> list[str]:
    schema = parameter.get("schema", {})
    examples = parameter.get("examples") or schema.get("examples") or []
    if isinstance(examples, dict):
        examples = [example.get("value") for example in examples.values()]
    for option in schema.get("anyOf", []):
        examples += option.get("examples", [])
    return [value for value in examples if isinstance(value, str)]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            resolved: dict[str, Any] = document["components"]["schemas"][
                option["$ref"].rsplit("/", 1)[-1]
            ]
            return resolved
    return schema


def _bodies(document: dict[str, Any], operation: dict[str, Any], pool: list[str]) -> list[Any]:
    """The documented example bodies, and each with its `*_id` fields set from `pool`."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return [None]  # no body, or a form (sign-in) that carries no ids
    schema = _resolve(document, content["application/json"]["schema"])
    bodies: list[Any] = []
    for example in schema.get("examples") or [{}]:
        bodies.append(example)
        # Nested lists (representatives, affiliations) hold made-up ids that would stop the
        # request at validation; the variants leave them empty to reach the other rules.
        bare = {name: [] if isinstance(value, list) else value for name, value in example.items()}
        id_fields = [name for name in bare if name.endswith("_id")][:2]
        for values in itertools.product(pool, repeat=len(id_fields)):
            if id_fields:
                bodies.append({**bare, **dict(zip(id_fields, values, strict=True))})
    return bodies


def _requests(
    path: str, operation: dict[str, Any], ids: list[str], names: list[str]
) -> list[tuple[str, dict[str, str]]]:
    parameters = operation.get("parameters", [])
    path_names = [p["name"] for p in parameters if p["in"] == "path"]
    urls = []
    for values in itertools.product(ids, repeat=len(path_names)):
        url = path
        for name, value in zip(path_names, values, strict=True):
            url = url.replace("{" + name + "}", value)
        urls.append(url)
    queries: list[dict[str, str]] = [{}]
    for parameter in parameters:
        if parameter["in"] != "query":
            continue
        name = parameter["name"]
        if name.endswith("_id"):
            queries += [{name: value} for value in ids]
        elif name == "q":
            queries += [{"q": value} for value in names]
        elif name == "include":
            queries += [{"include": value} for value in _include_values(parameter)]
    return [(url, query) for url in urls for query in queries]


async def test_no_route_shows_a_closed_network_to_outsiders(
    application: FastAPI, engine: AsyncEngine, anonymous_client: httpx.AsyncClient
) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await load_into(session)
    callers = await _callers(application, engine)
    secrets = await _closed_network_secrets(engine)
    assert len(secrets.by_network) == 3
    open_network = await _by(engine, Network, slug="gic-offshore-forum")
    working_group = await _by(engine, Network, slug="council-working-group")
    organisation = await _by(engine, Organisation, display_name="Telemark Offshore Service")
    person = await _by(engine, Person, email="walk.outsider@example.com")
    ids = [*secrets.by_network, *secrets.row_ids[:4], str(open_network.id), UNKNOWN]
    body_ids = [
        *secrets.by_network,
        str(working_group.id),
        str(open_network.id),
        str(organisation.id),
        str(person.id),
    ]
    names = [name for group in secrets.names.values() for name in group]
    document = application.openapi()

    leaks: list[str] = []
    requests = 0
    answered = {caller.name: 0 for caller in callers}  # 2xx answers per caller
    # The admin may see everything: what its reads show proves the detector finds secrets.
    shown_to_admin: set[str] = set()
    for path, method, operation in _operations(document):
        if method in _UNSAFE:
            # A change may end the caller's own sign-in (signing out does): every change
            # is walked with fresh credentials, so later routes are not met with a 401.
            for caller in callers:
                caller.headers = await sign_in_again(application, caller.headers)
        bodies = _bodies(document, operation, body_ids) if method in _UNSAFE else [None]
        for (url, query), body in itertools.product(_requests(path, operation, ids, names), bodies):
            for caller in callers:
                if method in _UNSAFE and not caller.changes:
                    continue
                hidden = set().union(
                    *(found for net, found in secrets.by_network.items() if net not in caller.sees)
                )
                headers = dict(caller.headers)
                kwargs: dict[str, Any] = {"params": query, "headers": headers}
                if method in _UNSAFE:
                    headers["If-Match"] = "*"
                    if body is not None:
                        kwargs["json"] = body
                response = await anonymous_client.request(method.upper(), url, **kwargs)
                requests += 1
                if response.is_success:
                    answered[caller.name] += 1
                if not hidden:
                    shown_to_admin |= {
                        secret
                        for found in secrets.by_network.values()
                        for secret in found
                        if secret in response.text
                    }
                    continue
                # What the caller itself sent may come back (a Link echoes its query).
                echoed = set(query.values()) | set(url.split("/"))
                if isinstance(body, dict):
                    echoed |= {value for value in body.values() if isinstance(value, str)}
                shown = response.text + " ".join(
                    value for name, value in response.headers.items() if name != "link"
                )
                for secret in hidden - echoed:
                    if secret in shown:
                        leaks.append(
                            f"{caller.name}: {method.upper()} {url} {query} -> "
                            f"{response.status_code} shows {secret!r}"
                        )
    assert requests > 500
    # Nobody was merely shut out: every caller got answers, so "no leak" means something.
    assert all(answered.values()), answered
    for network_id, names_of_network in secrets.names.items():
        assert {network_id, *names_of_network} <= shown_to_admin, "the walk cannot see secrets"
    assert not leaks, "\n".join(leaks[:30])
