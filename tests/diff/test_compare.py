"""diff_plans on constructed plan pairs: every kind of change, with the right measure."""

from __future__ import annotations

import json
import math

import pytest
import shapely

from lzspatial.diff import diff_geojson, diff_plans
from lzspatial.errors import InputError
from lzspatial.plan import load_plan
from tests.conftest import feature

from .pairs import Layer, copy_plan, metric_geom, set_metric_geom, square

MOVE = (300.0, 400.0)  # the timber port moves 500 m
TOWN_SHIFT = 250.0
BEND = 500.0  # the axis gets a middle vertex 500 m off its straight line
JITTER = 0.5  # one vertex of zone-north moves 0.5 m


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("pair")
    a, b = copy_plan(root / "a"), copy_plan(root / "b")
    facts = {}
    for folder in (a, b):
        with Layer(folder, "parks") as doc:
            c = metric_geom(doc, "park-devzone").centroid
            h = 1000.0 if folder == a else 1500.0
            set_metric_geom(doc, "park-devzone", square(c.x, c.y, 1000.0, h))
        with Layer(folder, "axes") as doc:
            line = metric_geom(doc, "axis-shenyang")
            p0, p1 = line.interpolate(0.4, normalized=True), line.interpolate(0.6, normalized=True)
            coords = [(p0.x, p0.y), (p1.x, p1.y)]
            if folder == b:
                mx, my = (p0.x + p1.x) / 2, (p0.y + p1.y) / 2
                dx, dy = p1.x - p0.x, p1.y - p0.y
                n = math.hypot(dx, dy)
                coords.insert(1, (mx - dy / n * BEND, my + dx / n * BEND))
            facts["chord"] = math.hypot(p1.x - p0.x, p1.y - p0.y)
            set_metric_geom(doc, "axis-shenyang", shapely.LineString(coords))
    with Layer(b, "parks") as doc:
        g = metric_geom(doc, "park-timber-port")
        set_metric_geom(doc, "park-timber-port", shapely.affinity.translate(g, *MOVE))
        new = json.loads(json.dumps(feature(doc, "park-devzone")))
        new["properties"].update(id="park-new", name_zh="新园区", name_en="New park")
        doc["features"].append(new)
        c = metric_geom(doc, "park-devzone").centroid
        set_metric_geom(doc, "park-new", square(c.x + 3000, c.y, 400.0, 500.0))
        old = feature(doc, "park-multimodal-logistics")["properties"]["status"]
        facts["status"] = old
        feature(doc, "park-multimodal-logistics")["properties"]["status"] = (
            "existing" if old != "existing" else "planned"
        )
    with Layer(b, "towns") as doc:
        facts["removed_town"] = doc["features"].pop()["properties"]["id"]
        town = doc["features"][5]["properties"]["id"]
        facts["moved_town"] = town
        set_metric_geom(doc, town, shapely.affinity.translate(metric_geom(doc, town), TOWN_SHIFT, 0))
    with Layer(b, "control_lines") as doc:
        p = feature(doc, "urban-development-boundary")["properties"]
        facts["basis_a"] = p["geometry_basis"]
        p.update(geometry_basis="sourced", source="test: an official export (constructed)")
    with Layer(b, "zones") as doc:
        f = feature(doc, "zone-north")
        ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else None
        assert ring is not None
        g = metric_geom(doc, "zone-north")
        x, y = g.exterior.coords[3]
        coords = list(g.exterior.coords)
        coords[3] = (x + JITTER, y)
        set_metric_geom(doc, "zone-north", shapely.Polygon(coords, [r.coords for r in g.interiors]))
    return load_plan(a), load_plan(b), facts


@pytest.fixture(scope="module")
def result(pair):
    a, b, _ = pair
    return diff_plans(a, b, tolerance_m=1.0, check=False)


def _by_id(d):
    return {c.id: c for c in d.features}


def test_identical_plans_have_no_change(default_plan):
    d = diff_plans(default_plan, default_plan, check=False)
    assert not d.changed and d.features == [] and d.transfers == [] and d.zone_moves == []
    assert json.loads(d.to_json())["changed"] is False


