"""Queries for memberships. Every read for a caller goes through `_visible`, so the
access rules for closed networks are added in one place.

The rule checks (`overlapping`, `has_parent_cover`, `dependents`, …) deliberately see
every row: a rule must hold whatever the caller may read.
"""

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.periods import Day, covers, holds, overlaps
from app.api.reads import RowShape
from app.companies.models import Organisation
from app.companies.repository import OrganisationRepository
from app.memberships.models import Membership, MembershipKind, MembershipStatus, Representative
from app.memberships.schemas import MembershipInclude
from app.networks.models import Network
from app.networks.repository import NetworkRepository
from app.networks.visibility import narrow_to_visible
from app.people.models import Person

SORTS = {"starts_on": Membership.starts_on, "created_at": Membership.created_at}
Columns = TypeVarTuple("Columns")

# What `include=` joins, under these prefixes. Module-level aliases: a shape builds its
# labelled columns once per alias (app/api/reads.py), so they must not be made per request.
_ORGANISATION = aliased(Organisation, name="included_organisation")
_NETWORK = aliased(Network, name="included_network")
_PERSON = aliased(Person, name="representative_person")
PREFIXES = {
    MembershipInclude.ORGANISATION: "organisation__",
    MembershipInclude.NETWORK: "network__",
}
PERSON_PREFIX = "person__"


@dataclass(frozen=True, slots=True)
class MembershipFilter:
    network_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    status: MembershipStatus | None = None
    kind: MembershipKind | None = None
    active_on: date | None = None


def _lacks_parent_cover(parent_network_id: uuid.UUID) -> ColumnElement[bool]:
    """No active membership of the same organisation in `parent_network_id` holds the
    whole period of the `Membership` row of the enclosing query."""
    parent = aliased(Membership)
    return ~exists().where(
        parent.organisation_id == Membership.organisation_id,
        parent.network_id == parent_network_id,
        parent.status == MembershipStatus.ACTIVE,
        holds(parent.starts_on, parent.ends_on, Membership.starts_on, Membership.ends_on),
    )


# The statuses of a membership that was, or is, in force. An ended membership was in
# force until its last day: `POST /v1/memberships/{id}/end` sets `ended` at once, even
# when `ends_on` lies ahead, so "status is active" alone would drop a member who has
# given notice for the rest of its period.
_WAS_IN_FORCE = (MembershipStatus.ACTIVE, MembershipStatus.ENDED)


def member_on_day(day: Day) -> ColumnElement[bool]:
    """The `Membership` row makes its organisation a member of its network on `day` (a
    date, or a column for a correlated check): kind `member`, active or ended, and its
    period covers the day.

    Known inexactness, accepted for now: a declined application (ended from `applied`)
    and a membership ended while suspended end up `ended` too, and nothing on the row
    tells them apart from one that was active until its end. `ends_on` cannot lie
    before `starts_on` (the period check and the table's `period_ordered` constraint),
    so a declined application keeps a period of at least one day: from its start to the
    decline (`ends_on` defaults to the day it is declined), or, for an application
    starting later, at least its first day. It counts as a member on those days only.
    Excluding it needs the schema to record it (a `declined` status, or the day a
    membership became active).
    """
    return and_(
        Membership.kind == MembershipKind.MEMBER,
        Membership.status.in_(_WAS_IN_FORCE),
        covers(Membership.starts_on, Membership.ends_on, day),
    )


def readable_include(
    caller: Caller, include: Iterable[MembershipInclude]
) -> frozenset[MembershipInclude]:
    """What of `include` the caller may see: representatives' person records are personal
    data, so for the public their `person` stays null (the ids and roles remain)."""
    wanted = frozenset(include)
    if caller.sees_personal_data:
        return wanted
    return wanted - {MembershipInclude.REPRESENTATIVES}


