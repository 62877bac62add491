"""Use cases for memberships: apply or join, change, end (with its cascade), read.

Every rule is checked before the request commits, so a refused request changes nothing
(the one check that reads the flushed change, dependents' cover, rolls it back too).
"""

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.periods import check_period, check_transition
from app.api.reads import RowShape, rows_by_parent
from app.auth.policy import ensure_manages_network
from app.clock import today
from app.companies.repository import OrganisationRepository
from app.companies.schemas import CompanyRef
from app.db import utcnow
from app.errors import Conflict, InvalidField, not_found, register_constraint_error
from app.memberships.models import Membership, MembershipStatus, Representative
from app.memberships.repository import (
    PERSON_PREFIX,
    PREFIXES,
    MembershipFilter,
    MembershipRepository,
)
from app.memberships.schemas import (
    MembershipCreate,
    MembershipEnd,
    MembershipInclude,
    MembershipRead,
    MembershipUpdate,
    RepresentativeIn,
    RepresentativeRead,
)
from app.networks.models import Network, NetworkStatus
from app.networks.repository import NetworkRepository
from app.networks.schemas import NetworkRef
from app.people.repository import PersonRepository
from app.people.schemas import PersonRef

# Ending is its own action (`end_membership`), with its cascade.
_TRANSITIONS = {
    MembershipStatus.APPLIED: {MembershipStatus.ACTIVE},
    MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED},
    MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE},
}


def _overlap(existing_id: uuid.UUID | None = None) -> Conflict:
    extra = {} if existing_id is None else {"existing_id": str(existing_id)}
    return Conflict(
        "The organisation already has a membership of this network in an overlapping "
        "period; end or shorten that one first.",
        code="membership_overlap",
        **extra,
    )


# When two overlapping creates race past the check, PostgreSQL's exclusion constraint
# refuses the second; the client still gets the rule's own answer.
register_constraint_error("ex_memberships_no_overlap", _overlap())


async def get_membership(
    session: AsyncSession,
    caller: Caller,
    membership_id: uuid.UUID,
    include: Iterable[MembershipInclude] = (),
) -> Membership:
    """The membership as an ORM object, for the writes that change it."""
    membership = await MembershipRepository(session).get(caller, membership_id, include)
    if membership is None:
        raise not_found("membership")
    return membership


MEMBERSHIP = RowShape(MembershipRead)
REPRESENTATIVE = RowShape(RepresentativeRead)
PERSON_REF = RowShape(PersonRef)
_INCLUDED_SHAPES = {
    MembershipInclude.ORGANISATION: RowShape(CompanyRef),
    MembershipInclude.NETWORK: RowShape(NetworkRef),
}


def _included(include: frozenset[MembershipInclude]) -> dict[MembershipInclude, RowShape]:
    """The to-one includes asked for, by the shape their LEFT JOIN selects."""
    return {name: shape for name, shape in _INCLUDED_SHAPES.items() if name in include}


def describe_membership(
    membership: Row[Any] | Membership,
    representatives: Sequence[dict[str, Any]] | None = None,
    include: frozenset[MembershipInclude] = frozenset(),
) -> dict[str, Any]:
    """The representation, from a read's row (with its `representatives`, see
    `describe_memberships`) or a write's object (its loaded representatives, nothing
    embedded)."""
    if isinstance(membership, Membership):
        return MEMBERSHIP.of_object(
            membership,
            representatives=[
                REPRESENTATIVE.of_object(row, person=None) for row in membership.representatives
            ],
            organisation=None,
            network=None,
        )
    mapping = membership._mapping
    embedded: dict[str, Any] = {
        name.value: shape.of_joined(mapping, PREFIXES[name]) if name in include else None
        for name, shape in _INCLUDED_SHAPES.items()
    }
    return MEMBERSHIP.of_row(membership, representatives=representatives or [], **embedded)


async def describe_memberships(
    session: AsyncSession,
    rows: Sequence[Row[Any]],
    include: frozenset[MembershipInclude],
) -> list[dict[str, Any]]:
    """The representations of a read's rows, their representatives fetched for all of
    them in one query (with their people's records when included)."""
    person = PERSON_REF if MembershipInclude.REPRESENTATIVES in include else None
    found = await MembershipRepository(session).read_representatives(
        [row.id for row in rows], REPRESENTATIVE, person
    )
    by_membership = rows_by_parent(found, "membership_id")
    return [
        describe_membership(
            row,
            [
                REPRESENTATIVE.of_row(
                    representative,
                    person=None
                    if person is None
                    else person.of_joined(representative._mapping, PERSON_PREFIX),
                )
                for representative in by_membership.get(row.id, ())
            ],
            include,
        )
        for row in rows
    ]


async def read_membership(
    session: AsyncSession,
    caller: Caller,
    membership_id: uuid.UUID,
    include: frozenset[MembershipInclude] = frozenset(),
) -> dict[str, Any]:
    """The representation of one membership; `include` as `readable_include` left it."""
    row = await MembershipRepository(session).read_one(
        caller, MEMBERSHIP, membership_id, _included(include)
    )
    if row is None:
        raise not_found("membership")
    [described] = await describe_memberships(session, [row], include)
    return described


async def list_memberships(
    session: AsyncSession,
    caller: Caller,
    where: MembershipFilter,
    sort: str,
    page: PageParams,
    include: frozenset[MembershipInclude] = frozenset(),
) -> tuple[list[Row[Any]], SortOrder]:
    """A page of rows for `describe_memberships`; `include` as `readable_include` left it."""
    return await MembershipRepository(session).read_page(
        caller, MEMBERSHIP, where, sort, page, _included(include)
    )


async def _check_representatives(
    session: AsyncSession,
    caller: Caller,
    organisation_id: uuid.UUID,
    representatives: Sequence[RepresentativeIn],
) -> None:
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(representatives):
        if item.person_id in seen:
            raise InvalidField(
                f"representatives.{index}.person_id",
                f"Person {item.person_id} is named more than once; give each person one role.",
                code="duplicate_representative",
            )
        seen.add(item.person_id)
    if not seen:
        return
    people = PersonRepository(session)
    existing = await people.existing_ids(caller, seen)
    affiliated = await people.affiliated_ids(caller, organisation_id, seen)
    for index, item in enumerate(representatives):
        field = f"representatives.{index}.person_id"
        if item.person_id not in existing:
            raise InvalidField(field, f"No person with id {item.person_id}.", code="unknown_person")
        if item.person_id not in affiliated:
            raise InvalidField(
                field,
                f"Person {item.person_id} is not affiliated with the organisation; "
                "add the affiliation to the person first.",
                code="representative_not_affiliated",
            )


async def _check_no_overlap(
    repository: MembershipRepository, membership: Membership, other_than: uuid.UUID | None
) -> None:
    existing = await repository.overlapping(
        membership.organisation_id,
        membership.network_id,
        membership.starts_on,
        membership.ends_on,
        other_than=other_than,
    )
    if existing is not None:
        raise _overlap(existing.id)


async def _check_parent_membership(
    session: AsyncSession,
    caller: Caller,
    repository: MembershipRepository,
    network: Network,
    membership: Membership,
) -> None:
    """An active membership of a network that requires it needs one active membership of
    the parent network holding its whole period: open-ended needs open-ended.

    The answer names the parent only to a caller who may see it: the coordinator of an
    open network below a closed one meets the rule, but not the closed network's id.
    """
    if not network.requires_parent_membership or network.parent_id is None:
        return
    starts_on, ends_on = membership.starts_on, membership.ends_on
    if not await repository.has_parent_cover(
        membership.organisation_id, network.parent_id, starts_on, ends_on
    ):
        period = f"from {starts_on} " + ("on" if ends_on is None else f"to {ends_on}")
        hidden = await NetworkRepository(session).hidden_among(caller, {network.parent_id})
        parent = {} if hidden else {"parent_network_id": str(network.parent_id)}
        raise Conflict(
            f"{network.name} requires its members to hold an active membership of the "
            f"parent network for their whole period ({period}); the organisation has none "
            "that does.",
            code="parent_membership_required",
            **parent,
        )


