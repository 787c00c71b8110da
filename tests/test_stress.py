"""Stress (slow): concurrent builds into one folder, and screening runs killed at random points.

Afterwards every output is complete or absent, no input has changed, and no temp file is left
once the next run has gone through.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import LAYERS

pytestmark = pytest.mark.slow

PAIRS = 20
KILLS = 12


def _sha(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _lz(*args: object) -> list[str]:
    return [sys.executable, "-m", "lzspatial", *map(str, args)]


def _check_build(out: Path, layers: int) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for name in summary["files"]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    gpkg = next((out / "exports").glob("*.gpkg"))
    con = sqlite3.connect(gpkg)
    try:
        n = con.execute("SELECT count(*) FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert n == layers
    json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert (out / "structure.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_concurrent_pairs_of_builds(tmp_path):
    from lzspatial.plan import load_plan

    plan = tmp_path / "plan"
    shutil.copytree(LAYERS, plan)
    before = _sha(plan)
    layers = len(load_plan(plan).layer_names)
    for k in range(PAIRS):
        out = tmp_path / f"out{k % 3}"  # folders are reused: later pairs replace earlier outputs
        pipe = subprocess.PIPE
        procs = [
            subprocess.Popen(_lz("build", plan, "--out", out), stdout=pipe, stderr=pipe) for _ in range(2)
        ]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err.decode(errors="replace")
        _check_build(out, layers)
        assert not list(out.rglob(".lzspatial-tmp-*"))
    assert _sha(plan) == before


def _sites(path: Path, n: int) -> None:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("lon,lat,name\n")
        for i in range(n):
            fh.write(f"{122.45 + rng.random() * 0.6:.5f},{41.25 + rng.random() * 0.45:.5f},s{i}\n")


def _rows(path: Path) -> int:
    suffix = path.suffix
    if suffix == ".csv":
        with open(path, "rb") as fh:
            return sum(1 for _ in fh) - 1
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_metadata(path).num_rows
    import pyogrio

    return int(pyogrio.read_info(path)["features"])


def test_screen_killed_at_random_points(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    sites = inputs / "sites.csv"
    n = 300_000
    _sites(sites, n)
    before = _sha(inputs)
    out = tmp_path / "out"
    out.mkdir()
    rng = random.Random(11)
    killed = 0
    for k in range(KILLS):
        target = out / f"r{k % 3}{['.gpkg', '.csv', '.parquet'][k % 3]}"
        proc = subprocess.Popen(
            _lz("screen", sites, "--out", target), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(0.3, 4.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if k % 2 else signal.SIGTERM)
            killed += 1
        proc.wait(timeout=300)
        for p in out.iterdir():
            if not p.name.startswith(".lzspatial-tmp-"):
                assert _rows(p) == n, p  # complete, or not there at all
    assert killed >= 1, "every run finished before the signal: nothing was tested"
    assert _sha(inputs) == before
    res = subprocess.run(_lz("screen", sites, "--out", out / "final.csv"), capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert not list(out.glob(".lzspatial-tmp-*"))
    assert _rows(out / "final.csv") == n
