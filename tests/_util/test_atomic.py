"""Atomic writes: a failed write leaves the target as it was and no temp file behind."""

from __future__ import annotations

import errno
import os

import pytest

from lzspatial._util.atomic import TMP_PREFIX, atomic_path, clean_stale_temps, write_bytes, write_text
from lzspatial.errors import OutputError


def test_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    assert write_text(target, "new\r\n") == target
    assert target.read_bytes() == b"new\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failing_writer_leaves_target_and_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failing_replace_is_an_output_error(tmp_path, monkeypatch):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")

    def fail(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="No space left on device"):
        write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_missing_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist; create it first"):
        write_text(tmp_path / "nope" / "a.txt", "x")


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)  # that process has exited


def test_clean_stale_temps_is_bounded_and_only_ours(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    dead = _dead_pid()
    ours = [
        tmp_path / f"{TMP_PREFIX}{dead}-1",
        tmp_path / "a" / f"{TMP_PREFIX}{dead}-2",
        tmp_path / "a" / "b" / f"{TMP_PREFIX}{dead}-3",
    ]
    too_deep = deep / f"{TMP_PREFIX}{dead}-4"
    other = tmp_path / "keep.txt"
    live = tmp_path / f"{TMP_PREFIX}{os.getpid()}-5"  # a running process's temp file stays
    for p in [*ours, too_deep, other, live]:
        p.write_text("x")
    assert sorted(clean_stale_temps(tmp_path)) == sorted(ours)
    assert too_deep.exists() and other.exists() and live.exists() and not any(p.exists() for p in ours)


def test_a_target_makes_no_file_until_the_writer_does(tmp_path, monkeypatch):
    """Nothing named appears when a target is made: a signal there can leave no temp file behind."""
    from lzspatial._util.atomic import AtomicTarget

    made: list[str] = []
    real_open = os.open

    def watch(path, flags, *args):
        made.append(str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", watch)
    target = AtomicTarget(tmp_path / "out.gpkg")
    assert list(tmp_path.iterdir()) == []
    assert target.tmp.name.startswith(f"{TMP_PREFIX}{os.getpid()}-") and target.tmp.suffix == ".gpkg"
    if hasattr(os, "O_TMPFILE"):  # the probe is an unnamed file in the folder itself
        assert made == [str(tmp_path)]
    assert AtomicTarget(tmp_path / "out.gpkg").tmp != target.tmp


def test_an_unwritable_folder_is_found_by_the_probe(tmp_path, monkeypatch):
    from lzspatial._util import atomic

    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "open", refuse)
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match="cannot write into .*No space left"):
        atomic.AtomicTarget(tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []
