"""Queries for feed tokens and for the meetings calendars show; never commits.

Tokens are personal: a caller reads their own (the secretariat: everyone's). Meetings are
narrowed for whoever the calendar is read for exactly as the meetings API narrows them,
by the same condition (app/meetings/access.py).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.calendars.models import CalendarToken, FeedKind
from app.meetings.access import meeting_visible_condition
from app.meetings.models import Meeting
from app.participants.models import Participant

TOKEN_SORTS = {"created_at": CalendarToken.created_at}
# A calendar holds a network's few meetings a year; this only bounds a runaway feed.
FEED_MAX_MEETINGS = 1000


@dataclass(frozen=True, slots=True)
class CalendarTokenFilter:
    kind: FeedKind | None = None
    revoked: bool | None = None


def _owned_by(caller: Caller) -> ColumnElement[bool]:
    if caller.is_admin:
        return true()
    if caller.user_id is not None:
        return CalendarToken.user_id == caller.user_id
    if caller.api_key_id is not None:
        return CalendarToken.api_key_id == caller.api_key_id
    return CalendarToken.id.is_(None)  # nobody's: the anonymous own no tokens


class CalendarTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, caller: Caller, token_id: uuid.UUID) -> CalendarToken | None:
        stmt = select(CalendarToken).where(CalendarToken.id == token_id, _owned_by(caller))
        return await self.session.scalar(stmt)

    async def by_hash(self, token_hash: str) -> CalendarToken | None:
        stmt = select(CalendarToken).where(CalendarToken.token_hash == token_hash)
        return await self.session.scalar(stmt)

    def add(self, token: CalendarToken) -> None:
        self.session.add(token)

    async def note_use(self, token_id: uuid.UUID, now: datetime) -> None:
        """A Core UPDATE, like an API key's last use: reading a feed is not an edit of the
        token (no version bump, no audit row). A row another reader of the same feed has
        locked is skipped, never waited for: it is noting the same use."""
        free_row = (
            select(CalendarToken.id)
            .where(CalendarToken.id == token_id)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        await self.session.execute(
            update(CalendarToken)
            .where(CalendarToken.id == free_row)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )

    # Last: below this, `list` names the method, not the builtin.
    async def list(
        self, caller: Caller, where: CalendarTokenFilter, sort: str, page: PageParams
    ) -> tuple[list[CalendarToken], SortOrder]:
        order = resolve_sort(sort, TOKEN_SORTS, CalendarToken.id)
        stmt = select(CalendarToken).where(_owned_by(caller))
        if where.kind is not None:
            stmt = stmt.where(CalendarToken.kind == where.kind)
        if where.revoked is not None:
            revoked = CalendarToken.revoked_at
            stmt = stmt.where(revoked.is_not(None) if where.revoked else revoked.is_(None))
        rows = await self.session.scalars(apply_keyset(stmt, order, page))
        return list(rows), order


class CalendarMeetingRepository:
    """The meetings a calendar shows, as `caller` may see them: by the meetings' own rule
    (`meeting_visible_condition`), so an invited outsider's feed shows their invitations
    to a closed network's meetings exactly as the meetings API does."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_network(
        self, caller: Caller, network_id: uuid.UUID, since: datetime
    ) -> list[Meeting]:
        """Every meeting of the network starting from `since`, cancelled ones included."""
        stmt = select(Meeting).where(Meeting.network_id == network_id, Meeting.starts_at >= since)
        return await self._feed(stmt, caller)

    async def of_participant(
        self, caller: Caller, person_id: uuid.UUID, since: datetime
    ) -> list[Meeting]:
        """The meetings the person is invited to (to all or one item of), from `since`.
        A person is a meeting's participant once at most (a unique key), so the join
        repeats no meeting."""
        stmt = (
            select(Meeting)
            .join(Participant, Participant.meeting_id == Meeting.id)
            .where(Participant.person_id == person_id, Meeting.starts_at >= since)
        )
        return await self._feed(stmt, caller)

    async def _feed(self, stmt: Select[Meeting], caller: Caller) -> list[Meeting]:
        visible = stmt.where(meeting_visible_condition(caller))
        ordered = visible.order_by(Meeting.starts_at, Meeting.id).limit(FEED_MAX_MEETINGS)
        return list(await self.session.scalars(ordered))
