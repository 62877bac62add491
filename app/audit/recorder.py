"""The audit trail's writer: every ORM change becomes an `AuditEvent` in the same flush.

A `before_flush` listener on the ORM `Session` class (an `AsyncSession` runs one of those
underneath), registered when this module is imported. The events are added to the session
being flushed, so they are written in the same transaction as the change: a request that
fails and rolls back leaves no event, and no change commits without its event.

What is not seen, because it never passes through the unit of work:
- Core statements (`update(...)`, `delete(...)`, `insert(...)` executed directly), such as
  the API key's `last_used_at` bump in `app/auth/authenticate.py`;
- rows the database changes by itself: `ON DELETE CASCADE` / `SET NULL` foreign keys;
- a foreign key changed only by moving a persistent row to another parent through a
  relationship (its column is synchronised during the flush, after this listener).
"""

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import (
    ColumnProperty,
    InstanceState,
    Mapper,
    RelationshipDirection,
    Session,
    UOWTransaction,
)

from app.api.caller import Caller
from app.audit.models import AuditEvent
from app.auth.models import SignInFailure, SignInSession
from app.db import utcnow
from app.idempotency.models import IdempotencyRecord

# Bookkeeping rather than changes someone made: the trail itself, stored answers of
# retried requests, sign-ins and failed sign-ins (those have their own tables and logs).
UNRECORDED: tuple[type[Any], ...] = (AuditEvent, IdempotencyRecord, SignInSession, SignInFailure)
# Never written to the trail, not even hashed: shown as "***" (a change still shows).
SECRET_COLUMNS = frozenset({"password_hash", "secret_hash", "refresh_token_hash", "token_hash"})
MASK = "***"
# Bumped by every UPDATE; an update that touches only these is not a change worth a row.
NOISE_COLUMNS = frozenset({"updated_at", "version"})

SYSTEM_ACTOR = "system"


def attribute_changes_to(session: Session | AsyncSession, caller: Caller) -> Caller:
    """Whom the audit trail names for the changes this session makes."""
    session.info["caller"] = caller
    return caller


def act_as_system(session: Session | AsyncSession) -> Caller:
    """The CLI's and the demo loader's actor: the system."""
    return attribute_changes_to(session, Caller.system())


def json_safe(value: Any) -> Any:
    """A column value as JSON: ids as strings, instants and dates ISO 8601, money exact."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _shown(key: str, value: Any) -> Any:
    return MASK if key in SECRET_COLUMNS else json_safe(value)


def _columns(mapper: Mapper[Any]) -> Iterable[ColumnProperty[Any]]:
    return mapper.column_attrs


def _apply_client_defaults(obj: object, mapper: Mapper[Any]) -> None:
    """Fill the Python-side column defaults the flush would fill (id, timestamps), so the
    event records the row as it is inserted and knows its id.

    SQLAlchemy applies exactly these when the value is None; Klynge's callable defaults
    (`uuid.uuid4`, `utcnow`) take no execution context, which SQLAlchemy's wrapper ignores.
    """
    for prop in _columns(mapper):
        default = prop.columns[0].default
        if default is None or getattr(obj, prop.key) is not None:
            continue
        if default.is_scalar:
            setattr(obj, prop.key, default.arg)
        elif default.is_callable:
            setattr(obj, prop.key, default.arg(None))


def _foreign_keys_from_parents(obj: object, mapper: Mapper[Any]) -> dict[str, Any]:
    """Foreign keys the flush will copy from a parent set through a relationship
    (`membership.representatives = [...]`, whose back-reference names the parent)."""
    state = inspect(obj)
    values: dict[str, Any] = {}
    for relationship in mapper.relationships:
        if relationship.direction is not RelationshipDirection.MANYTOONE:
            continue
        parent = state.dict.get(relationship.key)
        if parent is None:
            continue
        parent_mapper = inspect(parent).mapper
        for local, remote in relationship.local_remote_pairs:
            key = mapper.get_property_by_column(local).key
            if getattr(obj, key) is None:
                values[key] = getattr(parent, parent_mapper.get_property_by_column(remote).key)
    return values


def _values_after_create(obj: object, mapper: Mapper[Any]) -> dict[str, Any]:
    values = {prop.key: getattr(obj, prop.key) for prop in _columns(mapper)}
    values.update(_foreign_keys_from_parents(obj, mapper))
    # The mapper sets `version` to 1 on every insert; it says nothing about the row.
    values.pop("version", None)
    return {key: _shown(key, value) for key, value in values.items()}


def _committed_value(state: InstanceState[Any], key: str) -> Any:
    """The attribute's value as stored (before any unflushed change), loading it if needed."""
    history = state.attrs[key].load_history()
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    # Set without its old value ever being loaded: the stored value is not known here.
    return history.added[0] if history.added else None


