"""``lzspatial build``: what it writes, how it fails, and that an interrupted build loses nothing.

Atomicity is proven deterministically: the k-th ``os.replace`` of a full build fails, for every
k, and each time the outputs are the old or the new version, never partial or missing. A real
SIGKILL at random points (slow) checks the same against the operating system.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import LAYERS, REPO, run_cli


def test_build_writes_summary(built_maps):
    data = json.loads((built_maps / "summary.json").read_text(encoding="utf-8"))
    assert data["plan"] == "liaozhong-2023"


def test_build_into_unwritable_target_is_one_line(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    res = run_cli("build", "--out", target)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    assert target.read_text() == "x"


def test_build_exits_1_on_error_violations_but_writes_everything(plan_copy, tmp_path):
    rules = plan_copy / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    assert 'subject = {layer = "zones"}\nexact = 4' in text
    rules.write_text(
        text.replace('subject = {layer = "zones"}\nexact = 4', 'subject = {layer = "zones"}\nexact = 5'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = run_cli("build", plan_copy, "--out", out)
    assert res.returncode == 1, res.stderr
    assert "1 error(s)" in res.stdout
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["check"]["error"] == 1 and (out / "structure.html").is_file()


def test_build_refuses_before_writing_when_a_subfolder_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "exports").write_text("not a folder")
    res = run_cli("build", "--out", out)
    assert res.returncode == 2 and "exports: output path exists and is not a folder" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["exports"]


# ---------------------------------------------------------------- interrupted builds


def _change_plan(plan_dir: Path) -> None:
    """Change the plan so that a complete new build differs from the old one everywhere it can."""
    toml = plan_dir / "plan.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'title_en = "Liaozhong District 2023' in text
    toml.write_text(
        text.replace('title_en = "Liaozhong District 2023', 'title_en = "Liaozhong District (v2) 2023'),
        encoding="utf-8",
    )


def _hashes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(s.startswith(".lzspatial-tmp-") for s in p.relative_to(folder).parts)
    }


@pytest.mark.slow
def test_sigkill_during_build_loses_nothing(plan_copy, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out, ref = tmp_path / "out", tmp_path / "ref"
    assert run_cli("build", plan_copy, "--out", out).returncode == 0
    old = _hashes(out)
    _change_plan(plan_copy)
    assert run_cli("build", plan_copy, "--out", ref).returncode == 0
    new = _hashes(ref)
    assert new != old
    killed = 0
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.5, 3.0, 4.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "lzspatial", "build", str(plan_copy), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        for name, data in _hashes(out).items():
            assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new version"
    assert killed >= 1, "the build always finished before the kill: nothing was tested"
    assert run_cli("build", plan_copy, "--out", out).returncode == 0
    assert list(out.rglob(".lzspatial-tmp-*")) == []
    assert _hashes(out) == new


#: The number of files a build writes (and so of os.replace calls), from the committed maps/.
N_OUTPUTS = len(json.loads((REPO / "maps" / "summary.json").read_text(encoding="utf-8"))["files"])
#: A build writes every output into a staging folder (exports stage once more inside it), then
#: moves the set into place, one replace per output. The default run injects a failure at the
#: first replace, the first and third publishing replace and the last; every k runs with
#: --runslow and in CI.


def _phase(dst: Path, out: Path) -> tuple[str, str]:
    """("stage" or "publish", the output's name relative to *out*) of one replace."""
    parts = dst.relative_to(out).parts
    name = "/".join(p for p in parts if not p.startswith(".lzspatial-tmp-"))
    return ("stage" if parts[0].startswith(".lzspatial-tmp-") else "publish"), name


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory) -> dict:
    """A plan copy whose old build is saved in a snapshot, then changed; its new build and replaces."""
    tmp = tmp_path_factory.mktemp("atomic")
    plan = tmp / "plan"
    shutil.copytree(LAYERS, plan)
    snapshot, ref = tmp / "old", tmp / "ref"
    assert run_cli("build", plan, "--out", snapshot).returncode == 0
    _change_plan(plan)
    real_replace = os.replace
    targets: list[Path] = []

    def counting_replace(src, dst, *args, **kwargs):
        targets.append(Path(dst))
        return real_replace(src, dst, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", counting_replace)
        assert run_cli("build", plan, "--out", ref).returncode == 0
    return {
        "plan": plan,
        "snapshot": snapshot,
        "old": _hashes(snapshot),
        "new": _hashes(ref),
        "targets": [_phase(t, ref) for t in targets],
    }


def test_every_output_is_written_by_one_replace(old_and_new):
    old, new, targets = old_and_new["old"], old_and_new["new"], old_and_new["targets"]
    assert set(new) == set(old), "the new build writes other files than the old one"
    assert all(new[name] != old[name] for name in ("summary.json", "structure.html"))
    # every output is written into the staging folder by one replace, then reaches its place by one
    staged = [name for phase, name in targets if phase == "stage"]
    published = [name for phase, name in targets if phase == "publish"]
    assert set(staged) == set(new) and sorted(published) == sorted(new)
    assert targets[: len(staged)] == [("stage", n) for n in staged], "publishing began before staging ended"
    assert len(published) == N_OUTPUTS, "maps/summary.json lists another number of files: rebuild maps/"


def _quick_ks(targets: list[tuple[str, str]]) -> list[int]:
    first_publish = next(i for i, (phase, _) in enumerate(targets, 1) if phase == "publish")
    return sorted({1, first_publish, first_publish + 2, len(targets)})


def test_failing_replace_quick(old_and_new, tmp_path, monkeypatch):
    for k in _quick_ks(old_and_new["targets"]):
        _failing_replace_leaves_old_or_new_outputs(old_and_new, tmp_path / str(k), monkeypatch, k)


@pytest.mark.slow
def test_failing_replace_every_k(old_and_new, tmp_path, monkeypatch):
    for k in range(1, len(old_and_new["targets"]) + 1):
        _failing_replace_leaves_old_or_new_outputs(old_and_new, tmp_path / str(k), monkeypatch, k)


def _failing_replace_leaves_old_or_new_outputs(old_and_new, tmp_path, monkeypatch, k):
    """Make the k-th ``os.replace`` of a build fail: each output stays old or becomes new, none is lost."""
    old, new, targets = old_and_new["old"], old_and_new["new"], old_and_new["targets"]
    assert k <= len(targets), f"the build makes only {len(targets)} replaces"
    out = tmp_path / "out"
    shutil.copytree(old_and_new["snapshot"], out)  # tmp_path / str(k) is created by the copy
    real_replace = os.replace
    calls = 0

    def failing_replace(src, dst, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == k:
            raise OSError(errno.ENOSPC, "No space left on device (injected)")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    res = run_cli("build", old_and_new["plan"], "--out", out)
    monkeypatch.setattr(os, "replace", real_replace)
    where = f"replace {k} of {len(targets)} ({targets[k - 1]})"
    assert res.returncode == 2, f"{where}: exit {res.returncode}: {res.stderr}"
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lzspatial: error: "), f"{where}: {res.stderr!r}"
    assert "Traceback" not in res.stderr
    assert list(out.rglob(".lzspatial-tmp-*")) == [], f"{where}: temp files left"
    now = _hashes(out)
    assert set(now) == set(old), f"{where}: outputs missing or extra after the failure"
    for name, data in now.items():
        assert data in (old[name], new[name]), f"{where}: {name} is neither the old nor the new version"
    # a failure while staging changes nothing; while publishing, the outputs moved before it are new
    assert {name for name in now if now[name] == new[name] != old[name]} == {
        name for phase, name in targets[: k - 1] if phase == "publish" and new[name] != old[name]
    }, where
    # and a build that is not interrupted completes the new version
    if k == len(targets):
        assert run_cli("build", old_and_new["plan"], "--out", out).returncode == 0
        assert _hashes(out) == new and list(out.rglob(".lzspatial-tmp-*")) == []
