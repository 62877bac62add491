"""Every GET answer is exactly its response model's JSON.

The read path (app/api/reads.py) builds answers from rows without the response model, so
nothing but this test holds the two together: every JSON GET route of the app is asked
for, with real ids, as an admin and anonymously, and its body must be what the route's
`response_model` would write for the same values (validated from the body and written
again: a missing or extra field, a money amount with the wrong decimals, a time without
its `Z` or a wrong type all differ). Routes are taken from the app, not named here, so a
route added later is checked too.
"""

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKeyScope
from app.db import create_sessionmaker
from app.demo.loader import load_into
from tests.callers import api_key_headers, user_headers

pytestmark = pytest.mark.usefixtures("backend")

_WITHOUT_DEMO_ROWS = {
    "/v1/action-items/{action_item_id}",
    "/v1/calendar-tokens/{token_id}",
    "/v1/companies/{company_id}/invoice-settings",
    "/v1/meetings/{meeting_id:uuid}/agenda-items/{item_id:uuid}",
    "/v1/meetings/{meeting_id:uuid}/participants/{participant_id:uuid}",
    "/v1/payments/{payment_id:uuid}",
}
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def _json_get_routes(application: FastAPI) -> list[Any]:
    return [
        route
        for route in iter_route_contexts(application.routes)
        if "GET" in (route.methods or ())
        and getattr(route, "response_model", None) is not None
        and route.path.startswith("/v1/")
    ]


def _ids_in(body: Any) -> list[str]:
    items = body.get("items") if isinstance(body, dict) else body
    if isinstance(items, list):
        return [item["id"] for item in items if isinstance(item, dict) and "id" in item]
    return []


async def _fill(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: str,
    pool: dict[str, list[str]],
    done: str = "",
) -> str | None:
    """`path` with each parameter set to an id the collection before it lists (trying
    the parents' ids in turn until that collection has one); None when none has."""
    match = _PARAMETER.search(path)
    if match is None:
        return done + path
    collection = (done + path[: match.start()]).rstrip("/")
    if collection not in pool:
        answer = await client.get(collection, headers=headers)
        pool[collection] = _ids_in(answer.json()) if answer.status_code == 200 else []
    for candidate in pool[collection][:10]:
        prefix = done + path[: match.start()] + candidate
        filled = await _fill(client, headers, path[match.end() :], pool, prefix)
        if filled is not None:
            return filled
    return None


def _include_options(route: Any) -> list[str | None]:
    for parameter in route.dependant.query_params:
        if parameter.name == "include":
            examples = parameter.field_info.examples or []
            return [None, *[value for value in examples if isinstance(value, str)]]
    return [None]


async def test_every_get_answers_its_response_model(
    application: FastAPI, engine: AsyncEngine, anonymous_client: httpx.AsyncClient
) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await load_into(session)
    callers = {
        "admin": await user_headers(application, is_admin=True),
        "read key": await api_key_headers(engine, ApiKeyScope.READ),
        "anonymous": {},
    }
    checked: dict[str, int] = {}
    mismatches: list[str] = []
    routes = sorted(_json_get_routes(application), key=lambda route: route.path.count("{"))
    for caller, headers in callers.items():
        pool: dict[str, list[str]] = {}
        for route in routes:
            url = await _fill(anonymous_client, headers, route.path, pool)
            if url is None:
                continue
            model = TypeAdapter(route.response_model)
            for include in _include_options(route):
                params = {"include": include} if include else {}
                answer = await anonymous_client.get(url, params=params, headers=headers)
                if answer.status_code != 200:
                    continue
                expected = model.dump_python(model.validate_json(answer.content), mode="json")
                if answer.json() != expected:
                    mismatches.append(f"{caller}: GET {url} {params}\n{answer.text[:600]}")
                checked[route.path] = checked.get(route.path, 0) + 1
    assert not mismatches, "\n\n".join(mismatches[:5])
    unchecked = {route.path for route in routes} - set(checked)
    # The demo data has no row for these yet.
    assert unchecked <= _WITHOUT_DEMO_ROWS, sorted(unchecked - _WITHOUT_DEMO_ROWS)
