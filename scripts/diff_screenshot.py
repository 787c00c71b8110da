"""The README's screenshot of the review map, from a constructed example revision.

    python scripts/diff_screenshot.py

Copies ``layers/`` into a temporary git repository (commit "v1"), applies
``scripts/example_revision.py`` (commit "v2"; both with fixed dates, so the commit ids repeat),
runs ``lzspatial diff HEAD~1:layers HEAD:layers --format html`` there, and takes
``docs/screenshots/diff-review-1600x900.png`` in headless Debian chromium (no network). The
revision is made up by the script; it is not a real plan revision.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots" / "diff-review-1600x900.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars"]
ENV = {
    "GIT_AUTHOR_NAME": "example",
    "GIT_AUTHOR_EMAIL": "example@example.invalid",
    "GIT_COMMITTER_NAME": "example",
    "GIT_COMMITTER_EMAIL": "example@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, env={**os.environ, **ENV}
    )


def main() -> int:
    from playwright.sync_api import sync_playwright

    spec = importlib.util.spec_from_file_location(
        "example_revision", REPO / "scripts" / "example_revision.py"
    )
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    exe = shutil.which("chromium")
    if exe is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lzspatial-diff-shot-") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(REPO / "layers", repo / "layers")
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "layers")
        _git(repo, "commit", "-q", "-m", "v1: the default plan")
        example.build(Path(tmp) / "rev")
        shutil.rmtree(repo / "layers")
        shutil.copytree(Path(tmp) / "rev", repo / "layers")
        shutil.copy(REPO / "layers" / "README.md", repo / "layers" / "README.md")
        _git(repo, "add", "-A", "layers")
        _git(repo, "commit", "-q", "-m", "v2: constructed example revision")
        html = Path(tmp) / "review.html"
        cmd = [
            sys.executable,
            "-m",
            "lzspatial",
            "diff",
            "HEAD~1:layers",
            "HEAD:layers",
            "--format",
            "html",
            "--out",
            str(html),
        ]
        code = subprocess.run(cmd, cwd=repo).returncode
        if code != 1:
            print(f"lzspatial diff exited {code}, expected 1 (changed)", file=sys.stderr)
            return 2
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(html.as_uri())
            page.wait_for_function("window.lzdiff !== undefined")
            page.evaluate("lzdiff.mapA.setView([41.52, 122.86], 10.5, {animate: false})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(OUT))
            browser.close()
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
