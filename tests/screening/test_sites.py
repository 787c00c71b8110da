"""Reading sites: every format, every CRS, bad rows, and fuzzed inputs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from lzspatial.errors import CRSError, InputError, LzSpatialError
from lzspatial.screening.sites import read_sites
from tests.screening.sitedata import BAD, PTS, csv_lonlat, gdf_sites, to, write

# ---------------------------------------------------------------- CSV columns and CRSs


@pytest.mark.parametrize(
    ("lon", "lat"), [("lon", "lat"), ("LNG", "Lat"), ("longitude", "latitude"), ("经度", "纬度"), ("x", "y")]
)
def test_csv_detects_lonlat_columns(tmp_path, lon, lat):
    gdf, rejects = read_sites(csv_lonlat(tmp_path, lon, lat))
    assert gdf.crs.to_epsg() == 4326 and len(rejects) == 0
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS)
    assert list(gdf.index) == [2, 3, 4] and gdf.index.name == "row"


def test_csv_named_columns_and_missing_column(tmp_path):
    path = write(tmp_path / "s.csv", "a,east,north\nq,122.7,41.5\n")
    gdf, _ = read_sites(path, lon="east", lat="north")
    assert gdf.geometry.iloc[0].equals(shapely.Point(122.7, 41.5))
    with pytest.raises(InputError, match=r"no longitude column found.*`lon=`"):
        read_sites(path)
    with pytest.raises(InputError, match=r"no column 'nope'"):
        read_sites(path, lon="nope", lat="north")


@pytest.mark.parametrize("crs", ["EPSG:4550", "EPSG:4529"])
def test_csv_projected(tmp_path, crs):
    x, y = to(crs)
    path = write(
        tmp_path / "p.csv", "x,y\n" + "\n".join(f"{a:.3f},{b:.3f}" for a, b in zip(x, y, strict=False)) + "\n"
    )
    gdf, _ = read_sites(path, crs=crs)
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS, atol=1e-7)


@pytest.mark.parametrize(("crs", "fwd"), [("gcj02", "wgs_gcj"), ("bd09", "wgs_bd")])
def test_csv_gcj02_and_bd09(tmp_path, crs, fwd):
    prcoords = pytest.importorskip("prcoords")
    conv = [getattr(prcoords, fwd)((lat, lon)) for lon, lat in PTS]
    path = write(tmp_path / "g.csv", "lng,lat\n" + "\n".join(f"{c[1]!r},{c[0]!r}" for c in conv) + "\n")
    gdf, _ = read_sites(path, crs=crs)
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS, atol=2e-6)


def test_csv_gbk_encoding(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("名称,经度,纬度\n辽中,122.72,41.51\n".encode("gbk"))
    gdf, _ = read_sites(path)
    assert gdf["名称"].iloc[0] == "辽中"


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_listed_with_line_numbers(tmp_path):
    path = write(tmp_path / "bad.csv", BAD)
    with pytest.raises(InputError) as info:
        read_sites(path)
    msg = str(info.value)
    assert "\n" not in msg and "5 bad row(s)" in msg
    for part in (
        "line 3: lon is missing",
        "line 4: blank row",
        "line 5: lon 'abc' is not a number",
        "line 6: lon=200",
        "line 7:",
        "lon and lat look swapped",
        "`skip_invalid=True`",
    ):
        assert part in msg
    assert "line 9" not in msg and "line 10" not in msg  # trailing blank lines are not rows


def test_skip_invalid_returns_rejects(tmp_path):
    gdf, rejects = read_sites(write(tmp_path / "bad.csv", BAD), skip_invalid=True)
    assert list(gdf.index) == [2, 8] and list(gdf["name"]) == ["a", "f"]
    assert list(rejects.index) == [3, 4, 5, 6, 7]
    assert rejects.loc[5, "problem"] == "lon 'abc' is not a number" and rejects.loc[5, "name"] == "c"


def test_gcj02_far_outside_china_is_a_bad_row(tmp_path):
    path = write(tmp_path / "g.csv", "lon,lat\n122.7,41.5\n2.35,48.85\n")
    with pytest.raises(InputError, match=r"line 3: .*outside China"):
        read_sites(path, crs="gcj02")


@pytest.mark.parametrize(
    ("crs", "text", "match"),
    [
        ("EPSG:4550", "x,y\n4600000,475000\n", "look swapped"),
        ("EPSG:4550", "x,y\n41475000,4600000\n", "use `crs='EPSG:4529'`"),
        ("EPSG:4529", "x,y\n475000,4600000\n", "no zone prefix 41"),
        (None, "x,y\n475000,4600000\n", "pass `crs='EPSG:4550'`"),
    ],
)
def test_projected_hints(tmp_path, crs, text, match):
    with pytest.raises(InputError, match=match):
        read_sites(write(tmp_path / "p.csv", text), crs=crs)


def test_unknown_crs_and_format(tmp_path):
    with pytest.raises(CRSError, match="unknown or unsupported CRS"):
        read_sites(csv_lonlat(tmp_path), crs="EPSG:3857")
    with pytest.raises(InputError, match="unknown input format '.xlsx'"):
        read_sites(write(tmp_path / "a.xlsx", ""))


# ---------------------------------------------------------------- geometry files


@pytest.mark.parametrize("ext", ["geojson", "gpkg", "parquet"])
def test_geometry_files(tmp_path, ext):
    path = tmp_path / f"s.{ext}"
    src = gdf_sites()
    src.to_parquet(path) if ext == "parquet" else src.to_file(path)
    gdf, rejects = read_sites(path)
    assert list(gdf["name"]) == ["a", "b", "c"] and list(gdf.index) == [1, 2, 3]
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS)


def test_geometry_file_bad_features(tmp_path):
    path = tmp_path / "s.gpkg"
    bad = gpd.GeoDataFrame(
        {"name": ["ok", "line", "bow", "none"]},
        crs=4326,
        geometry=[
            shapely.Point(122.7, 41.5),
            shapely.LineString([(122.7, 41.5), (122.8, 41.5)]),
            shapely.Polygon([(122.7, 41.5), (122.8, 41.6), (122.8, 41.5), (122.7, 41.6)]),
            None,
        ],
    )
    bad.to_file(path)
    with pytest.raises(
        InputError, match=r"row 2: unsupported geometry type LineString.*row 3: invalid polygon"
    ):
        read_sites(path)
    gdf, rejects = read_sites(path, skip_invalid=True)
    assert list(gdf["name"]) == ["ok"] and list(rejects.index) == [2, 3, 4]


def test_projected_gpkg_and_crs_conflict(tmp_path):
    path = tmp_path / "m.gpkg"
    gdf_sites().to_crs(4550).to_file(path)
    gdf, _ = read_sites(path)
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS, atol=1e-7)
    with pytest.raises(CRSError, match="disagrees"):
        read_sites(path, crs="EPSG:4529")


def test_geojson_declared_gcj02(tmp_path):
    prcoords = pytest.importorskip("prcoords")
    gcj = [prcoords.wgs_gcj((lat, lon)) for lon, lat in PTS]
    src = gpd.GeoDataFrame(geometry=[shapely.Point(g[1], g[0]) for g in gcj], crs=4326)
    path = tmp_path / "gaode.geojson"
    src.to_file(path)
    gdf, _ = read_sites(path, crs="gcj02")
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.values), PTS, atol=2e-6)


def test_plain_parquet_with_lonlat(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"name": ["a", "b"], "lng": [122.7, None], "lat": [41.5, 41.6]}).to_parquet(path)
    with pytest.raises(InputError, match="row 2: lng is missing"):
        read_sites(path)


def test_gktxt(tmp_path):
    from lzspatial.io.gktxt import write_gktxt

    x, y = to("EPSG:4550")
    parcel = gpd.GeoDataFrame(
        {"id": ["p1"], "name_zh": ["地块"]},
        geometry=[shapely.box(x[0], y[0], x[0] + 200, y[0] + 100)],
        crs=4550,
    )
    path = tmp_path / "parcel.txt"
    write_gktxt(parcel, path)
    gdf, _ = read_sites(path)
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 1
    assert gdf.to_crs(4550).geometry.iloc[0].area == pytest.approx(20_000, rel=1e-6)


# ---------------------------------------------------------------- fuzzing (from the former test_hardening.py)


_cell = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
    | st.floats().map(str)
    | st.integers().map(str)
    | st.sampled_from(["122.75", "41.52", "", "NaN", "inf", "-1e308", "经度"])
)


@settings(deadline=None)
@given(
    header=st.lists(
        st.sampled_from(["lon", "lat", "x", "y", "name", "经度", "纬度", "lng", ""]) | st.text(max_size=5),
        min_size=0,
        max_size=4,
    ),
    rows=st.lists(st.lists(_cell, max_size=5), max_size=6),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_fuzz_site_csv(tmp_path_factory, header, rows, sep):
    from lzspatial.screening.sites import read_sites

    path = tmp_path_factory.mktemp("csv") / "sites.csv"
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]), encoding="utf-8")
    for skip in (False, True):
        try:
            read_sites(path, skip_invalid=skip)
        except LzSpatialError:
            pass


@settings(deadline=None)
@given(data=st.binary(max_size=300))
def test_fuzz_site_bytes(tmp_path_factory, data):
    from lzspatial.screening.sites import read_sites

    folder = tmp_path_factory.mktemp("bytes")
    for name in ("sites.csv", "sites.geojson"):
        (folder / name).write_bytes(data)
        try:
            read_sites(folder / name)
        except LzSpatialError:
            pass
