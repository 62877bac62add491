"""Schemathesis over the OpenAPI document, in-process: every check it has.

No server error, no undocumented status, no response that breaks its schema, bad
input rejected, good input accepted. Runs on SQLite with the demo data loaded, so
reads meet real rows as well as unknown ids. Routes added later are fuzzed too.
"""

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, is_check_class, load_all_checks

from app import migrate
from app.auth.models import ApiKeyScope
from app.config import Settings
from app.demo.loader import load_demo_data
from app.main import create_app
from tests import databases
from tests.callers import api_key_headers

load_all_checks()

# Schemathesis's own positive-data check wants a 2xx for every schema-valid request,
# but some rules cannot be written in JSON Schema (check digits, uniqueness, state),
# so a schema-valid body may still earn a domain problem such as
# `invalid_organisation_number`. The check below keeps the point of it: a request the
# schema calls valid must never fail our *schema* validation, so the document and
# the validation can never drift apart.
_SCHEMA_FAILURE_CODES = {"validation_failed", "malformed_json"}


def schema_valid_input_passes_validation(
    _ctx: object, response: requests.Response, case: schemathesis.Case
) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code in (400, 422):
        code = response.json().get("code")
        assert code not in _SCHEMA_FAILURE_CODES, (
            f"schema-valid request rejected as {code}: {response.text}"
        )


ALL_CHECKS = [
    check
    for check in CHECKS.get_all()
    if not is_check_class(check) and check.__name__ != "positive_data_acceptance"
]

# The schema must exist when the module is collected; the database behind the app is
# only connected to on the first request, after the fixture below has built it.
_DIRECTORY = tempfile.TemporaryDirectory(prefix="klynge-fuzz-")
_DATABASE_URL = databases.sqlite_url(Path(_DIRECTORY.name))
_APPLICATION = create_app(Settings(database_url=_DATABASE_URL, environment="test", log_json=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", _APPLICATION)


_SECRETARIAT: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _database_with_demo_data() -> Iterator[None]:
    migrate.upgrade(_DATABASE_URL)
    asyncio.run(load_demo_data(_DATABASE_URL))
    # Requests carry the secretariat's key so writes get past authorisation and reach the
    # rules; the `ignored_auth` check still sends each one without it, too.
    _SECRETARIAT.update(asyncio.run(api_key_headers(_APPLICATION.state.engine, ApiKeyScope.WRITE)))
    yield
    _DIRECTORY.cleanup()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_honours_its_openapi_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers=_SECRETARIAT,
        checks=ALL_CHECKS,
        additional_checks=[schema_valid_input_passes_validation],
    )
