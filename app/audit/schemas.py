import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.api.types import IsoInstant


class ActorType(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    ANONYMOUS = "anonymous"
    SYSTEM = "system"  # the command line and the demo data loader


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# A filter's bound: one instant, shown in UTC.
Instant = Annotated[IsoInstant, AfterValidator(_in_utc)]


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
