"""Request and response bodies of calendar feed tokens.

The token itself (and the feed URL that carries it) is sent once, in
`CalendarTokenCreated`; every other answer shows only its `prefix`.
"""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas import RequestModel
from app.calendars.models import CalendarToken, FeedKind


class CalendarTokenCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "network",
                    "network_id": "8c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                    "label": "My phone",
                }
            ]
        },
    )

    kind: FeedKind = Field(
        description="`network`: that network's meetings; `person`: the meetings a person "
        "is invited to (your own; admins: anyone's)."
    )
    network_id: uuid.UUID | None = Field(default=None, description="With `kind: network`.")
    person_id: uuid.UUID | None = Field(default=None, description="With `kind: person`.")
    label: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = Field(default=None, description="Your name for the token, e.g. the device it is on.")


class CalendarTokenRead(BaseModel):
    id: uuid.UUID
    kind: FeedKind
    network_id: uuid.UUID | None
    person_id: uuid.UUID | None
    label: str | None = Field(examples=["My phone"])
    prefix: str = Field(
        description="The token's first characters, to tell tokens apart; never the token.",
        examples=["Wc1yQ8rZ"],
    )
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None = Field(description="Set once revoked; the feed then answers 404.")
    last_used_at: datetime | None = Field(
        description="When a calendar last read the feed (to the minute or so)."
    )
    version: int = Field(description="Increases on every change; the ETag carries it.")

    @classmethod
    def of(cls, token: CalendarToken) -> "CalendarTokenRead":
        return cls(
            id=token.id,
            kind=token.kind,
            network_id=token.network_id,
            person_id=token.person_id,
            label=token.label,
            prefix=token.prefix,
            created_at=token.created_at,
            updated_at=token.updated_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
            version=token.version,
        )


class CalendarTokenCreated(CalendarTokenRead):
    token: str = Field(
        description="The secret, shown this once: only a hash is kept. It is the last part "
        "of `feed_url`.",
        examples=["Wc1yQ8rZ…"],
    )
    feed_url: str = Field(
        description="The address to subscribe to in a calendar app; it needs no other "
        "credentials, so keep it as secret as a password.",
        examples=["https://klynge.example.no/v1/calendar-feeds/Wc1yQ8rZ….ics"],
    )
