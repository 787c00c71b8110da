"""Every file read is a regular file within the size limit: FIFOs, devices and folders never hang."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lzspatial._util.files import check_regular, name_problem, read_limited
from lzspatial.errors import InputError, PlanFileError

from ..conftest import LAYERS, run_cli


def _special(path: Path, kind: str) -> None:
    if path.exists() or path.is_symlink():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()


WORDS = {"fifo": "FIFO", "zero": "is a device", "folder": "is a folder"}
KINDS = list(WORDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("where", ["plan.toml", "layer", "rules", "siting", "sites", "projects"])
def test_special_input_is_refused_fast(where, kind, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(LAYERS, plan)
    if where == "plan.toml":
        _special(plan / "plan.toml", kind)
        args = ["validate", plan]
    elif where == "layer":
        _special(plan / "towns.geojson", kind)
        args = ["validate", plan]
    elif where == "rules":
        _special(tmp_path / "r.toml", kind)
        args = ["check", plan, "--rules", tmp_path / "r.toml"]
    elif where == "siting":
        _special(plan / "siting.toml", kind)
        args = ["validate", plan]
    elif where == "sites":
        _special(tmp_path / "s.csv", kind)
        args = ["screen", tmp_path / "s.csv", "--plan", plan]
    else:
        _special(tmp_path / "p.csv", kind)
        args = ["indicators", plan, "--projects", tmp_path / "p.csv"]
    res = run_cli(*args, cwd=tmp_path, timeout=60)
    assert res.returncode == 2, res.stderr
    # a link to /dev/zero as a layer points outside the plan folder: refused as such first
    words = (WORDS[kind], "outside the plan folder") if (where, kind) == ("layer", "zero") else (WORDS[kind],)
    assert any(w in res.stderr for w in words) and "not found" not in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


def test_read_limited_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("LZSPATIAL_MAX_INPUT_MB", "0.001")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 5000)
    with pytest.raises(InputError, match="over the input limit"):
        read_limited(big)
    small = tmp_path / "small.toml"
    small.write_bytes(b"a = 1\n")
    assert read_limited(small) == b"a = 1\n"


@pytest.mark.parametrize("bad", ["/dev/null", "/dev/zero"])
def test_check_regular_names_devices(bad):
    with pytest.raises(InputError, match="is a device"):
        check_regular(bad)


@pytest.mark.parametrize(
    ("name", "problem"), [("a\x00b", "NUL byte"), ("x" * 256, "256 bytes"), ("é" * 128, "256 bytes")]
)
def test_name_problem(name, problem):
    assert problem in (name_problem(name) or "")
    assert name_problem("ok/" + "x" * 255) is None


@pytest.mark.parametrize("name", ["bad\x00dir", "d" * 300])
def test_plan_dir_with_an_impossible_name(name, tmp_path):
    from lzspatial.plan import load_plan

    with pytest.raises(PlanFileError, match="plan folder name"):
        load_plan(tmp_path / name)
