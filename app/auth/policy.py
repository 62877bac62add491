"""Authorisation checks services call before a change. One rule for the answer:
anonymous → 401 (sign in), known but not allowed → 403. Hiding what a caller may not see
is not done here: repositories answer 404 for that."""

import uuid

from app.api.caller import Caller, Role
from app.errors import Forbidden, KlyngeError, Unauthenticated


def refusal(caller: Caller, detail: str = "You may not do this.") -> KlyngeError:
    if caller.role is Role.ANONYMOUS:
        return Unauthenticated("Sign in or send an API key to do this.")
    return Forbidden(detail)


def ensure(caller: Caller, allowed: bool, detail: str = "You may not do this.") -> None:
    """Refuse a change the caller may not make; read-only credentials change nothing."""
    if caller.role is not Role.ANONYMOUS and not caller.can_write:
        raise Forbidden("These credentials are read-only.", code="read_only_credentials")
    if not allowed:
        raise refusal(caller, detail)


def ensure_admin(caller: Caller) -> None:
    ensure(caller, caller.is_admin, "Only the secretariat (an admin) may do this.")


def ensure_admin_reads(caller: Caller, detail: str) -> None:
    """A read for the secretariat only. Not `ensure_admin`: a `read` API key may read."""
    if not caller.is_admin:
        raise refusal(caller, detail)


def ensure_manages_network(caller: Caller, network_id: uuid.UUID | None) -> None:
    ensure(
        caller,
        caller.manages_network(network_id),
        "Only an admin or a coordinator of this network may do this.",
    )


def ensure_fields_allowed(caller: Caller, sent: set[str], allowed: set[str]) -> None:
    """Mass assignment: a field the caller may not set is refused by name, never ignored."""
    refused = sorted(sent - allowed)
    if refused:
        raise Forbidden(
            f"You may not change: {', '.join(refused)}.",
            code="field_not_allowed",
            fields=refused,
        )
