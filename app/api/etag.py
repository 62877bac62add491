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


# For actions (archive, end, …) that need no body: a client acting on what it read may
# send its ETag to make sure nothing changed since; one that does not care need not.
OptionalIfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Optional; checked when sent (412 when stale): the `ETag` from the last read.",
        max_length=200,
    ),
]


def check_if_match_when_sent(if_match: str | None, current_version: int) -> None:
    if if_match is not None:
        require_if_match(if_match, current_version)


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
