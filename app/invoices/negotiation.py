"""Whether a request's `Accept` header prefers the PDF over JSON (RFC 9110 §12.5.1).

Only an explicit `application/pdf` asks for the PDF; wildcards (`*/*`, `application/*`)
and a missing header get JSON, the API's default. On equal quality, the PDF wins over
wildcards but not over an explicit `application/json` listed before it.
"""

PDF = "application/pdf"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def prefers_pdf(accept: str | None) -> bool:
    if not accept:
        return False
    ranges = _ranges(accept)
    media_types = [media for media, _ in ranges]
    pdf = max((q for media, q in ranges if media == PDF), default=0.0)
    if pdf <= 0:
        return False
    json_explicit = max((q for media, q in ranges if media == JSON), default=0.0)
    if json_explicit > pdf:
        return False
    if json_explicit == pdf:
        return media_types.index(PDF) < media_types.index(JSON)
    return True
