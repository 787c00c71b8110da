"""One naming rule for every results writer: a clashing column is refused, named, before writing."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest

from lzspatial.errors import InputError
from lzspatial.screening.results import check_columns

OUTS = [".csv", ".geojson", ".gpkg", ".parquet"]
CSV_CASES = {
    "fid": ("lon,lat,fid\n122.7,41.5,1\n", "'fid'"),
    "case_twins": ("lon,lat,Name,NAME\n122.7,41.5,a,b\n", "differ only in case"),
    "zone_id_upper": ("lon,lat,ZONE_ID\n122.7,41.5,z\n", "'ZONE_ID'"),
    "verdict_title": ("lon,lat,Verdict\n122.7,41.5,ok\n", "'Verdict'"),
    "row_and_source_row": ("lon,lat,row,source_row\n122.7,41.5,1,2\n", "'row'"),
    "geometry": ("lon,lat,geometry\n122.7,41.5,x\n", "'geometry'"),
    "wgs84_lon": ("lon,lat,wgs84_lon\n122.7,41.5,1\n", "'wgs84_lon'"),
    "in_core": ("lon,lat,IN_CORE\n122.7,41.5,1\n", "'IN_CORE'"),
    "dist_col": ("lon,lat,Dist_Town_M\n122.7,41.5,1\n", "'Dist_Town_M'"),
}


def _main(args, capsys):
    from lzspatial.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("suffix", OUTS)
@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_clashing_site_columns_are_refused(case, suffix, tmp_path, capsys):
    text, fragment = CSV_CASES[case]
    sites = tmp_path / "sites.csv"
    sites.write_text(text, encoding="utf-8")
    out = tmp_path / f"r{suffix}"
    code, err = _main(["screen", sites, "--industry", "agriculture", "--out", out], capsys)
    assert code == 2, err
    line = err.strip()
    assert len(line.splitlines()) == 1 and fragment in line and "rename" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv"]


@pytest.mark.parametrize("case", ["zone_id_upper", "verdict_title", "case_twins"])
def test_the_rule_holds_for_geojson_sites_too(case, tmp_path, capsys):
    import json

    cols = CSV_CASES[case][0].splitlines()[0].split(",")[2:]
    props = {c: str(i) for i, c in enumerate(cols)}
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [122.7, 41.5]},
            }
        ],
    }
    sites = tmp_path / "s.geojson"
    sites.write_text(json.dumps(doc))
    code, err = _main(["screen", sites, "--industry", "agriculture", "--out", tmp_path / "r.gpkg"], capsys)
    assert code == 2 and "rename" in err, err
    assert not (tmp_path / "r.gpkg").exists()


def test_gpkg_without_geometry_is_refused(tmp_path, capsys):
    src = tmp_path / "t.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), src, layer="t", driver="GPKG")
    code, err = _main(["screen", src, "--out", tmp_path / "r.csv"], capsys)
    assert code == 2 and "no geometry column" in err, err


def test_layer_option_is_refused_where_it_would_be_ignored(tmp_path, capsys):
    sites = tmp_path / "s.csv"
    sites.write_text("lon,lat\n122.7,41.5\n")
    code, err = _main(["screen", sites, "--layer", "x", "--out", tmp_path / "r.csv"], capsys)
    assert code == 2 and "--layer x applies only to a GeoPackage" in err, err


def test_unknown_gpkg_layer_is_named(tmp_path, capsys):
    import geopandas as gpd
    from shapely import Point

    src = tmp_path / "t.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(122.7, 41.5)], crs=4326).to_file(src, layer="pts")
    code, err = _main(["screen", src, "--layer", "nope", "--out", tmp_path / "r.csv"], capsys)
    assert code == 2 and "no layer 'nope'" in err and "pts" in err, err


def test_write_results_refuses_a_row_column(tmp_path):
    import geopandas as gpd
    from shapely import Point

    from lzspatial.screening.results import write_results

    g = gpd.GeoDataFrame({"row": [1]}, geometry=[Point(122.7, 41.5)], crs=4326)
    with pytest.raises(InputError, match="'row'"):
        write_results(g, tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


def test_check_columns_accepts_distinct_names():
    check_columns(["name", "名称", "lon", "lat"], "s.csv")


def test_gbk_csv_is_detected_on_the_whole_file(tmp_path, capsys):
    rows = ["lon,lat,name"] + [f"122.7,41.5,site{i}" for i in range(20_000)] + ["122.7,41.5,辽中区"]
    sites = tmp_path / "gbk.csv"
    sites.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    code, err = _main(["screen", sites, "--out", tmp_path / "r.csv"], capsys)
    assert code == 0, err
    out = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "辽中区" in out


def test_bad_bytes_name_the_line(tmp_path, capsys):
    rows = ["lon,lat,name"] + [f"122.7,41.5,s{i}" for i in range(30_000)]
    sites = tmp_path / "bad.csv"
    sites.write_bytes(("\n".join(rows) + "\n").encode() + b"122.7,41.5,\xff\xff\n")
    code, err = _main(["screen", sites], capsys)
    assert code == 2 and "line 30002" in err and "byte" in err and "position" not in err, err


def test_utf16_is_named(tmp_path, capsys):
    sites = tmp_path / "u16.csv"
    sites.write_bytes("lon,lat\n122.7,41.5\n".encode("utf-16"))
    code, err = _main(["screen", sites], capsys)
    assert code == 2 and "UTF-16" in err, err
