"""The environment: non-UTF-8 or full stdout, SOURCE_DATE_EPOCH, signals, and the terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import LAYERS, edit_layer, run_cli


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


@pytest.mark.parametrize("args", [["info"], ["info", "--json"], ["validate"], ["check"], ["indicators"]])
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_stdout_that_is_not_utf8(args, encoding, tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "lzspatial", *args],
        capture_output=True,
        cwd=tmp_path,
        env=_env(PYTHONIOENCODING=encoding, LANG="C", LC_ALL="C"),
        timeout=300,
    )
    err = res.stderr.decode(encoding, "replace")
    assert res.returncode in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err
    assert res.stdout.strip()


def test_json_on_an_ascii_stdout_is_still_the_same_json(tmp_path):
    res = run_cli("info", "--json", cwd=tmp_path, env=_env(PYTHONIOENCODING="ascii"))
    utf8 = run_cli("info", "--json", cwd=tmp_path)
    assert json.loads(res.stdout) == json.loads(utf8.stdout)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args", [["info"], ["info", "--json"], ["check", "--format", "json"], ["indicators"]]
)
def test_stdout_to_dev_full(args, tmp_path):
    with open("/dev/full", "w") as full:
        res = subprocess.run(
            [sys.executable, "-m", "lzspatial", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left" in lines[0], res.stderr


@pytest.mark.parametrize("value", ["abc", "1.5", "-5", "99999999999999", "1e9", " "])
def test_source_date_epoch(value, tmp_path):
    res = run_cli("export", "--format", "gktxt", "--out", tmp_path / "g", env=_env(SOURCE_DATE_EPOCH=value))
    if value.strip():
        assert res.returncode == 2 and "SOURCE_DATE_EPOCH" in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
    else:
        assert res.returncode == 0, res.stderr


def test_source_date_epoch_pins_the_date(tmp_path):
    res = run_cli(
        "export", "--format", "gktxt", "--out", tmp_path / "g", env=_env(SOURCE_DATE_EPOCH="1675209600")
    )
    assert res.returncode == 0, res.stderr
    assert "2023-02-01" in (tmp_path / "g" / "zones.txt").read_text(encoding="utf-8")


def _big_csv(path: Path, n: int = 400_000) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("lon,lat\n")
        for i in range(n):
            fh.write(f"{122.5 + (i % 1000) / 2000:.4f},{41.3 + (i // 1000 % 400) / 1000:.4f}\n")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_leave_one_line_and_no_temp_files(sig, tmp_path):
    sites = tmp_path / "sites.csv"
    _big_csv(sites)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lzspatial", "screen", str(sites), "--out", str(out / "r.gpkg")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(out.glob(".lzspatial-tmp-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before the signal")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert list(out.iterdir()) == []


def test_the_next_run_removes_a_killed_runs_temp_files(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("lon,lat\n122.7,41.5\n")
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = out / f".lzspatial-tmp-{int(dead.stdout)}-abc.gpkg"
    stale.write_text("half")
    assert run_cli("screen", sites, "--out", out / "r.csv").returncode == 0
    assert not stale.exists()


def test_terminal_output_escapes_bidi_and_keeps_files_exact(plan_copy, tmp_path):
    evil = "Tow\u202en\x1b[31m"
    edit_layer(plan_copy, "towns", lambda d: d["features"][0]["properties"].update(name_en=evil))
    res = run_cli("info", plan_copy, "--json")
    assert res.returncode == 0 and "\u202e" not in res.stdout and "\x1b" not in res.stdout
    assert evil not in res.stdout
    res = run_cli("indicators", plan_copy, "--format", "json")
    assert res.returncode == 0 and "\u202e" not in res.stdout
    out = tmp_path / "exports"
    assert run_cli("export", plan_copy, "--out", out).returncode == 0
    assert (
        evil
        in json.loads((out / "towns.geojson").read_text(encoding="utf-8"))["features"][0]["properties"][
            "name_en"
        ]
    )


def test_default_plan_is_untouched():
    assert (LAYERS / "plan.toml").is_file()
