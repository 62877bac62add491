"""Finding a meeting for a caller: the one way every package reads a meeting it is about
to show or change.

Visibility first (404 `meeting_not_found`, the same body for an unknown id and a hidden
one), then rights (401/403), and only then a row lock, so a caller without the right
never holds, or waits for, a lock on someone else's meeting.

Who sees a meeting is `meeting_visible_condition` (re-exported from the repository, for
other packages' queries, e.g. calendar feeds): its network's visibility, or an invitation
of the caller's own person.

Planning meetings in a network, one at a time or the year's plan, starts from
`managed_network` (404, then 401/403) and `network_to_plan_in` (then 409
`network_archived`), so both say it the same way.
"""

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.auth.policy import ensure_manages_network
from app.errors import Conflict, not_found
from app.meetings.models import Meeting
from app.meetings.repository import MeetingRepository, meeting_visible_condition
from app.networks import service as networks
from app.networks.models import Network, NetworkStatus

__all__ = [
    "belongs_to_network",
    "lock_meeting",
    "managed_network",
    "meeting_to_manage",
    "meeting_visible_condition",
    "network_to_plan_in",
    "visible_meeting",
]

LockMode = Literal["update", "share"]


def belongs_to_network(caller: Caller, meeting: Meeting) -> bool:
    """Whether the caller manages the meeting's network (admins, its coordinators) or is
    a member of it: the people a meeting's personal data (participants, the agenda's
    presenter and guests) is for. Seeing the meeting is not enough: an open network's
    meetings are seen by everyone, and an invited partner sees theirs."""
    return caller.manages_network(meeting.network_id) or (
        meeting.network_id in caller.member_network_ids
    )


async def visible_meeting(session: AsyncSession, caller: Caller, meeting_id: uuid.UUID) -> Meeting:
    """The meeting, or 404 — the same for an unknown id and a meeting the caller may not
    see."""
    meeting = await MeetingRepository(session).get(caller, meeting_id)
    if meeting is None:
        raise not_found("meeting")
    return meeting


async def lock_meeting(session: AsyncSession, meeting: Meeting, *, shared: bool = False) -> Meeting:
    """Lock a meeting already found and authorised (see `MeetingRepository.lock`) and
    refresh it; 404 when it was deleted in the meantime."""
    locked = await MeetingRepository(session).lock(meeting.id, shared=shared)
    if locked is None:
        raise not_found("meeting")
    return locked


async def meeting_to_manage(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    *,
    lock: LockMode | None = None,
) -> Meeting:
    """The meeting the caller is about to change something of: 404 when they may not see
    it, then 401/403 unless they manage its network (admins and its coordinators), then,
    with `lock`, its row locked FOR UPDATE (`"update"`: changes of the meeting that must
    run one at a time) or FOR SHARE (`"share"`: changes of its children that need its
    state to hold until the request ends)."""
    meeting = await visible_meeting(session, caller, meeting_id)
    ensure_manages_network(caller, meeting.network_id)
    if lock is None:
        return meeting
    return await lock_meeting(session, meeting, shared=lock == "share")


async def managed_network(session: AsyncSession, caller: Caller, network_id: uuid.UUID) -> Network:
    """The network the caller plans meetings in: 404 when they may not see it (whether a
    closed network exists is no business of an outsider), then 401/403 unless they
    manage it. Also what runs before an idempotent replay, which an archived network
    does not stop: the first answer is replayed."""
    network = await networks.get_network(session, caller, network_id)
    ensure_manages_network(caller, network.id)
    return network


async def network_to_plan_in(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID
) -> Network:
    """`managed_network`, then 409 `network_archived` for an archived network: it plans
    no new meetings, neither one by one nor by the year's plan."""
    network = await managed_network(session, caller, network_id)
    if network.status is NetworkStatus.ARCHIVED:
        raise Conflict(
            f"{network.name} is archived; make it active again to plan its meetings.",
            code="network_archived",
        )
    return network
