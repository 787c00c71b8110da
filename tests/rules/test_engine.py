"""The rule engine: every kind on crafted cases, the default plan, the CLI, and the report formats.

Crafted cases are small layers in EPSG:4550 passed as ``extra_layers``; the expected measures and
geometries are worked out by hand (rectangles, right angles), not by the code under test.
"""

from __future__ import annotations

import io
import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon

from lzspatial.errors import InputError
from lzspatial.plan import load_plan
from lzspatial.rules.engine import SUMMARY_COLUMNS, VIOLATION_COLUMNS, check_plan
from tests.conftest import LAYERS, edit_layer, feature, run_cli

X0, Y0 = 470_000.0, 4_595_000.0  # EPSG:4550, inside Liaozhong
METRIC = "EPSG:4550"


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def line(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def layer(*geoms, ids=None, **cols):
    ids = ids or [f"f{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"id": ids, **cols}, geometry=list(geoms), crs=METRIC)


def sel(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return {"layer": value}


def rule(kind, subject="a", objects=None, container=None, rid="r", severity="error", **params):
    r = {
        "id": rid,
        "title_zh": "规则",
        "title_en": "Rule",
        "severity": severity,
        "kind": kind,
        "subject": sel(subject),
        "basis": "test case",
        **params,
    }
    for key, value in (("objects", objects), ("container", container)):
        if value is not None:
            r[key] = sel(value)
    return r


@pytest.fixture
def run(default_plan):
    def _run(rules, exceptions=(), **layers):
        rules = rules if isinstance(rules, list) else [rules]
        return check_plan(default_plan, {"rules": rules, "exceptions": list(exceptions)}, extra_layers=layers)

    return _run


def metric(report):
    return report.violations.to_crs(METRIC)


def assert_area_match(geom, expected, rel=0.01):
    assert geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection")
    assert geom.symmetric_difference(expected).area <= rel * expected.area


def assert_near(geom, expected, tol=0.01):
    assert geom.geom_type == expected.geom_type
    assert shapely.hausdorff_distance(geom, expected) < tol


# -- must_be_within --------------------------------------------------------------------------


def test_must_be_within_polygon(run):
    rep = run(rule("must_be_within", objects="c"), a=layer(box(0, 0, 100, 100)), c=layer(box(0, 0, 60, 100)))
    v = metric(rep)
    assert len(v) == 1 and v.feature_id[0] == "f0" and v.unit[0] == "m2"
    assert v.measure[0] == pytest.approx(40 * 100, rel=0.01)
    assert_area_match(v.geometry[0], box(60, 0, 100, 100))
    assert rep.has_errors and "40 % of its area" in v.message[0]


def test_must_be_within_tolerance_and_union_pass(run):
    a, c = layer(box(0, 0, 100, 100)), layer(box(0, 0, 60, 100))
    assert run(rule("must_be_within", objects="c", tolerance_m=50), a=a, c=c).violations.empty
    two = layer(box(0, 0, 60, 100), box(60, 0, 100, 100), kind=["ok", "no"])
    assert run(rule("must_be_within", objects="c"), a=a, c=two).violations.empty  # straddles two objects
    rep = run(rule("must_be_within", objects={"layer": "c", "where": "kind == 'ok'"}), a=a, c=two)
    assert metric(rep).measure[0] == pytest.approx(4000, rel=0.01)


def test_must_be_within_points_and_lines(run):
    a = layer(pt(90, 50), pt(30, 50), line((30, 50), (85, 50)))
    v = metric(run(rule("must_be_within", objects="c"), a=a, c=layer(box(0, 0, 60, 100))))
    assert list(v.feature_id) == ["f0", "f2"]
    assert v.measure[0] == pytest.approx(30, rel=0.01) and v.unit[0] == "m"
    assert_near(v.geometry[0], pt(90, 50))
    assert v.measure[1] == pytest.approx(25, rel=0.01)
    assert_near(v.geometry[1], line((60, 50), (85, 50)))


# -- must_contain --------------------------------------------------------------------------------


def test_must_contain(run):
    a = layer(box(0, 0, 10, 10), box(20, 0, 30, 10), ids=["x", "y"])
    b = layer(pt(25, 5), pt(26, 5))
    v = metric(run(rule("must_contain", objects="b"), a=a, b=b))
    assert list(v.feature_id) == ["x"] and v.measure[0] == 0 and v.unit[0] == "count"
    assert_area_match(v.geometry[0], box(0, 0, 10, 10))
    v = metric(run(rule("must_contain", objects="b", min_count=3), a=a, b=b))
    assert list(v.feature_id) == ["x", "y"] and list(v.measure) == [0, 2]
    assert run(rule("must_contain", objects="b", min_count=2), a=a.iloc[[1]], b=b).violations.empty


# -- must_not_overlap ---------------------------------------------------------------------------


def test_must_not_overlap(run):
    a = layer(box(0, 0, 100, 100), box(80, 0, 180, 100), box(300, 0, 400, 100))
    v = metric(run(rule("must_not_overlap"), a=a))
    assert len(v) == 1
    assert (v.feature_id[0], v.related_id[0], v.unit[0]) == ("f0", "f1", "m2")
    assert v.measure[0] == pytest.approx(20 * 100, rel=0.01)
    assert_area_match(v.geometry[0], box(80, 0, 100, 100))


def test_must_not_overlap_sliver_and_touching_pass(run):
    overlapping = layer(box(0, 0, 100, 100), box(80, 0, 180, 100))
    assert run(rule("must_not_overlap", tolerance_m2=2500), a=overlapping).violations.empty
    assert run(rule("must_not_overlap"), a=layer(box(0, 0, 100, 100), box(100, 0, 200, 100))).violations.empty


# -- must_not_overlap_with ---------------------------------------------------------------------


def test_must_not_overlap_with_polygons(run):
    v = metric(
        run(
            rule("must_not_overlap_with", objects="b"),
            a=layer(box(0, 0, 100, 100)),
            b=layer(box(50, 50, 150, 150), ids=["red"]),
        )
    )
    assert (v.feature_id[0], v.related_id[0]) == ("f0", "red")
    assert v.measure[0] == pytest.approx(2500, rel=0.01)
    assert_area_match(v.geometry[0], box(50, 50, 100, 100))


def test_must_not_overlap_with_points_and_lines(run):
    a = layer(
        pt(10, 20),
        pt(0, 50),
        line((-50, 50), (150, 50)),
        line((-50, 100), (0, 100)),
        ids=["inside", "on-edge", "crossing", "touching"],
    )
    v = metric(run(rule("must_not_overlap_with", objects="b"), a=a, b=layer(box(0, 0, 100, 100))))
    assert list(v.feature_id) == ["crossing", "inside"]
    crossing, inside = v.iloc[0], v.iloc[1]
    assert crossing.measure == pytest.approx(100, rel=0.01) and crossing.unit == "m"
    assert_near(crossing.geometry, line((0, 50), (100, 50)))
    assert inside.measure == pytest.approx(10, rel=0.01)  # depth: 10 m from the nearest edge
    assert_near(inside.geometry, pt(10, 20))
    assert "lies 10 m inside" in inside.message


# -- must_not_have_gaps -------------------------------------------------------------------------


def test_must_not_have_gaps(run):
    a = layer(box(0, 0, 40, 100), box(50, 0, 100, 100).difference(box(70, 40, 80, 45)))  # strip + hole
    c = layer(box(0, 0, 100, 100), ids=["district"])
    v = metric(run(rule("must_not_have_gaps", container="c"), a=a, c=c))
    assert list(v.feature_id) == ["district", "district"] and list(v.layer) == ["c", "c"]
    assert v.measure[0] == pytest.approx(1000, rel=0.01) and v.measure[1] == pytest.approx(50, rel=0.01)
    assert_area_match(v.geometry[0], box(40, 0, 50, 100))
    assert_area_match(v.geometry[1], box(70, 40, 80, 45))
    v = metric(run(rule("must_not_have_gaps", container="c", tolerance_m2=100), a=a, c=c))
    assert len(v) == 1 and v.measure[0] == pytest.approx(1000, rel=0.01)
    full = layer(box(0, 0, 50, 100), box(50, 0, 100, 100))
    assert run(rule("must_not_have_gaps", container="c"), a=full, c=c).violations.empty


# -- distances -------------------------------------------------------------------------------------


def test_must_be_within_distance(run):
    a = layer(pt(0, 500), pt(0, 100))
    b = layer(line((-1000, 0), (1000, 0)), line((-1000, 5000), (1000, 5000)), ids=["near", "far"])
    v = metric(run(rule("must_be_within_distance", objects="b", distance_m=300), a=a, b=b))
    assert list(v.feature_id) == ["f0"] and v.related_id[0] == "near" and v.unit[0] == "m"
    assert v.measure[0] == pytest.approx(500, rel=0.01)
    assert_near(v.geometry[0], line((0, 500), (0, 0)))
    assert run(rule("must_be_within_distance", objects="b", distance_m=600), a=a, b=b).violations.empty


def test_within_distance_zero_means_touching(run):
    b = layer(box(0, 0, 10, 10))
    a = layer(line((-5, 5), (5, 5)), line((20, 5), (30, 5)))
    v = metric(run(rule("must_be_within_distance", objects="b", distance_m=0), a=a, b=b))
    assert list(v.feature_id) == ["f1"] and v.measure[0] == pytest.approx(10, rel=0.01)


def test_must_be_farther_than(run):
    a = layer(pt(0, 200), pt(0, 1000), box(-10, -10, 10, 10), ids=["close", "fine", "on"])
    b = layer(line((-1000, 0), (1000, 0)), ids=["rail"])
    v = metric(run(rule("must_be_farther_than", objects="b", distance_m=300), a=a, b=b))
    assert list(v.feature_id) == ["close", "on"]
    assert v.measure[0] == pytest.approx(200, rel=0.01) and v.related_id[0] == "rail"
    assert_near(v.geometry[0], line((0, 200), (0, 0)))
    assert v.measure[1] == 0 and "touches or crosses" in v.message[1]
    assert_near(v.geometry[1], line((-10, 0), (10, 0)))


def test_farther_than_within_one_layer_skips_self(run):
    a = layer(pt(0, 0), pt(100, 0), pt(1000, 0), ids=["p", "q", "r"])
    v = run(rule("must_be_farther_than", objects="a", distance_m=150), a=a).violations
    assert sorted(zip(v.feature_id, v.related_id, strict=True)) == [("p", "q"), ("q", "p")]
    assert v.measure.tolist() == pytest.approx([100, 100], rel=0.01)


# -- count, attribute_in, unique, valid_geometry ----------------------------------------------------


def test_count(run):
    a = layer(pt(0, 0), pt(1, 0), pt(2, 0), kind=["x", "x", "y"])
    v = run(rule("count", exact=2), a=a).violations
    assert len(v) == 1 and v.measure[0] == 3 and v.unit[0] == "count" and v.geometry[0] is None
    assert "expected exactly 2" in v.message[0] and v.layer[0] == "a" and v.feature_id[0] is None
    assert run(rule("count", min=4), a=a).violations.measure.tolist() == [3]
    assert run(rule("count", max=3), a=a).violations.empty
    assert run(rule("count", subject={"layer": "a", "where": "kind == 'x'"}, exact=2), a=a).violations.empty
    assert run(rule("count", subject={"layer": "a", "where": "kind == 'z'"}, min=1), a=a).has_errors


def test_attribute_in(run):
    a = layer(
        pt(0, 0),
        pt(1, 0),
        pt(2, 0),
        pt(3, 0),
        kind=["a", "b", "z", None],
        tags=[["x"], ["x", "q", "r"], [], ["x"]],
    )
    v = run(rule("attribute_in", field="kind", values=["a", "b"]), a=a).violations
    assert list(v.feature_id) == ["f2", "f3"] and list(v.measure) == [1, 1]
    assert "'z'" in v.message[0]
    v = run(rule("attribute_in", field="kind", values=["a", "b"], allow_null=True), a=a).violations
    assert list(v.feature_id) == ["f2"]
    v = run(rule("attribute_in", field="tags", values=["x"]), a=a).violations
    assert list(v.feature_id) == ["f1"] and v.measure[0] == 2  # 'q' and 'r'
    parks = layer(pt(0, 0), pt(1, 0), kind=["bonded_zone", "casino"])
    v = run(rule("attribute_in", field="kind", vocabulary="park_kinds"), a=parks).violations
    assert list(v.feature_id) == ["f1"] and "vocabulary 'park_kinds'" in v.message[0]


@given(st.lists(st.sampled_from(["a", "b", "c", "z", "", "é中"]), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_attribute_in_text_fast_path_matches_the_general_path(run, kinds):
    """All-text values take the set path; one missing value sends the same rows through the general loop."""
    ok = ["a", "b", "é中"]
    text = layer(*(pt(i, 0) for i in range(len(kinds))), kind=kinds)
    mixed = layer(*(pt(i, 0) for i in range(len(kinds) + 1)), kind=[*kinds, None])
    fast = run(rule("attribute_in", field="kind", values=ok, allow_null=True), a=text).violations
    slow = run(rule("attribute_in", field="kind", values=ok, allow_null=True), a=mixed).violations
    assert sorted(fast.feature_id) == sorted(f"f{i}" for i, k in enumerate(kinds) if k not in ok)
    assert list(fast.feature_id) == list(slow.feature_id)
    assert list(fast.message) == list(slow.message) and list(fast.measure) == list(slow.measure)


def test_unique(run):
    a = layer(*(pt(i, 0) for i in range(6)), code=["a", "b", "a", "c", "c", "c"])
    v = run(rule("unique", field="code"), a=a).violations
    assert sorted(v.feature_id) == ["f0", "f2", "f3", "f4", "f5"]
    by_id = dict(zip(v.feature_id, v.measure, strict=True))
    assert by_id["f0"] == 2 and by_id["f3"] == 3
    assert dict(zip(v.feature_id, v.related_id, strict=True))["f0"] == "f2"
    assert run(rule("unique", field="code"), a=a.iloc[[0, 1, 3]]).violations.empty


def test_valid_geometry(run):
    bowtie = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    a = layer(bowtie, None, Polygon(), box(0, 0, 1, 1), ids=["bowtie", "none", "empty", "ok"])
    v = metric(run(rule("valid_geometry"), a=a))
    assert list(v.feature_id) == ["bowtie", "empty", "none"]
    assert "Self-intersection" in v.message[0]
    assert_near(v.geometry[0], pt(5, 5))  # where the ring crosses itself
    assert v.geometry[2] is None and "has no geometry" in v.message[2]
    # other kinds do not crash on the same layer: invalid geometry is made valid first
    run(rule("must_be_within", objects="c"), a=a, c=layer(box(-100, -100, 100, 100)))


# -- vectorised results equal a per-feature loop ---------------------------------------------------


def test_vectorised_equals_loop(run):
    rng = np.random.default_rng(7)
    xy = rng.uniform(-500, 1500, size=(2000, 2))
    pts = [pt(x, y) for x, y in xy]
    zone = Polygon([(X0, Y0), (X0 + 1000, Y0 + 200), (X0 + 800, Y0 + 1000), (X0 + 100, Y0 + 700)])
    rail = line((-500, -100), (1500, 900))
    rep = run(
        [
            rule("must_be_within", objects="z", rid="within"),
            rule("must_not_overlap_with", objects="z", rid="avoid"),
            rule("must_be_within_distance", objects="l", distance_m=200, rid="near"),
        ],
        a=layer(*pts),
        z=layer(zone),
        l=layer(rail),
    )
    v = rep.violations
    outside = {f"f{i}" for i, p in enumerate(pts) if not zone.covers(p)}
    inside = {f"f{i}" for i, p in enumerate(pts) if zone.contains(p)}
    far = {f"f{i}": p.distance(rail) for i, p in enumerate(pts) if p.distance(rail) > 200}
    assert set(v.feature_id[v.rule_id == "within"]) == outside
    assert set(v.feature_id[v.rule_id == "avoid"]) == inside
    near = v[v.rule_id == "near"]
    assert set(near.feature_id) == set(far)
    assert np.allclose(near.measure, [far[f] for f in near.feature_id])


# -- the default plan ------------------------------------------------------------------------------


def test_default_plan_passes_every_error_rule(default_plan):
    rep = check_plan(default_plan)
    assert not rep.has_errors
    open_ = rep.violations[~rep.violations.accepted]
    assert set(open_.severity) <= {"warning", "info"}
    # the warnings the README explains
    assert sorted(open_.rule_id) == []
    # the default plan accepts no exceptions since the digital park polygon went (issue 12)
    assert rep.summary.set_index("rule_id").status["parks-river-setback"] == "pass"
    assert not rep.violations.accepted.any()
    assert list(rep.summary.columns) == list(SUMMARY_COLUMNS)
    assert list(rep.violations.columns) == [*VIOLATION_COLUMNS, "geometry"]
    assert rep.violations.crs.to_epsg() == 4326


def test_default_plan_cli_exit_0():
    res = run_cli("check", LAYERS)
    assert res.returncode == 0, res.stderr
    assert "0 error(s)" in res.stdout


def _move_bonded_park_into_west_zone(folder):
    zones = json.loads((folder / "zones.geojson").read_text(encoding="utf-8"))
    west = shapely.geometry.shape(feature(zones, "zone-west")["geometry"])
    target = west.representative_point()

    def edit(doc):
        park = feature(doc, "park-bonded-jinhai")
        geom = shapely.geometry.shape(park["geometry"])
        c = geom.centroid
        moved = shapely.affinity.translate(geom, target.x - c.x, target.y - c.y)
        assert west.contains(moved)  # precondition of the test
        park["geometry"] = shapely.geometry.mapping(moved)

    edit_layer(folder, "parks", edit)


def test_bonded_park_out_of_its_zone_exits_1(plan_copy):
    from pyproj import Geod

    _move_bonded_park_into_west_zone(plan_copy)
    res = run_cli("check", plan_copy, "--format", "json")
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)
    hits = [v for v in data["violations"] if v["rule_id"] == "parks-trade-in-trade-zone"]
    assert [v["feature_id"] for v in hits] == ["park-bonded-jinhai"]
    parks = json.loads((plan_copy / "parks.geojson").read_text(encoding="utf-8"))
    park = shapely.geometry.shape(feature(parks, "park-bonded-jinhai")["geometry"])
    geodesic_area = abs(Geod(ellps="GRS80").geometry_area_perimeter(park)[0])
    assert hits[0]["measure"] == pytest.approx(geodesic_area, rel=0.01)  # wholly outside
    assert hits[0]["unit"] == "m2" and hits[0]["severity"] == "error"
    table = run_cli("check", plan_copy)
    assert table.returncode == 1
    assert "parks-trade-in-trade-zone" in table.stdout and "park-bonded-jinhai" in table.stdout


def test_overlapping_zones_report_the_area(plan_copy):
    from pyproj import Transformer

    to_m = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
    to_deg = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)
    zones = json.loads((plan_copy / "zones.geojson").read_text(encoding="utf-8"))
    west = shapely.transform(
        shapely.geometry.shape(feature(zones, "zone-west")["geometry"]), to_m.transform, interleaved=False
    )
    radius = 1000.0
    disk = west.representative_point().buffer(radius, quad_segs=64)
    assert west.contains(disk)  # precondition: the overlap is exactly the disk

    def edit(doc):
        south = feature(doc, "zone-south")
        disk_deg = shapely.transform(disk, to_deg.transform, interleaved=False)
        grown = shapely.geometry.shape(south["geometry"]).union(disk_deg)
        south["geometry"] = shapely.geometry.mapping(grown)

    edit_layer(plan_copy, "zones", edit)
    res = run_cli("check", plan_copy, "--format", "json")
    assert res.returncode == 1, res.stderr
    hits = [v for v in json.loads(res.stdout)["violations"] if v["rule_id"] == "zones-no-overlap"]
    assert len(hits) == 1
    assert {hits[0]["feature_id"], hits[0]["related_id"]} == {"zone-south", "zone-west"}
    assert hits[0]["measure"] == pytest.approx(math.pi * radius**2, rel=0.01)


# -- report formats, exceptions, safety ------------------------------------------------------------


def test_accepted_exceptions(run):
    a = layer(box(0, 0, 100, 100), ids=["p"])
    c = layer(box(0, 0, 60, 100), ids=["z"])
    exc = {"rule": "r", "feature": "p", "reason": "approved by the planning bureau"}
    rep = run(rule("must_be_within", objects="c"), exceptions=[exc], a=a, c=c)
    assert not rep.has_errors and rep.violations.accepted.tolist() == [True]
    assert "approved by the planning bureau" in rep.violations.message[0]
    row = rep.summary.iloc[0]
    assert (row.status, row.violated, row.accepted) == ("accepted-only", 0, 1)
    wrong = {**exc, "related": "p"}  # an existing feature, but not the related one
    rep = run(rule("must_not_overlap_with", objects="c"), exceptions=[wrong], a=a, c=c)
    assert rep.has_errors and rep.summary.status[0] == "fail"


def test_json_and_geojson_are_deterministic(plan_copy):
    from lzspatial.plan import load_plan

    # the default plan has no violations (issue 12): bring the secondary center within 5 km of the
    # main one, a warning of centers-distinct, so that there is a violation to serialise
    edit_layer(
        plan_copy,
        "centers",
        lambda d: feature(d, "center-east")["geometry"].update(coordinates=[122.76, 41.51]),
    )
    plan = load_plan(plan_copy)
    one, two = check_plan(plan), check_plan(plan)
    assert one.to_json() == two.to_json() and one.to_geojson() == two.to_geojson()
    data = json.loads(one.to_json())
    assert data["has_errors"] is False and len(data["summary"]) == len(one.summary)
    assert data["totals"]["warning"] >= 1 and data["totals"]["accepted"] == 0
    assert data["violations"][0]["geometry"]["type"] in ("Point", "LineString", "Polygon", "MultiPolygon")
    fc = json.loads(one.to_geojson())
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert len(fc["features"]) == len(one.violations)
    assert set(fc["features"][0]["properties"]) == set(VIOLATION_COLUMNS)


def test_hostile_text_is_escaped(run):
    evil = "<img src=x onerror=alert(1)>\x1b[31m\u202e"
    rep = run(rule("count", exact=0, rid="r"), a=layer(pt(0, 0), ids=[evil]))
    rep = run(rule("valid_geometry"), a=layer(None, ids=[evil]))
    html = rep._repr_html_()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    from rich.console import Console

    buf = io.StringIO()
    rep.print_table(Console(file=buf, width=200, force_terminal=False))
    out = buf.getvalue()
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31m" in out
    text = rep.to_json()
    assert "\x1b" not in text and "\u202e" not in text
    assert json.loads(text)["violations"][0]["feature_id"] == evil
    assert json.loads(rep.to_geojson())["features"][0]["properties"]["feature_id"] == evil


def test_extra_layer_problems(default_plan):
    no_crs = gpd.GeoDataFrame({"id": ["a"]}, geometry=[pt(0, 0)])
    with pytest.raises(InputError, match="extra layer 'projects' has no CRS"):
        check_plan(default_plan, None, extra_layers={"projects": no_crs})
    with pytest.raises(InputError, match="extra layer 'zones' has the name of a plan layer"):
        check_plan(default_plan, None, extra_layers={"zones": layer(pt(0, 0))})


def test_extra_layer_in_wgs84_and_without_id(run):
    a = gpd.GeoDataFrame(geometry=[Point(0, 0), pt(0, 0)], crs=METRIC).to_crs("EPSG:4326")
    v = run(rule("must_be_within", objects="c"), a=a, c=layer(box(-10, -10, 10, 10))).violations
    assert list(v.feature_id) == ["0"]  # the index when there is no id column


def test_cli_out_file_and_bad_out(tmp_path):
    out = tmp_path / "check.json"
    res = run_cli("check", LAYERS, "--format", "json", "--out", out)
    assert res.returncode == 0 and f"wrote {out}" in res.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["plan"] == "liaozhong-2023"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lzspatial-tmp-")]
    res = run_cli("check", LAYERS, "--out", tmp_path / "missing" / "t.txt")
    assert res.returncode == 2 and "does not exist" in res.stderr and "Traceback" not in res.stderr


def test_plan_without_rules_file(plan_copy):
    (plan_copy / "rules.toml").unlink()
    res = run_cli("check", plan_copy)
    assert res.returncode == 2 and "has no rules.toml" in res.stderr


def test_exception_naming_a_missing_feature_is_a_rule_error(tmp_path):
    import shutil

    from lzspatial.errors import RuleError

    plan_dir = tmp_path / "plan"
    shutil.copytree(LAYERS, plan_dir)
    rules = plan_dir / "rules.toml"
    rules.write_text(  # the default rules accept no exception (issue 12): add one naming a typo
        rules.read_text(encoding="utf-8")
        + '\n[[exceptions]]\nrule = "parks-river-setback"\nfeature = "park-digitl"\n'
        + 'reason = "A made-up exception whose feature id has a typo."\n',
        encoding="utf-8",
    )
    with pytest.raises(
        RuleError, match=r"\[\[exceptions\]\] #1 .*key 'feature': no feature has the id 'park-digitl'"
    ):
        check_plan(load_plan(plan_dir))
