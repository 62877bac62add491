import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)


class ActorType(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"
    SYSTEM = "system"  # the command line and the demo data loader


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


# RFC 3339 date-time: a date, a time and an offset (`Z` or `±hh:mm`), nothing looser.
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _iso_instant_only(value: Any) -> Any:
    # Pydantic would also read `1700000000` as a Unix time, and take an instant without
    # an offset as local: both are refused, so a filter always names one instant.
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _INSTANT.match(value):
        return value
    raise ValueError("expected an ISO 8601 date-time with an offset, e.g. 2026-01-31T09:00:00Z")


_FIRST_INSTANT = datetime.min.replace(tzinfo=UTC)
_LAST_INSTANT = datetime.max.replace(tzinfo=UTC)


def _in_utc(value: datetime) -> datetime:
    # `0001-01-01T00:00:00+01:00` is a valid date-time that lies before the first instant
    # Python can hold in UTC (and likewise after the last): as a bound, it is the same as
    # the first or last instant.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return _FIRST_INSTANT if value.year == _FIRST_INSTANT.year else _LAST_INSTANT


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_instant_only), AfterValidator(_in_utc)]


class AuditEventRead(BaseModel):
    """One change to one row: who made it, when, and the values before and after."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5f1d3c2a-8e4b-4a7f-9c61-0d2e3f4a5b6c",
                    "occurred_at": "2026-03-02T09:14:07.120394Z",
                    "actor_type": "user",
                    "actor_id": "0c7e9a51-2d34-4b8e-a1f0-6b5c4d3e2f10",
                    "action": "update",
                    "resource_type": "organisations",
                    "resource_id": "3f0c1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
                    "before": {"display_name": "Eksempel Prosess", "employees": 120},
                    "after": {"display_name": "Eksempel Prosess Norge", "employees": 135},
                }
            ]
        },
    )

    id: uuid.UUID
    occurred_at: datetime = Field(description="When the change was written (UTC).")
    actor_type: ActorType = Field(
        description="`user`, `api_key`, `anonymous`, or `system` (command line, demo data)."
    )
    actor_id: uuid.UUID | None = Field(
        description="The user's or API key's id; null for `system` and `anonymous`."
    )
    action: AuditAction
    resource_type: str = Field(
        description="The table the row lives in.", examples=["organisations"]
    )
    resource_id: str = Field(description="The row's id.")
    before: dict[str, Any] | None = Field(
        description="Updates: the changed columns' old values; deletes: the whole row; "
        'creates: null. Secrets (password and key hashes) always read `"***"`.'
    )
    after: dict[str, Any] | None = Field(
        description="Updates: the changed columns' new values; creates: the whole row; "
        "deletes: null."
    )
