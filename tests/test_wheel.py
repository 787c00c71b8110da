"""The wheel carries the default plan: build it, install it in a fresh venv, run it elsewhere.

The fresh venv gets the wheel installed by pip; its third-party dependencies are borrowed
from the test environment through a ``.pth`` file (so the test needs no network), while
lzspatial itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(dist.glob("lzspatial-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # dependencies only: the test environment's site-packages (its .pth hooks are not processed)
    (Path(purelib) / "_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(env_dir / "bin" / "lzspatial"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_wheel_contains_default_plan(fresh_env, tmp_path):
    py = fresh_env / "bin" / "python"
    out = subprocess.run(
        [
            str(py),
            "-c",
            "import lzspatial, lzspatial.plan as p; print(lzspatial.__file__); print(p.default_plan_dir())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    mod_file, plan_dir = out.stdout.split()
    assert str(fresh_env) in mod_file, "lzspatial must come from the wheel, not the checkout"
    assert plan_dir.endswith("_default_plan") and str(fresh_env) in plan_dir
    assert (Path(plan_dir) / "plan.toml").is_file()


def test_wheel_info_and_build_from_unrelated_folder(fresh_env, tmp_path):
    res = _run(fresh_env, "info", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert abs(json.loads(res.stdout)["boundary_area_km2"] - 1647) <= 5
    out = tmp_path / "built"
    res = _run(fresh_env, "build", "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (out / "summary.json").is_file()
