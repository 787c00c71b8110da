"""Shared fixtures: the default plan, editable copies of it, and a CLI runner."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"


@pytest.fixture(scope="session")
def default_plan():
    from lzspatial.plan import load_plan

    return load_plan(LAYERS)


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """A writable copy of the default plan folder."""
    dst = tmp_path / "plan"
    shutil.copytree(LAYERS, dst)
    return dst


def edit_layer(folder: Path, name: str, fn: Callable[[dict[str, Any]], Any]) -> None:
    """Load ``folder/name.geojson`` as JSON, let *fn* edit it in place, write it back."""
    path = folder / f"{name}.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def feature(doc: dict[str, Any], fid: str) -> dict[str, Any]:
    """The feature with id *fid* of a FeatureCollection dict."""
    for f in doc["features"]:
        if f["properties"].get("id") == fid:
            return f
    raise KeyError(fid)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m lzspatial ARGS`` in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "lzspatial", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
