"""ETags from the row version, and the `If-Match` rules for updates."""

from typing import Annotated

from fastapi import Header

from app.errors import PreconditionFailed, PreconditionRequired


def etag_of(version: int) -> str:
    return f'"{version}"'


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The `ETag` from the last read; required, so no update is lost.",
        max_length=200,
    ),
]


def require_if_match(if_match: str | None, current_version: int) -> None:
    """428 without `If-Match`, 412 unless one of its tags is the current ETag."""
    if if_match is None:
        raise PreconditionRequired(
            "Send the resource's current ETag in `If-Match`, so no concurrent change is lost."
        )
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in candidates:
        return
    if etag_of(current_version) not in candidates:
        raise PreconditionFailed(
            "The resource changed since you read it (its ETag is now "
            f"{etag_of(current_version)}); read it again and retry."
        )
