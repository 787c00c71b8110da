"""The bad-input corpus (tests/data/bad/): exit 2, one line naming file/feature/field, no traceback.

Every case also checks that its inputs are byte-identical afterwards and that no output or
temp file was left behind.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from pathlib import Path

import pytest

from .conftest import LAYERS, run_cli

BAD = Path(__file__).resolve().parent / "data" / "bad"


def _cases() -> list[dict]:
    cases = []
    for spec in sorted(BAD.glob("cases_*.toml")):
        cases.extend(tomllib.loads(spec.read_text(encoding="utf-8"))["case"])
    return cases


CASES = _cases()


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _setup(case: dict, tmp_path: Path) -> tuple[list[str], Path]:
    """Return (CLI args, folder of the inputs to hash)."""
    inputs = tmp_path / "in"
    out = tmp_path / "out"
    kind = case["kind"]
    if kind in ("layer", "manifest"):
        plan = inputs / "plan"
        shutil.copytree(LAYERS, plan)
        target = plan / ("plan.toml" if kind == "manifest" else f"{case['layer']}.geojson")
        shutil.copyfile(BAD / case["file"], target)
        return ["build", str(plan), "--out", str(out)], inputs
    inputs.mkdir()
    src = inputs / case["file"]
    shutil.copyfile(BAD / case["file"], src)
    extra = [a.replace("{out}", str(out)).replace("{tmp}", str(tmp_path)) for a in case.get("args", [])]
    if kind == "rules":
        return ["check", "--rules", str(src), *extra], inputs
    if kind == "sites":
        return ["screen", str(src), "--out", str(out / "result.geojson"), *extra], inputs
    raise AssertionError(f"unknown case kind {kind!r}")


def test_corpus_has_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, tmp_path):
    args, inputs = _setup(case, tmp_path)
    before = _digest(inputs)
    res = run_cli(*args, cwd=tmp_path)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    for fragment in case["expect"]:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert _digest(inputs) == before, "an input file was modified"
    out = tmp_path / "out"
    leftovers = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert leftovers == [], f"outputs written despite the error: {leftovers}"
