"""The bulk loader (lzspatial.plan.bulk) against the per-feature reference path.

Both paths must give the same plan (frames identical, value by value) or the same error
(the same message and the same list of problems), whatever the layer files hold. The bulk
path must also really be taken for clean layers, or these comparisons would prove nothing.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from lzspatial.errors import LzSpatialError
from lzspatial.io.geojson import MAX_JSON_DEPTH
from lzspatial.plan.bulk import BulkLayer, read_layer_bulk
from lzspatial.plan.manifest import read_manifest
from lzspatial.plan.model import _read_folder
from lzspatial.plan.schema import ELEMENTS
from tests.conftest import LAYERS, REPO
from tests.plan.test_fuzz import _geojsonish, _json

# ---------------------------------------------------------------------------
# comparing the two paths
# ---------------------------------------------------------------------------


def assert_same_frames(a: Any, b: Any) -> None:
    """Two plans hold identical frames: columns, dtypes, index, values (type and repr), geometries."""
    assert a.layer_names == b.layer_names
    for name in a.layer_names:
        fa, fb = a._frames[name], b._frames[name]
        pd.testing.assert_frame_equal(fa, fb, check_exact=True, check_index_type=True, check_column_type=True)
        assert list(fa.dtypes) == list(fb.dtypes), name
        assert type(fa.index) is type(fb.index), name
        assert fa.crs == fb.crs, name
        assert (shapely.to_wkb(fa.geometry.values) == shapely.to_wkb(fb.geometry.values)).all(), name
        for col in fa.columns.drop("geometry"):
            va, vb = list(fa[col]), list(fb[col])
            assert [type(v) for v in va] == [type(v) for v in vb], (name, col)
            assert [repr(v) for v in va] == [repr(v) for v in vb], (name, col)


def outcome(folder: Path, *, bulk: bool) -> Any:
    """The plan, or the error as (type, message, problems)."""
    try:
        return _read_folder(folder, bulk=bulk)
    except LzSpatialError as err:
        return (type(err).__name__, str(err), getattr(err, "problems", None))


def assert_same_outcome(folder: Path) -> Any:
    fast, slow = outcome(folder, bulk=True), outcome(folder, bulk=False)
    if isinstance(slow, tuple) or isinstance(fast, tuple):
        assert fast == slow
    else:
        assert_same_frames(fast, slow)
    return slow


def bulk_layers(folder: Path) -> dict[str, bool]:
    """Whether each layer of the plan in *folder* passes the bulk checks."""
    manifest = read_manifest(folder)
    out = {}
    for entry in manifest.layers:
        path = folder / entry.file
        problems: list[str] = []
        raw = read_layer_bulk(path, ELEMENTS[entry.element], manifest.vocabularies, str(path), problems)
        out[entry.name] = isinstance(raw, BulkLayer) and not problems
    return out


# ---------------------------------------------------------------------------
# a generated plan: the default plan with many features in eight layers
# ---------------------------------------------------------------------------

GENERATED = ("zones", "control_lines", "parks", "axes", "transport", "water", "towns", "centers")
N = 60


def _inside_points(n: int, seed: int) -> np.ndarray:
    doc = json.loads((LAYERS / "boundary.geojson").read_text(encoding="utf-8"))
    inner = shapely.geometry.shape(doc["features"][0]["geometry"]).buffer(-0.03)
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = inner.bounds
    out = []
    while len(out) < n:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if inner.contains(shapely.Point(x, y)):
            out.append((float(x), float(y)))
    return np.array(out)


def _square(x: float, y: float, s: float) -> list[list[float]]:
    return [[x - s, y - s], [x + s, y - s], [x + s, y + s], [x - s, y + s], [x - s, y - s]]


def _geometry(layer: str, i: int, x: float, y: float) -> dict[str, Any]:
    s = 0.004
    if layer in ("zones", "parks"):
        if i % 5 == 1:  # a hole
            return {"type": "Polygon", "coordinates": [_square(x, y, s), _square(x, y, s / 3)[::-1]]}
        if i % 7 == 2 and layer == "zones":  # mixed with MultiPolygon in one layer
            return {
                "type": "MultiPolygon",
                "coordinates": [[_square(x, y, s / 2)], [_square(x + s, y, s / 3)]],
            }
        return {"type": "Polygon", "coordinates": [_square(x, y, s)]}
    if layer == "control_lines":
        return {"type": "MultiPolygon", "coordinates": [[_square(x, y, s)]]}
    if layer in ("axes", "transport", "water"):
        if i % 6 == 3:
            return {
                "type": "MultiLineString",
                "coordinates": [[[x - s, y], [x, y + s]], [[x, y], [x + s, y], [x + s, y + s]]],
            }
        return {"type": "LineString", "coordinates": [[x - s, y - s], [x + s, y + s / 2]]}
    return {"type": "Point", "coordinates": [x, y]}


def _props(layer: str, i: int) -> dict[str, Any]:
    p: dict[str, Any] = {
        "id": f"{layer.replace('_', '-')}-{i}",
        "name_zh": f"图层{i}",
        "name_en": f"{layer} {i}",
        "geometry_basis": ("sourced", "derived", "schematic")[i % 3],
        "source": f"generated: seed {i}",
    }
    if i % 2:
        p["note"] = "a note: with a colon"
    if i % 4 == 0:
        p["note_zh"] = "注释"
    if layer == "zones":
        p["functions"] = ["modern_agriculture"] if i % 3 else []
    elif layer in ("control_lines",):
        p["kind"] = ("eco_red_line", "basic_farmland", "urban_development_boundary")[i % 3]
    elif layer == "parks":
        p.update(kind="logistics_park", industries=["trade_logistics"], status="planned")
    elif layer == "axes":
        p["role"] = "generated"
        if i % 3 == 0:
            p["toward"] = "north"
    elif layer == "transport":
        p["kind"] = ("railway", "expressway")[i % 2]
        if i % 2:
            p["ref"] = f"G{i}"
    elif layer == "water":
        p["kind"] = "river"
    elif layer == "towns":
        p.update(code=f"{210115000 + i:09d}", kind="town", rank="general", tags=[], pinyin=f"zhen{i}")
    elif layer == "centers":
        p["rank"] = ("main", "secondary")[i % 2]
    if i % 9 == 4:  # properties the schema does not know: kept as extra columns
        p["remark"] = {"by": "test", "at": [1, 2.5, None, True]}
    if i % 11 == 5:
        p["count"] = i
    return p


def generated_features(seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    pts = _inside_points(N, seed)
    out = {}
    for k, layer in enumerate(GENERATED):
        off = 0.0005 * k
        out[layer] = [
            {
                "type": "Feature",
                "properties": _props(layer, i),
                "geometry": _geometry(layer, i, x + off, y + off),
            }
            for i, (x, y) in enumerate(pts)
        ]
    return out


def layer_text(feats: list[Any]) -> str:
    """A FeatureCollection, one feature per line; a str item is written as it is."""
    lines = [f if isinstance(f, str) else json.dumps(f, ensure_ascii=False) for f in feats]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def write_plan(folder: Path, layers: dict[str, list[Any]]) -> Path:
    shutil.copytree(LAYERS, folder)
    for name, feats in layers.items():
        (folder / f"{name}.geojson").write_text(layer_text(feats), encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------
# clean plans: the same frames, through the bulk path
# ---------------------------------------------------------------------------


def test_default_plan_is_read_in_bulk_with_identical_frames():
    assert all(bulk_layers(LAYERS).values()), bulk_layers(LAYERS)
    assert_same_frames(_read_folder(LAYERS, bulk=True), _read_folder(LAYERS, bulk=False))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_plan_is_read_in_bulk_with_identical_frames(tmp_path, seed):
    folder = write_plan(tmp_path / "plan", generated_features(seed))
    assert all(bulk_layers(folder).values()), bulk_layers(folder)
    plan = assert_same_outcome(folder)
    assert len(plan["zones"]) == N
    assert set(plan["zones"].geometry.geom_type) == {"Polygon", "MultiPolygon"}
    assert plan["zones"]["note"].isna().sum() == N // 2  # strings and nulls: NaN, as pandas made them


def test_benchmark_plans_are_read_in_bulk_with_identical_frames(tmp_path, monkeypatch):
    """The plans of benchmarks/diff.py (the data of issue 16), at 200 features per layer."""
    monkeypatch.setattr(sys, "argv", ["diff.py"])
    spec = importlib.util.spec_from_file_location("bench_diff", REPO / "benchmarks" / "diff.py")
    assert spec is not None and spec.loader is not None
    diff = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(diff)
    diff.N = 200
    a, b = diff.make_plans(tmp_path)
    for folder in (a, b):
        assert all(bulk_layers(folder).values())
        assert_same_outcome(folder)


# ---------------------------------------------------------------------------
# one damaged feature: the bulk path gives exactly the per-feature path's answer
# ---------------------------------------------------------------------------


def _first_position(geom: dict[str, Any]) -> list[Any]:
    c = geom["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return c


def _positions(c: Any) -> list[list[Any]]:
    return [c] if not isinstance(c[0], list) else [p for part in c for p in _positions(part)]


def _raw(feat: dict[str, Any], old: str, new: str) -> str:
    text = json.dumps(feat, ensure_ascii=False)
    assert old in text
    return text.replace(old, new, 1)


def _set(feat, key, value):
    feat["properties"][key] = value
    return feat


def _coordinate_text(feat, literal):
    x = _first_position(feat["geometry"])[0]
    return _raw(feat, json.dumps(x), literal)


def _invalid(feat):
    g = feat["geometry"]
    x, y = _first_position(g)[:2]
    if g["type"] in ("Polygon", "MultiPolygon"):  # a bow tie
        ring = [[x, y], [x + 0.01, y + 0.01], [x + 0.01, y], [x, y + 0.01], [x, y]]
        g.update(type="Polygon", coordinates=[ring])
    elif g["type"] in ("LineString", "MultiLineString"):  # two equal positions
        g.update(type="LineString", coordinates=[[x, y], [x, y]])
    else:
        g["coordinates"] = [x]
    return feat


def _unclosed(feat):
    g = feat["geometry"]
    if g["type"] == "Polygon":
        g["coordinates"][0][-1] = [v + 0.001 for v in g["coordinates"][0][-1]]
    elif g["type"] == "MultiPolygon":
        g["coordinates"][0][0] = g["coordinates"][0][0][:3]
    return feat


def _move(feat, dx, swap=False):
    for pos in _positions(feat["geometry"]["coordinates"]):
        pos[0] += dx
        if swap:
            pos[0], pos[1] = pos[1], pos[0]
    return feat


def _int_coordinates(feat):
    for pos in _positions(feat["geometry"]["coordinates"]):
        pos[0], pos[1] = round(pos[0]), round(pos[1])
    return feat


def _third_coordinate(feat):
    _first_position(feat["geometry"]).append(0.0)
    return feat


def _deep(feat, depth):
    return _raw(feat, '"properties": {', '"properties": {"deep": ' + "[" * depth + "]" * depth + ", ")


def _duplicate_key(feat):
    return _raw(feat, '"properties": {', '"properties": {"id": "dup-first", ')


def _duplicate_key_hidden(feat):
    # a duplicate key, and a colon written as \u003a: the colons of the text still add up
    return _raw(feat, '"properties": {', '"properties": {"remark2": "a\\u003ab", "id": "dup-first", ')


DAMAGES = {
    "nan": lambda f, o: _coordinate_text(f, "NaN"),
    "infinity": lambda f, o: _coordinate_text(f, "-Infinity"),
    "overflow": lambda f, o: _coordinate_text(f, "1e400"),
    "huge integer": lambda f, o: _raw(f, '"properties": {', '"properties": {"n": 123456789012345678901234, '),
    "large integer": lambda f, o: _raw(f, '"properties": {', '"properties": {"n": 9223372036854775807, '),
    "bool coordinate": lambda f, o: _coordinate_text(f, "true"),
    "string coordinate": lambda f, o: _coordinate_text(f, '"122.5"'),
    "null coordinate": lambda f, o: _coordinate_text(f, "null"),
    "integer coordinates": lambda f, o: _int_coordinates(f),
    "third coordinate": lambda f, o: _third_coordinate(f),
    "missing field": lambda f, o: (f["properties"].pop("name_en"), f)[1],
    "null field": lambda f, o: _set(f, "source", None),
    "wrong type": lambda f, o: _set(f, "name_zh", 5),
    "bool for string": lambda f, o: _set(f, "name_en", True),
    "list of numbers": lambda f, o: (
        _set(f, "functions", [1]) if "functions" in f["properties"] else _set(f, "tags", [1])
    ),
    "empty string": lambda f, o: _set(f, "name_en", "  "),
    "bad id": lambda f, o: _set(f, "id", "Bad ID"),
    "bad vocabulary": lambda f, o: _set(f, "geometry_basis", "guessed"),
    "reserved name": lambda f, o: _set(f, "FID", 1),
    "names differing in case": lambda f, o: _set(f, "Name_zh", "x"),
    "duplicate key": lambda f, o: _duplicate_key(f),
    "duplicate key, escaped colon": lambda f, o: _duplicate_key_hidden(f),
    "escaped colon": lambda f, o: _raw(f, '"properties": {', '"properties": {"remark2": "a\\u003ab", '),
    "colon in a key": lambda f, o: _set(f, "a:b", 1),
    "id of another layer": lambda f, o: _set(f, "id", o),
    "outside the boundary": lambda f, o: _move(f, 1.5),
    "lon/lat swapped": lambda f, o: _move(f, 0.0, swap=True),
    "invalid geometry": lambda f, o: _invalid(f),
    "unclosed ring": lambda f, o: _unclosed(f),
    "null geometry": lambda f, o: {**f, "geometry": None},
    "geometry type": lambda f, o: {**f, "geometry": {"type": "MultiPoint", "coordinates": [[122.6, 41.5]]}},
    "not a feature": lambda f, o: [f],
    "properties not an object": lambda f, o: {**f, "properties": [f["properties"]]},
    "feature type": lambda f, o: {**f, "type": "feature"},
    "extra feature member": lambda f, o: {**f, "id": "x:y", "bbox": [1, 2, 3, 4]},
    "extra geometry member": lambda f, o: {**f, "geometry": {**f["geometry"], "bbox": [0, 0, 1, 1]}},
    "nesting near the limit": lambda f, o: _deep(f, MAX_JSON_DEPTH - 12),
    "nesting at the limit": lambda f, o: _deep(f, MAX_JSON_DEPTH - 3),
    "nesting beyond the limit": lambda f, o: _deep(f, MAX_JSON_DEPTH + 5),
}


#: Damages that leave the layer clean by itself (read in bulk): valid, or found across layers.
LAYER_CLEAN = {
    "integer coordinates",
    "extra feature member",
    "extra geometry member",
    "large integer",
    "nesting near the limit",
    "id of another layer",
    "outside the boundary",
    "lon/lat swapped",
}


@given(
    layer=st.sampled_from(GENERATED),
    index=st.integers(0, N - 1),
    damage=st.sampled_from(sorted(DAMAGES)),
)
def test_one_damaged_feature_gives_the_reference_answer(layer, index, damage):
    layers = generated_features()
    other = "zones-0" if layer != "zones" else "towns-0"
    layers[layer][index] = DAMAGES[damage](layers[layer][index], other)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_plan(Path(tmp) / "plan", layers)
        assert_same_outcome(folder)


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_each_damage_gives_the_reference_answer(tmp_path, damage):
    """Every damage once, on a polygon layer, so none is left to chance."""
    layers = generated_features()
    layers["zones"][7] = DAMAGES[damage](layers["zones"][7], "towns-0")
    folder = write_plan(tmp_path / "plan", layers)
    assert_same_outcome(folder)
    if damage not in LAYER_CLEAN:
        assert not bulk_layers(folder)["zones"], "the damaged layer is read feature by feature"


def test_errors_are_the_reference_errors(tmp_path):
    """A few damages at once, in several layers: every problem, in the same order."""
    layers = generated_features()
    layers["zones"][3] = DAMAGES["bad vocabulary"](layers["zones"][3], "")
    layers["towns"][5] = DAMAGES["outside the boundary"](layers["towns"][5], "")
    layers["axes"][8] = DAMAGES["id of another layer"](layers["axes"][8], "zones-1")
    layers["parks"][2] = DAMAGES["lon/lat swapped"](layers["parks"][2], "")
    folder = write_plan(tmp_path / "plan", layers)
    error = assert_same_outcome(folder)
    assert error[0] == "SchemaError" and len(error[2]) == 4, error


@given(doc=_json | _geojsonish)
def test_fuzzed_layers_give_the_reference_answer(doc):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_plan(Path(tmp) / "plan", {})
        (folder / "towns.geojson").write_text(json.dumps(doc), encoding="utf-8")
        assert_same_outcome(folder)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff{}",
        '{"type": "FeatureCollection", "features": []}',
        '{"type": "FeatureCollection", "features": {}}',
        '{"type": "FeatureCollection"}',
        '{"type": "FeatureCollection", "features": [], "crs": {"properties": {"name": "EPSG:3857"}}}',
        "[1, 2",
    ],
)
def test_broken_files_give_the_reference_answer(tmp_path, text):
    folder = write_plan(tmp_path / "plan", {})
    (folder / "centers.geojson").write_text(text, encoding="utf-8")
    assert_same_outcome(folder)


def test_integer_coordinates_are_read_in_bulk(tmp_path):
    layers = generated_features()
    layers["transport"][4]["geometry"] = {"type": "LineString", "coordinates": [[122, 41], [123, 42]]}
    folder = write_plan(tmp_path / "plan", layers)
    assert bulk_layers(folder)["transport"]
    plan = assert_same_outcome(folder)
    assert plan["transport"].geometry.iloc[4].coords[:] == [(122.0, 41.0), (123.0, 42.0)]


def test_nesting_at_every_depth_near_the_limit_gives_the_reference_answer(tmp_path):
    layers = generated_features()
    folder = write_plan(tmp_path / "plan", {})
    for depth in range(MAX_JSON_DEPTH - 16, MAX_JSON_DEPTH + 3):
        feats = [_deep(json.loads(json.dumps(layers["centers"][0])), depth)]
        (folder / "centers.geojson").write_text(layer_text(feats), encoding="utf-8")
        assert_same_outcome(folder)


def test_a_key_first_seen_in_a_later_chunk(tmp_path):
    """Columns of keys that appear only late (after the first chunk of features), mixed geometry types."""
    many = 1300
    pts = _inside_points(many, 5)
    feats = []
    for i, (x, y) in enumerate(pts):
        props = _props("zones", i)
        props.pop("remark", None)
        if i >= 1100:
            props["late"] = "a:b" if i % 2 else None
        if i == 1200:
            props["note"] = None
        geom = _geometry("zones", i, float(x), float(y))
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    folder = write_plan(tmp_path / "plan", {"zones": feats})
    assert bulk_layers(folder)["zones"]
    plan = assert_same_outcome(folder)
    assert plan["zones"]["late"].notna().sum() == 100


def test_large_layers_near_and_across_the_boundary_give_the_reference_answer(tmp_path):
    """Layers large enough to be tested against the boundary by cells, with features on its edge."""
    doc = json.loads((LAYERS / "boundary.geojson").read_text(encoding="utf-8"))
    boundary = shapely.geometry.shape(doc["features"][0]["geometry"])
    ring = np.asarray(boundary.geoms[0].exterior.coords)
    pts = _inside_points(2600, 7)
    edge = ring[:: max(1, len(ring) // 60)][:60]  # positions on the boundary: some in, some out
    pts[:60] = edge
    pts[60:70] += (0.3, 0.0)  # outside
    towns, zones = [], []
    for i, (x, y) in enumerate(pts):
        towns.append(
            {"type": "Feature", "properties": _props("towns", i), "geometry": _geometry("towns", i, x, y)}
        )
        zones.append(
            {"type": "Feature", "properties": _props("zones", i), "geometry": _geometry("zones", i, x, y)}
        )
    folder = write_plan(tmp_path / "plan", {"towns": towns, "zones": zones})
    assert bulk_layers(folder)["towns"] and bulk_layers(folder)["zones"]
    error = assert_same_outcome(folder)
    assert error[0] == "SchemaError" and len(error[2]) > 20, error


@given(
    x=st.floats(-60_000, 60_000),
    y=st.floats(-60_000, 60_000),
    w=st.floats(0, 3_000),
    h=st.floats(0, 3_000),
)
def test_cells_vouch_only_for_covered_boxes(x, y, w, h):
    from lzspatial.plan.bulk import _Cells

    near = shapely.Point(0, 0).buffer(40_000, quad_segs=3).union(shapely.box(-50_000, -5_000, 0, 5_000))
    shapely.prepare(near)
    cells = _Cells(near)
    box = np.array([x]), np.array([y]), np.array([x + w]), np.array([y + h])
    if cells.cover(*box)[0]:
        assert near.covers(shapely.box(x, y, x + w, y + h))


def test_cells_vouch_for_boxes_well_inside():
    from lzspatial.plan.bulk import _Cells

    near = shapely.Point(0, 0).buffer(40_000)
    shapely.prepare(near)
    inside = _Cells(near).cover(
        np.array([0.0, 39_990.0]), np.array([0.0, 0.0]), np.array([500.0, 39_999.0]), np.array([500.0, 1.0])
    )
    assert inside.tolist() == [True, False]


def test_optional_fields_missing_from_whole_chunks(tmp_path):
    """An optional field missing from every feature of some chunks, given in another: NaN where missing."""
    many = 1300
    pts = _inside_points(many, 9)
    feats = []
    for i, (x, y) in enumerate(pts):
        props = {
            k: v for k, v in _props("towns", i).items() if k not in ("note", "note_zh", "remark", "count")
        }
        if i >= 1100 and i % 3:
            props["note"] = f"note {i}"
        feats.append(
            {"type": "Feature", "properties": props, "geometry": _geometry("towns", i, float(x), float(y))}
        )
    folder = write_plan(tmp_path / "plan", {"towns": feats})
    assert bulk_layers(folder)["towns"]
    plan = assert_same_outcome(folder)
    assert plan["towns"]["note"].notna().sum() == sum(1 for i in range(1100, many) if i % 3)
    assert plan["towns"]["note_zh"].map(type).eq(type(None)).all()  # never given: None, as pandas keeps it


_extra_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats()
    | st.text(':\\"{}[] aé中\u2028', max_size=6),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text("ab:", max_size=3), c, max_size=3),
    max_leaves=8,
)


@given(
    extras=st.dictionaries(
        st.sampled_from(["remark", "a:b", "Remark", "fid", "n", "id"]), _extra_values, max_size=3
    ),
    drop=st.sets(st.sampled_from(["note", "note_zh", "source_zh", "toward", "ref"])),
    nulls=st.sets(st.sampled_from(["note", "source_zh", "ref"])),
    ascii_only=st.booleans(),
    indent=st.sampled_from([None, 1]),
    index=st.integers(0, N - 1),
    layer=st.sampled_from(["zones", "axes", "transport", "towns"]),
)
def test_valid_variations_give_the_reference_answer(extras, drop, nulls, ascii_only, indent, index, layer):
    """Extra properties of any JSON value, nulls, missing optional fields, any JSON formatting."""
    layers = generated_features()
    props = layers[layer][index]["properties"]
    for key in drop:
        props.pop(key, None)
    props.update(dict.fromkeys(nulls))
    props.update(extras)
    text = json.dumps(
        {"type": "FeatureCollection", "features": layers[layer]}, ensure_ascii=ascii_only, indent=indent
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_plan(Path(tmp) / "plan", {})
        (folder / f"{layer}.geojson").write_text(text, encoding="utf-8")
        assert_same_outcome(folder)
