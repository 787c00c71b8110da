"""Two runs into one output folder: an advisory lock, and both end with complete outputs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from lzspatial._util.lock import folder_lock, lock_timeout
from lzspatial.errors import InputError, OutputError

from ..conftest import LAYERS


def test_second_holder_waits_then_gives_a_clear_message(tmp_path):
    with folder_lock(tmp_path):
        t0 = time.monotonic()
        with pytest.raises(OutputError, match="another lzspatial run is writing into this folder"):
            with folder_lock(tmp_path, timeout=0.3):
                pass
        assert time.monotonic() - t0 >= 0.3
    with folder_lock(tmp_path, timeout=0):  # released
        pass
    assert list(tmp_path.iterdir()) == []  # no lock file left behind


def test_second_holder_gets_the_lock_when_the_first_lets_go(tmp_path):
    order = []

    def second():
        with folder_lock(tmp_path, timeout=10):
            order.append("second")

    with folder_lock(tmp_path):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.2)
        order.append("first")
    t.join()
    assert order == ["first", "second"]


@pytest.mark.parametrize("raw", ["abc", "-1", "nan"])
def test_bad_lock_timeout_is_refused(raw, monkeypatch):
    monkeypatch.setenv("LZSPATIAL_LOCK_TIMEOUT", raw)
    with pytest.raises(InputError, match="LZSPATIAL_LOCK_TIMEOUT"):
        lock_timeout()


def _gpkg_tables(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
    finally:
        con.close()


def test_two_builds_into_one_folder_both_complete(tmp_path):
    from lzspatial.plan import load_plan

    layers = len(load_plan(LAYERS).layer_names)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lzspatial", "build", str(LAYERS), "--out", str(out)]
    pipe = subprocess.PIPE
    procs = [subprocess.Popen(cmd, stdout=pipe, stderr=pipe, text=True) for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    gpkg = next((out / "exports").glob("*.gpkg"))
    assert _gpkg_tables(gpkg) == layers
    assert not list(out.rglob(".lzspatial-tmp-*"))
    assert os.path.getsize(out / "summary.json") > 0
