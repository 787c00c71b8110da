"""Plan-level deltas: areas per zone, towns that changed zone, land that changed hands, rules, sites."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from lzspatial.diff import diff_plans
from lzspatial.plan import load_plan

from .pairs import Layer, copy_plan, metric_geom, set_metric_geom, to_deg

# two plan loads, four rule checks and two screening indexes: about 10 s; CI runs them
pytestmark = pytest.mark.slow


def _grow(folder, metres):
    with Layer(folder, "zones") as doc:
        boundary = None
        with Layer(folder, "boundary") as bdoc:
            from shapely.geometry import shape

            from .pairs import to_m

            boundary = to_m(shape(bdoc["features"][0]["geometry"]))
        g = metric_geom(doc, "zone-east").buffer(metres, join_style="mitre").intersection(boundary)
        set_metric_geom(doc, "zone-east", g)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("grow")
    grown1, grown2 = copy_plan(root / "g1"), copy_plan(root / "g2")
    _grow(grown1, 1000)
    _grow(grown2, 1500)
    return load_plan(grown1), load_plan(grown2)


@pytest.fixture(scope="module")
def grown(default_plan, plans):
    return diff_plans(default_plan, plans[0])


def test_area_per_zone(default_plan, plans, grown):
    rows = {r.id: r for r in grown.areas}
    a = default_plan.layer("zones", metric=True).set_index("id").geometry
    b = plans[0].layer("zones", metric=True).set_index("id").geometry
    assert rows["zone-east"].delta_ha == pytest.approx(
        (b["zone-east"].area - a["zone-east"].area) / 1e4, abs=1e-3
    )
    assert rows["zone-east"].delta_ha > 0 and rows["zone-north"].delta_ha == 0
    assert {r.element for r in grown.areas} == {"core", "zones", "control_lines"}


def test_land_that_changed_hands(default_plan, plans, grown):
    a = default_plan.layer("zones", metric=True).set_index("id").geometry
    b = plans[0].layer("zones", metric=True).set_index("id").geometry
    by = {(t.zone_a, t.zone_b): t for t in grown.transfers}
    for other in ("zone-north", "zone-south"):
        expected = b["zone-east"].intersection(a[other]).area / 1e4
        assert expected > 1 and by[(other, "zone-east")].area_ha == pytest.approx(expected, rel=1e-6)
    assert all(t.zone_a != t.zone_b for t in grown.transfers)


def test_towns_and_parks_that_changed_zone(default_plan, plans, grown):
    def zone_of(plan, geom):
        zones = plan.layer("zones", metric=True)
        hits = [z for z, g in zip(zones["id"], zones.geometry, strict=True) if g.intersects(geom)]
        return hits[0] if hits else None

    expected = set()
    for layer in ("towns",):
        fa = default_plan.layer(layer, metric=True).set_index("id").geometry
        fb = plans[0].layer(layer, metric=True).set_index("id").geometry
        expected |= {(layer, i) for i in fa.index if zone_of(default_plan, fa[i]) != zone_of(plans[0], fb[i])}
    got = {(m.layer, m.id) for m in grown.zone_moves if m.layer == "towns"}
    assert got == expected
    assert all(m.zone_b == "zone-east" for m in grown.zone_moves)


def test_rules_newly_failing_newly_passing_and_moved(default_plan, plans, grown):
    assert "zones-no-overlap" in {r.rule_id for r in grown.rules.newly_failing}
    back = diff_plans(plans[0], default_plan, check=True)
    assert "zones-no-overlap" in {r.rule_id for r in back.rules.newly_passing}
    more = diff_plans(plans[0], plans[1])
    moved = [v for v in more.rules.measures_moved if v.rule_id == "zones-no-overlap"]
    assert moved and all(v.measure_b > v.measure_a for v in moved)


def test_sites_whose_zone_changed(default_plan, plans):
    a = default_plan.layer("zones", metric=True).set_index("id").geometry
    b = plans[0].layer("zones", metric=True).set_index("id").geometry
    band = b["zone-east"].intersection(a["zone-south"])
    inside = to_deg(band.representative_point())
    outside = to_deg(shapely.Point(a["zone-west"].representative_point()))
    sites = gpd.GeoDataFrame({"site_id": ["moved", "still"]}, geometry=[inside, outside], crs=4326)
    d = diff_plans(default_plan, plans[0], check=False, sites=sites, industry="trade_logistics")
    (one,) = d.sites.changed
    assert one.label == "moved"
    zone = {c.field: c for c in one.changes}["zone_id"]
    assert (zone.old, zone.new) == ("zone-south", "zone-east")
    assert d.sites.data_basis_a == "schematic"
