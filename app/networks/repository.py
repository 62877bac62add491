"""Queries for networks. Every read takes the caller, so visibility rules live here."""

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    distinct,
    exists,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.periods import covers
from app.api.reads import RowShape
from app.api.search import matches_text
from app.auth.models import NetworkCoordinator
from app.companies.models import Organisation
from app.companies.repository import OrganisationRepository
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


# What a read joins, under these prefixes. Module-level aliases and labels: a shape builds
# its labelled columns once per alias (app/api/reads.py), so none is made per request.
_PARENT = aliased(Network, name="parent_network")
_ADMINISTRATOR = aliased(Organisation, name="administering_organisation")
PREFIXES = {
    NetworkInclude.PARENT: "parent__",
    NetworkInclude.ADMINISTERED_BY: "administered_by__",
}
# The parent's id as the caller may know it: null when they may not see the parent.
VISIBLE_PARENT_ID = "visible_parent_id"
_OWN_PARENT_ID = Network.parent_id.label(VISIBLE_PARENT_ID)
_JOINED_PARENT_ID = _PARENT.id.label(VISIBLE_PARENT_ID)


def _parent_visible(caller: Caller) -> ColumnElement[bool]:
    parent = aliased(Network)
    return (
        exists()
        .where(parent.id == Network.parent_id, network_visible(caller, parent))
        .correlate(Network)
    )


def _is_root(caller: Caller) -> ColumnElement[bool]:
    """A network is a root for the caller when it has no parent they may see: its
    representation then shows `parent_id: null` (`VISIBLE_PARENT_ID`), and lists agree."""
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

    def _read(
        self, caller: Caller, shape: RowShape, included: Mapping[NetworkInclude, RowShape]
    ) -> Select[Any]:
        """The networks the caller may see as `shape`'s columns, the parent's id they may
        know as `VISIBLE_PARENT_ID`, and each include LEFT JOINed under its prefix, its ON
        clause carrying that resource's own visibility rule (a row it hides is nulls)."""
        stmt: Select[Any] = select(*shape.columns(Network))
        parent = included.get(NetworkInclude.PARENT)
        if parent is None and caller.is_admin:
            stmt = stmt.add_columns(_OWN_PARENT_ID)
        else:
            # A parent the caller may not see is no parent to them: neither it nor its id
            # is shown (an open network below a closed one must not name it).
            stmt = stmt.add_columns(_JOINED_PARENT_ID).outerjoin(
                _PARENT, and_(_PARENT.id == Network.parent_id, self.visible_on(caller, _PARENT))
            )
            if parent is not None:
                prefix = PREFIXES[NetworkInclude.PARENT]
                stmt = stmt.add_columns(*parent.columns(_PARENT, prefix=prefix))
        administrator = included.get(NetworkInclude.ADMINISTERED_BY)
        if administrator is not None:
            prefix = PREFIXES[NetworkInclude.ADMINISTERED_BY]
            stmt = stmt.add_columns(*administrator.columns(_ADMINISTRATOR, prefix=prefix))
            stmt = stmt.outerjoin(
                _ADMINISTRATOR,
                and_(
                    _ADMINISTRATOR.id == Network.administered_by_id,
                    OrganisationRepository.visible_on(caller, _ADMINISTRATOR),
                ),
            )
        return self._visible(stmt, caller)

    async def get(self, caller: Caller, network_id: uuid.UUID) -> Network | None:
        """The network as an ORM object, for the writes that change it."""
        stmt = self._visible(select(Network).where(Network.id == network_id), caller)
        return await self.session.scalar(stmt)

    async def read_one(
        self,
        caller: Caller,
        shape: RowShape,
        network_id: uuid.UUID,
        included: Mapping[NetworkInclude, RowShape],
    ) -> Row[Any] | None:
        """The network's columns of `shape` and its includes', for the read path."""
        stmt = self._read(caller, shape, included).where(Network.id == network_id)
        row: Row[Any] | None = (await self.session.execute(stmt)).first()
        return row

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

    async def read_page(
        self,
        caller: Caller,
        shape: RowShape,
        where: NetworkFilter,
        sort: str,
        page: PageParams,
        included: Mapping[NetworkInclude, RowShape],
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the networks `where` selects, as rows of `shape`'s columns and its
        includes', in one statement."""
        order = resolve_sort(sort, SORTS, Network.id)
        stmt = self._read(caller, shape, included)
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
        rows = await self.session.execute(apply_keyset(stmt, order, page))
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
