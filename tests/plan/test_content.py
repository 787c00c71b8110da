"""The default plan's content: notes agree with geometry, names say what they are.

Only the public API (``lzspatial.load_plan``) and geopandas/shapely, in the
plan's metric CRS (EPSG:4550). Each test states a fact of a feature's note or
of the source and checks the geometry against it (issue 12).
"""

from __future__ import annotations

import math
import re

import pytest
import shapely
from shapely.geometry import Point

import lzspatial

#: Layers whose every feature names a plan element of the source text: their name_zh is a
#: back-translation from the English text (REFERENCE.md §1).
BACK_TRANSLATED_LAYERS = ("core", "zones", "axes", "centers", "parks")
#: Features whose names the maintainers made up; they must read as descriptive.
DESCRIPTIVE = {"zones": None, "axes": None, "centers": None, "parks": ("park-devzone",)}
#: The Jinhai corridor nodes the land-sea axis must pass, and how close (metres).
JINHAI_NODES = ("bonded_zone", "logistics_park", "timber_port", "customs_station")
AXIS_NODE_TOLERANCE_M = 300
#: Town tags and the zone function the note of the zone that holds them must name.
TAG_WORDS = {"industrial_strong_town": "national industrial strong town", "small_city_target": "small city"}


@pytest.fixture(scope="module")
def plan():
    return lzspatial.load_plan("layers")


def _m(plan, name):
    frame = plan.layer(name, metric=True)
    assert frame.crs.to_epsg() == 4550
    return frame


@pytest.fixture(scope="module")
def district(plan):
    return _m(plan, "boundary").geometry.union_all()


@pytest.fixture(scope="module")
def marker(plan):
    return plan.manifest.raw["names"]["marker"]


# ---------------------------------------------------------------- towns and zones


def test_each_tagged_town_lies_in_the_zone_whose_note_names_it(plan):
    zones, towns = _m(plan, "zones"), _m(plan, "towns")
    tagged = towns[towns["tags"].map(len) > 0]
    assert len(tagged) >= 3  # two national industrial strong towns and Ciyutuo
    for _, town in tagged.iterrows():
        holders = zones[zones.geometry.contains(town.geometry)]
        assert len(holders) <= 1, f"{town['id']} lies in more than one zone"
        pinyin_name = town["name_en"].split()[0]  # "Yangshigang Town" -> "Yangshigang"
        naming = zones[zones["note"].str.contains(pinyin_name, regex=False)]
        assert list(naming["id"]) == list(holders["id"]), (
            f"{pinyin_name} lies in {list(holders['id'])} but the notes of {list(naming['id'])} name it"
        )


def test_no_zone_note_claims_a_tag_count_the_geometry_does_not_hold(plan):
    zones, towns = _m(plan, "zones"), _m(plan, "towns")
    for tag, words in TAG_WORDS.items():
        tagged = towns[towns["tags"].map(lambda t, tag=tag: tag in t)]
        for _, zone in zones.iterrows():
            held = tagged[tagged.geometry.within(zone.geometry)]
            claims_both = re.search(r"\bboth\b[^.]*" + words, zone["note"] or "")
            if claims_both:
                assert len(held) == len(tagged), f"{zone['id']} claims both {words}s, holds {len(held)}"
            for _, town in tagged.iterrows():
                if town["name_en"].split()[0] in (zone["note"] or ""):
                    assert zone.geometry.contains(town.geometry)


# ---------------------------------------------------------------- rivers


def _river(plan, fid):
    water = _m(plan, "water")
    return water.geometry[water["id"] == fid].iloc[0]


def test_hun_runs_along_the_south_east_edge(plan, district):
    hun = _river(plan, "river-hun")
    edge = district.boundary
    near = hun.intersection(edge.buffer(1500)).length / hun.length
    assert near >= 0.8, f"only {near:.0%} of the Hun lies within 1.5 km of the district boundary"
    # it is the south-east edge: the district's centroid lies north-west of the river's midpoint
    mid, c = hun.interpolate(0.5, normalized=True), district.centroid
    assert mid.x > c.x and mid.y < c.y
    # and it does not cut across the district: nowhere deeper than 2 km inside
    deep = hun.intersection(district.buffer(-2000))
    assert deep.length < 100


def test_pu_flows_inside_the_district_between_puxi_and_pudong_to_the_hun(plan, district):
    pu, hun = _river(plan, "river-pu"), _river(plan, "river-hun")
    assert pu.difference(district.buffer(50)).length < 1.0, "the Pu leaves the district"
    end = Point(pu.coords[-1])
    assert end.distance(hun) < 50, f"the Pu ends {end.distance(hun):.0f} m from the Hun"
    towns = _m(plan, "towns")
    puxi = towns.geometry[towns["name_zh"].str.startswith("蒲西")].iloc[0]
    pudong = towns.geometry[towns["name_zh"].str.startswith("蒲东")].iloc[0]
    assert shapely.LineString([puxi, pudong]).intersects(pu), "the Pu does not pass between Puxi and Pudong"
    assert puxi.x < pudong.x  # 蒲西 "west of the Pu", 蒲东 "east of the Pu"


