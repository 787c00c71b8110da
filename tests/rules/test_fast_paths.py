"""The rule check's fast paths give what the plain computation gives.

Each fast path (violations kept column by column and sorted per rule, filters testing each
distinct value once, the padded-array union of ``_outside``, the first-vertex settling of
``must_be_within_distance``, the garbage collector paused) is checked against a plain
computation written out here, on random data.
"""

from __future__ import annotations

import gc

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from lzspatial._util.pause import gc_paused
from lzspatial.errors import RuleError
from lzspatial.rules import kinds
from lzspatial.rules.engine import check_plan
from lzspatial.rules.filters import Coded, parse_filter
from lzspatial.rules.report import VIOLATION_COLUMNS

X0, Y0 = 470_000.0, 4_595_000.0  # EPSG:4550, inside Liaozhong
METRIC = "EPSG:4550"
_SEVERITY = {"error": 0, "warning": 1, "info": 2}


def _random_layers(seed: int) -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)

    def boxes(n: int, size: float) -> list:
        xy = rng.uniform(0, 3000, size=(n, 2))
        wh = rng.uniform(size / 4, size, size=(n, 2))
        return [
            shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for (x, y), (w, h) in zip(xy, wh, strict=True)
        ]

    def lines(n: int) -> list:
        xy = rng.uniform(0, 3000, size=(n, 2, 2))
        return [shapely.LineString(np.column_stack([X0 + c[:, 0], Y0 + c[:, 1]])) for c in xy]

    kinds_ = ["x", "y", "z"]
    parks = boxes(60, 300)
    zones = boxes(25, 900)
    return {
        "p": gpd.GeoDataFrame(
            {
                "id": [f"p{i % 55}" for i in range(60)],  # a few repeated ids
                "kind": [kinds_[i % 3] for i in range(60)],
                "tags": [list(rng.choice(kinds_, size=i % 3, replace=False)) for i in range(60)],
            },
            geometry=parks,
            crs=METRIC,
        ),
        "z": gpd.GeoDataFrame(
            {"id": [f"z{i}" for i in range(25)], "kind": [kinds_[i % 3] for i in range(25)]},
            geometry=zones,
            crs=METRIC,
        ),
        "l": gpd.GeoDataFrame({"id": [f"l{i}" for i in range(40)]}, geometry=lines(40), crs=METRIC),
        "t": gpd.GeoDataFrame(
            {"id": [f"t{i}" for i in range(80)], "code": [str(i % 70) for i in range(80)]},
            geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in rng.uniform(0, 3000, size=(80, 2))],
            crs=METRIC,
        ),
    }


def _rules() -> dict:
    def r(rid, kind, severity="error", **kw):
        return {
            "id": rid,
            "title_zh": "规",
            "title_en": "R",
            "severity": severity,
            "kind": kind,
            "basis": "t",
            **kw,
        }

    return {
        "rules": [
            r(
                "within",
                "must_be_within",
                subject=[{"layer": "p"}, {"layer": "t"}, {"layer": "l"}],
                objects={"layer": "z", "where": "kind != 'z'"},
                tolerance_m=20,
            ),
            r("overlap", "must_not_overlap", "warning", subject={"layer": "p"}, tolerance_m2=50),
            r(
                "avoid",
                "must_not_overlap_with",
                "info",
                subject=[{"layer": "p"}, {"layer": "t"}],
                objects=[{"layer": "z"}, {"layer": "l"}],
            ),
            r(
                "near",
                "must_be_within_distance",
                subject=[{"layer": "p"}, {"layer": "l"}],
                objects={"layer": "t", "where": "code < '3'"},
                distance_m=400,
            ),
            r(
                "apart",
                "must_be_farther_than",
                "warning",
                subject={"layer": "t"},
                objects={"layer": "t"},
                distance_m=150,
            ),
            r(
                "gaps",
                "must_not_have_gaps",
                subject={"layer": "p"},
                container={"layer": "z"},
                tolerance_m2=1000,
            ),
            r("holds", "must_contain", "info", subject={"layer": "z"}, objects={"layer": "t"}, min_count=3),
            r(
                "tags",
                "attribute_in",
                subject={"layer": "p", "where": "tags contains 'x' or kind == 'y'"},
                field="tags",
                values=["y"],
            ),
            r("ids", "unique", "warning", subject=[{"layer": "p"}, {"layer": "t"}], field="id"),
            r("codes", "unique", subject={"layer": "t"}, field="code"),
        ],
        "exceptions": [
            {"rule": "apart", "feature": "t1", "reason": "kept on purpose"},
            {"rule": "overlap", "feature": "p3", "reason": "shared yard"},
        ],
    }


@pytest.fixture(scope="module")
def random_report(default_plan):
    return check_plan(default_plan, _rules(), extra_layers=_random_layers(3))


def test_report_rows_are_sorted_as_documented(random_report, default_plan):
    """Rows: severity, then rule order, then feature id, then related id; ties in the order found."""
    v = random_report.violations
    assert list(v.columns) == [*VIOLATION_COLUMNS, "geometry"]
    assert len(v) > 100 and v.accepted.any() and len(set(v.rule_id)) >= 8
    order = {r["id"]: i for i, r in enumerate(_rules()["rules"])}
    keys = [
        (_SEVERITY[s], order[r], str(f or ""), str(x or ""))
        for s, r, f, x in zip(v.severity, v.rule_id, v.feature_id, v.related_id, strict=True)
    ]
    assert keys == sorted(keys)
    accepted = v[v.accepted]
    assert all(m.endswith("]") and "[accepted: " in m for m in accepted.message)
    assert not any("[accepted: " in m for m in v[~v.accepted].message)
    summary = random_report.summary.set_index("rule_id")
    counts = v[~v.accepted].groupby("rule_id").size()
    assert all(summary.loc[rid, "violated"] == n for rid, n in counts.items())


