"""``lzspatial import``: edited layers back into a plan.

Round trips through our own exports change nothing and leave every layer file
byte-identical; edits are reported (added, removed, moved, re-attributed);
new or moved geometry needs a basis and a source; hostile inputs are one line, exit 2,
and neither the plan nor the source is modified.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyogrio
import pytest
import shapely

from lzspatial.outputs.export import export_plan
from lzspatial.outputs.plan_import import import_layer
from lzspatial.plan import load_plan
from tests.conftest import LAYERS, run_cli


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


FORMATS = {
    "gpkg": ({"fmt": "gpkg"}, "liaozhong-2023.gpkg"),
    "shp": ({"fmt": "shp"}, "{layer}.shp"),
    "shp-gbk-zip-4550": ({"fmt": "shp", "encoding": "gbk", "zipped": True, "crs": "4550"}, "{layer}.zip"),
    "filegdb-4550": ({"fmt": "filegdb", "crs": "EPSG:4550"}, "liaozhong-2023.gdb"),
    "geojson-4529": ({"fmt": "geojson", "crs": "EPSG:4529"}, "{layer}.geojson"),
}


@pytest.mark.parametrize("key", list(FORMATS))
def test_round_trip_without_edits_changes_nothing(key, plan_copy, tmp_path):
    import warnings

    kwargs, name = FORMATS[key]
    plan = load_plan(plan_copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # GBK: km² -> km2
        export_plan(plan, tmp_path / "x", **kwargs)
    before = _digest(plan_copy)
    exported = _digest(tmp_path / "x")
    for layer in ("boundary", "context", "zones", "towns", "parks", "control_lines", "axes"):
        report = import_layer(plan, tmp_path / "x" / name.format(layer=layer), layer=layer)
        assert not report.changed, report.lines()
        assert report.written is None
    assert _digest(plan_copy) == before  # byte-identical layer files
    assert _digest(tmp_path / "x") == exported  # the source untouched


def _gpkg_with(plan_copy: Path, tmp_path: Path, edit) -> Path:
    """Export zones to a GeoPackage, edit the frame with *edit*, write it back like a GIS would."""
    src = export_plan(load_plan(plan_copy), tmp_path / "x", fmt="gpkg", crs="EPSG:4550", layers="zones")[0]
    frame = pyogrio.read_dataframe(src, layer="zones")
    frame = edit(frame)
    out = tmp_path / "edited.gpkg"
    pyogrio.write_dataframe(frame, out, layer="zones", driver="GPKG")
    return out


def _move_first_vertex(frame, dx=25.0):
    geom = frame.geometry.iloc[0]
    coords = shapely.get_coordinates(geom)
    coords[0] += dx
    first = geom.geoms[0] if hasattr(geom, "geoms") else geom  # the GeoPackage declares MultiPolygon
    coords[len(first.exterior.coords) - 1] += dx  # the closing vertex too
    frame.loc[0, "geometry"] = shapely.set_coordinates(geom, coords)
    return frame


def test_moved_vertex_needs_basis_then_is_reported_and_written(plan_copy, tmp_path):
    src = _gpkg_with(plan_copy, tmp_path, _move_first_vertex)
    zones = plan_copy / "zones.geojson"
    before = zones.read_bytes()
    res = run_cli("import", src, "--into", plan_copy)
    assert res.returncode == 2
    assert (
        res.stderr.count("\n") == 1 and "1 feature(s) with new or edited geometry (zone-north)" in res.stderr
    )
    assert "--basis" in res.stderr and "--source" in res.stderr
    assert zones.read_bytes() == before
    res = run_cli("import", src, "--into", plan_copy, "--basis", "sourced", "--source", "survey 2024-05")
    assert res.returncode == 0, res.stderr
    assert "moved: 1 (zone-north)" in res.stdout and "added: 0" in res.stdout
    doc = json.loads(zones.read_text(encoding="utf-8"))
    north = next(f for f in doc["features"] if f["properties"]["id"] == "zone-north")
    assert north["properties"]["geometry_basis"] == "sourced"
    assert north["properties"]["source"] == "survey 2024-05"
    assert north["properties"]["functions"] == ["new_industrial_expansion"]  # list restored from JSON text
    others = [f for f in json.loads(before)["features"] if f["properties"]["id"] != "zone-north"]
    assert [f for f in doc["features"] if f["properties"]["id"] != "zone-north"] == others
    plan = load_plan(plan_copy)  # still valid
    old = load_plan(LAYERS).layer("zones", metric=True).geometry.iloc[0]
    new = plan.layer("zones", metric=True).geometry.iloc[0]
    assert 35 < shapely.hausdorff_distance(old, new) < 36  # 25 m east and 25 m north


@pytest.mark.slow
def test_attribute_edit_added_and_removed_features(plan_copy, tmp_path):
    def edit(frame):
        frame.loc[1, "name_zh"] = "东部片区（改名）"
        extra = frame.iloc[[0]].copy()
        extra["id"] = "zone-new"
        extra["geometry"] = [shapely.box(490000, 4600000, 491000, 4601000)]
        return frame.drop(index=3).pipe(lambda f: __import__("pandas").concat([f, extra]))

    src = _gpkg_with(plan_copy, tmp_path, edit)
    removed = load_plan(plan_copy).layer("zones")["id"].iloc[3]
    report = import_layer(load_plan(plan_copy), src, basis="derived", source="drawn in QGIS by the planner")
    assert report.added == ["zone-new"] and report.removed == [removed] and report.moved == []
    second = load_plan(LAYERS).layer("zones")["id"].iloc[1]
    assert report.reattributed == {second: ["name_zh"]}
    plan = load_plan(plan_copy)
    assert list(plan.layer("zones")["id"])[-1] == "zone-new"
    assert plan.layer("zones").set_index("id").loc["zone-new", "geometry_basis"] == "derived"


@pytest.mark.slow
def test_invalid_result_writes_nothing(plan_copy, tmp_path):
    src = _gpkg_with(plan_copy, tmp_path, lambda f: f.assign(functions='["not_a_function"]'))
    before = _digest(plan_copy)
    res = run_cli("import", src, "--into", plan_copy)
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "would make the plan invalid" in res.stderr and "'not_a_function' is not allowed" in res.stderr
    assert _digest(plan_copy) == before


@pytest.mark.slow
def test_map_fields_and_gbk_shapefile_without_cpg(plan_copy, tmp_path):
    plan = load_plan(plan_copy)
    frame = plan.layer("parks")
    frame = frame.rename(columns={"name_zh": "名称"})
    frame["industries"] = [";".join(v) for v in frame["industries"]]
    frame["名称"] = frame["名称"] + "（改）"
    src = tmp_path / "parks.shp"
    pyogrio.write_dataframe(frame[["id", "名称", "industries", "geometry"]], src, encoding="CP936")
    src.with_suffix(".cpg").unlink()  # a GBK Shapefile as older tools leave it
    res = run_cli("import", src, "--into", plan_copy, "--map-fields", "名称=name_zh", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert "re-attributed: 5" in res.stdout and "dry run: nothing written" in res.stdout
    assert "park-bonded-jinhai [name_zh]" in res.stdout and "industries" not in res.stdout  # GBK read right
    assert "fields not in the source, kept from the plan: name_en, geometry_basis" in res.stdout
    assert _digest(plan_copy) == _digest(LAYERS)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: p.mkdir() or p, "not a File Geodatabase folder"),
        (lambda p: os.mkfifo(p) or p, "is a FIFO"),
        (lambda p: Path("/dev/zero"), "not a layer file"),
        (lambda p: (p.write_text("{}"), p)[1], "cannot open as a GIS layer file"),
    ],
    ids=["folder", "fifo", "dev-zero", "not-gis"],
)
def test_hostile_sources_are_one_line_exit_2(make, match, plan_copy, tmp_path):
    suffix = {"not a File Geodatabase folder": ".gdb", "is a FIFO": ".gpkg"}.get(match, ".geojson")
    src = make(tmp_path / f"zones{suffix}")
    res = run_cli("import", src, "--into", plan_copy, "--layer", "zones")
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and match in res.stderr and "Traceback" not in res.stderr
    assert _digest(plan_copy) == _digest(LAYERS)


@pytest.mark.slow
def test_clash_wrong_layer_and_wrong_crs(plan_copy, tmp_path):
    gpkg = export_plan(load_plan(plan_copy), tmp_path / "x", fmt="gpkg", layers="zones,parks")[0]
    res = run_cli("import", gpkg, "--into", plan_copy)
    assert res.returncode == 2 and "cannot tell which plan layer" in res.stderr
    res = run_cli("import", gpkg, "--into", plan_copy, "--layer", "zonez")
    assert res.returncode == 2 and "--layer zonez is not a layer of plan" in res.stderr
    res = run_cli("import", gpkg, "--into", plan_copy, "--layer", "towns")
    assert (
        res.returncode == 2 and "has no layer 'towns' (layers: parks, zones)" in res.stderr
    )  # tables in drawing order
    frame = pyogrio.read_dataframe(gpkg, layer="zones")
    doc = json.loads((plan_copy / "zones.geojson").read_text(encoding="utf-8"))
    for f in doc["features"]:
        f["properties"]["geom_basis"] = f["properties"]["geometry_basis"]  # the Shapefile name, too
    clash = tmp_path / "zones.shp.geojson"
    clash.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = run_cli(
        "import", clash, "--into", plan_copy, "--layer", "zones", "--map-fields", "geom_basis=geometry_basis"
    )
    assert (
        res.returncode == 2
        and "columns 'geometry_basis', 'geom_basis' all map to field 'geometry_basis'" in res.stderr
    )
    wrong = tmp_path / "zones.shp"  # metres labelled as degrees
    pyogrio.write_dataframe(frame[["id", "geometry"]].to_crs(4550).set_crs(4326, allow_override=True), wrong)
    res = run_cli("import", wrong, "--into", plan_copy)
    assert res.returncode == 2 and "CRS" in res.stderr and res.stderr.count("\n") == 1
    res = run_cli("import", gpkg, "--into", plan_copy, "--layer", "zones", "--crs", "4550")
    assert res.returncode == 2 and "says its CRS is 'EPSG:4326' but --crs EPSG:4550" in res.stderr
    assert _digest(plan_copy) == _digest(LAYERS)


@pytest.mark.slow
def test_shapefile_saved_by_a_gis_with_gdal_cut_names_and_text(plan_copy, tmp_path):
    """QGIS' "Save as Shapefile" of our GeoPackage: GDAL cuts names (geometry_b) and text (254 bytes)."""
    import warnings

    gpkg = export_plan(load_plan(plan_copy), tmp_path / "x", fmt="gpkg", layers="zones")[0]
    frame = pyogrio.read_dataframe(gpkg, layer="zones")
    src = tmp_path / "zones.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL: laundered names, truncated values
        pyogrio.write_dataframe(frame, src, encoding="UTF-8")
    assert "geometry_b" in pyogrio.read_info(src)["fields"]
    report = import_layer(load_plan(plan_copy), src)
    assert not report.changed, report.lines()
    assert any(n.startswith("zone-north: note") and "cut at 254 bytes" in n for n in report.notes)
    assert _digest(plan_copy) == _digest(LAYERS)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda fs: fs[0].update(geometry=None), "feature 'zone-north': field 'geometry': missing or empty"),
        (
            lambda fs: fs[1]["properties"].update(id="zone-north"),
            "feature 'zone-north': field 'id': duplicate",
        ),
        (lambda fs: [f["properties"].pop("id") for f in fs], "layer has no 'id' column"),
    ],
    ids=["no-geometry", "duplicate-id", "no-id-column"],
)
def test_bad_features_are_one_line_naming_feature_and_field(edit, match, plan_copy, tmp_path):
    doc = json.loads((plan_copy / "zones.geojson").read_text(encoding="utf-8"))
    edit(doc["features"])
    src = tmp_path / "zones.geojson"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = run_cli("import", src, "--into", plan_copy, "--basis", "derived", "--source", "x")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and match in res.stderr, res.stderr
    assert _digest(plan_copy) == _digest(LAYERS)
