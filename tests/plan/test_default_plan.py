"""The default plan: every shipped layer validates, and the structure matches the text."""

from __future__ import annotations

import pytest
import shapely

from lzspatial.plan import Plan, load_plan
from lzspatial.plan.schema import ELEMENTS
from tests.conftest import LAYERS

SHIPPED = sorted(p.stem for p in LAYERS.glob("*.geojson"))


def test_every_shipped_file_is_listed_in_the_manifest(default_plan):
    assert SHIPPED == sorted(default_plan.layer_names)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_layer_matches_schema(default_plan, name):
    frame = default_plan[name]
    spec = ELEMENTS[name]
    assert len(frame) > 0
    assert set(frame.geom_type) <= set(spec.geom_types)
    assert frame["geometry_basis"].isin(["sourced", "derived", "schematic"]).all()
    assert frame["source"].str.len().min() > 10
    assert frame.geometry.is_valid.all()
    assert frame.crs.to_epsg() == 4326


def test_ids_unique_across_plan(default_plan):
    ids = [i for n in default_plan.layer_names for i in default_plan[n]["id"]]
    assert len(ids) == len(set(ids))


def test_boundary_area_matches_official(default_plan):
    # official 1,646.69 km²; the issue allows 1,647 ± 5
    area_km2 = default_plan.layer("boundary", metric=True).area.iloc[0] / 1e6
    assert abs(area_km2 - 1647) <= 5
    assert abs(area_km2 - 1646.69) < 2


def test_structure_counts(default_plan):
    p = default_plan
    assert (len(p["core"]), len(p["zones"]), len(p["axes"]), len(p["centers"])) == (1, 4, 2, 2)
    towns = p["towns"]
    assert len(towns) == 20
    assert set(towns.loc[towns["rank"] == "key", "name_zh"]) == {"杨士岗镇", "肖寨门镇", "茨榆坨街道"}
    # every park kind the vocabulary offers is drawn, except digital_park: the default plan marks the
    # text's digital parks programme as an industry of existing parks (issue 12)
    assert set(p["parks"]["kind"]) == set(p.vocabularies["park_kinds"]) - {"digital_park"}


def test_zone_functions_cover_all_five_areas(default_plan):
    used = {f for fs in default_plan["zones"]["functions"] for f in fs}
    assert used == set(default_plan.vocabularies["functional_areas"])
    assert len(used) == 5


def test_town_codes_match_statistics(default_plan):
    towns = default_plan["towns"]
    assert towns["code"].str.fullmatch(r"210115\d{3}").all()
    assert towns["code"].is_unique
    tags = dict(zip(towns["name_zh"], towns["tags"], strict=True))
    assert "industrial_strong_town" in tags["杨士岗镇"] and "industrial_strong_town" in tags["肖寨门镇"]
    assert "small_city_target" in tags["茨榆坨街道"]


def test_zones_within_boundary_and_disjoint(default_plan):
    zones = default_plan.layer("zones", metric=True)
    bnd = default_plan.boundary_metric
    # Rounding the zone/wedge crossing points to 6 decimals (~0.1 m) leaves slivers of a few
    # dozen m² along 1-km boundary edges: below any planning tolerance.
    for g in zones.geometry:
        assert g.difference(bnd).area < 100.0
    geoms = list(zones.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 1.0


def test_axes_pass_through_core(default_plan):
    core = default_plan.layer("core", metric=True).geometry.iloc[0]
    for g in default_plan.layer("axes", metric=True).geometry:
        assert g.intersects(core)
        assert g.geom_type == "LineString"


def test_manduhu_north_west_18km_of_seat(default_plan):
    seat = default_plan.layer("places", metric=True).set_index("kind").geometry["district_seat"]
    towns = default_plan.layer("towns", metric=True).set_index("name_zh")
    m = towns.geometry["满都户镇"]
    assert abs(m.distance(seat) - 18000) < 500
    assert m.x < seat.x and m.y > seat.y
    c = towns.geometry["茨榆坨街道"]
    assert c.x > seat.x  # east, toward Shenyang


def test_only_sourced_features_claim_sourced(default_plan):
    # The issue: the boundary, the seat, the Liao, the context are sourced; the structure is schematic.
    for name in ("core", "zones", "axes", "centers", "parks", "control_lines", "transport"):
        assert set(default_plan[name]["geometry_basis"]) == {"schematic"}, name
    towns = default_plan["towns"].set_index("name_zh")
    assert set(towns.loc[["蒲西街道", "蒲东街道"], "geometry_basis"]) == {"derived"}
    assert (towns.drop(["蒲西街道", "蒲东街道"])["geometry_basis"] == "schematic").all()
    schematic = default_plan["towns"].query("geometry_basis == 'schematic'")
    assert schematic["note"].str.contains("schematic").all()


def test_plan_api_returns_copies(default_plan):
    a = default_plan["zones"]
    a.loc[0, "name_en"] = "changed"
    assert default_plan["zones"].loc[0, "name_en"] != "changed"
    m = default_plan.layer("zones", metric=True)
    assert m.crs.to_epsg() == 4550


def test_repr_and_html(default_plan):
    assert "liaozhong-2023" in repr(default_plan)
    html = default_plan._repr_html_()
    assert "<table>" in html and "1,647" in html


def test_manifest_metadata(default_plan):
    p = default_plan
    assert p.metric_crs == "EPSG:4550"
    assert p.targets["signed"] == 120 and p.targets["landed"] == 70
    assert p.targets["resumed"] == 120 and p.targets["operating"] == 50
    assert p.source["date"] == "2023-02-01"
    four = p.manifest.plan["four_in_one"]
    assert "does not define" in four["note"]


def test_load_default_is_same_plan():
    p = load_plan()
    assert isinstance(p, Plan) and p.id == "liaozhong-2023"


def test_centers_and_main_in_core(default_plan):
    core = default_plan.layer("core", metric=True).geometry.iloc[0]
    centers = default_plan.layer("centers", metric=True).set_index("rank")
    assert core.contains(centers.geometry["main"])
    assert shapely.get_num_geometries(core) >= 1


def test_layers_readme_documents_the_schema():
    from lzspatial.plan.schema import schema_markdown

    text = (LAYERS / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- schema:begin -->\n")[1].split("\n<!-- schema:end -->")[0]
    assert block.strip() == schema_markdown().strip()
    for name in SHIPPED:
        assert f"`{name}.geojson`" in text, f"{name} missing from the provenance table"
