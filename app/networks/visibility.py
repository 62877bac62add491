"""Which networks a caller may see: the one rule every read of a network, or of anything
inside one (memberships, office terms), is narrowed by.

Admins see every network. Everyone else sees the open ones and the closed ones they
belong to (`Caller.closed_network_ids_visible`: an active membership today, or a network
they coordinate). A closed network anyone else asks for is answered exactly like an id
that does not exist.

`narrow_to_visible` is the one way a read narrows by it: admins unnarrowed, everyone else
by `in_visible_network`.
"""

import uuid
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.util import AliasedClass

from app.api.caller import Caller
from app.networks.models import Network, Visibility


def network_visible(
    caller: Caller, network: type[Network] | AliasedClass[Network] = Network
) -> ColumnElement[bool]:
    """The SQL condition on `network` (or an alias of it) for a caller who does not see
    everything; callers who do are never narrowed (see `Caller.is_admin`)."""
    clauses: list[ColumnElement[bool]] = [network.visibility == Visibility.OPEN]
    closed = caller.closed_network_ids_visible
    if closed:
        clauses.append(network.id.in_(closed))
    return or_(*clauses)


def in_visible_network(
    caller: Caller, network_id: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """For rows that belong to a network: visible exactly when their network is."""
    return network_id.in_(select(Network.id).where(network_visible(caller)))


Columns = TypeVarTuple("Columns")


def narrow_to_visible(
    stmt: Select[*Columns], caller: Caller, network_id_column: InstrumentedAttribute[uuid.UUID]
) -> Select[*Columns]:
    """`stmt` as `caller` may read it: unchanged for those who see everything, else only
    rows whose network (`network_id_column`) is visible to them."""
    if caller.is_admin:
        return stmt
    return stmt.where(in_visible_network(caller, network_id_column))
