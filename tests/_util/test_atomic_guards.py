"""The one atomic writer: never over a special file or an input; staged multi-file outputs; short errors."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lzspatial._util.atomic import clean_stale_temps, staged_folder, write_error, write_text
from lzspatial._util.guard import check_output, input_scope, protect
from lzspatial.errors import InputError, OutputError

from ..conftest import LAYERS


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _main(args: list[str], capsys) -> tuple[int, str]:
    from lzspatial.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    return info.value.code, capsys.readouterr().err


# ---- special files are never replaced


@pytest.mark.parametrize("target", ["/dev/null", "/dev/full", "fifo", "folder", "link-to-null"])
def test_write_refuses_what_is_not_a_regular_file(tmp_path, target):
    path = tmp_path / target
    if target == "fifo":
        os.mkfifo(path)
    elif target == "folder":
        path.mkdir()
    elif target == "link-to-null":
        path.symlink_to("/dev/null")
    elif target.startswith("/dev/"):
        path = Path(target)
        if not path.exists():
            pytest.skip(f"no {target}")
    before = os.stat(path)
    with pytest.raises(OutputError, match="only replaces regular files"):
        write_text(path, "x")
    after = os.stat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not list(tmp_path.glob(".lzspatial-tmp-*"))


def test_a_link_to_a_regular_file_is_written_through(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("dash_cmd", [["check", "--format", "json"], ["map", "--no-check"]])
def test_dash_writes_to_stdout(dash_cmd, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from lzspatial.cli import main

    with pytest.raises(SystemExit) as info:
        main([*dash_cmd, "--out", "-"])
    out = capsys.readouterr().out
    assert info.value.code in (0, 1)
    assert out.lstrip().startswith(("{", "<!DOCTYPE", "<html"))
    assert not (tmp_path / "-").exists()


# ---- outputs vs inputs


def test_check_output_relations(tmp_path):
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "a.geojson").write_text("{}")
    (tmp_path / "hard").hardlink_to(plan / "a.geojson")
    (tmp_path / "alias").symlink_to(plan)
    with pytest.raises(OutputError, match="would overwrite the input"):
        check_output(plan / "a.geojson", inputs=[plan / "a.geojson"])
    with pytest.raises(OutputError, match="would overwrite the input"):
        check_output(tmp_path / "hard", inputs=[plan / "a.geojson"])
    with pytest.raises(OutputError, match="inside the input folder"):
        check_output(tmp_path / "alias" / "new.html", inputs=[plan])
    with pytest.raises(OutputError, match="contains the input"):
        check_output(tmp_path, folder=True, inputs=[plan])
    check_output(tmp_path / "out.html", inputs=[plan])  # a sibling is fine
    with input_scope():
        protect(plan)
        with pytest.raises(OutputError, match="inside the input folder"):
            write_text(plan / "x.json", "{}")
    write_text(tmp_path / "x.json", "{}")  # outside a scope: nothing registered


def _hostile_runs(plan: Path, sites: Path, rules: Path, tmp: Path) -> list[list[str]]:
    return [
        ["check", plan, "--rules", rules, "--format", "json", "--out", rules],
        ["check", plan, "--format", "json", "--out", plan / "rules.toml"],
        ["export", plan, "--crs", "EPSG:4550", "--out", plan],
        ["export", plan, "--out", plan / "sub"],
        ["export", plan, "--out", plan.parent],
        ["build", plan, "--out", plan],
        ["build", plan, "--out", plan / "maps"],
        ["build", plan, "--out", plan.parent],
        ["map", plan, "--out", plan / "towns.geojson"],
        ["map", plan, "--out", plan / "new.html"],
        ["screen", sites, "--plan", plan, "--out", plan / "zones.geojson"],
        ["screen", sites, "--out", sites],
        ["screen", sites, "--out", tmp / "r.csv", "--map", sites],
        ["screen", sites, "--skip-invalid", "--out", tmp / "r.csv", "--rejects", sites],
        ["report", sites, "--plan", plan, "--industry", "agriculture", "--out", plan / "plan.toml"],
        ["report", sites, "--industry", "agriculture", "--out", sites],
    ]


N_HOSTILE = 16


@pytest.mark.parametrize("k", range(N_HOSTILE))
def test_no_command_writes_over_into_or_around_an_input(k, tmp_path, capsys, monkeypatch):
    inputs = tmp_path / "in"
    plan = inputs / "plan"
    shutil.copytree(LAYERS, plan)
    sites = inputs / "sites.csv"
    sites.write_text("lon,lat\n122.7,41.5\n", encoding="utf-8")
    rules = inputs / "rules.toml"
    shutil.copyfile(LAYERS / "rules.toml", rules)
    runs = _hostile_runs(plan, sites, rules, tmp_path)
    assert len(runs) == N_HOSTILE
    monkeypatch.chdir(tmp_path)
    before = _digest(inputs)
    code, err = _main(runs[k], capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "input" in err, err
    assert _digest(inputs) == before


# ---- bad input is found before anything is written


def test_export_gbk_with_emoji_writes_nothing(plan_copy, tmp_path, capsys):
    import json

    path = plan_copy / "zones.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][-1]["properties"]["name_zh"] = "区😀"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "gk"
    out.mkdir()
    (out / "zones.txt").write_text("old")
    code, err = _main(["export", plan_copy, "--format", "gktxt", "--encoding", "gbk", "--out", out], capsys)
    assert code == 2 and str(out / "zones.txt") in err and ".stage" not in err, err
    assert sorted(p.name for p in out.iterdir()) == ["zones.txt"]
    assert (out / "zones.txt").read_text() == "old"


def test_staged_folder_publishes_all_or_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(InputError), staged_folder(tmp_path) as stage:
        write_text(stage / "a.txt", "new")
        (stage / "sub").mkdir()
        write_text(stage / "sub" / "b.txt", "new")
        raise InputError("a writer refused the data")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old"
    with staged_folder(tmp_path) as stage:
        write_text(stage / "a.txt", "new")
    assert (tmp_path / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


# ---- temp files: only a dead run's are cleaned


def test_clean_stale_temps_spares_live_runs(tmp_path):
    code = "import os; print(os.getpid())"
    dead = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live = tmp_path / f".lzspatial-tmp-{os.getpid()}-abc.gpkg"
    gone = tmp_path / f".lzspatial-tmp-{dead_pid}-abc.gpkg"
    stage = tmp_path / f".lzspatial-tmp-{dead_pid}-xyz.stage"
    for p in (live, gone):
        p.write_text("x")
    stage.mkdir()
    (stage / "f.json").write_text("{}")
    removed = clean_stale_temps(tmp_path)
    assert live.exists() and not gone.exists() and not stage.exists()
    assert sorted(removed) == sorted([gone, stage])


# ---- a full disk is one short line


_SQL = "INSERT INTO sites VALUES (" + ", ".join("?" for _ in range(3000)) + ")"


@pytest.mark.parametrize("suffix", [".gpkg", ".csv", ".geojson", ".parquet"])
def test_full_disk_is_one_short_line(suffix, tmp_path, capsys, monkeypatch):
    import pyogrio

    from lzspatial.screening import results

    def full(*a, **k):
        raise pyogrio.errors.DataSourceError(f"sqlite3_step() failed: database or disk is full ({_SQL})")

    def enospc(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results.pyogrio, "write_dataframe", full)
    for fmt in ("csv", "geojson", "parquet"):
        monkeypatch.setattr(results.ResultWriter, f"_write_{fmt}", enospc)
    sites = tmp_path / "sites.csv"
    sites.write_text("lon,lat\n122.7,41.5\n")
    code, err = _main(["screen", sites, "--out", tmp_path / f"r{suffix}"], capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and len(err) < 300, err
    assert "disk full" in err or "No space" in err
    assert [p.name for p in tmp_path.iterdir()] == ["sites.csv"]


def test_write_error_keeps_the_first_line_short():
    err = write_error("x.gpkg", RuntimeError("bad thing\n" + _SQL))
    assert str(err) == "x.gpkg: cannot write: bad thing"
    assert len(str(write_error("x.gpkg", RuntimeError(_SQL)))) < 240