def _loaders(include: Iterable[MembershipInclude]) -> list[Any]:
    # One SELECT ... IN per relationship, whatever the number of rows.
    wanted = set(include)
    representatives = selectinload(Membership.representatives)
    loaders: list[Any] = [
        representatives.selectinload(Representative.person)
        if MembershipInclude.REPRESENTATIVES in wanted
        else representatives
    ]
    if MembershipInclude.ORGANISATION in wanted:
        loaders.append(selectinload(Membership.organisation))
    if MembershipInclude.NETWORK in wanted:
        loaders.append(selectinload(Membership.network))
    return loaders


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        # A membership is visible exactly when its network is: a filter by a hidden
        # network's id finds nothing, as for an unknown one.
        return narrow_to_visible(stmt, caller, Membership.network_id)

    def _read(
        self, caller: Caller, shape: RowShape, included: Mapping[MembershipInclude, RowShape]
    ) -> Select[Any]:
        """The memberships the caller may see as `shape`'s columns, with each included
        organisation or network LEFT JOINed under its prefix, its ON clause carrying that
        resource's own visibility rule (a row it hides comes back as nulls)."""
        stmt: Select[Any] = select(*shape.columns(Membership))
        organisation = included.get(MembershipInclude.ORGANISATION)
        if organisation is not None:
            prefix = PREFIXES[MembershipInclude.ORGANISATION]
            stmt = stmt.add_columns(*organisation.columns(_ORGANISATION, prefix=prefix))
            stmt = stmt.outerjoin(
                _ORGANISATION,
                and_(
                    _ORGANISATION.id == Membership.organisation_id,
                    OrganisationRepository.visible_on(caller, _ORGANISATION),
                ),
            )
        network = included.get(MembershipInclude.NETWORK)
        if network is not None:
            prefix = PREFIXES[MembershipInclude.NETWORK]
            stmt = stmt.add_columns(*network.columns(_NETWORK, prefix=prefix))
            stmt = stmt.outerjoin(
                _NETWORK,
                and_(
                    _NETWORK.id == Membership.network_id,
                    NetworkRepository.visible_on(caller, _NETWORK),
                ),
            )
        return self._visible(stmt, caller)

    async def read_one(
        self,
        caller: Caller,
        shape: RowShape,
        membership_id: uuid.UUID,
        included: Mapping[MembershipInclude, RowShape],
    ) -> Row[Any] | None:
        """The membership's columns of `shape` and its includes', for the read path."""
        stmt = self._read(caller, shape, included).where(Membership.id == membership_id)
        row: Row[Any] | None = (await self.session.execute(stmt)).first()
        return row

    async def read_page(
        self,
        caller: Caller,
        shape: RowShape,
        where: MembershipFilter,
        sort: str,
        page: PageParams,
        included: Mapping[MembershipInclude, RowShape],
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the memberships `where` selects, as rows of `shape`'s columns and
        its includes', in one statement."""
        order = resolve_sort(sort, SORTS, Membership.id)
        stmt = self._read(caller, shape, included)
        if where.network_id is not None:
            stmt = stmt.where(Membership.network_id == where.network_id)
        if where.organisation_id is not None:
            stmt = stmt.where(Membership.organisation_id == where.organisation_id)
        if where.status is not None:
            stmt = stmt.where(Membership.status == where.status)
        if where.kind is not None:
            stmt = stmt.where(Membership.kind == where.kind)
        if where.active_on is not None:
            stmt = stmt.where(covers(Membership.starts_on, Membership.ends_on, where.active_on))
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order

    async def read_representatives(
        self,
        membership_ids: Collection[uuid.UUID],
        shape: RowShape,
        person: RowShape | None,
    ) -> list[Row[Any]]:
        """The representatives of the memberships (ids the caller may see), one query for
        a whole page: `membership_id` and `shape`'s columns, with the person's columns
        under `PERSON_PREFIX` when `person` is given.

        The person needs no visibility condition of its own: whoever may read a
        membership's people (`readable_include`) sees its representatives, who are among
        the people they have reason to know (PersonRepository._visible)."""
        if not membership_ids:
            return []
        stmt = select(Representative.membership_id, *shape.columns(Representative))
        if person is not None:
            stmt = stmt.add_columns(*person.columns(_PERSON, prefix=PERSON_PREFIX)).join(
                _PERSON, _PERSON.id == Representative.person_id
            )
        stmt = stmt.where(Representative.membership_id.in_(set(membership_ids))).order_by(
            Representative.membership_id, Representative.created_at, Representative.id
        )
        return list(await self.session.execute(stmt))

    async def get(
        self,
        caller: Caller,
        membership_id: uuid.UUID,
        include: Iterable[MembershipInclude] = (),
    ) -> Membership | None:
        stmt = select(Membership).where(Membership.id == membership_id)
        stmt = self._visible(stmt, caller).options(*_loaders(readable_include(caller, include)))
        return await self.session.scalar(stmt)

    async def overlapping(
        self,
        organisation_id: uuid.UUID,
        network_id: uuid.UUID,
        starts_on: date,
        ends_on: date | None,
        *,
        other_than: uuid.UUID | None = None,
    ) -> Membership | None:
        """A membership of the same pair whose inclusive period meets [starts_on, ends_on].

        Ended memberships count too: the PostgreSQL exclusion constraint makes no
        exception for them, and history must not hold two memberships at once.
        """
        stmt = select(Membership).where(
            Membership.organisation_id == organisation_id,
            Membership.network_id == network_id,
            overlaps(Membership.starts_on, Membership.ends_on, starts_on, ends_on),
        )
        if other_than is not None:
            stmt = stmt.where(Membership.id != other_than)
        return await self.session.scalar(stmt.limit(1))

    async def has_parent_cover(
        self,
        organisation_id: uuid.UUID,
        parent_network_id: uuid.UUID,
        starts_on: date,
        ends_on: date | None,
    ) -> bool:
        """Whether one active membership of the parent network holds the whole period
        (adjacent parent memberships are not joined: one must hold it all)."""
        stmt = select(Membership.id).where(
            Membership.organisation_id == organisation_id,
            Membership.network_id == parent_network_id,
            Membership.status == MembershipStatus.ACTIVE,
            holds(Membership.starts_on, Membership.ends_on, starts_on, ends_on),
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def uncovered_dependents(
        self, parent: Membership, *, once_covered: tuple[date, date | None]
    ) -> Sequence[uuid.UUID]:
        """The organisation's active memberships of child networks that require `parent`'s
        network, whose periods meet `once_covered` (the parent's former period) and now lack an
        active parent membership holding their period. Reads the flushed state."""
        stmt = (
            select(Membership.id)
            .join(Network, Network.id == Membership.network_id)
            .where(
                Membership.organisation_id == parent.organisation_id,
                Network.parent_id == parent.network_id,
                Network.requires_parent_membership.is_(True),
                Membership.status == MembershipStatus.ACTIVE,
                overlaps(Membership.starts_on, Membership.ends_on, *once_covered),
                _lacks_parent_cover(parent.network_id),
            )
            .order_by(Membership.starts_on, Membership.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def count_uncovered(self, network_id: uuid.UUID, parent_network_id: uuid.UUID) -> int:
        """Active memberships of the network with no active membership of the same
        organisation in `parent_network_id` holding their period."""
        stmt = select(func.count(Membership.id)).where(
            Membership.network_id == network_id,
            Membership.status == MembershipStatus.ACTIVE,
            _lacks_parent_cover(parent_network_id),
        )
        return int(await self.session.scalar(stmt) or 0)

    async def dependents(
        self, organisation_id: uuid.UUID, network_id: uuid.UUID
    ) -> Sequence[Membership]:
        """The organisation's not-ended memberships in networks below `network_id` that
        require their parent's membership, following that requirement down the tree."""
        tree = (
            select(Network.id)
            .where(Network.parent_id == network_id, Network.requires_parent_membership.is_(True))
            .cte("dependent_networks", recursive=True)
        )
        child = aliased(Network)
        # UNION (not UNION ALL) stops at rows already seen, so even a cycle terminates.
        tree = tree.union(
            select(child.id).where(
                child.parent_id == tree.c.id, child.requires_parent_membership.is_(True)
            )
        )
        stmt = (
            select(Membership)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.network_id.in_(select(tree.c.id)),
                Membership.status != MembershipStatus.ENDED,
            )
            .order_by(Membership.starts_on, Membership.id)
            .options(*_loaders(()))
        )
        return (await self.session.scalars(stmt)).all()

    def add(self, membership: Membership) -> None:
        self.session.add(membership)