async def _check_dependents_keep_cover(
    repository: MembershipRepository,
    membership: Membership,
    former_period: tuple[date, date | None],
) -> None:
    """A shorter period must still hold the active memberships that depend on it; ending
    them is the end action's job, which does it for the whole tree in one step."""
    uncovered = await repository.uncovered_dependents(membership, once_covered=former_period)
    if uncovered:
        raise Conflict(
            f"{len(uncovered)} active membership(s) of child networks require this one and "
            "would no longer be covered by its period. Shorten or end those first, or end "
            f"this membership with POST /v1/memberships/{membership.id}/end, which ends "
            "them on the same date.",
            code="has_dependent_memberships",
            dependent_ids=[str(dependent_id) for dependent_id in uncovered],
        )


async def _network(session: AsyncSession, caller: Caller, network_id: uuid.UUID) -> Network:
    network = await NetworkRepository(session).get(caller, network_id)
    if network is None:
        raise InvalidField(
            "network_id", f"No network with id {network_id}.", code="unknown_network"
        )
    return network


async def membership_to_change(
    session: AsyncSession, caller: Caller, membership_id: uuid.UUID
) -> Membership:
    """The membership the caller is about to change or end: 404 when they may not see
    it, then 401/403 unless they manage its network. Called before the router checks
    `If-Match`, so a caller without the right learns nothing from a 428 or 412."""
    membership = await get_membership(session, caller, membership_id)
    ensure_manages_network(caller, membership.network_id)
    return membership


async def authorise_create_membership(caller: Caller, data: MembershipCreate) -> None:
    """Whether the caller may add memberships to the network; also run before an
    idempotent replay (app/api/idempotency.py)."""
    # First: whether the network exists is no business of a caller who may not manage it.
    ensure_manages_network(caller, data.network_id)


async def create_membership(
    session: AsyncSession, caller: Caller, data: MembershipCreate
) -> Membership:
    await authorise_create_membership(caller, data)
    repository = MembershipRepository(session)
    organisation = await OrganisationRepository(session).get(caller, data.organisation_id)
    if organisation is None:
        raise InvalidField(
            "organisation_id",
            f"No organisation with id {data.organisation_id}.",
            code="unknown_organisation",
        )
    if organisation.archived_at is not None:
        raise Conflict(
            f"{organisation.display_name} ({organisation.id}) is archived; restore it before "
            "adding memberships.",
            code="organisation_archived",
        )
    network = await _network(session, caller, data.network_id)
    if network.status == NetworkStatus.ARCHIVED:
        raise Conflict(f"{network.name} is archived and takes no members.", code="network_archived")
    check_period(data.starts_on, data.ends_on)
    await _check_representatives(session, caller, data.organisation_id, data.representatives)
    membership = Membership(
        organisation_id=data.organisation_id,
        network_id=data.network_id,
        kind=data.kind,
        status=data.status,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        representatives=[
            Representative(person_id=item.person_id, role=item.role)
            for item in data.representatives
        ],
    )
    await _check_no_overlap(repository, membership, other_than=None)
    if membership.status == MembershipStatus.ACTIVE:
        await _check_parent_membership(session, caller, repository, network, membership)
    repository.add(membership)
    await session.flush()
    return membership


def _check_transition(current: MembershipStatus, wanted: MembershipStatus) -> None:
    if wanted == MembershipStatus.ENDED:
        raise InvalidField(
            "status",
            "A membership is ended with POST /v1/memberships/{id}/end, which also ends "
            "the memberships that depend on it.",
            code="use_end_action",
        )
    check_transition(_TRANSITIONS, current, wanted)


def _ended(membership: Membership) -> Conflict:
    return Conflict(
        f"The membership ended on {membership.ends_on}; an ended membership is history "
        "and does not change.",
        code="membership_ended",
    )


