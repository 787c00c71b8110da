"""Exports (lzspatial.export, lzspatial.qgis_styles, ``lzspatial export``), re-read with GDAL.

Every export is read back with pyogrio (GDAL): feature counts, CRS, attribute
values, polygon areas in EPSG:4550 against the plan, validity, no GDAL
warnings, byte-identical repeats.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.outputs.export import export_plan, gpkg_name, gpkg_order
from lzspatial.outputs.style import CLASS_FIELD, LABELLED, STYLES, class_of, style_for
from lzspatial.plan import load_plan
from tests.conftest import LAYERS, edit_layer, feature, run_cli

POINTS = ("places", "towns", "centers")
GKTXT_DEFAULT = ("boundary", "core", "zones", "parks", "control_lines")
AREA_RTOL = 1e-4  # 0.01 %


@contextlib.contextmanager
def strict_gdal():
    """Record Python warnings (pyogrio turns GDAL warnings into them) under strict GDAL options."""
    old = pyogrio.get_gdal_config_option("OGR_GEOMETRY_ACCEPT_UNCLOSED_RING")
    pyogrio.set_gdal_config_options({"OGR_GEOMETRY_ACCEPT_UNCLOSED_RING": "NO"})
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
    finally:
        pyogrio.set_gdal_config_options({"OGR_GEOMETRY_ACCEPT_UNCLOSED_RING": old})


def read(path, **kwargs):
    """Read with pyogrio; assert GDAL said nothing and every geometry is valid."""
    with strict_gdal() as caught:
        df = pyogrio.read_dataframe(path, **kwargs)
    assert not caught, [str(w.message) for w in caught]
    if "geometry" in df:
        assert shapely.is_valid(df.geometry.values).all(), path
    return df


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def as_value(v):
    """Plan values as written by the text formats: lists as JSON array text."""
    if isinstance(v, list):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return v


def assert_same_attributes(src, got, *, lists_as_text):
    cols = [c for c in src.columns if c != "geometry"]
    assert [c for c in got.columns if c in cols] == cols  # schema order kept
    for c in cols:
        for a, b in zip(src[c], got[c], strict=True):
            a = as_value(a) if lists_as_text else a
            if isinstance(a, list):
                assert list(b) == a, (c, a, b)
            elif a is None or (isinstance(a, float) and np.isnan(a)):
                assert b is None or (isinstance(b, float) and np.isnan(b)), (c, b)
            else:
                assert b == a, (c, a, b)


def assert_same_areas(src_metric, got):
    got_m = got.to_crs("EPSG:4550")
    np.testing.assert_allclose(got_m.area.values, src_metric.area.values, rtol=AREA_RTOL)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def exports(tmp_path_factory, default_plan):
    """Default-plan exports, one folder per (format, crs); GDAL warnings during writing recorded."""
    root = tmp_path_factory.mktemp("exports")
    cases = {
        "geojson": ("geojson", None),
        "geojson-4550": ("geojson", "EPSG:4550"),
        "geojson-4490": ("geojson", "EPSG:4490"),
        "geojson-gcj02": ("geojson", "gcj02"),
        "gpkg": ("gpkg", None),
        "gpkg-4529": ("gpkg", "EPSG:4529"),
        "csv": ("csv", None),
        "csv-4550": ("csv", "EPSG:4550"),
        "csv-bd09": ("csv", "bd09"),
        "gktxt": ("gktxt", None),
    }
    out, caught_all = {}, []
    for key, (fmt, crs) in cases.items():
        with strict_gdal() as caught:
            files = export_plan(default_plan, root / key, fmt=fmt, crs=crs)
        caught_all += [f"{key}: {w.message}" for w in caught]
        out[key] = (root / key, files)
    out["_warnings"] = caught_all
    return out


def test_no_warning_while_writing_any_export(exports):
    assert exports["_warnings"] == []


def test_every_write_is_atomic_and_inputs_untouched(tmp_path, default_plan):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in LAYERS.iterdir() if p.is_file()}
    for fmt in ("geojson", "gpkg", "csv", "gktxt"):
        export_plan(default_plan, tmp_path / fmt, fmt=fmt)
        assert not [p for p in (tmp_path / fmt).iterdir() if p.name.startswith(".lzspatial-tmp-")]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in LAYERS.iterdir() if p.is_file()}
    assert before == after


@pytest.mark.parametrize("key", ["geojson", "geojson-4550", "gpkg", "gpkg-4529", "csv", "gktxt"])
def test_repeated_export_is_byte_identical(exports, tmp_path, default_plan, key):
    folder, _ = exports[key]
    fmt, _, crs = key.partition("-")
    crs = {"": None, "4550": "EPSG:4550", "4529": "EPSG:4529"}[crs]
    export_plan(default_plan, tmp_path, fmt=fmt, crs=crs)
    first, second = tree_bytes(folder), tree_bytes(tmp_path)
    assert first.keys() == second.keys() and first == second


# ------------------------------------------------------------------ GeoJSON


def test_geojson_default_is_strict_rfc7946(exports, default_plan):
    folder, files = exports["geojson"]
    assert [p.name for p in files] == [f"{n}.geojson" for n in default_plan.layer_names] + ["plan.geojson"]
    for name in default_plan.layer_names:
        path = folder / f"{name}.geojson"
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
        assert "crs" not in doc and '"bbox"' not in text
        assert not re.search(r"\d\.\d{7,}", text), "more than 6 decimals"
        src = default_plan[name]
        assert [list(f["properties"]) for f in doc["features"]] == [
            [c for c in src.columns if c != "geometry"]
        ] * len(src)
        for f in doc["features"]:
            geom = shapely.geometry.shape(f["geometry"])
            for poly in getattr(geom, "geoms", [geom]) if geom.geom_type.endswith("Polygon") else []:
                assert poly.exterior.is_ccw and not any(r.is_ccw for r in poly.interiors)
        got = read(path)
        assert len(got) == len(src) and got.crs.to_epsg() == 4326
        assert_same_attributes(src, got, lists_as_text=False)
        if src.geom_type.str.endswith("Polygon").all():
            assert_same_areas(default_plan.layer(name, metric=True), got)


def test_geojson_lists_stay_json_arrays(exports, default_plan):
    doc = json.loads((exports["geojson"][0] / "zones.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["functions"] for f in doc["features"]] == list(default_plan["zones"]["functions"])


def test_geojson_combined_file_has_every_feature_with_layer_first(exports, default_plan):
    path = exports["geojson"][0] / "plan.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    counts = {n: len(default_plan[n]) for n in default_plan.layer_names}
    assert len(doc["features"]) == sum(counts.values())
    assert all(next(iter(f["properties"])) == "layer" for f in doc["features"])
    assert {n: sum(f["properties"]["layer"] == n for f in doc["features"]) for n in counts} == counts
    got = read(path)
    assert len(got) == sum(counts.values()) and got.crs.to_epsg() == 4326


@pytest.mark.parametrize("key, epsg, decimals", [("geojson-4550", 4550, 3), ("geojson-4490", 4490, 6)])
def test_geojson_other_crs_carries_crs_member(exports, default_plan, key, epsg, decimals):
    folder, _ = exports[key]
    for name in ("zones", "towns", "control_lines"):
        text = (folder / f"{name}.geojson").read_text(encoding="utf-8")
        urn = f"urn:ogc:def:crs:EPSG::{epsg}"
        assert json.loads(text)["crs"] == {"type": "name", "properties": {"name": urn}}
        assert not re.search(rf"\d\.\d{{{decimals + 1},}}", text)
        got = read(folder / f"{name}.geojson")
        assert got.crs.to_epsg() == epsg and len(got) == len(default_plan[name])
        if name != "towns":
            assert_same_areas(default_plan.layer(name, metric=True), got)
        else:
            src = default_plan.layer(name, metric=True).to_crs(epsg)
            tol = 1e-3 if epsg == 4550 else 1e-6
            np.testing.assert_allclose(got.geometry.x, src.geometry.x, atol=tol)


def test_geojson_gcj02_converts_and_says_so(exports, default_plan):
    prcoords = pytest.importorskip("prcoords")
    text = (exports["geojson-gcj02"][0] / "towns.geojson").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["coordinate_system"] == "gcj02" and "crs" not in doc
    src = default_plan["towns"]
    for f, geom in zip(doc["features"], src.geometry, strict=True):
        ref = prcoords.wgs_gcj(prcoords.Coords(geom.y, geom.x))  # independent implementation
        lon, lat = f["geometry"]["coordinates"]
        assert abs(lon - ref.lon) < 2e-6 and abs(lat - ref.lat) < 2e-6
        assert abs(lon - geom.x) > 1e-3  # really shifted (hundreds of metres)


# ------------------------------------------------------------------ GeoPackage


def test_gpkg_layers_crs_values_areas(exports, default_plan):
    folder, files = exports["gpkg"]
    assert [p.name for p in files] == [gpkg_name(default_plan)] == ["liaozhong-2023.gpkg"]
    path = files[0]
    with strict_gdal() as caught:
        listed = pyogrio.list_layers(path)
    assert not caught
    # tables top first (QGIS puts the first table on top): the web map's drawing order reversed
    assert [str(n) for n in listed[:, 0]] == [
        *gpkg_order(default_plan, default_plan.layer_names),
        "layer_styles",
    ]
    assert [str(n) for n in listed[:3, 0]] == ["centers", "towns", "places"] and listed[-2, 0] == "context"
    for name in default_plan.layer_names:
        got = read(path, layer=name)
        src = default_plan[name]
        assert len(got) == len(src) and got.crs.to_epsg() == 4326
        assert_same_attributes(src, got, lists_as_text=True)
        if src.geom_type.str.endswith("Polygon").all():
            assert_same_areas(default_plan.layer(name, metric=True), got)
        else:
            np.testing.assert_allclose(
                shapely.get_coordinates(got.geometry.values),
                shapely.get_coordinates(src.geometry.values),
                atol=1e-9,
            )
    info = pyogrio.read_info(path, layer="context")
    assert info["ogr_subtypes"][list(info["fields"]).index("in_shenyang")] == "OFSTBoolean"
    # declared geometry types follow the schema (multi-part where it allows it), not the data
    declared = {str(n): str(t) for n, t in listed}
    assert declared["zones"] == declared["boundary"] == declared["parks"] == "MultiPolygon"
    assert declared["axes"] == declared["water"] == "MultiLineString"
    assert declared["towns"] == "Point"


def test_gpkg_is_version_1_2(exports):
    """GeoPackage 1.2: the GDAL 3.6 of QGIS 3.22 opens it without a warning (1.4 warns)."""
    con = sqlite3.connect(exports["gpkg"][1][0])
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (10200,)
    finally:
        con.close()


def test_gpkg_projected_crs(exports, default_plan):
    path = exports["gpkg-4529"][1][0]
    for name in ("boundary", "zones", "towns"):
        got = read(path, layer=name)
        assert got.crs.to_epsg() == 4529
        assert (got.geometry.bounds["minx"] > 41_000_000).all()  # the zone prefix
        if name != "towns":
            assert_same_areas(default_plan.layer(name, metric=True), got)


def test_gpkg_is_a_sound_sqlite_geopackage(exports):
    path = exports["gpkg-4529"][1][0]
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA application_id").fetchone() == (0x47504B47,)  # 'GPKG'
        changes = {r[0] for r in con.execute("SELECT last_change FROM gpkg_contents")}
        assert changes == {"2000-01-01T00:00:00.000Z"}
        srs = con.execute(
            "SELECT DISTINCT g.srs_id, s.organization, s.organization_coordsys_id FROM "
            "gpkg_geometry_columns g JOIN gpkg_spatial_ref_sys s USING (srs_id)"
        ).fetchall()
        assert srs == [(4529, "EPSG", 4529)]
    finally:
        con.close()


def test_gpkg_precision_rounds_when_given(tmp_path, default_plan):
    path = export_plan(default_plan, tmp_path, fmt="gpkg", layers="towns,zones", precision=3)[0]
    coords = shapely.get_coordinates(read(path, layer="zones").geometry.values)
    np.testing.assert_array_equal(coords, np.round(coords, 3))
    assert [str(n) for n in pyogrio.list_layers(path)[:, 0]] == ["towns", "zones", "layer_styles"]


# ------------------------------------------------------------------ QGIS styles

QGIS_LAYER_STYLES_COLUMNS = [
    ("id", "INTEGER"),
    ("f_table_catalog", "TEXT(256)"),
    ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"),
    ("f_geometry_column", "TEXT(256)"),
    ("styleName", "TEXT(30)"),
    ("styleQML", "TEXT"),
    ("styleSLD", "TEXT"),
    ("useAsDefault", "BOOLEAN"),
    ("description", "TEXT"),
    ("owner", "TEXT(30)"),
    ("ui", "TEXT(30)"),
    ("update_time", "DATETIME"),
]


@pytest.fixture(scope="module")
def styles(exports):
    path = exports["gpkg"][1][0]
    con = sqlite3.connect(path)
    try:
        cols = [(r[1], r[2]) for r in con.execute("PRAGMA table_info(layer_styles)")]
        rows = con.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
            "styleName, styleQML, useAsDefault, update_time FROM layer_styles"
        ).fetchall()
        contents = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name='layer_styles'"
        ).fetchone()
    finally:
        con.close()
    return {"columns": cols, "rows": rows, "contents": contents, "path": path}


def test_layer_styles_table_is_the_qgis_one(styles, default_plan):
    assert styles["columns"] == QGIS_LAYER_STYLES_COLUMNS
    assert styles["contents"] == ("attributes",)
    assert [r[2] for r in styles["rows"]] == gpkg_order(default_plan, default_plan.layer_names)
    for catalog, schema, table, geom_col, name, _, default, _when in styles["rows"]:
        assert (catalog, schema, geom_col, name, default) == ("", "", "geom", table, 1)
    # distinct fixed times: QGIS's "Load style from database" lists one style per layer, not all of them
    times = [r[7] for r in styles["rows"]]
    assert len(set(times)) == len(times) and times[0] == "2000-01-01T00:00:00.000Z"
    assert times == sorted(times)
    got = read(styles["path"], layer="layer_styles", read_geometry=False)
    assert len(got) == len(default_plan.layer_names) and got["useAsDefault"].all()


def _qml(styles, table):
    text = next(r[5] for r in styles["rows"] if r[2] == table)
    assert text.startswith("<!DOCTYPE qgis")
    return ET.fromstring(text.split("\n", 1)[1])


def _rgb(hex_color):
    return ",".join(str(int(hex_color[i : i + 2], 16)) for i in (1, 3, 5))


@pytest.mark.parametrize(
    "layer",
    [
        "boundary",
        "context",
        "places",
        "control_lines",
        "zones",
        "core",
        "water",
        "transport",
        "axes",
        "parks",
        "towns",
        "centers",
    ],
)
def test_qml_uses_palette_labels_and_schematic_dash(styles, layer):
    root = _qml(styles, layer)
    text = ET.tostring(root, encoding="unicode")
    assert root.tag == "qgis"
    colours = [
        v.get("value")
        for v in root.iter("Option")
        if v.get("name") in ("color", "line_color", "outline_color")
    ]
    for cls in STYLES[layer]:
        style = style_for(layer, cls)
        assert any(c.startswith(_rgb(style["color"]) + ",") for c in colours), (cls, style["color"])
        if layer in CLASS_FIELD and cls != "*":  # "*": the style of classes not listed (axes by id)
            assert root.find(f".//category[@value='{cls}']") is not None
    rend = root.find("renderer-v2")
    if layer in CLASS_FIELD:
        assert rend.get("type") == "categorizedSymbol" and CLASS_FIELD[layer] in rend.get("attr")
    else:
        assert rend.get("type") == "RuleRenderer" and len(rend.findall("rules/rule")) == 1
    label = root.find("labeling/settings/text-style")
    if any(elem == layer for elem, _ in LABELLED):  # labelled as on the web map
        assert "name_zh" in label.get("fieldName") and label.get("isExpression") == "1"
        assert root.get("labelsEnabled") == "1"
    else:
        assert label is None and root.get("labelsEnabled") == "0"
    dd = [o for o in root.iter("Option") if o.get("name") == "outlineStyle"]
    assert dd and all(
        "geometry_basis" in o.find("Option[@name='expression']").get("value")
        and "'schematic'" in o.find("Option[@name='expression']").get("value")
        for o in dd
    )
    assert "'dash'" in text


def test_qml_zone_class_expression_matches_stored_json(styles, exports, default_plan):
    """The categorized attribute must pick, from the stored JSON text, the class the web map uses."""
    attr = _qml(styles, "zones").find("renderer-v2").get("attr")
    m = re.fullmatch(r"regexp_substr\(\"functions\", '(.+)'\)", attr)
    assert m, attr
    stored = read(exports["gpkg"][1][0], layer="zones")["functions"]
    for text, (_, row) in zip(stored, default_plan["zones"].iterrows(), strict=True):
        assert re.search(m.group(1), text).group(1) == class_of("zones", row.to_dict())


def test_qml_hatches_red_line_and_hollows_schematic_points(styles):
    root = _qml(styles, "control_lines")
    assert len([lay for lay in root.iter("layer") if lay.get("class") == "LinePatternFill"]) == 2
    towns = _qml(styles, "towns")
    fills = [o for o in towns.iter("Option") if o.get("name") == "fillColor"]
    assert fills and all("'0,0,0,0'" in o.find("Option[@name='expression']").get("value") for o in fills)


# ------------------------------------------------------------------ CSV


def _read_csv(path, x, y, crs):
    # pyogrio passes unknown keyword arguments to GDAL as open options of the CSV driver
    got = read(path, X_POSSIBLE_NAMES=x, Y_POSSIBLE_NAMES=y, KEEP_GEOM_COLUMNS="NO")
    return got.set_crs(crs, allow_override=True)


def test_csv_point_layers_utf8_bom_and_values(exports, default_plan):
    folder, files = exports["csv"]
    assert [p.name for p in files] == [f"{n}.csv" for n in POINTS]
    for name in POINTS:
        raw = (folder / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        src = default_plan[name]
        header = raw[3:].split(b"\r\n", 1)[0].decode("utf-8").split(",")
        assert header == [c for c in src.columns if c != "geometry"] + ["lon", "lat"]
        got = _read_csv(folder / f"{name}.csv", "lon", "lat", "EPSG:4326")
        assert len(got) == len(src)
        np.testing.assert_allclose(got.geometry.x, src.geometry.x, atol=5e-7)
        np.testing.assert_allclose(got.geometry.y, src.geometry.y, atol=5e-7)
        for c in ("id", "name_zh", "name_en", "geometry_basis"):
            assert list(got[c]) == list(src[c])
        if name == "towns":
            assert list(got["tags"]) == [as_value(v) for v in src["tags"]]


def test_csv_projected_and_bd09_columns(exports, default_plan):
    src = default_plan.layer("towns", metric=True)
    got = _read_csv(exports["csv-4550"][0] / "towns.csv", "x", "y", "EPSG:4550")
    np.testing.assert_allclose(got.geometry.x, src.geometry.x, atol=5e-4)
    np.testing.assert_allclose(got.geometry.y, src.geometry.y, atol=5e-4)
    header = (exports["csv-bd09"][0] / "towns.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(",lon_bd09,lat_bd09")


def test_csv_neutralises_formulas(plan_copy, tmp_path):
    edit_layer(
        plan_copy,
        "centers",
        lambda d: feature(d, "center-main")["properties"].update(name_en='=HYPERLINK("http://x","y")'),
    )
    path = export_plan(load_plan(plan_copy), tmp_path / "out", fmt="csv", layers=["centers"])[0]
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")


# ------------------------------------------------------------------ 国土TXT


def test_gktxt_round_trip_within_a_millimetre(exports, default_plan):
    from lzspatial.io.gktxt import read_gktxt

    folder, files = exports["gktxt"]
    assert sorted(p.name for p in files) == sorted(f"{n}.txt" for n in GKTXT_DEFAULT)
    for name in GKTXT_DEFAULT:
        src = default_plan.layer(name, metric=True)
        got = read_gktxt(folder / f"{name}.txt", crs="EPSG:4550", merge_parts=True)
        assert list(got["parcel_id"]) == list(src["id"]) and list(got["name"]) == list(src["name_zh"])
        for a, b in zip(src.geometry, got.geometry, strict=True):
            va = shapely.multipoints(shapely.get_coordinates(a))
            vb = shapely.multipoints(shapely.get_coordinates(b))
            assert shapely.hausdorff_distance(va, vb) <= 1e-3
            assert len(shapely.get_coordinates(a)) == len(shapely.get_coordinates(b))
        np.testing.assert_allclose(got.area.values, src.area.values, rtol=AREA_RTOL)
        np.testing.assert_allclose(got["area_ha"].values, src.area.values / 1e4, rtol=AREA_RTOL)


def test_gktxt_header_uses_and_date(exports):
    text = (exports["gktxt"][0] / "control_lines.txt").read_text(encoding="utf-8")
    for line in (
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "带号=41",
        "数据产生日期=2023-02-01",
    ):
        assert line in text.splitlines()
    uses = list(dict.fromkeys(ln.split(",")[6] for ln in text.splitlines() if ln.endswith(",@")))
    assert uses == ["生态保护红线", "永久基本农田", "城镇开发边界"]
    row = next(ln for ln in text.splitlines() if ln.startswith("J1,"))
    x, y = (float(v) for v in row.split(",")[2:4])
    assert 4.5e6 < x < 4.7e6 and 41.4e6 < y < 41.6e6  # X northing, Y easting with the zone prefix


def test_gktxt_source_date_epoch_and_gbk(tmp_path, default_plan, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    path = export_plan(default_plan, tmp_path, fmt="gktxt", layers="core", encoding="gbk")[0]
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert "数据产生日期=2023-11-14" in text and ",core,辽中核心发展板块,面," in text


def test_gktxt_gbk_defaults_to_crlf_and_takes_producer_and_newline(tmp_path, default_plan):
    gbk = export_plan(
        default_plan, tmp_path / "g", fmt="gktxt", layers="core", encoding="gbk", producer="辽中区自然资源局"
    )[0]
    raw = gbk.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 10
    assert "数据产生单位=辽中区自然资源局\r\n" in raw.decode("gbk")
    lf = export_plan(default_plan, tmp_path / "l", fmt="gktxt", layers="core", encoding="gbk", newline="lf")[
        0
    ]
    assert b"\r" not in lf.read_bytes()
    utf8 = export_plan(default_plan, tmp_path / "u", fmt="gktxt", layers="core")[0].read_bytes()
    assert b"\r" not in utf8 and "数据产生单位=lzspatial\n" in utf8.decode()


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fmt": "kml"}, InputError, "unknown export format 'kml'; use one of: geojson"),
        ({"fmt": "gpkg", "crs": "gcj02"}, CRSError, "cannot be used with `fmt='gpkg'`"),
        ({"fmt": "gktxt", "crs": "EPSG:4550"}, CRSError, "always CGCS2000"),
        ({"crs": "EPSG:3857"}, CRSError, "unknown or unsupported CRS 'EPSG:3857'"),
        (
            {"layers": "zones,nope"},
            InputError,
            r"unknown layer\(s\) 'nope'; plan 'liaozhong-2023' has: boundary",
        ),
        (
            {"fmt": "csv", "layers": ["zones"]},
            InputError,
            "CSV holds point layers only.*places, towns, centers",
        ),
        ({"fmt": "gktxt", "layers": ["towns"]}, InputError, "polygon layers only"),
        ({"precision": -1}, InputError, "precision=-1 must be an integer"),
        ({"layers": ""}, InputError, "names no layer"),
    ],
)
def test_bad_options_raise_clear_errors(tmp_path, default_plan, kwargs, error, match):
    with pytest.raises(error, match=match):
        export_plan(default_plan, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_out_dir_that_is_a_file(tmp_path, default_plan):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        export_plan(default_plan, target, fmt="csv")


def test_epsg4549_warns(tmp_path, default_plan):
    from lzspatial.crs import CRSWarning

    with pytest.warns(CRSWarning, match="120°E"):
        export_plan(default_plan, tmp_path, fmt="csv", crs="EPSG:4549", layers="centers")


# ------------------------------------------------------------------ CLI


def test_cli_gpkg_from_unrelated_folder(tmp_path, exports):
    res = run_cli("export", "--format", "gpkg", "--out", "out/", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    path = tmp_path / "out" / "liaozhong-2023.gpkg"
    assert str(path.relative_to(tmp_path)) in res.stdout
    from lzspatial.plan import load_plan

    names = load_plan().layer_names
    assert [str(n) for n in pyogrio.list_layers(path)[:, 0]] == [
        *gpkg_order(load_plan(), names),
        "layer_styles",
    ]
    assert all(pyogrio.read_info(path, layer=n)["crs"] == "EPSG:4326" for n in names)
    assert path.read_bytes() == exports["gpkg"][1][0].read_bytes()  # same bytes across processes


def test_cli_gpkg_crs_asked_for(tmp_path):
    res = run_cli(
        "export",
        LAYERS,
        "--format",
        "gpkg",
        "--crs",
        "epsg:4550",
        "--layers",
        "zones,towns",
        "--out",
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    path = tmp_path / "liaozhong-2023.gpkg"
    assert [str(n) for n in pyogrio.list_layers(path)[:, 0]] == ["towns", "zones", "layer_styles"]
    assert {pyogrio.read_info(path, layer=n)["crs"] for n in ("zones", "towns")} == {"EPSG:4550"}


def test_cli_epsg4549_warns_on_stderr(tmp_path):
    res = run_cli("export", "--format", "csv", "--crs", "EPSG:4549", "--layers", "centers", "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lzspatial: warning: EPSG:4549")
    assert "EPSG:4550" in lines[0]


@pytest.mark.parametrize(
    "args, match",
    [
        (["--crs", "EPSG:9999"], "unknown or unsupported CRS 'EPSG:9999'"),
        (["--layers", "zones,parkz"], "unknown layer(s) 'parkz'"),
        (["--format", "gpkg", "--crs", "bd09"], "cannot be used with --format gpkg"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(tmp_path, args, match):
    res = run_cli("export", *args, "--out", tmp_path / "o")
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lzspatial: error:") and match in lines[0]
    assert "Traceback" not in res.stderr and not (tmp_path / "o").exists()
