"""The committed outputs in maps/ are what `lzspatial build` makes now: fails when stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

MAPS = REPO / "maps"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh(built_maps) -> Path:
    return built_maps


def test_committed_maps_are_not_stale(fresh):
    committed, rebuilt = _files(MAPS), _files(fresh)
    assert sorted(committed) == sorted(rebuilt), "maps/ holds other files than `lzspatial build` writes"
    stale = [name for name in rebuilt if committed[name] != rebuilt[name]]
    assert not stale, f"maps/ is stale, run `lzspatial build`: {stale}"


def test_two_builds_are_byte_identical(fresh, tmp_path):
    again = tmp_path / "again"
    assert run_cli("build", "--out", again).returncode == 0
    assert _files(again) == _files(fresh)


def test_build_writes_every_output(fresh):
    names = set(_files(fresh))
    assert {
        "structure.html",
        "check.json",
        "violations.geojson",
        "summary.json",
        "exports/liaozhong-2023.gpkg",
        "exports/geojson/plan.geojson",
    } <= names
    assert all(not n.rsplit("/", 1)[-1].startswith(".lzspatial-tmp-") for n in names)
