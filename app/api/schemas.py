"""Base classes shared by the request schemas of every domain."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


class PatchModel(BaseModel):
    """PATCH bodies: every field optional, only the fields sent change.

    Fields named in `required_fields` may be left out but not sent as `null`, since
    the resource cannot exist without them; the OpenAPI schema says so too, so the
    document and the validation agree.
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

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name in cls.required_fields:
            prop: dict[str, Any] | None = schema.get("properties", {}).get(name)
            if prop is None or "anyOf" not in prop:
                continue
            options = [option for option in prop["anyOf"] if option.get("type") != "null"]
            prop.pop("default", None)
            if len(options) == 1:
                del prop["anyOf"]
                prop.update(options[0])
            else:
                prop["anyOf"] = options
        return schema
