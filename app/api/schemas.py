"""Base classes shared by the request schemas of every domain."""

import typing
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.api.types import MultiLineText
from app.text import MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN, refused_character


def _marked_multi_line(field: FieldInfo) -> bool:
    """Whether the field's type carries `MULTI_LINE`, also inside `X | None` or a list."""
    if any(isinstance(item, MultiLineText) for item in field.metadata):
        return True
    pending: list[Any] = [field.annotation]
    while pending:
        annotation = pending.pop()
        if typing.get_origin(annotation) is typing.Annotated and any(
            isinstance(item, MultiLineText) for item in annotation.__metadata__
        ):
            return True
        pending.extend(typing.get_args(annotation))
    return False


def _refuse_control_characters(value: Any, *, multi_line: bool) -> None:
    if isinstance(value, str):
        character = refused_character(value, multi_line=multi_line)
        if character is not None:
            allowed = "" if not multi_line else " (tab and line breaks are)"
            raise PydanticCustomError(
                "text_characters",
                "control character {character} is not allowed in text" + allowed,
                {"character": character},
            )
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_control_characters(item, multi_line=multi_line)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_control_characters(key, multi_line=False)
            _refuse_control_characters(item, multi_line=multi_line)
    # Nested request models check their own fields.


def document_text_rule(schema: Any, pattern: str) -> None:
    """Give every free-text string in a property's schema the pattern of the rule, so the
    OpenAPI document says what validation refuses. A string with a pattern of its own,
    a format or a fixed set of values is left alone: those say which characters they take."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = pattern
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            document_text_rule(option, pattern)
    document_text_rule(schema.get("items"), pattern)
    document_text_rule(schema.get("additionalProperties"), pattern)


class RequestModel(BaseModel):
    """Every JSON request body, and every model nested in one.

    Text: no string may hold a control character (see `app.text`); fields whose type
    carries `MULTI_LINE` may hold tab and line breaks. One validator here covers every
    field of every subclass, so a new schema cannot forget it.
    """

    multi_line_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.multi_line_fields = frozenset(
            name for name, field in cls.model_fields.items() if _marked_multi_line(field)
        )

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        multi_line = info.field_name in cls.multi_line_fields
        _refuse_control_characters(value, multi_line=multi_line)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            multi_line = name in cls.multi_line_fields
            document_text_rule(prop, MULTI_LINE_PATTERN if multi_line else SINGLE_LINE_PATTERN)
        return schema


class PatchModel(RequestModel):
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
        schema = handler.resolve_ref_schema(
            super().__get_pydantic_json_schema__(core_schema, handler)
        )
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
