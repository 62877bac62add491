"""Queries for networks. Every read takes the caller, so visibility rules live here."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    distinct,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.orm.util import AliasedClass

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.periods import covers
from app.api.search import matches_text
from app.auth.models import NetworkCoordinator
from app.companies.models import Organisation
from app.db import advisory_xact_lock, utcnow
from app.fee_schedules.models import FeeSchedule
from app.invoices.models import Invoice
from app.meetings.models import Meeting
from app.memberships.models import Membership, MembershipKind, MembershipStatus
from app.networks.models import Network, NetworkStatus, Visibility
from app.networks.visibility import network_visible
from app.offices.models import OfficeTerm

SORTS = {"name": Network.name, "created_at": Network.created_at}
Columns = TypeVarTuple("Columns")

# Changes to the tree's shape or inherited administrators take this one lock, so two of
# them never decide on the same stale tree.
_TREE_LOCK = "networks:tree"


class NetworkInclude(StrEnum):
    PARENT = "parent"
    ADMINISTERED_BY = "administered_by"


@dataclass(frozen=True, slots=True)
class NetworkFilter:
    parent_id: uuid.UUID | None = None
    # True: only roots; False: only networks with a parent.
    root: bool | None = None
    visibility: Visibility | None = None
    status: NetworkStatus | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class MembershipFigures:
    counts: dict[MembershipKind, int]
    employees: int
    apprentices: int


def _parent_visible(caller: Caller) -> ColumnElement[bool]:
    parent = aliased(Network)
    return (
        exists()
        .where(parent.id == Network.parent_id, network_visible(caller, parent))
        .correlate(Network)
    )


def _is_root(caller: Caller) -> ColumnElement[bool]:
    """A network is a root for the caller when it has no parent they may see: its
    representation then shows `parent_id: null` (`NetworkRead.of`), and lists agree."""
    if caller.is_admin:
        return Network.parent_id.is_(None)
    return ~_parent_visible(caller)


class NetworkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible(self, stmt: Select[*Columns], caller: Caller) -> Select[*Columns]:
        if caller.is_admin:
            return stmt
        return stmt.where(network_visible(caller))

    @staticmethod
    def visible_on(
        caller: Caller, network: type[Network] | AliasedClass[Network] = Network
    ) -> ColumnElement[bool]:
        """`_visible`'s rule as a condition on `network` (an alias another resource's read
        LEFT JOINs for its `include=`): true for callers who see every network."""
        return true() if caller.is_admin else network_visible(caller, network)

    def _loading(
        self, stmt: Select[Network], include: frozenset[NetworkInclude]
    ) -> Select[Network]:
        # Each include adds exactly one query, whatever the page size.
        if NetworkInclude.PARENT in include:
            stmt = stmt.options(selectinload(Network.parent))
        if NetworkInclude.ADMINISTERED_BY in include:
            stmt = stmt.options(selectinload(Network.administered_by))
        return stmt

    async def get(
        self,
        caller: Caller,
        network_id: uuid.UUID,
        include: frozenset[NetworkInclude] = frozenset(),
    ) -> Network | None:
        stmt = self._visible(select(Network).where(Network.id == network_id), caller)
        return await self.session.scalar(self._loading(stmt, include))

    # Above `list`: below it, that name shadows the builtin in annotations.
    async def inheriting_descendant_ids(self, network_id: uuid.UUID) -> list[uuid.UUID]:
        """Descendants that inherit, stopping below any that sets its own administrator."""
        child = aliased(Network)
        heirs = (
            select(Network.id)
            .where(Network.parent_id == network_id, Network.administered_by_inherited.is_(True))
            .cte("heirs", recursive=True)
        )
        heirs = heirs.union(
            select(child.id)
            .join(heirs, child.parent_id == heirs.c.id)
            .where(child.administered_by_inherited.is_(True))
        )
        return list(await self.session.scalars(select(heirs.c.id)))

    async def list(
        self,
        caller: Caller,
        where: NetworkFilter,
        sort: str,
        page: PageParams,
        include: frozenset[NetworkInclude] = frozenset(),
    ) -> tuple[list[Network], SortOrder]:
        order = resolve_sort(sort, SORTS, Network.id)
        stmt = self._visible(select(Network), caller)
        if where.parent_id is not None:
            stmt = stmt.where(Network.parent_id == where.parent_id)
            if not caller.is_admin:
                # The children of a hidden network are not listed: a non-empty answer
                # would confirm that it exists.
                stmt = stmt.where(_parent_visible(caller))
        if where.root is not None:
            stmt = stmt.where(_is_root(caller) if where.root else ~_is_root(caller))
        if where.visibility is not None:
            stmt = stmt.where(Network.visibility == where.visibility)
        if where.status is not None:
            stmt = stmt.where(Network.status == where.status)
        if where.q:
            stmt = stmt.where(matches_text(where.q, Network.name))
        stmt = self._loading(apply_keyset(stmt, order, page), include)
        rows = await self.session.scalars(stmt)
        return list(rows), order

    async def hidden_among(
        self, caller: Caller, network_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of these networks the caller may not see: one query, none for an admin.
        Used for the ids other rows point at (a network's `parent_id`)."""
        if caller.is_admin or not network_ids:
            return set()
        wanted = set(network_ids)
        visible = await self.session.scalars(
            select(Network.id).where(Network.id.in_(wanted), network_visible(caller))
        )
        return wanted - set(visible)

    async def find_sibling_by_slug(self, parent_id: uuid.UUID | None, slug: str) -> Network | None:
        """The network under `parent_id` (a root, for None) with this slug."""
        same_parent = (
            Network.parent_id.is_(None) if parent_id is None else (Network.parent_id == parent_id)
        )
        return await self.session.scalar(select(Network).where(same_parent, Network.slug == slug))

    async def is_ancestor_or_self(self, candidate_id: uuid.UUID, network_id: uuid.UUID) -> bool:
        """Whether `candidate_id` is `network_id` or above it in the tree."""
        above = aliased(Network)
        chain = (
            select(Network.id, Network.parent_id)
            .where(Network.id == network_id)
            .cte("chain", recursive=True)
        )
        # UNION, not UNION ALL: it ends even on a tree damaged into a loop.
        chain = chain.union(
            select(above.id, above.parent_id).join(chain, above.id == chain.c.parent_id)
        )
        found = await self.session.scalar(
            select(chain.c.id).where(chain.c.id == candidate_id).limit(1)
        )
        return found is not None

    async def set_inherited_administrator(
        self, network_ids: Collection[uuid.UUID], administered_by_id: uuid.UUID | None
    ) -> None:
        """Carry an administrator down to the heirs, through the unit of work: each changed
        row gets a new version (clients' ETags go stale) and its audit event."""
        if not network_ids:
            return
        heirs = await self.session.scalars(
            select(Network).where(
                Network.id.in_(network_ids),
                Network.administered_by_inherited.is_(True),
                Network.administered_by_id.is_distinct_from(administered_by_id),
            )
        )
        for heir in heirs:
            heir.administered_by_id = administered_by_id
        await self.session.flush()

    async def touch(self, network_id: uuid.UUID) -> None:
        """A new version for a network whose representation changed through another row
        (its office holders), so clients' ETags for it go stale.

        Incremented in SQL rather than compared with the version this request read: two
        elections in one network at once both succeed, and neither is refused as stale.
        A Core statement, so the audit trail does not see it; it changes only `version`
        and `updated_at`, which the trail leaves out of every update anyway.
        """
        stmt = (
            update(Network)
            .where(Network.id == network_id)
            .values(version=Network.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session="evaluate")
        )
        await self.session.execute(stmt)

    async def lock_tree(self) -> None:
        await advisory_xact_lock(self.session, _TREE_LOCK)

    async def is_in_use(self, network_id: uuid.UUID) -> bool:
        """Whether children, memberships, office terms, meetings, fee schedules or
        invoices point at the network."""
        references = (
            exists().where(Network.parent_id == network_id),
            exists().where(Membership.network_id == network_id),
            exists().where(OfficeTerm.network_id == network_id),
            exists().where(Meeting.network_id == network_id),
            exists().where(FeeSchedule.network_id == network_id),
            exists().where(Invoice.network_id == network_id),
        )
        return bool(await self.session.scalar(select(or_(*references))))

    async def membership_figures(self, network_id: uuid.UUID, on: date) -> MembershipFigures:
        """Counts per kind and the members' headcounts, as two aggregate queries."""
        covering: list[ColumnElement[bool]] = [
            Membership.network_id == network_id,
            Membership.status == MembershipStatus.ACTIVE,
            covers(Membership.starts_on, Membership.ends_on, on),
        ]
        counted = await self.session.execute(
            select(Membership.kind, func.count(distinct(Membership.organisation_id)))
            .where(*covering)
            .group_by(Membership.kind)
        )
        counts = dict.fromkeys(MembershipKind, 0)
        counts.update(dict(counted.all()))
        # IN, not a join: an organisation is summed once whatever its memberships.
        members = select(Membership.organisation_id).where(
            *covering, Membership.kind == MembershipKind.MEMBER
        )
        totals = (
            await self.session.execute(
                select(
                    func.coalesce(func.sum(Organisation.employees), 0),
                    func.coalesce(func.sum(Organisation.apprentices), 0),
                ).where(Organisation.id.in_(members))
            )
        ).one()
        return MembershipFigures(
            counts=counts, employees=int(totals[0] or 0), apprentices=int(totals[1] or 0)
        )

    def add(self, network: Network) -> None:
        self.session.add(network)

    async def delete(self, network: Network) -> None:
        """Delete the network and its coordinators' rows, all through the unit of work so
        the audit trail records each; the database's ON DELETE CASCADE then finds none."""
        coordinators = await self.session.scalars(
            select(NetworkCoordinator).where(NetworkCoordinator.network_id == network.id)
        )
        for coordinator in coordinators:
            await self.session.delete(coordinator)
        # Flushed on their own, so they go before the network whatever order a shared
        # flush would pick (no relationship ties the two mappers).
        await self.session.flush()
        await self.session.delete(network)
