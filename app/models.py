"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from app.audit.models import AuditEvent
from app.auth.models import ApiKey, NetworkCoordinator, SignInFailure, SignInSession, User
from app.calendars.models import CalendarToken
from app.companies.models import Organisation
from app.fee_schedules.models import FeeSchedule
from app.idempotency.models import IdempotencyRecord
from app.invoices.models import Invoice, InvoiceCounter, InvoiceLine
from app.mail.models import OutboxMessage
from app.meetings.models import AgendaItem, Meeting
from app.memberships.models import Membership, Representative
from app.minutes.models import ActionItem
from app.networks.models import Network
from app.offices.models import OfficeTerm
from app.participants.models import Participant
from app.payments.models import Payment
from app.people.models import Affiliation, Person
from app.reminders.models import Reminder
from app.sellers.models import SellerSettings

__all__ = [
    "ActionItem",
    "Affiliation",
    "AgendaItem",
    "ApiKey",
    "AuditEvent",
    "CalendarToken",
    "FeeSchedule",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "Meeting",
    "Membership",
    "Network",
    "NetworkCoordinator",
    "OfficeTerm",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "Payment",
    "Person",
    "Reminder",
    "Representative",
    "SellerSettings",
    "SignInFailure",
    "SignInSession",
    "User",
]
