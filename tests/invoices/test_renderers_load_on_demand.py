"""The document renderers are imported when a document is first drawn, not with the app:
fpdf2 (fontTools, Pillow) and lxml would add about 60 MiB to every worker (issue 11 asks
for at most 120 MiB per worker)."""

import subprocess
import sys

HEAVY = ("fpdf", "fontTools", "PIL", "lxml")


def test_the_app_starts_without_the_document_renderers() -> None:
    script = (
        f"import sys, app.main\nprint(','.join(name for name in {HEAVY!r} if name in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