def _values_before_delete(obj: object, mapper: Mapper[Any]) -> dict[str, Any]:
    state = inspect(obj)
    return {
        prop.key: _shown(prop.key, _committed_value(state, prop.key)) for prop in _columns(mapper)
    }


def _changes(obj: object, mapper: Mapper[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed columns' values before and after, noise columns left out."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for prop in _columns(mapper):
        if prop.key in NOISE_COLUMNS:
            continue
        history = state.attrs[prop.key].history
        if not history.has_changes():
            continue
        # Scalar columns hold one value; history lists it (or nothing, if it was unknown).
        before[prop.key] = _shown(prop.key, history.deleted[0] if history.deleted else None)
        after[prop.key] = _shown(prop.key, history.added[0] if history.added else None)
    return before, after


def _resource_id(obj: object, mapper: Mapper[Any]) -> str:
    return ",".join(str(part) for part in mapper.primary_key_from_instance(obj))


def _table_name(mapper: Mapper[Any]) -> str:
    return mapper.local_table.description


def _recorded(obj: object) -> bool:
    return not isinstance(obj, UNRECORDED)


def _is_orphan(obj: object) -> bool:
    """A stored row removed from a `delete-orphan` collection: the flush deletes it
    although it never went through `session.delete()` (nor `session.deleted`). The test is
    the one the flush itself makes."""
    state = inspect(obj)
    return bool(state.has_identity and state.mapper._is_orphan(state))


def _events(session: Session) -> list[AuditEvent]:
    caller = session.info.get("caller")
    if isinstance(caller, Caller):
        actor_type, actor_id = caller.actor_type, caller.actor_id
    else:
        actor_type, actor_id = SYSTEM_ACTOR, None
    occurred_at = utcnow()

    def event_for(
        obj: object,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> AuditEvent:
        mapper = inspect(obj).mapper
        return AuditEvent(
            id=uuid.uuid4(),
            occurred_at=occurred_at,
            actor_type=actor_type,
            actor_id=actor_id,
            action=action,
            resource_type=_table_name(mapper),
            resource_id=_resource_id(obj, mapper),
            before=before,
            after=after,
        )

    created = [obj for obj in session.new if _recorded(obj)]
    # Ids first, for every new row, so a child's foreign key to a new parent is known.
    for obj in created:
        _apply_client_defaults(obj, inspect(obj).mapper)

    events = [
        event_for(obj, "create", None, _values_after_create(obj, inspect(obj).mapper))
        for obj in created
    ]
    deleted = [obj for obj in session.deleted if _recorded(obj)]
    # `session.dirty` holds every row with an attribute set, changed or not, and never
    # one that is also being deleted.
    for obj in session.dirty:
        if not _recorded(obj):
            continue
        mapper = inspect(obj).mapper
        if _is_orphan(obj):
            deleted.append(obj)
            continue
        before, after = _changes(obj, mapper)
        if after:
            events.append(event_for(obj, "update", before, after))
    events.extend(
        event_for(obj, "delete", _values_before_delete(obj, inspect(obj).mapper), None)
        for obj in deleted
    )
    return events


def _record_changes(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # Objects added here join this same flush (SQLAlchemy reads `session.new` after
    # before_flush), so the events are inserted with the rows they describe.
    session.add_all(_events(session))


def install() -> None:
    """Record every ORM change made in this process from now on (the API's create_app and
    the CLI call it; calling it again changes nothing)."""
    if not event.contains(Session, "before_flush", _record_changes):
        event.listen(Session, "before_flush", _record_changes)
