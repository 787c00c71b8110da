"""The screenshots in docs/screenshots show the committed map: fails when maps/ changed since.

Take them again with ``lzspatial build && python scripts/screenshots.py``.
"""

from __future__ import annotations

import hashlib

from tests.conftest import REPO

SHOTS = REPO / "docs" / "screenshots"


def test_screenshots_show_the_current_map():
    recorded = (SHOTS / "map.sha256").read_text(encoding="utf-8").split()[0]
    current = hashlib.sha256((REPO / "maps" / "structure.html").read_bytes()).hexdigest()
    fix = "run `lzspatial build && python scripts/screenshots.py`"
    assert recorded == current, f"docs/screenshots is stale: {fix}"


def test_every_screenshot_is_there_and_modest():
    for lang in ("zh", "en"):
        for size in ("1920x1080", "1366x768", "390x844"):
            png = SHOTS / f"map-{lang}-{size}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
            assert png.stat().st_size < 600_000, png
