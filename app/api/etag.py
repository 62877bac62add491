"""ETags from the row version, and the `If-Match` rules for updates."""

import re
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
    if not if_match_holds(if_match, etag_of(current_version)):
        raise PreconditionFailed(
            "The resource changed since you read it (its ETag is now "
            f"{etag_of(current_version)}); read it again and retry."
        )


# One element of an entity-tag list (RFC 9110 §8.8.3, §5.6.1): an optional weak marker
# and a quoted tag that may hold commas, then a comma or the end; empty elements are
# allowed and ignored.
_LIST_ITEM = re.compile(r'[ \t]*(?:(W/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(?:,|$)')


def if_match_holds(if_match: str, current_etag: str) -> bool:
    """RFC 9110 §13.1.1: `*` alone matches any current representation; otherwise one tag
    of the list must equal the current ETag by the strong comparison, so a weak tag never
    matches. A value that is not a list of entity tags matches nothing."""
    if if_match.strip(" \t") == "*":
        return True
    position, strong_tags = 0, set()
    while position < len(if_match):
        item = _LIST_ITEM.match(if_match, position)
        if item is None or item.end() == position:
            return False
        if item.group(2) is not None and item.group(1) is None:
            strong_tags.add(item.group(2))
        position = item.end()
    return current_etag in strong_tags
