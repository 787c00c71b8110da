"""Screenshots of the default map (``maps/structure.html``) for the docs, in both languages.

Run ``lzspatial build`` first, then ``python scripts/screenshots.py``. It writes
``docs/screenshots/map-{lang}-{width}x{height}.png`` for 1920×1080, 1366×768 and 390×844 and records
the SHA-256 of the map HTML they show in ``docs/screenshots/map.sha256``; a test fails when the map
changed and the screenshots were not taken again.

Headless Debian chromium driven by Playwright (never ``playwright install``); no network.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAP = REPO / "maps" / "structure.html"
OUT = REPO / "docs" / "screenshots"
VIEWPORTS = ((1920, 1080), (1366, 768), (390, 844))
LANGS = ("zh", "en")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars"]


def map_hash(path: Path = MAP) -> str:
    """SHA-256 of the map HTML the screenshots show."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    if exe is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
        for w, h in VIEWPORTS:
            page = browser.new_page(viewport={"width": w, "height": h})
            page.route("http*://**/*", lambda route: route.abort())
            page.goto(MAP.as_uri(), wait_until="load")
            page.wait_for_selector("[data-lz-ready]", state="attached", timeout=10_000)
            for lang in LANGS:
                page.evaluate("(lang) => lzmap.setLang(lang)", lang)
                page.wait_for_timeout(150)
                path = OUT / f"map-{lang}-{w}x{h}.png"
                page.screenshot(path=str(path))
                print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size / 1024:,.0f} KB)")
            page.close()
        browser.close()
    (OUT / "map.sha256").write_text(map_hash() + "  maps/structure.html\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
