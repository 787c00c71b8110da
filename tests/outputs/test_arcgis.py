"""ArcGIS exports: Shapefiles and the File Geodatabase, re-read with pyogrio (GDAL).

Checks field names (10 bytes, distinct, stated in the sidecar), encodings (UTF-8 and GBK,
with Chinese text), the ESRI .prj, CRS, feature counts, polygon areas against the plan,
list fields, long text over continuation fields, and byte-identical repeated exports.
"""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lzspatial.outputs.arcgis import LIST_SEPARATOR, esri_wkt, shp_field_names
from lzspatial.outputs.export import export_plan
from tests.conftest import edit_layer, feature, run_cli

AREA_RTOL = 1e-6


@pytest.fixture(scope="module")
def shp_gbk(default_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("shp-gbk")
    with pytest.warns(UserWarning, match="NFKC"):  # km² in two notes becomes km2 in GBK
        files = export_plan(default_plan, out, fmt="shp", crs="4550", encoding="gbk")
    return out, files


@pytest.fixture(scope="module")
def gdb(default_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("gdb")
    return out, export_plan(default_plan, out, fmt="filegdb", crs="EPSG:4550")


def _sidecar(path):
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _joined(frame, rows, field):
    """The plan field *field* rebuilt from its continuation columns (as the sidecar states them)."""
    cols = [r["shapefile_field"] for r in rows if r["field"] == field]
    columns = zip(*(frame[c] for c in cols), strict=True)
    return ["".join(str(v) for v in vals if isinstance(v, str)) for vals in columns]


def test_shp_gbk_reads_back_with_chinese_text_crs_counts_and_areas(shp_gbk, default_plan):
    out, files = shp_gbk
    assert len(files) == 6 * len(default_plan.layer_names)
    for name in default_plan.layer_names:
        assert (out / f"{name}.cpg").read_bytes() == b"936"
        assert (out / f"{name}.prj").read_text(encoding="ascii") == esri_wkt("EPSG:4550")
        info = pyogrio.read_info(out / f"{name}.shp")
        assert info["crs"] == "EPSG:4550"  # GDAL recodes the CP936 text the .cpg names
        got = pyogrio.read_dataframe(out / f"{name}.shp")
        src = default_plan.layer(name, metric=True)
        rows = _sidecar(out / f"{name}.fields.csv")
        assert len(got) == len(src)
        assert all(len(c.encode("gbk")) <= 10 for c in got.columns)
        assert list(got["id"]) == list(src["id"])
        assert list(got["name_zh"]) == list(src["name_zh"])  # Chinese text through GBK
        assert list(got["geom_basis"]) == list(src["geometry_basis"])
        assert _joined(got, rows, "source") == list(src["source"])  # no truncation at 254 bytes
        if src.geom_type.iloc[0].endswith("Polygon"):
            np.testing.assert_allclose(got.area.values, src.area.values, rtol=AREA_RTOL)
    raw = (out / "zones.dbf").read_bytes()
    assert "北部片区".encode("gbk") in raw and "北部片区".encode() not in raw


def test_shp_lists_and_sidecar_state_the_mapping(shp_gbk, default_plan):
    out, _ = shp_gbk
    rows = _sidecar(out / "towns.fields.csv")
    by_field = {(r["field"], r["part"]): r for r in rows}
    assert by_field[("geometry_basis", "1")]["shapefile_field"] == "geom_basis"
    assert by_field[("tags", "1")]["list_separator"] == LIST_SEPARATOR
    got = pyogrio.read_dataframe(out / "towns.shp")
    src = default_plan.layer("towns")
    assert [v.split(LIST_SEPARATOR) if v else [] for v in got["tags"].fillna("")] == list(src["tags"])
    assert len({r["shapefile_field"].casefold() for r in rows}) == len(rows)  # no two collapse


def test_shp_zip_utf8_is_byte_identical_on_repeat(default_plan, tmp_path):
    a = export_plan(default_plan, tmp_path / "a", fmt="shp", zipped=True, layers="zones,parks")
    b = export_plan(default_plan, tmp_path / "b", fmt="shp", zipped=True, layers="zones,parks")
    assert [p.name for p in a] == ["zones.zip", "parks.zip"]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    with zipfile.ZipFile(a[0]) as zf:
        assert zf.namelist() == [f"zones{e}" for e in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".fields.csv")]
        assert zf.read("zones.cpg") == b"UTF-8"
    got = pyogrio.read_dataframe(a[0])
    assert pyogrio.read_info(a[0])["crs"] == "EPSG:4326" and list(got["name_zh"]) == list(
        default_plan.layer("zones")["name_zh"]
    )
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["parks.zip", "zones.zip"]  # no leftovers


def test_filegdb_reads_back(gdb, default_plan):
    out, files = gdb
    path = out / "liaozhong-2023.gdb"
    assert all(p.is_relative_to(path) for p in files)
    layers = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    assert layers == [*default_plan.layer_names, "lz_vocabularies"]
    for name in default_plan.layer_names:
        assert pyogrio.read_info(path, layer=name)["crs"] == "EPSG:4550"
        got = pyogrio.read_dataframe(path, layer=name)
        src = default_plan.layer(name, metric=True)
        assert list(got["id"]) == list(src["id"]) and list(got["note"]) == list(src["note"])
        if src.geom_type.iloc[0].endswith("Polygon"):
            np.testing.assert_allclose(got.area.values, src.area.values, rtol=AREA_RTOL)
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert list(zones["functions"]) == [
        LIST_SEPARATOR.join(v) for v in default_plan.layer("zones")["functions"]
    ]
    vocab = pyogrio.read_dataframe(path, layer="lz_vocabularies")
    row = vocab[(vocab["field"] == "kind") & (vocab["code"] == "basic_farmland")]
    assert list(row["zh"]) == ["永久基本农田"]


@pytest.mark.slow
def test_filegdb_is_byte_identical_on_repeat_and_replaces_stale_tables(default_plan, tmp_path):
    a = export_plan(default_plan, tmp_path / "a", fmt="filegdb")
    b = export_plan(default_plan, tmp_path / "b", fmt="filegdb")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = export_plan(default_plan, tmp_path / "a", fmt="filegdb", layers="zones")  # over the bigger one
    gdb = tmp_path / "a" / "liaozhong-2023.gdb"
    assert sorted(p.name for p in gdb.iterdir()) == sorted(p.name for p in c)
    assert [str(n) for n in pyogrio.list_layers(gdb)[:, 0]] == ["zones", "lz_vocabularies"]


def test_long_text_continues_without_losing_a_character(plan_copy, tmp_path):
    from lzspatial.plan import load_plan

    long = "区" * 200 + " a b " + "x" * 300  # 600 GBK bytes, with spaces near a cut
    edit_layer(plan_copy, "zones", lambda d: feature(d, "zone-north")["properties"].update(note=long))
    out = tmp_path / "o"
    export_plan(load_plan(plan_copy), out, fmt="shp", layers="zones", encoding="gbk")
    got = pyogrio.read_dataframe(out / "zones.shp")
    assert _joined(got, _sidecar(out / "zones.fields.csv"), "note")[0] == long


def test_unencodable_name_is_one_clear_error(plan_copy, tmp_path):
    from lzspatial.errors import InputError
    from lzspatial.plan import load_plan

    edit_layer(plan_copy, "zones", lambda d: feature(d, "zone-north")["properties"].update(name_zh="区😀"))
    with pytest.raises(InputError, match=r"feature 'zone-north', field 'name_zh': '😀' is not in gbk"):
        export_plan(load_plan(plan_copy), tmp_path / "o", fmt="shp", layers="zones", encoding="gbk")
    assert not (tmp_path / "o" / "zones.shp").exists()


@given(st.lists(st.text(alphabet="ab_名称很长的字段", min_size=1, max_size=14), min_size=1, max_size=12))
def test_field_names_fit_and_never_collapse(names):
    names = list(dict.fromkeys(names))
    for enc in ("utf-8", "gbk"):
        mapping = shp_field_names(names, enc)
        assert list(mapping) == names
        assert all(0 < len(v.encode(enc)) <= 10 for v in mapping.values())
        assert len({v.casefold() for v in mapping.values()}) == len(names)


# ------------------------------------------------------------------ options and CSV


def test_ignored_options_warn_once_on_one_line(tmp_path):
    args = ("--format", "csv", "--layers", "centers", "--encoding", "gbk", "--date", "2020-01-01", "--zip")
    res = run_cli("export", *args, "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 3
    assert lines[0] == "lzspatial: warning: --encoding is ignored by --format csv (it applies to gktxt/shp)"
    assert lines[1] == "lzspatial: warning: --date is ignored by --format csv (it applies to gktxt)"
    assert lines[2] == "lzspatial: warning: --zip is ignored by --format csv (it applies to shp)"
    assert (tmp_path / "centers.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # still UTF-8 with BOM


def test_bare_epsg_code_and_projected_csv_names_its_crs(default_plan, tmp_path):
    path = export_plan(default_plan, tmp_path, fmt="csv", crs="4550", layers="centers")[0]
    header, first = path.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert header.endswith(",x,y,crs") and first.endswith(",EPSG:4550")
    plain = export_plan(default_plan, tmp_path / "w", fmt="csv", layers="centers")[0]
    assert plain.read_text(encoding="utf-8-sig").splitlines()[0].endswith(",lon,lat")
