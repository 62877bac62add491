"""Base classes shared by the request schemas of every domain."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class PatchModel(BaseModel):
    """PATCH bodies: every field optional, only the fields sent change.

    Fields named in `required_fields` may be left out but not sent as `null`,
    since the resource cannot exist without them.
    """

    model_config = ConfigDict(extra="forbid")
    required_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null_for_required(self) -> "PatchModel":
        nulled = sorted(
            name
            for name in self.model_fields_set & self.required_fields
            if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"these fields cannot be null: {', '.join(nulled)}")
        return self
