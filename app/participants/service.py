"""Use cases for meeting participants. STUB: replaced by the participants work."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.meetings.models import Meeting
from app.participants.models import Participant


async def invite_representatives(session: AsyncSession, meeting: Meeting) -> list[Participant]:
    """Add the current representatives of every member organisation; returns the new ones."""
    raise NotImplementedError
