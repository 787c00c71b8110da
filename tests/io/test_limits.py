"""The input size limit (LZSPATIAL_MAX_INPUT_MB): oversized inputs are one clear error.

Moved from the former ``test_hardening.py``.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import run_cli


def test_oversized_layer_is_refused_with_limit(plan_copy, tmp_path):
    big = plan_copy / "towns.geojson"
    with open(big, "wb") as fh:  # a sparse 1 GB file: costs no disk
        fh.truncate(1024**3)
    res = run_cli("build", plan_copy, "--out", tmp_path / "out")
    assert res.returncode == 2
    assert "over the input limit of 512 MB" in res.stderr and "LZSPATIAL_MAX_INPUT_MB" in res.stderr
    assert res.stderr.count("\n") == 1


def test_input_limit_can_be_raised(plan_copy, tmp_path):
    env = {**os.environ, "LZSPATIAL_MAX_INPUT_MB": "0.001"}  # 1 KB: now even real layers are refused
    res = run_cli("validate", plan_copy, env=env)
    assert res.returncode == 2 and "over the input limit of 0.0009995 MB" in res.stderr


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan"])
def test_bad_input_limit_setting_is_one_error(value):
    res = run_cli("validate", env={**os.environ, "LZSPATIAL_MAX_INPUT_MB": value})
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"lzspatial: error: LZSPATIAL_MAX_INPUT_MB={value!r} is not a positive number of megabytes"
    ]