def test_violation_keys_are_the_violations_without_text_and_geometry(default_plan):
    rep = check_plan(default_plan, _rules(), extra_layers=_random_layers(5))
    keys = rep.violation_keys()
    assert rep._violations is None  # the keys alone make no messages, geometries or frame
    cols = ["rule_id", "feature_id", "related_id", "unit", "measure"]
    full = rep.violations[cols].reset_index(drop=True)
    assert keys.columns.tolist() == cols
    assert (
        keys.astype(object).where(keys.notna(), None).values.tolist()
        == full.astype(object).where(full.notna(), None).values.tolist()
    )


def test_within_distance_equals_every_pair(run_rules):
    rng = np.random.default_rng(11)
    polys = [shapely.box(X0 + x, Y0 + y, X0 + x + 40, Y0 + y + 25) for x, y in rng.uniform(0, 4000, (300, 2))]
    objs = [shapely.Point(X0 + x, Y0 + y) for x, y in rng.uniform(0, 4000, (30, 2))]
    # a polygon exactly 300 m from an object, its first vertex 400 m: the full query and, at the
    # limit, the max_distance query settle it
    polys.append(shapely.box(X0 + 5000, Y0 + 5000, X0 + 5100, Y0 + 5100))
    objs.append(shapely.Point(X0 + 5000 - 300, Y0 + 5000))
    for d in (150.0, 300.0, 700.0):
        rep = run_rules(
            [
                {
                    "id": "n",
                    "title_zh": "n",
                    "title_en": "n",
                    "severity": "error",
                    "kind": "must_be_within_distance",
                    "subject": {"layer": "a"},
                    "objects": {"layer": "b"},
                    "distance_m": d,
                    "basis": "t",
                }
            ],
            a=gpd.GeoDataFrame({"id": [f"a{i}" for i in range(len(polys))]}, geometry=polys, crs=METRIC),
            b=gpd.GeoDataFrame({"id": [f"b{i}" for i in range(len(objs))]}, geometry=objs, crs=METRIC),
        )
        dist = shapely.distance(np.array(polys, dtype=object)[:, None], np.array(objs, dtype=object)[None, :])
        far = {f"a{i}": m for i, m in enumerate(dist.min(axis=1)) if m > d}
        keys = rep.violation_keys()
        assert set(keys.feature_id) == set(far)
        assert np.allclose(keys.measure, [far[f] for f in keys.feature_id])


@pytest.fixture
def run_rules(default_plan):
    def _run(rules, **layers):
        return check_plan(default_plan, {"rules": rules}, extra_layers=layers)

    return _run


def test_outside_is_the_per_feature_difference(monkeypatch):
    """The padded-array union of each feature's parts is the very union the loop made."""
    rng = np.random.default_rng(2)
    parts = np.array(
        [
            shapely.box(x, y, x + w, y + h)
            for (x, y), (w, h) in zip(rng.uniform(0, 90, (40, 2)), rng.uniform(1, 30, (40, 2)), strict=True)
        ],
        dtype=object,
    )
    geoms = np.array(
        [shapely.box(x, y, x + 25, y + 20) for x, y in rng.uniform(0, 90, (30, 2))], dtype=object
    )
    monkeypatch.setattr(kinds, "_GRID_CELLS", 7)  # many small padded arrays
    ours = kinds._outside(geoms, parts)
    tree = shapely.STRtree(parts)
    for g, o in zip(geoms, ours, strict=True):
        hit = tree.query(g, predicate="intersects")
        expected = shapely.difference(g, shapely.union_all(parts[np.sort(hit)])) if len(hit) else g
        assert shapely.equals_exact(o, expected, tolerance=0.0)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, float("nan")]),
    st.sampled_from(["a", "b", "ab", ""]),
    st.lists(st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 2), st.booleans()), max_size=3),
)
FILTERS = [
    "v == 'a'",
    "v != 1",
    "v contains 'a'",
    "v in ['a', 1, true, null]",
    "v not in [0, 'b']",
    "v == true or v contains 2",
    "not v == null and v != 'ab'",
]


def _outcome(f, cols, n):
    try:
        return f.evaluate(cols, n).tolist()
    except RuleError as err:  # a text compared with a number: the same message, first value first
        return str(err)


@given(st.lists(VALUES, max_size=30))
def test_coded_columns_filter_as_the_rows_do(values):
    for text in FILTERS:
        f = parse_filter(text)
        assert _outcome(f, {"v": values}, len(values)) == _outcome(f, {"v": Coded(values)}, len(values)), text


def test_coded_columns_raise_the_same_error():
    values = ["a", "b", 3, "c", 2.5]
    f = parse_filter("v < 'x'")
    messages = []
    for cols in ({"v": values}, {"v": Coded(values)}):
        with pytest.raises(RuleError) as err:
            f.evaluate(cols, len(values))
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "(3)" in messages[0]


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
