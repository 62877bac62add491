"""E-mail about meetings, queued in the outbox. STUB: replaced by the mail work."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.meetings.models import Meeting
from app.participants.models import Participant


async def send_invitations(session: AsyncSession, meeting: Meeting) -> None:
    """Queue an invitation (METHOD:REQUEST) for every participant not yet invited."""


async def send_updates(session: AsyncSession, meeting: Meeting) -> None:
    """Queue an update (METHOD:REQUEST, the new SEQUENCE) for every invited participant
    who has not declined."""


async def send_cancellations(
    session: AsyncSession, meeting: Meeting, participants: Sequence[Participant] | None = None
) -> None:
    """Queue METHOD:CANCEL for every invited participant, or only `participants`."""