def _replace_representatives(membership: Membership, wanted: Sequence[RepresentativeIn]) -> bool:
    """Set the list, keeping the rows of people who stay; whether anything changed."""
    before = [(row.person_id, row.role) for row in membership.representatives]
    current = {row.person_id: row for row in membership.representatives}
    rows = []
    for item in wanted:
        row = current.get(item.person_id)
        if row is None:
            row = Representative(person_id=item.person_id, role=item.role)
        elif row.role != item.role:
            row.role = item.role
        rows.append(row)
    membership.representatives = rows
    return before != [(item.person_id, item.role) for item in wanted]


async def update_membership(
    session: AsyncSession, caller: Caller, membership: Membership, data: MembershipUpdate
) -> Membership:
    """Change a membership from `membership_to_change`."""
    # Ended first: whatever the change, the answer for history is the same.
    if membership.status == MembershipStatus.ENDED:
        raise _ended(membership)
    repository = MembershipRepository(session)
    changes = data.model_dump(exclude_unset=True, exclude={"representatives"})
    status = data.status if data.status is not None else membership.status
    if data.status is not None:
        _check_transition(membership.status, data.status)
    starts_on = data.starts_on if data.starts_on is not None else membership.starts_on
    ends_on = data.ends_on if "ends_on" in changes else membership.ends_on
    check_period(starts_on, ends_on)
    if data.representatives is not None:
        await _check_representatives(
            session, caller, membership.organisation_id, data.representatives
        )

    former_period = (membership.starts_on, membership.ends_on)
    period_changed = (starts_on, ends_on) != former_period
    # Becoming active, or changing an active membership's period, must meet the parent
    # rule for the whole (new) period.
    needs_parent = status == MembershipStatus.ACTIVE and (
        membership.status != status or period_changed
    )
    # An active membership whose period shrinks may leave its dependents uncovered.
    holds_dependents = membership.status == status == MembershipStatus.ACTIVE and period_changed
    # Assigned before the remaining checks; if one fails the request rolls back.
    for field, value in changes.items():
        setattr(membership, field, value)
    if period_changed:
        await _check_no_overlap(repository, membership, other_than=membership.id)
    if needs_parent:
        network = await _network(session, caller, membership.network_id)
        await _check_parent_membership(session, caller, repository, network, membership)
    if data.representatives is not None and _replace_representatives(
        membership, data.representatives
    ):
        # The membership row itself may be untouched; bumping it moves the ETag.
        membership.updated_at = utcnow()
    await session.flush()
    if holds_dependents:
        # Against the flushed period; a refusal rolls the whole request back.
        await _check_dependents_keep_cover(repository, membership, former_period)
    return membership


async def end_membership(
    session: AsyncSession, membership: Membership, data: MembershipEnd
) -> tuple[Membership, list[Membership]]:
    """End a membership from `membership_to_change` and, down the tree, every membership
    that requires it (all in networks below, which its coordinators manage too)."""
    if membership.status == MembershipStatus.ENDED:
        raise _ended(membership)
    repository = MembershipRepository(session)
    ends_on = data.ends_on or today()
    check_period(membership.starts_on, ends_on)
    if membership.ends_on is not None and ends_on > membership.ends_on:
        # Ending later than a fixed term extends it, into a period another may hold.
        membership.ends_on = ends_on
        await _check_no_overlap(repository, membership, other_than=membership.id)
    dependents = await repository.dependents(membership.organisation_id, membership.network_id)
    for dependent in dependents:
        if dependent.starts_on > ends_on:
            raise InvalidField(
                "ends_on",
                f"Membership {dependent.id} depends on this one and starts on "
                f"{dependent.starts_on}, after {ends_on}; end or move it first.",
                code="invalid_period",
            )
    for dependent in dependents:
        dependent.status = MembershipStatus.ENDED
        # A dependent that already stops earlier keeps its own last day.
        if dependent.ends_on is None or dependent.ends_on > ends_on:
            dependent.ends_on = ends_on
    membership.status = MembershipStatus.ENDED
    membership.ends_on = ends_on
    await session.flush()
    return membership, list(dependents)
