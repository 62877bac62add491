"""What characters text may hold, in the API and in the documents made from it.

Control characters are no text anyone types: PostgreSQL refuses NUL outright, and XML 1.0
(the EHF invoice) has no way to hold most of them, so an invoice line with one could never
become its XML. Refused: C0 controls, DEL, C1 controls, lone surrogates (JSON's `\\ud800`)
and the non-characters U+FFFE/U+FFFF. Multi-line text (descriptions, notes, minutes) may
hold tab and line breaks (LF, and the CR of a CRLF a browser's text area sends).
"""

import re

_ALWAYS_REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_LINE_BREAKS_AND_TAB = "\t\n\r"

_REFUSED_IN_MULTI_LINE = re.compile(f"[{_ALWAYS_REFUSED}]")
_REFUSED_IN_SINGLE_LINE = re.compile(f"[{_ALWAYS_REFUSED}{_LINE_BREAKS_AND_TAB}]")

# The same rules as patterns, for the OpenAPI document (ECMA-262) and for fields with a
# pattern of their own (Pydantic's Rust regex reads the same escapes). Surrogates are
# left out: a JSON Schema string is Unicode text, which holds none.
_NOT_TEXT = r"\u0000-\u001f\u007f-\u009f\ufffe\uffff"
SINGLE_LINE_PATTERN = rf"^[^{_NOT_TEXT}]*$"
MULTI_LINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]*$"
# One line with at least one character that is not blank.
NOT_BLANK_LINE_PATTERN = rf"^[^{_NOT_TEXT}]*[^\s{_NOT_TEXT}][^{_NOT_TEXT}]*$"
# An http(s) link: no blanks, no control characters.
LINK_PATTERN = rf"^https?://[^\s/?#{_NOT_TEXT}]+[^\s{_NOT_TEXT}]*$"

REPLACEMENT = "\ufffd"


def refused_character(text: str, *, multi_line: bool) -> str | None:
    """The first character `text` may not hold, as `U+XXXX`, or None when it is clean."""
    refused = _REFUSED_IN_MULTI_LINE if multi_line else _REFUSED_IN_SINGLE_LINE
    found = refused.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def printable(text: str) -> str:
    """`text` with every character no document can hold replaced by U+FFFD: the last
    defence for rows written before the API refused them (an issued invoice is frozen,
    and its XML and PDF must still render)."""
    return _REFUSED_IN_MULTI_LINE.sub(REPLACEMENT, text)
