"""The domain error family and its translation to RFC 9457 problem documents.

Services raise these; they know nothing of HTTP beyond the status each carries.
Every problem has a stable machine `code` that clients can branch on.
"""

from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://klynge.dev/problems/"


def problem_document(
    status: int, title: str, code: str, detail: str, **extra: Any
) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


class KlyngeError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    code: ClassVar[str] = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.extra = extra
        self.headers: dict[str, str] | None = None

    def problem(self) -> dict[str, Any]:
        return problem_document(self.status, self.title, self.code, self.detail, **self.extra)


class BadRequest(KlyngeError):
    pass


class InvalidField(KlyngeError):
    """A value that is well-formed but breaks a domain rule, reported on its field."""

    status = 422
    title = "Validation failed"
    code = "validation_failed"

    def __init__(self, field: str, message: str, *, code: str) -> None:
        # `field` is a dotted path in the request body (`representatives.1.person_id`),
        # reported as `body.…` like the schema validation errors, so clients read one form.
        path = f"body.{field}"
        super().__init__(message, code=code, errors=[{"field": path, "message": message}])


class Unauthenticated(KlyngeError):
    """No credentials where they are needed, or credentials that are not valid."""

    status = 401
    title = "Unauthenticated"
    code = "authentication_required"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, code=code, **extra)
        self.headers = {"WWW-Authenticate": 'Bearer realm="klynge"'}


class Forbidden(KlyngeError):
    """Known caller, not allowed. Never used to hide what exists: that is a 404."""

    status = 403
    title = "Forbidden"
    code = "forbidden"


class TooManyRequests(KlyngeError):
    status = 429
    title = "Too many requests"
    code = "rate_limited"


class NotFound(KlyngeError):
    status = 404
    title = "Not found"
    code = "not_found"


class Conflict(KlyngeError):
    status = 409
    title = "Conflict"
    code = "conflict"


class PreconditionFailed(KlyngeError):
    status = 412
    title = "Precondition failed"
    code = "etag_mismatch"


class PreconditionRequired(KlyngeError):
    status = 428
    title = "Precondition required"
    code = "if_match_required"


class Unprocessable(KlyngeError):
    status = 422
    title = "Unprocessable request"
    code = "unprocessable"


def not_found(resource: str) -> NotFound:
    # The same answer whether the row is missing or hidden from the caller; it names no
    # id, so no body ever carries a hidden resource's id.
    return NotFound(f"No such {resource.replace('_', ' ')}.", code=f"{resource}_not_found")


# Database constraints that back a domain rule, by name: when a concurrent request
# slips past the service's check, the database refuses the write and the client still
# gets the rule's own code (PostgreSQL names the constraint; SQLite does not).
_CONSTRAINT_ERRORS: dict[str, KlyngeError] = {}


def register_constraint_error(constraint_name: str, error: KlyngeError) -> None:
    _CONSTRAINT_ERRORS[constraint_name] = error


def error_for_constraint(constraint_name: str | None) -> KlyngeError | None:
    return _CONSTRAINT_ERRORS.get(constraint_name or "")
