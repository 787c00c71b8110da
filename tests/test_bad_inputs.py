"""The bad-input corpus (tests/data/bad/): exit 2, one line naming file/feature/field, no traceback.

Every case also checks that its inputs are byte-identical afterwards and that no output or
temp file was left behind. The cases run in process; tests/cli/test_entry_points.py runs one
through the real console script.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import BAD, LAYERS


def _cases() -> list[dict]:
    cases = []
    for spec in sorted(BAD.glob("cases_*.toml")):
        cases.extend(tomllib.loads(spec.read_text(encoding="utf-8"))["case"])
    return cases


CASES = _cases()


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    if kind == "command":  # any command line: {plan} is a copy of the default plan, {file} the case file
        shutil.copytree(LAYERS, inputs / "plan")
        out.mkdir()
        return [a.replace("{plan}", str(inputs / "plan")).replace("{file}", str(src)) for a in extra], inputs
    if kind == "rules":
        return ["check", "--rules", str(src), *extra], inputs
    if kind == "sites":
        out.mkdir()
        target = (
            case.get("out", "{out}/result.geojson").replace("{out}", str(out)).replace("{tmp}", str(tmp_path))
        )
        return ["screen", str(src), "--out", target, *extra], inputs
    raise AssertionError(f"unknown case kind {kind!r}")


def test_corpus_has_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES)


def _run_in_process(args: list[str], capsys) -> tuple[int, str]:
    """Run the CLI's main() in this process (as the console script does); return (code, stderr)."""
    from lzspatial.cli import main

    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, tmp_path, capsys, monkeypatch):
    args, inputs = _setup(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _digest(inputs)
    code, err = _run_in_process(args, capsys)
    assert code == 2, (code, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("lzspatial: error: ")
    for fragment in case["expect"]:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert _digest(inputs) == before, "an input file was modified"
    out = tmp_path / "out"
    leftovers = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert leftovers == [], f"outputs written despite the error: {leftovers}"
