"""Request and response bodies of sign-in, users and API keys.

No response schema has a field for a password or any hash; the only secrets ever sent
are the tokens of a sign-in and a new API key's `key`, once, in `ApiKeyCreated`.
"""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from app.api.schemas import PatchModel, RequestModel
from app.api.types import Email, IsoInstant
from app.auth.models import ApiKeyScope

PASSWORD_MIN_LENGTH = 12
# Argon2 hashes whatever it is given: a cap keeps a megabyte "password" from costing CPU.
PASSWORD_MAX_LENGTH = 256

Password = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    Field(
        description=f"At least {PASSWORD_MIN_LENGTH} characters.", examples=["a long passphrase"]
    ),
]
# What is checked against a stored hash: no minimum (old passwords may be shorter).
PresentedPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX_LENGTH)]


class TokenResponse(BaseModel):
    """RFC 6749 §5.1: the answer of a sign-in or a refresh."""

    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int = Field(description="Seconds the access token is valid.", examples=[900])
    refresh_token: str = Field(
        description="Exchange at `POST /v1/auth/refresh` for new tokens; valid once."
    )


class RefreshRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"refresh_token": "klr_6nq1mZ…"}]},
    )

    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


# Users ---------------------------------------------------------------------------------


class UserCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "kari.nordmann@example.com",
                    "password": "correct horse battery staple",
                    "person_id": None,
                    "is_admin": False,
                }
            ]
        },
    )

    email: Email
    password: Password
    person_id: uuid.UUID | None = Field(
        default=None, description="The person in the registry this login belongs to."
    )
    is_admin: StrictBool = False


class UserUpdate(PatchModel):
    """Only the fields sent change. `disabled: true` stops the user from acting (their
    sign-ins end); `password` replaces the password and ends every sign-in."""

    required_fields = frozenset({"email", "is_admin", "disabled", "password"})

    email: Email | None = None
    person_id: uuid.UUID | None = None
    is_admin: StrictBool | None = None
    disabled: StrictBool | None = None
    password: Password | None = None


class MeUpdate(PatchModel):
    """What a user may change about themselves: their password, proving the current one.

    Other fields are accepted by the parser only so that the refusal can name them
    (403 `field_not_allowed`), rather than a generic validation error.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"current_password": "the old passphrase", "password": "a new long passphrase"}
            ]
        },
    )
    required_fields = frozenset({"password", "current_password"})

    password: Password | None = None
    current_password: PresentedPassword | None = None

    @property
    def fields_sent(self) -> set[str]:
        return set(self.model_fields_set) | set(self.model_extra or {})


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str = Field(examples=["kari.nordmann@example.com"])
    person_id: uuid.UUID | None
    is_admin: bool
    disabled_at: datetime | None
    last_sign_in_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class MeRead(UserRead):
    coordinated_network_ids: list[uuid.UUID] = Field(
        description="Networks this user coordinates; each includes the networks below it."
    )


class CoordinatorCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"network_id": "5b0e3c1a-2f4d-4e8b-9c61-7a2d0f9e1b34"}]},
    )

    network_id: uuid.UUID


class CoordinatedNetwork(BaseModel):
    network_id: uuid.UUID
    name: str = Field(examples=["GIC Process industry council"])


# API keys ------------------------------------------------------------------------------


class ApiKeyCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Website", "scopes": ["public"], "expires_at": "2027-01-01T00:00:00Z"}
            ]
        },
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    scopes: list[ApiKeyScope] = Field(
        min_length=1,
        max_length=3,
        description="`public`: the website's view. `read`: read everything. `read` and "
        "`write`: change things too. `public` combines with nothing (422 `invalid_scopes`).",
    )
    expires_at: IsoInstant | None = Field(
        default=None, description="When the key stops working; never if left out."
    )


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str = Field(examples=["Website"])
    prefix: str = Field(
        description="The key's public part: names it in lists and logs.", examples=["klk_3f9a01c2"]
    )
    scopes: list[ApiKeyScope]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_by_user_id: uuid.UUID | None
    created_at: datetime
    version: int = Field(description="Increases on every change; the ETag carries it.")


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(
        description="The whole key, shown this once: it is stored only as a hash. "
        "Send it as `Authorization: Bearer <key>`.",
        examples=["klk_3f9a01c2_Wc1y…"],
    )