def test_polygon_area_delta_in_ha_and_percent(result):
    c = _by_id(result)["park-devzone"]
    assert c.status == "changed" and c.kind == "polygon" and c.geometry_changed
    assert c.measures["area_a_ha"] == pytest.approx(100.0, abs=0.01)
    assert c.measures["area_delta_ha"] == pytest.approx(50.0, abs=0.01)
    assert c.measures["area_delta_pct"] == pytest.approx(50.0, abs=0.02)
    assert c.measures["hausdorff_m"] == pytest.approx(250.0, abs=0.5)


def test_moved_polygon_reports_the_distance_moved(result):
    c = _by_id(result)["park-timber-port"]
    assert c.measures["centroid_moved_m"] == pytest.approx(500.0, abs=0.5)
    assert c.measures["area_delta_ha"] == pytest.approx(0.0, abs=0.01)
    assert c.attributes == []  # only the geometry moved


def test_line_hausdorff_and_length_delta(pair, result):
    chord = pair[2]["chord"]
    c = _by_id(result)["axis-shenyang"]
    assert c.kind == "line"
    assert c.measures["hausdorff_m"] == pytest.approx(BEND, abs=0.5)
    expected = 2 * math.hypot(chord / 2, BEND) - chord
    assert c.measures["length_delta_m"] == pytest.approx(expected, abs=0.5)


def test_point_distance_moved(pair, result):
    c = _by_id(result)[pair[2]["moved_town"]]
    assert c.kind == "point" and c.measures == {"moved_m": pytest.approx(TOWN_SHIFT, abs=0.05)}
    assert c.anchor_a != c.anchor_b


def test_added_and_removed(pair, result):
    by = _by_id(result)
    assert by["park-new"].status == "added" and by["park-new"].measures["area_ha"] == pytest.approx(
        20.0, abs=0.01
    )
    assert by[pair[2]["removed_town"]].status == "removed"
    counts = {la.layer: la for la in result.layers}
    assert (counts["parks"].added, counts["towns"].removed) == (1, 1)


def test_attribute_change_old_and_new(pair, result):
    c = _by_id(result)["park-multimodal-logistics"]
    assert not c.geometry_changed
    (fc,) = c.attributes
    assert (fc.field, fc.old) == ("status", pair[2]["status"]) and fc.new != fc.old


def test_basis_and_source_called_out(pair, result):
    c = _by_id(result)["urban-development-boundary"]
    assert (c.basis_a, c.basis_b) == (pair[2]["basis_a"], "sourced")
    assert c.basis_change == "up" and c.source_changed
    assert result.counts()["basis"] == 1


def test_vertex_jitter_under_the_tolerance_is_ignored(pair, result):
    assert "zone-north" not in _by_id(result)
    a, b, _ = pair
    strict = _by_id(diff_plans(a, b, tolerance_m=0.0, check=False))
    # the moved vertex's distance to the old outline: at most the 0.5 m it moved, and more than 0
    assert 0 < strict["zone-north"].measures["hausdorff_m"] <= JITTER + 0.01
    ga = a.layer("zones", metric=True).set_index("id").geometry["zone-north"]
    gb = b.layer("zones", metric=True).set_index("id").geometry["zone-north"]
    assert strict["zone-north"].measures["area_delta_ha"] == pytest.approx(
        (gb.area - ga.area) / 1e4, abs=1e-4
    )


def test_json_and_geojson_are_deterministic_and_complete(pair, result):
    a, b, _ = pair
    again = diff_plans(a, b, tolerance_m=1.0, check=False)
    assert again.to_json() == result.to_json()
    assert diff_geojson(again) == diff_geojson(result)
    doc = json.loads(result.to_json())
    assert doc["schema"] == "lzspatial.diff/1" and doc["changed"] is True
    assert set(doc) == {
        "schema",
        "changed",
        "a",
        "b",
        "tolerance_m",
        "metric_crs",
        "counts",
        "layers",
        "features",
        "manifest",
        "plan",
        "sites",
    }
    geo = json.loads(diff_geojson(result))
    kinds = {f["properties"]["change"] for f in geo["features"]}
    assert {"added", "removed", "before", "after"} <= kinds


def test_bad_tolerance(default_plan):
    with pytest.raises(InputError, match="tolerance_m"):
        diff_plans(default_plan, default_plan, tolerance_m=-1)