def test_confluence_lies_on_the_district_edge_by_zhujiafang(plan, district):
    pu = _river(plan, "river-pu")
    end = Point(pu.coords[-1])
    assert end.distance(district.boundary) < 200
    towns = _m(plan, "towns")
    zhujiafang = towns.geometry[towns["name_zh"].str.startswith("朱家房")].iloc[0]
    assert end.distance(zhujiafang) < 5000


# ---------------------------------------------------------------- axes and transport


def test_land_sea_axis_passes_every_jinhai_node(plan):
    axes, parks = _m(plan, "axes"), _m(plan, "parks")
    axis = axes.geometry[axes["id"] == "axis-land-sea"].iloc[0]
    for kind in JINHAI_NODES:
        nodes = parks[parks["kind"] == kind]
        assert len(nodes) >= 1, f"no {kind} in the plan"
        for _, node in nodes.iterrows():
            d = node.geometry.distance(axis)
            assert d <= AXIS_NODE_TOLERANCE_M, f"the land-sea axis passes {node['id']} at {d:.0f} m"


def _winding_deg(line, centre):
    """Total angle (degrees) the line sweeps around *centre*."""
    angles = [math.atan2(y - centre.y, x - centre.x) for x, y in line.coords]
    total = 0.0
    for a, b in zip(angles, angles[1:], strict=False):
        d = b - a
        d = (d + math.pi) % (2 * math.pi) - math.pi
        total += d
    return abs(math.degrees(total))


def test_no_expressway_is_a_ring(plan):
    transport, core = _m(plan, "transport"), _m(plan, "core").geometry.union_all()
    for _, row in transport.iterrows():
        for part in getattr(row.geometry, "geoms", [row.geometry]):
            assert not part.is_closed, f"{row['id']} is a closed ring"
            assert _winding_deg(part, core.centroid) < 270, f"{row['id']} encircles the core"
    g91 = transport[transport["ref"] == "G91"]
    assert len(g91) == 1 and "本辽辽" in g91["name_zh"].iloc[0]
    assert "环线" not in g91["name_en"].iloc[0] and "Liaoning Central Ring" in g91["name_en"].iloc[0]


def test_winding_detects_a_ring():
    ring = Point(0, 0).buffer(1000).exterior
    assert _winding_deg(shapely.LineString(ring.coords), Point(0, 0)) > 350


# ---------------------------------------------------------------- names


def test_manifest_states_the_back_translation(plan):
    names = plan.manifest.raw["names"]
    assert names["zh_basis"] == "back-translation" and names["checked"] is False
    assert "back-translation" in names["statement_en"] and "回译" in names["statement_zh"]
    assert "回译" in plan.disclaimer["zh"] and "back-translation" in plan.disclaimer["en"]


@pytest.mark.parametrize("layer", BACK_TRANSLATED_LAYERS)
def test_every_back_translated_name_carries_the_marker(plan, marker, layer):
    frame = plan[layer]
    assert len(frame)
    missing = [
        fid for fid, note in zip(frame["id"], frame["note"], strict=True) if marker not in (note or "")
    ]
    assert not missing, f"{layer}: no back-translation marker on {missing}"


@pytest.mark.parametrize("layer", list(DESCRIPTIVE))
def test_invented_names_read_as_descriptive(plan, layer):
    frame = plan[layer]
    ids = DESCRIPTIVE[layer] or tuple(frame["id"])
    descr = plan.manifest.raw["names"]["descriptive_marker"]
    for _, row in frame[frame["id"].isin(ids)].iterrows():
        assert descr in row["note"], row["id"]
        assert "示意" in row["name_zh"] and "schematic" in row["name_en"], row["id"]


def test_no_official_looking_titles(plan):
    layers = ("core", "zones", "axes", "centers", "parks", "towns", "transport", "water", "control_lines")
    for layer in layers:
        for zh in plan[layer]["name_zh"]:
            assert "《" not in zh and "》" not in zh, zh


def test_secondary_center_is_not_a_sub_center(plan):
    centers = plan["centers"]
    secondary = centers[centers["rank"] == "secondary"]
    assert all("副中心" not in n and "次中心" in n for n in secondary["name_zh"])


def test_key_town_wording_is_absent_from_the_data(plan):
    texts = list(plan["towns"]["name_zh"]) + [v["zh"] for v in plan.vocabularies["town_tags"].values()]
    assert not any("重点镇" in t for t in texts)
    assert plan.vocabularies["town_tags"]["industrial_strong_town"]["zh"] == "国家级工业强镇"


def test_one_timber_port_name(plan):
    parks = plan["parks"]
    label = plan.vocabularies["park_kinds"]["timber_port"]["zh"]
    assert set(parks.loc[parks["kind"] == "timber_port", "name_zh"]) == {label}


def test_digital_parks_are_a_programme_on_existing_parks(plan):
    parks = plan["parks"]
    assert not (parks["kind"] == "digital_park").any()
    assert parks["industries"].map(lambda v: "digital_industrial_internet" in v).any()


def test_roles_and_text_only_statements(plan):
    raw = plan.manifest.raw["plan"]
    assert raw["roles"][0] == "demonstration area of integrated urban-rural development"
    for key in (
        "four_in_one",
        "six_projects_one_system",
        "projects_under_negotiation",
        "transit_trade",
        "equipment_manufacturing_base",
    ):
        assert raw[key]["text_en"] and raw[key]["note"], key
    assert raw["projects_under_negotiation"]["count_min"] == 50
