"""Each validation problem, triggered by a small edit of a copy of the default plan."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lzspatial.errors import LzSpatialError, PlanFileError, SchemaError
from lzspatial.plan import load_plan
from tests.conftest import edit_layer, feature, run_cli


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(SchemaError) as info:
        load_plan(folder)
    return info.value.problems


def only(problems: list[str], needle: str) -> str:
    hits = [p for p in problems if needle in p]
    assert hits, f"{needle!r} not in {problems}"
    return hits[0]


def test_invalid_json_names_line_and_column(plan_copy):
    (plan_copy / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    msg = only(problems_of(plan_copy), "zones.geojson")
    assert "invalid JSON at line 1" in msg


def test_not_a_feature_collection(plan_copy):
    (plan_copy / "core.geojson").write_text('{"type": "Feature", "properties": {}}', encoding="utf-8")
    msg = only(problems_of(plan_copy), "core.geojson")
    assert "not a GeoJSON FeatureCollection" in msg and "'Feature'" in msg


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:EPSG::4550", "EPSG:3857"])
def test_foreign_crs_member(plan_copy, name):
    edit_layer(plan_copy, "parks", lambda d: d.update(crs={"type": "name", "properties": {"name": name}}))
    msg = only(problems_of(plan_copy), "parks.geojson")
    assert "field 'crs'" in msg and name in msg and "RFC 7946" in msg


def test_accepted_crs_members_load(plan_copy):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}
    edit_layer(plan_copy, "parks", lambda d: d.update(crs=crs))
    assert len(load_plan(plan_copy)["parks"]) == 5


def _set_coords(fid, coords, gtype="Point"):
    def fn(d):
        feature(d, fid)["geometry"] = {"type": gtype, "coordinates": coords}

    return fn


def test_coordinates_out_of_range(plan_copy):
    edit_layer(plan_copy, "centers", _set_coords("center-east", [222.9, 41.5]))
    msg = only(problems_of(plan_copy), "center-east")
    assert "out of lon/lat range" in msg and "field 'geometry'" in msg


def test_projected_metres(plan_copy):
    edit_layer(plan_copy, "centers", _set_coords("center-east", [476000.0, 4595000.0]))
    msg = only(problems_of(plan_copy), "center-east")
    assert "look projected" in msg and "EPSG:4326" in msg


def test_swapped_lat_lon_in_range(plan_copy):
    # 41.6, 122.9 is out of latitude range: reported with the swap hint
    edit_layer(plan_copy, "centers", _set_coords("center-east", [41.585, 122.955]))
    msg = only(problems_of(plan_copy), "center-east")
    assert "swapped" in msg


def test_swapped_lat_lon_names_every_feature(plan_copy):
    # A plan near the equator-ish diagonal: swap keeps both in range; detection uses the boundary.
    def swap_all(d):
        for f in d["features"]:
            f["geometry"]["coordinates"] = f["geometry"]["coordinates"][::-1]

    edit_layer(plan_copy, "towns", swap_all)
    # latitude 122 is out of range -> swap hint on every town, each named
    probs = [p for p in problems_of(plan_copy) if "towns.geojson" in p]
    assert len(probs) == 20 and all("swapped" in p for p in probs)


def test_invalid_geometry_gives_geos_reason(plan_copy):
    bowtie = [[[122.70, 41.50], [122.75, 41.55], [122.75, 41.50], [122.70, 41.55], [122.70, 41.50]]]
    edit_layer(plan_copy, "parks", _set_coords("park-devzone", bowtie, "Polygon"))
    msg = only(problems_of(plan_copy), "park-devzone")
    assert "invalid geometry" in msg and "Self-intersection" in msg


def test_unclosed_ring(plan_copy):
    ring = [[[122.70, 41.50], [122.75, 41.50], [122.75, 41.52], [122.70, 41.52]]]
    edit_layer(plan_copy, "parks", _set_coords("park-devzone", ring, "Polygon"))
    msg = only(problems_of(plan_copy), "park-devzone")
    assert "not closed" in msg


def test_wrong_geometry_type(plan_copy):
    edit_layer(
        plan_copy, "towns", _set_coords("town-210115108", [[122.8, 41.6], [122.81, 41.61]], "LineString")
    )
    msg = only(problems_of(plan_copy), "town-210115108")
    assert "'LineString' is not allowed in layer 'towns'" in msg


def test_null_geometry(plan_copy):
    edit_layer(plan_copy, "towns", lambda d: feature(d, "town-210115108").update(geometry=None))
    assert "geometry is missing or null" in only(problems_of(plan_copy), "town-210115108")


def test_nan_coordinates(plan_copy):
    path = plan_copy / "centers.geojson"
    text = path.read_text(encoding="utf-8").replace("122.955", "NaN", 1)
    path.write_text(text, encoding="utf-8")
    assert "NaN is not valid JSON" in only(problems_of(plan_copy), "centers.geojson")


def test_missing_property(plan_copy):
    edit_layer(plan_copy, "parks", lambda d: feature(d, "park-timber-port")["properties"].pop("source"))
    msg = only(problems_of(plan_copy), "park-timber-port")
    assert "parks.geojson" in msg and "field 'source': is missing" in msg


def test_mistyped_property(plan_copy):
    edit_layer(
        plan_copy,
        "zones",
        lambda d: feature(d, "zone-east")["properties"].update(functions="trade_logistics"),
    )
    msg = only(problems_of(plan_copy), "zone-east")
    assert "field 'functions': must be a list of strings" in msg


def test_value_outside_vocabulary(plan_copy):
    edit_layer(
        plan_copy, "parks", lambda d: feature(d, "park-timber-port")["properties"].update(kind="casino")
    )
    msg = only(problems_of(plan_copy), "park-timber-port")
    assert "field 'kind': 'casino' is not allowed" in msg and "bonded_zone" in msg


def test_bad_geometry_basis(plan_copy):
    edit_layer(plan_copy, "core", lambda d: d["features"][0]["properties"].update(geometry_basis="surveyed"))
    msg = only(problems_of(plan_copy), "core.geojson")
    assert "geometry_basis" in msg and "sourced, derived, schematic" in msg


def test_duplicate_ids_across_files(plan_copy):
    edit_layer(plan_copy, "centers", lambda d: feature(d, "center-east")["properties"].update(id="zone-east"))
    msg = only(problems_of(plan_copy), "duplicate id")
    assert "'zone-east'" in msg and "zones.geojson" in msg


def test_feature_outside_boundary(plan_copy):
    edit_layer(plan_copy, "centers", _set_coords("center-east", [123.43278, 41.79222]))  # Shenyang centre
    msg = only(problems_of(plan_copy), "center-east")
    assert "outside the district boundary" in msg


def test_manifest_names_missing_file(plan_copy):
    (plan_copy / "axes.geojson").unlink()
    msg = only(problems_of(plan_copy), "axes.geojson")
    assert "file not found" in msg and "plan.toml" in msg


def test_manifest_path_outside_plan(plan_copy):
    toml = plan_copy / "plan.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('file = "axes.geojson"', 'file = "../../etc/passwd"'),
        encoding="utf-8",
    )
    msg = only(problems_of(plan_copy), "passwd")
    assert "outside the plan folder" in msg


def test_manifest_toml_syntax_error(plan_copy):
    (plan_copy / "plan.toml").write_text("[plan\nid = 1", encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"plan.toml: TOML syntax error"):
        load_plan(plan_copy)


def test_bom_and_non_utf8(plan_copy):
    p = plan_copy / "core.geojson"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    q = plan_copy / "axes.geojson"
    q.write_bytes(
        q.read_bytes()
        .replace("两轴".encode(), "两轴".encode("gbk"))
        .replace("陆海".encode(), "陆海".encode("gbk"))
    )
    probs = problems_of(plan_copy)
    assert "byte-order mark" in only(probs, "core.geojson")
    assert "not UTF-8" in only(probs, "axes.geojson")


def test_deeply_nested_json(plan_copy):
    (plan_copy / "core.geojson").write_text("[" * 10000 + "]" * 10000, encoding="utf-8")
    assert "nested too deeply" in only(problems_of(plan_copy), "core.geojson")


def test_every_problem_collected(plan_copy):
    edit_layer(
        plan_copy, "parks", lambda d: feature(d, "park-timber-port")["properties"].update(kind="casino")
    )
    edit_layer(plan_copy, "zones", lambda d: feature(d, "zone-east")["properties"].pop("name_en"))
    (plan_copy / "axes.geojson").unlink()
    probs = problems_of(plan_copy)
    assert len(probs) == 3
    with pytest.raises(SchemaError) as info:
        load_plan(plan_copy)
    assert "and 2 more" in str(info.value)


def test_errors_subclass_builtins():
    assert issubclass(SchemaError, ValueError) and issubclass(SchemaError, LzSpatialError)
    assert issubclass(PlanFileError, OSError)


def test_cli_validate_lists_every_problem_and_keeps_input(plan_copy):
    edit_layer(
        plan_copy, "parks", lambda d: feature(d, "park-timber-port")["properties"].update(kind="casino")
    )
    edit_layer(plan_copy, "zones", lambda d: feature(d, "zone-east")["properties"].pop("name_en"))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in plan_copy.iterdir()}
    res = run_cli("validate", plan_copy)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert any("park-timber-port" in ln and "'kind'" in ln for ln in lines)
    assert any("zone-east" in ln and "'name_en'" in ln for ln in lines)
    assert "Traceback" not in res.stderr
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in plan_copy.iterdir()}
    assert before == after


def test_cli_validate_ok_on_default():
    res = run_cli("validate")
    assert res.returncode == 0, res.stderr
    assert "valid" in res.stdout


def test_cli_info_reports_area_and_counts():
    res = run_cli("info", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert abs(data["boundary_area_km2"] - 1647) <= 5
    counts = {k: v["features"] for k, v in data["layers"].items()}
    assert (counts["core"], counts["zones"], counts["axes"], counts["centers"], counts["towns"]) == (
        1,
        4,
        2,
        2,
        20,
    )
    assert data["key_towns"] == 3 and len(data["park_kinds"]) == 5


def test_cli_missing_plan_folder_is_one_line(tmp_path):
    res = run_cli("info", tmp_path / "nope")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "plan folder not found" in res.stderr


def _tiny_plan(folder: Path, center_xy: list[float]) -> Path:
    """A minimal plan elsewhere on the globe (lon 30, lat 20): the schema is not Liaozhong-only."""
    from shapely import Point, box

    from lzspatial.io import feature_collection_text

    folder.mkdir()
    vocab = "\n".join(
        f"[vocabularies.{name}]\nx = {{ zh = 'x', en = 'x' }}\n"
        for name in ("functional_areas", "industry_chains", "park_kinds", "town_tags")
    )
    (folder / "plan.toml").write_text(
        "[plan]\nid = 'tiny'\ntitle_zh = '小'\ntitle_en = 'Tiny'\nmetric_crs = 'EPSG:32636'\n"
        "[source]\ntitle = 't'\npublisher = 'p'\ndate = '2024-01-01'\n"
        "[[layers]]\nfile = 'boundary.geojson'\nelement = 'boundary'\ntitle_zh = '界'\ntitle_en = 'B'\n"
        "[[layers]]\nfile = 'centers.geojson'\nelement = 'centers'\ntitle_zh = '心'\ntitle_en = 'Centers'\n"
        + vocab,
        encoding="utf-8",
    )
    common = {"name_zh": "x", "name_en": "x", "geometry_basis": "schematic", "source": "test"}
    (folder / "boundary.geojson").write_text(
        feature_collection_text([({"id": "b", **common, "adcode": "000000"}, box(30.0, 20.0, 30.5, 20.5))]),
        encoding="utf-8",
    )
    (folder / "centers.geojson").write_text(
        feature_collection_text([({"id": "c", **common, "rank": "main"}, Point(*center_xy))]),
        encoding="utf-8",
    )
    return folder


def test_any_plan_with_the_schema_loads(tmp_path):
    plan = load_plan(_tiny_plan(tmp_path / "tiny", [30.2, 20.3]))
    assert plan.id == "tiny" and len(plan["centers"]) == 1


def test_swapped_lat_lon_detected_against_the_boundary(tmp_path):
    # (20.3, 30.2) is a valid lon/lat, but it lies far from the plan's own boundary, while the
    # swapped pair falls inside it: reported as swapped, not merely "outside".
    msg = only(problems_of(_tiny_plan(tmp_path / "tiny", [20.3, 30.2])), "'c'")
    assert "swapped" in msg and "centers.geojson" in msg


@pytest.mark.parametrize(
    ("value", "needle"),
    [("EPSG:3857", "Mercator"), ("EPSG:4326", "not a projected CRS in metres"), ("foo", "not a known CRS")],
)
def test_metric_crs_is_checked(plan_copy, value, needle):
    toml = plan_copy / "plan.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('metric_crs = "EPSG:4550"', f'metric_crs = "{value}"'),
        encoding="utf-8",
    )
    msg = only(problems_of(plan_copy), "metric_crs")
    assert "plan.toml" in msg and needle in msg


def test_metric_crs_4549_warns(plan_copy):
    from lzspatial.crs import CRSWarning

    toml = plan_copy / "plan.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('metric_crs = "EPSG:4550"', 'metric_crs = "EPSG:4549"'),
        encoding="utf-8",
    )
    with pytest.warns(CRSWarning, match="120"):
        try:
            load_plan(plan_copy)
        except SchemaError:
            pass  # features measured in the wrong zone may also fail; the warning is the point


def test_cli_validate_checks_rules_and_siting(plan_copy):
    (plan_copy / "rules.toml").write_text(
        (plan_copy / "rules.toml")
        .read_text(encoding="utf-8")
        .replace('layer = "zones"', 'layer = "zonez"', 1),
        encoding="utf-8",
    )
    with open(plan_copy / "siting.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[[rules\n")
    res = run_cli("validate", plan_copy)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert any("rules.toml" in ln and "'zonez'" in ln for ln in lines)
    assert any("siting.toml" in ln and "TOML syntax error" in ln for ln in lines)
