"""Who is making a request, and what that lets them see and do.

Resolved once per request by `app.auth.authenticate`; repositories narrow every read
by it and services check every change against it.
"""

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    WEBSITE = "website"  # an API key with the `public` scope: the public view
    MEMBER = "member"  # a signed-in user who is not an admin
    ADMIN = "admin"  # the secretariat: a user, or a `read`/`write` API key
    SYSTEM = "system"  # the CLI and demo data


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    # False for a `read` API key: it sees what an admin sees and changes nothing.
    can_write: bool = True
    # The organisations the user's person is affiliated with.
    organisation_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    # Networks in which one of those organisations has an active membership today.
    member_network_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    # Networks the user coordinates, with every network below them.
    coordinated_network_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> "Caller":
        return cls(role=Role.SYSTEM)

    @classmethod
    def anonymous(cls) -> "Caller":
        return cls(role=Role.ANONYMOUS, can_write=False)

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.SYSTEM)

    @property
    def sees_personal_data(self) -> bool:
        """People's records are for signed-in users and the secretariat, not the public."""
        return self.role in (Role.MEMBER, Role.ADMIN, Role.SYSTEM)

    @property
    def closed_network_ids_visible(self) -> frozenset[uuid.UUID]:
        """The closed networks a non-admin may see: their own and those they coordinate."""
        return self.member_network_ids | self.coordinated_network_ids

    def manages_network(self, network_id: uuid.UUID | None) -> bool:
        if self.is_admin:
            return True
        return network_id is not None and network_id in self.coordinated_network_ids

    @property
    def actor_type(self) -> str:
        if self.user_id is not None:
            return "user"
        if self.api_key_id is not None:
            return "api_key"
        return self.role.value if self.role is Role.SYSTEM else "anonymous"

    @property
    def actor_id(self) -> uuid.UUID | None:
        return self.user_id or self.api_key_id

    @property
    def idempotency_scope(self) -> str:
        """Whose idempotency keys these are; each caller has a namespace of its own."""
        return f"{self.actor_type}:{self.actor_id or '-'}"
