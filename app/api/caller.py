"""Who is making a request, as the repositories see it."""

from dataclasses import dataclass
from enum import StrEnum


class CallerKind(StrEnum):
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Caller:
    kind: CallerKind

    @classmethod
    def system(cls) -> "Caller":
        return cls(kind=CallerKind.SYSTEM)

    @property
    def idempotency_scope(self) -> str:
        """Whose idempotency keys these are; each caller has a namespace of its own."""
        return self.kind.value

    @property
    def sees_everything(self) -> bool:
        return self.kind is CallerKind.SYSTEM
