"""Parsing `include=a,b` into a validated set of related objects to embed."""

from enum import StrEnum
from typing import TypeVar

from fastapi import Query

E = TypeVar("E", bound=StrEnum)


def include_query(options: type[StrEnum]) -> object:
    """A `Query` that accepts only comma-separated names of `options`, as OpenAPI says."""
    names = "|".join(option.value for option in options)
    return Query(
        pattern=f"^({names})(,({names}))*$",
        description=f"Related objects to embed, comma-separated: {', '.join(options)}.",
        examples=[",".join(option.value for option in options)],
    )


def parse_include(raw: str | None, options: type[E]) -> frozenset[E]:
    if not raw:
        return frozenset()
    return frozenset(options(name) for name in raw.split(","))
