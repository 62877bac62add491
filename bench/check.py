"""Before anything is timed: all three apps answer every case with the same rows.

The JSON items (or the one resource) must be equal field by field: same ids in the same
order, same values. Klynge and the limit must also agree on `next_cursor` and on the
`Link` / `ETag` headers; the peer pages by OFFSET and answers `count` instead.
"""

from typing import Any

import httpx

from bench.cases import Case
from bench.servers import Server


class Mismatch(AssertionError):
    pass


def _first_difference(expected: Any, got: Any, where: str = "") -> str:
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected.keys() | got.keys():
            if expected.get(key, "<missing>") != got.get(key, "<missing>"):
                return _first_difference(expected.get(key), got.get(key), f"{where}.{key}")
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"{where}: {len(expected)} items against {len(got)}"
        for n, (left, right) in enumerate(zip(expected, got, strict=True)):
            if left != right:
                return _first_difference(left, right, f"{where}[{n}]")
    return f"{where}: {expected!r} against {got!r}"


def _get(server: Server, case: Case) -> httpx.Response:
    response = httpx.get(server.base_url + case.paths[server.name], headers=case.headers)
    if response.status_code != 200:
        raise Mismatch(f"{server.name} answered {case.name!r} with {response.status_code}")
    return response


def check(servers: dict[str, Server], cases: list[Case]) -> None:
    for case in cases:
        answers = {name: _get(server, case) for name, server in servers.items()}
        bodies = {name: response.json() for name, response in answers.items()}
        items = {name: body if case.single else body["items"] for name, body in bodies.items()}
        reference = items["klynge"]
        if not case.single and len(reference) != 50:
            raise Mismatch(f"{case.name!r}: Klynge answered {len(reference)} items, not 50")
        for name in ("limit", "peer"):
            if items[name] != reference:
                difference = _first_difference(reference, items[name])
                raise Mismatch(f"{case.name!r}: {name} differs from klynge at {difference}")
        klynge, limit = answers["klynge"], answers["limit"]
        for header in ("link", "etag"):
            # Each server names its own port in `Link`: compare what follows the origin.
            ours = klynge.headers.get(header, "").replace(servers["klynge"].base_url, "")
            theirs = limit.headers.get(header, "").replace(servers["limit"].base_url, "")
            if ours != theirs:
                raise Mismatch(f"{case.name!r}: {header} header differs between klynge and limit")
        if not case.single and bodies["klynge"]["next_cursor"] != bodies["limit"]["next_cursor"]:
            raise Mismatch(f"{case.name!r}: next_cursor differs between klynge and limit")
        shown = "1 resource" if case.single else f"{len(reference)} items"
        print(f"  same answer from all three: {case.name} ({shown})")
