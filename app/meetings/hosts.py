"""Who may host a meeting, by its kind.

- `company_visit`: a host is required, and it must be a member of the meeting's network
  on the meeting's day (in the meeting's zone; `member_on_day`): a company that has
  given notice hosts until its last day; one that has left, or joins later, does not.
- `municipal`: a host is required, and it must be the network's administering
  association or a public body (the municipality, the county).
- `regular`, `event`: optional, any organisation.

Whatever the kind, an archived organisation hosts nothing (422 `host_archived`).

The rules are checked against the meeting as it will be, so a PATCH that changes the
kind, the host or the day is checked as a whole; confirming checks them again, since the
host may have left or been archived since the meeting was planned.
"""

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.companies.models import Organisation, OrganisationKind
from app.companies.repository import OrganisationRepository
from app.errors import InvalidField
from app.meetings.models import MeetingKind
from app.meetings.repository import MeetingRepository
from app.networks.models import Network

FIELD = "host_organisation_id"
HOST_REQUIRED = frozenset({MeetingKind.COMPANY_VISIT, MeetingKind.MUNICIPAL})


async def check_host(
    session: AsyncSession,
    caller: Caller,
    network: Network,
    kind: MeetingKind,
    host_id: uuid.UUID | None,
    day: date,
) -> None:
    """422 on `body.host_organisation_id` unless the host suits a meeting of `kind` on `day`."""
    if host_id is None:
        if kind in HOST_REQUIRED:
            raise InvalidField(
                FIELD,
                f"A {kind.value.replace('_', ' ')} meeting needs a host organisation.",
                code="host_required",
            )
        return
    host = await OrganisationRepository(session).get(caller, host_id)
    if host is None:
        raise InvalidField(
            FIELD, f"No organisation with id {host_id}.", code="unknown_organisation"
        )
    if host.archived_at is not None:
        raise InvalidField(
            FIELD,
            f"{host.display_name} is archived and hosts no meetings; restore it first or "
            "choose another host.",
            code="host_archived",
        )
    if kind == MeetingKind.COMPANY_VISIT:
        await _check_member_host(session, network, host, day)
    elif kind == MeetingKind.MUNICIPAL:
        _check_municipal_host(network, host)


async def _check_member_host(
    session: AsyncSession, network: Network, host: Organisation, day: date
) -> None:
    if not await MeetingRepository(session).is_member_on(host.id, network.id, day):
        raise InvalidField(
            FIELD,
            f"{host.display_name} is not a member of {network.name} on {day}; a company "
            "visit is hosted by a member company.",
            code="host_not_member",
        )


def _check_municipal_host(network: Network, host: Organisation) -> None:
    if host.id != network.administered_by_id and host.kind != OrganisationKind.PUBLIC_BODY:
        raise InvalidField(
            FIELD,
            f"{host.display_name} may not host a municipal meeting: the host is the "
            "network's administering association or a public body (the municipality).",
            code="host_not_allowed_for_municipal",
        )
