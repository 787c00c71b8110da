"""Hardening: fuzzed plan files, oversized inputs, interrupted builds."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lzspatial.errors import LzSpatialError
from lzspatial.plan import load_plan

from .conftest import LAYERS, run_cli

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_json = st.recursive(
    _scalars,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(
    [
        "type",
        "features",
        "geometry",
        "properties",
        "coordinates",
        "crs",
        "id",
        "kind",
        "name_zh",
        "functions",
        "tags",
        "rank",
    ]
)
_geojsonish = st.recursive(
    _scalars | st.just("Feature") | st.just("FeatureCollection") | st.just("Point") | st.just("Polygon"),
    lambda c: st.lists(c, max_size=5) | st.dictionaries(_keys, c, max_size=5),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def fuzz_plan(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("fuzz") / "plan"
    shutil.copytree(LAYERS, dst)
    return dst


def _load_only_lzspatial_errors(folder: Path) -> None:
    try:
        load_plan(folder)
    except LzSpatialError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_json | _geojsonish)
def test_fuzz_layer_json(fuzz_plan, doc):
    (fuzz_plan / "towns.geojson").write_text(json.dumps(doc), encoding="utf-8")
    _load_only_lzspatial_errors(fuzz_plan)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    feats=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": _json | st.dictionaries(_keys, _scalars),
                "geometry": _geojsonish,
            }
        ),
        max_size=4,
    )
)
def test_fuzz_feature_collections(fuzz_plan, feats):
    (fuzz_plan / "parks.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    _load_only_lzspatial_errors(fuzz_plan)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_fuzz_layer_bytes(fuzz_plan, data):
    (fuzz_plan / "core.geojson").write_bytes(data)
    _load_only_lzspatial_errors(fuzz_plan)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300)
    | st.sampled_from(["[plan]\nid=1", "[[layers]]\nfile=1", "[vocabularies]\nx=[]"])
)
def test_fuzz_manifest(fuzz_plan, text):
    original = (LAYERS / "plan.toml").read_text(encoding="utf-8")
    (fuzz_plan / "plan.toml").write_text(text, encoding="utf-8")
    try:
        _load_only_lzspatial_errors(fuzz_plan)
    finally:
        (fuzz_plan / "plan.toml").write_text(original, encoding="utf-8")


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
    # change the plan so that a complete new build differs from the old one everywhere it can
    toml = plan_copy / "plan.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'title_en = "Liaozhong District 2023', 'title_en = "Liaozhong District (v2) 2023'
        ),
        encoding="utf-8",
    )
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


_cell = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
    | st.floats().map(str)
    | st.integers().map(str)
    | st.sampled_from(["122.75", "41.52", "", "NaN", "inf", "-1e308", "经度"])
)


@settings(max_examples=150, deadline=None)
@given(
    header=st.lists(
        st.sampled_from(["lon", "lat", "x", "y", "name", "经度", "纬度", "lng", ""]) | st.text(max_size=5),
        min_size=0,
        max_size=4,
    ),
    rows=st.lists(st.lists(_cell, max_size=5), max_size=6),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_fuzz_site_csv(tmp_path_factory, header, rows, sep):
    from lzspatial.screening.sites import read_sites

    path = tmp_path_factory.mktemp("csv") / "sites.csv"
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]), encoding="utf-8")
    for skip in (False, True):
        try:
            read_sites(path, skip_invalid=skip)
        except LzSpatialError:
            pass


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_fuzz_site_bytes(tmp_path_factory, data):
    from lzspatial.screening.sites import read_sites

    folder = tmp_path_factory.mktemp("bytes")
    for name in ("sites.csv", "sites.geojson"):
        (folder / name).write_bytes(data)
        try:
            read_sites(folder / name)
        except LzSpatialError:
            pass


_toml_value = st.recursive(
    st.integers(-10, 10)
    | st.text(max_size=12)
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda c: st.lists(c, max_size=3),
    max_leaves=6,
)
_rule = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "title_zh",
            "title_en",
            "severity",
            "kind",
            "subject",
            "objects",
            "container",
            "distance_m",
            "tolerance_m",
            "tolerance_m2",
            "exact",
            "min",
            "max",
            "field",
            "values",
            "basis",
        ]
    ),
    _toml_value
    | st.fixed_dictionaries(
        {"layer": st.sampled_from(["zones", "parks", "nope"]), "where": st.text(max_size=30)}
    ),
    max_size=10,
)


@settings(max_examples=200, deadline=None)
@given(rules=st.lists(_rule, max_size=3))
def test_fuzz_rule_parser(default_plan, rules):
    from lzspatial.rules.engine import check_plan
    from lzspatial.rules.ruleset import parse_rules

    try:
        check_plan(default_plan, parse_rules({"rules": rules}, source="fuzz.toml"))
    except LzSpatialError:
        pass


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_fuzz_filter_grammar(text):
    from lzspatial.rules.filters import parse_filter

    try:
        parse_filter(text, rule_id="fuzz", key="subject.where", source="fuzz.toml")
    except LzSpatialError:
        pass


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan"])
def test_bad_input_limit_setting_is_one_error(value):
    res = run_cli("validate", env={**os.environ, "LZSPATIAL_MAX_INPUT_MB": value})
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"lzspatial: error: LZSPATIAL_MAX_INPUT_MB={value!r} is not a positive number of megabytes"
    ]
