"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from app.companies.models import Organisation
from app.idempotency.models import IdempotencyRecord
from app.memberships.models import Membership, Representative
from app.networks.models import Network
from app.offices.models import OfficeTerm
from app.people.models import Affiliation, Person

__all__ = [
    "Affiliation",
    "IdempotencyRecord",
    "Membership",
    "Network",
    "OfficeTerm",
    "Organisation",
    "Person",
    "Representative",
]
