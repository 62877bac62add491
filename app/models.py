"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from app.audit.models import AuditEvent
from app.auth.models import ApiKey, NetworkCoordinator, SignInFailure, SignInSession, User
from app.companies.models import Organisation
from app.idempotency.models import IdempotencyRecord
from app.memberships.models import Membership, Representative
from app.networks.models import Network
from app.offices.models import OfficeTerm
from app.people.models import Affiliation, Person

__all__ = [
    "Affiliation",
    "ApiKey",
    "AuditEvent",
    "IdempotencyRecord",
    "Membership",
    "Network",
    "NetworkCoordinator",
    "OfficeTerm",
    "Organisation",
    "Person",
    "Representative",
    "SignInFailure",
    "SignInSession",
    "User",
]
