"""The OpenAPI document is the contract: every operation, present and future, is complete."""

from typing import Any

import pytest

from app.config import Settings
from app.main import create_app

DOCUMENT = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:")).openapi()
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]
PROBLEM = "application/problem+json"


def _component(ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _has_example(schema: dict[str, Any]) -> bool:
    if "$ref" in schema:
        schema = _component(schema["$ref"])
    if schema.get("examples") or schema.get("example"):
        return True
    properties = schema.get("properties", {}).values()
    return any(prop.get("examples") for prop in properties)


def test_document_is_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1")
    assert len(OPERATIONS) > 20


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_operation_is_documented(label: str, operation: dict[str, Any]) -> None:
    assert operation.get("summary"), f"{label} has no summary"
    responses = operation["responses"]
    successes = [status for status in responses if status.startswith("2")]
    assert successes, f"{label} documents no success"
    for status in successes:
        if status != "204":
            assert "application/json" in responses[status].get("content", {}), (label, status)

    parameters = {p["name"]: p for p in operation.get("parameters", [])}
    expected = {"500"}
    if parameters or "requestBody" in operation:
        expected.add("422")
    if any(p["in"] == "path" for p in parameters.values()):
        expected.add("404")
    if "If-Match" in parameters:
        expected.add("412")
        # 428 only where If-Match is required; actions check it only when it is sent.
        if not parameters["If-Match"].get("description", "").startswith("Optional"):
            expected.add("428")
    if "requestBody" in operation:
        expected.add("400")
    missing = expected - responses.keys()
    assert not missing, f"{label} does not document {sorted(missing)}"
    for status in expected:
        assert PROBLEM in responses[status]["content"], f"{label} {status} is not a problem"


@pytest.mark.parametrize(
    ("label", "operation"),
    [o for o in OPERATIONS if o[0].startswith("POST") and "requestBody" in o[1]],
    ids=[o[0] for o in OPERATIONS if o[0].startswith("POST") and "requestBody" in o[1]],
)
def test_request_bodies_of_creates_have_examples(label: str, operation: dict[str, Any]) -> None:
    # JSON bodies, and the sign-in form (OAuth2's password flow is a form by standard).
    schema = next(iter(operation["requestBody"]["content"].values()))["schema"]
    if "anyOf" in schema:  # an optional body
        schema = next(option for option in schema["anyOf"] if option.get("type") != "null")
    assert _has_example(schema), f"{label} has no example body"


def test_patch_requires_if_match_everywhere() -> None:
    patches = [(label, op) for label, op in OPERATIONS if label.startswith("PATCH")]
    assert patches
    for label, operation in patches:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "If-Match" in names, f"{label} does not take If-Match"


def test_creates_accept_an_idempotency_key() -> None:
    creates = [
        (label, op)
        for label, op in OPERATIONS
        if label.startswith("POST") and "201" in op["responses"]
    ]
    assert creates
    for label, operation in creates:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, f"{label} ignores Idempotency-Key"
