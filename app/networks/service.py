"""Use cases for networks: the tree, its inherited administrators, status, key figures."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.periods import check_transition
from app.api.reads import RowShape
from app.auth.policy import ensure_admin, ensure_fields_allowed, ensure_manages_network
from app.clock import today
from app.companies.models import OrganisationKind
from app.companies.repository import OrganisationRepository
from app.companies.schemas import CompanyRef
from app.errors import Conflict, InvalidField, not_found, register_constraint_error
from app.memberships.models import MembershipKind
from app.memberships.repository import MembershipRepository
from app.networks.models import Network, NetworkStatus
from app.networks.repository import (
    PREFIXES,
    VISIBLE_PARENT_ID,
    NetworkFilter,
    NetworkInclude,
    NetworkRepository,
)
from app.networks.schemas import (
    NetworkCreate,
    NetworkRead,
    NetworkRef,
    NetworkStats,
    NetworkUpdate,
)
from app.offices import service as offices

_TRANSITIONS = {
    NetworkStatus.PLANNED: {NetworkStatus.ACTIVE, NetworkStatus.ARCHIVED},
    NetworkStatus.ACTIVE: {NetworkStatus.ARCHIVED},
    NetworkStatus.ARCHIVED: {NetworkStatus.ACTIVE},
}
# Columns a PATCH sets as sent; the parent and the administrator go through the tree rules.
_PLAIN_FIELDS = (
    "slug",
    "name",
    "description",
    "visibility",
    "status",
    "meetings_per_year",
    "requires_parent_membership",
    "municipality_id",
)
# The administering association and the parent rule are the secretariat's; so is moving
# a network, though a coordinator picks the parent of one they create below their own.
# Opening a closed network (or closing an open one) is the secretariat's too: its members
# asked for it to be closed.
_ADMIN_ONLY_ON_CREATE = frozenset({"administered_by_id", "requires_parent_membership"})
_ADMIN_ONLY_ON_UPDATE = _ADMIN_ONLY_ON_CREATE | {"parent_id", "visibility"}


def _slug_taken(slug: str | None = None) -> Conflict:
    which = "That slug" if slug is None else f"The slug {slug!r}"
    return Conflict(
        f"{which} is already used by another network with the same parent; choose another.",
        code="slug_taken",
    )


# Two creates racing for one slug: the loser gets the rule's code, not a generic conflict.
# Siblings share UNIQUE (parent_id, slug); roots the partial unique index on slug, which
# PostgreSQL names and SQLite reports by its column (rebuilt as uq_networks_slug).
for _constraint in ("uq_networks_parent_id_slug", "uq_networks_root_slug", "uq_networks_slug"):
    register_constraint_error(_constraint, _slug_taken())


async def get_network(session: AsyncSession, caller: Caller, network_id: uuid.UUID) -> Network:
    """The network as an ORM object, for the writes that change it and the checks of other
    resources (404 when the caller may not see it)."""
    network = await NetworkRepository(session).get(caller, network_id)
    if network is None:
        raise not_found("network")
    return network


NETWORK = RowShape(NetworkRead)
_INCLUDED_SHAPES = {
    NetworkInclude.PARENT: RowShape(NetworkRef),
    NetworkInclude.ADMINISTERED_BY: RowShape(CompanyRef),
}


def _included(include: frozenset[NetworkInclude]) -> dict[NetworkInclude, RowShape]:
    """The includes asked for, by the shape their LEFT JOIN selects."""
    return {name: shape for name, shape in _INCLUDED_SHAPES.items() if name in include}


def describe_network(
    network: Row[Any] | Network,
    office_holders: Sequence[dict[str, Any]],
    include: frozenset[NetworkInclude] = frozenset(),
    *,
    parent_hidden: bool = False,
) -> dict[str, Any]:
    """The representation, from a read's row (its parent's id as the caller may know it,
    its includes joined) or a write's object (`parent_hidden`: the caller may not see the
    parent, so neither it nor its id is shown; nothing embedded)."""
    if isinstance(network, Network):
        return NETWORK.of_object(
            network,
            parent_id=None if parent_hidden else network.parent_id,
            office_holders=office_holders,
            parent=None,
            administered_by=None,
        )
    mapping = network._mapping
    embedded: dict[str, Any] = {
        name.value: shape.of_joined(mapping, PREFIXES[name]) if name in include else None
        for name, shape in _INCLUDED_SHAPES.items()
    }
    return NETWORK.of_row(
        network,
        parent_id=mapping[VISIBLE_PARENT_ID],
        office_holders=office_holders,
        **embedded,
    )


async def describe_networks(
    session: AsyncSession,
    caller: Caller,
    rows: Sequence[Row[Any]],
    include: frozenset[NetworkInclude] = frozenset(),
) -> list[dict[str, Any]]:
    """The representations of a read's rows, with today's office holders fetched for all
    in one query."""
    holders = await offices.current_holders(session, caller, [row.id for row in rows])
    return [describe_network(row, holders.get(row.id, []), include) for row in rows]


async def describe_written_network(
    session: AsyncSession, caller: Caller, network: Network
) -> dict[str, Any]:
    """A write's answer: the network with today's office holders, and its parent only
    when the caller may see it (a coordinator of an open network below a closed one)."""
    holders = await offices.current_holders(session, caller, [network.id])
    hidden = await NetworkRepository(session).hidden_among(
        caller, set() if network.parent_id is None else {network.parent_id}
    )
    return describe_network(
        network, holders.get(network.id, []), parent_hidden=network.parent_id in hidden
    )


async def read_network(
    session: AsyncSession,
    caller: Caller,
    network_id: uuid.UUID,
    include: frozenset[NetworkInclude] = frozenset(),
) -> dict[str, Any]:
    row = await NetworkRepository(session).read_one(caller, NETWORK, network_id, _included(include))
    if row is None:
        raise not_found("network")
    [described] = await describe_networks(session, caller, [row], include)
    return described


async def list_networks(
    session: AsyncSession,
    caller: Caller,
    where: NetworkFilter,
    sort: str,
    page: PageParams,
    include: frozenset[NetworkInclude] = frozenset(),
) -> tuple[list[Row[Any]], SortOrder]:
    """A page of rows for `describe_networks`."""
    return await NetworkRepository(session).read_page(
        caller, NETWORK, where, sort, page, _included(include)
    )


async def _check_slug(
    repository: NetworkRepository,
    slug: str,
    parent_id: uuid.UUID | None,
    network_id: uuid.UUID | None = None,
) -> None:
    """The slug is free among the networks under `parent_id` (the roots, for None).

    Only siblings are compared, and whoever may place a network there sees them all (the
    admins, or a coordinator of the parent, who sees everything below it), so the answer
    tells nobody about a network hidden from them.
    """
    holder = await repository.find_sibling_by_slug(parent_id, slug)
    if holder is not None and holder.id != network_id:
        raise _slug_taken(slug)


async def _find_parent(
    repository: NetworkRepository, caller: Caller, parent_id: uuid.UUID | None
) -> Network | None:
    if parent_id is None:
        return None
    parent = await repository.get(caller, parent_id)
    if parent is None:
        raise InvalidField("parent_id", f"No network with id {parent_id}.", code="unknown_parent")
    return parent


def _check_parent_required(requires_parent_membership: bool, parent_id: uuid.UUID | None) -> None:
    if requires_parent_membership and parent_id is None:
        raise InvalidField(
            "requires_parent_membership",
            "Only a network with a parent can require membership of the parent.",
            code="parent_required",
        )


async def _check_organisation_kind(
    session: AsyncSession,
    caller: Caller,
    field: str,
    organisation_id: uuid.UUID,
    kind: OrganisationKind,
    refusal: str,
    role: str,
) -> None:
    """`field` names an existing organisation of `kind`; otherwise 422 on that field
    (`unknown_organisation`, or `refusal` for an organisation of another kind). `role`
    says who may be named there, for the message."""
    organisation = await OrganisationRepository(session).get(caller, organisation_id)
    if organisation is None:
        raise InvalidField(
            field, f"No organisation with id {organisation_id}.", code="unknown_organisation"
        )
    if organisation.kind is not kind:
        raise InvalidField(
            field,
            f"{organisation.display_name} is a {organisation.kind.value}; {role}.",
            code=refusal,
        )


async def _check_administrator(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> None:
    await _check_organisation_kind(
        session,
        caller,
        "administered_by_id",
        organisation_id,
        OrganisationKind.ASSOCIATION,
        "administered_by_not_association",
        "only an association administers networks",
    )


async def _check_municipality(
    session: AsyncSession, caller: Caller, organisation_id: uuid.UUID
) -> None:
    """The network's yearly counterpart is a public body (a municipality, a county): the
    year's plan alternates that meeting's host between it and the association."""
    await _check_organisation_kind(
        session,
        caller,
        "municipality_id",
        organisation_id,
        OrganisationKind.PUBLIC_BODY,
        "municipality_not_public_body",
        "the network's municipality must be a public body",
    )


def assign_administrator(
    network: Network, parent: Network | None, own_id: uuid.UUID | None
) -> None:
    """Set the network's own administrator, or copy the parent's effective one."""
    if own_id is not None:
        network.administered_by_id = own_id
        network.administered_by_inherited = False
    else:
        network.administered_by_id = None if parent is None else parent.administered_by_id
        network.administered_by_inherited = parent is not None


async def _check_members_covered(
    session: AsyncSession, caller: Caller, network: Network, parent_id: uuid.UUID
) -> None:
    """Requiring parent membership, or moving under a new parent while requiring it, must
    not leave active members without an active membership of the (new) parent.

    Both changes are the secretariat's today; the parent is named only to a caller who
    may see it all the same, so the answer stays safe if that ever changes."""
    uncovered = await MembershipRepository(session).count_uncovered(network.id, parent_id)
    if uncovered:
        hidden = await NetworkRepository(session).hidden_among(caller, {parent_id})
        parent = {} if hidden else {"parent_network_id": str(parent_id)}
        named = "" if hidden else f" ({parent_id})"
        raise Conflict(
            f"{uncovered} active membership(s) of {network.name} have no active membership "
            f"of the parent network{named} holding their period; end them, or add "
            "those parent memberships, first.",
            code="parent_membership_missing",
            uncovered_count=uncovered,
            **parent,
        )


def _authorise_fields(caller: Caller, sent: set[str], admin_only: frozenset[str]) -> None:
    """A coordinator who sends a field that is the secretariat's is refused by name, and
    nothing is written (the allowed fields sent with it neither)."""
    if not caller.is_admin:
        ensure_fields_allowed(caller, sent, sent - admin_only)


async def authorise_create_network(caller: Caller, data: NetworkCreate) -> None:
    """Whether the caller may create this network; also run before an idempotent replay."""
    # Root networks are the secretariat's; a coordinator adds networks below one they manage.
    ensure_manages_network(caller, data.parent_id)
    _authorise_fields(caller, data.model_fields_set, _ADMIN_ONLY_ON_CREATE)


async def create_network(session: AsyncSession, caller: Caller, data: NetworkCreate) -> Network:
    await authorise_create_network(caller, data)
    repository = NetworkRepository(session)
    if data.parent_id is not None:
        await repository.lock_tree()
    parent = await _find_parent(repository, caller, data.parent_id)
    _check_parent_required(data.requires_parent_membership, data.parent_id)
    await _check_slug(repository, data.slug, data.parent_id)
    if data.administered_by_id is not None:
        await _check_administrator(session, caller, data.administered_by_id)
    if data.municipality_id is not None:
        await _check_municipality(session, caller, data.municipality_id)
    network = Network(parent_id=data.parent_id, **data.model_dump(include=set(_PLAIN_FIELDS)))
    assign_administrator(network, parent, data.administered_by_id)
    repository.add(network)
    await session.flush()
    return network


async def network_to_change(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, data: NetworkUpdate | None
) -> Network:
    """The network the caller is about to change with `data` (or delete, when None).

    404 when they may not see it, then 401/403 when they may not make this change. The
    router calls it before checking `If-Match`, so a caller without the right learns
    nothing from a 428 or 412.
    """
    network = await get_network(session, caller, network_id)
    if data is None:
        ensure_admin(caller)
        return network
    ensure_manages_network(caller, network.id)
    admin_only = _ADMIN_ONLY_ON_UPDATE
    if not caller.manages_network(network.parent_id):
        # A slug is unique among its siblings, so it is picked in the parent's namespace,
        # by whoever manages the parent and sees every sibling. A coordinator of this
        # network alone could probe the slugs of siblings hidden from them (409).
        admin_only = admin_only | {"slug"}
    _authorise_fields(caller, data.model_fields_set, admin_only)
    return network


async def update_network(
    session: AsyncSession, caller: Caller, network: Network, data: NetworkUpdate
) -> Network:
    """Apply the change to a network from `network_to_change`."""
    repository = NetworkRepository(session)
    changes = data.model_dump(exclude_unset=True)
    reparented = "parent_id" in changes and changes["parent_id"] != network.parent_id
    if reparented or "administered_by_id" in changes:
        await repository.lock_tree()

    if "status" in changes:
        check_transition(_TRANSITIONS, network.status, changes["status"])
    parent_id: uuid.UUID | None = changes["parent_id"] if reparented else network.parent_id
    slug: str = changes.get("slug", network.slug)
    if reparented or slug != network.slug:
        # Among the new siblings, when the network moves.
        await _check_slug(repository, slug, parent_id, network.id)
    parent: Network | None = None
    if reparented:
        parent = await _find_parent(repository, caller, parent_id)
        if parent is not None and await repository.is_ancestor_or_self(network.id, parent.id):
            # The body is well-formed; it conflicts with the tree as it stands.
            raise Conflict(
                f"{parent.name} is {network.name} itself or below it; a network cannot sit "
                "under its own descendant.",
                code="network_cycle",
            )
    requires = changes.get("requires_parent_membership", network.requires_parent_membership)
    _check_parent_required(requires, parent_id)
    # Newly required, or required of a new parent: today's members must already comply.
    newly_required = requires and (reparented or not network.requires_parent_membership)
    if newly_required and parent_id is not None:
        await _check_members_covered(session, caller, network, parent_id)

    if changes.get("municipality_id") is not None:
        await _check_municipality(session, caller, changes["municipality_id"])

    previous_administrator = network.administered_by_id
    if reparented or "administered_by_id" in changes:
        if "administered_by_id" in changes:
            own_id = changes["administered_by_id"]
            if own_id is not None:
                await _check_administrator(session, caller, own_id)
        else:
            own_id = None if network.administered_by_inherited else network.administered_by_id
        if not reparented:
            parent = await _find_parent(repository, caller, parent_id)
        assign_administrator(network, parent, own_id)

    network.parent_id = parent_id
    for field in _PLAIN_FIELDS:
        if field in changes:
            setattr(network, field, changes[field])
    await session.flush()
    if network.administered_by_id != previous_administrator:
        heirs = await repository.inheriting_descendant_ids(network.id)
        await repository.set_inherited_administrator(heirs, network.administered_by_id)
    return network


async def delete_network(session: AsyncSession, network: Network) -> None:
    """Delete a network from `network_to_change` (the secretariat's alone)."""
    repository = NetworkRepository(session)
    if await repository.is_in_use(network.id):
        raise Conflict(
            f"{network.name} has sub-networks, memberships, office terms, meetings, fee "
            "schedules or invoices; archive it "
            'instead (PATCH {"status": "archived"}) so its history stays.',
            code="network_in_use",
        )
    await repository.delete(network)
    await session.flush()


async def network_stats(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, on: date | None
) -> NetworkStats:
    await get_network(session, caller, network_id)
    as_of = on or today()
    figures = await NetworkRepository(session).membership_figures(network_id, as_of)
    return NetworkStats(
        network_id=network_id,
        as_of=as_of,
        member_count=figures.counts[MembershipKind.MEMBER],
        partner_count=figures.counts[MembershipKind.PARTNER],
        observer_count=figures.counts[MembershipKind.OBSERVER],
        total_employees=figures.employees,
        total_apprentices=figures.apprentices,
    )
