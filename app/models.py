"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from app.audit.models import AuditEvent
from app.auth.models import ApiKey, NetworkCoordinator, SignInFailure, SignInSession, User
from app.calendars.models import CalendarToken
from app.companies.models import Organisation
from app.idempotency.models import IdempotencyRecord
from app.mail.models import OutboxMessage
from app.meetings.models import AgendaItem, Meeting
from app.memberships.models import Membership, Representative
from app.minutes.models import ActionItem
from app.networks.models import Network
from app.offices.models import OfficeTerm
from app.participants.models import Participant
from app.people.models import Affiliation, Person

__all__ = [
    "ActionItem",
    "Affiliation",
    "AgendaItem",
    "ApiKey",
    "AuditEvent",
    "CalendarToken",
    "IdempotencyRecord",
    "Meeting",
    "Membership",
    "Network",
    "NetworkCoordinator",
    "OfficeTerm",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "Person",
    "Representative",
    "SignInFailure",
    "SignInSession",
    "User",
]
