"""Fuzzed plan files (layers and manifest): loading raises only lzspatial's own errors.

Moved from the former ``test_hardening.py``. The number of examples comes from the hypothesis
profile (tests/conftest.py): few locally, many in CI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lzspatial.errors import LzSpatialError
from lzspatial.plan import load_plan
from tests.conftest import LAYERS

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


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_json | _geojsonish)
def test_fuzz_layer_json(fuzz_plan, doc):
    (fuzz_plan / "towns.geojson").write_text(json.dumps(doc), encoding="utf-8")
    _load_only_lzspatial_errors(fuzz_plan)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_fuzz_layer_bytes(fuzz_plan, data):
    (fuzz_plan / "core.geojson").write_bytes(data)
    _load_only_lzspatial_errors(fuzz_plan)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
