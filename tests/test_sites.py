"""Reading sites (every format, every CRS), bad rows, writing results, and the ``screen`` CLI."""

from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from lzspatial.cli import screen as _cli_screen
from lzspatial.cli import main
from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.screening.sites import read_sites, write_results

from .conftest import run_cli

PTS = [(122.72, 41.51), (122.95, 41.55), (122.60, 41.30)]


def to(crs, pts=PTS):
    lon, lat = np.array(pts).T
    return pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def csv_lonlat(tmp_path, lon="lon", lat="lat", pts=PTS):
    body = "\n".join(f"s{i},{x},{y}" for i, (x, y) in enumerate(pts))
    return write(tmp_path / "sites.csv", f"name,{lon},{lat}\n{body}\n")


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
    with pytest.raises(InputError, match=r"no longitude column found.*--lon"):
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


BAD = "name,lon,lat\na,122.7,41.5\nb,,41.5\n\nc,abc,41.5\nd,200,41.5\ne,41.5,122.7\nf,122.8,41.6\n\n\n"


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
        "--skip-invalid",
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
        ("EPSG:4550", "x,y\n41475000,4600000\n", "use --crs EPSG:4529"),
        ("EPSG:4529", "x,y\n475000,4600000\n", "no zone prefix 41"),
        (None, "x,y\n475000,4600000\n", "pass --crs EPSG:4550"),
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


def gdf_sites():
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=[shapely.Point(p) for p in PTS], crs=4326)


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


# ---------------------------------------------------------------- writing


def results():
    from lzspatial.screening.engine import screen

    g = gdf_sites()
    g.loc[3] = ["poly", shapely.box(122.7, 41.5, 122.71, 41.51)]
    return screen(g, industry="agriculture")


@pytest.mark.parametrize("ext", ["csv", "geojson", "gpkg", "parquet"])
def test_write_results_round_trip(tmp_path, ext):
    res = results()
    path = write_results(res, tmp_path / f"out.{ext}")
    assert [p.name for p in tmp_path.iterdir()] == [f"out.{ext}"]  # no temp files left
    if ext == "csv":
        back = pd.read_csv(path, encoding="utf-8-sig")
        assert "wgs84_wkt" in back.columns  # mixed points and polygons -> WKT
    elif ext == "parquet":
        back = gpd.read_parquet(path)
    else:
        back = gpd.read_file(path)
    assert list(back["row"]) == [0, 1, 2, 3]
    assert list(back["verdict"]) == list(res["verdict"])
    np.testing.assert_allclose(back["dist_axis_m"], res["dist_axis_m"], rtol=1e-12)
    again = write_results(res, tmp_path / f"again.{ext}")
    if ext in ("csv", "geojson"):
        assert again.read_bytes() == path.read_bytes()  # deterministic


def test_write_results_failure_leaves_target(tmp_path):
    target = write(tmp_path / "out.csv", "old\n")
    with pytest.raises(OutputError, match="does not exist"):
        write_results(results(), tmp_path / "missing" / "out.csv")
    with pytest.raises(InputError, match="unknown output format"):
        write_results(results(), tmp_path / "out.xlsx")
    assert target.read_text() == "old\n"


# ---------------------------------------------------------------- the CLI


def make_input(tmp_path, fmt):
    x, y = to("EPSG:4550")
    if fmt == "csv-lonlat":
        return [csv_lonlat(tmp_path)], None
    if fmt == "csv-4550":
        return [
            write(tmp_path / "p.csv", "x,y\n" + "".join(f"{a},{b}\n" for a, b in zip(x, y, strict=False)))
        ], "EPSG:4550"
    if fmt == "csv-gcj02":
        from lzspatial.crs.gcj import wgs84_to_gcj02

        lon, lat = wgs84_to_gcj02(*np.array(PTS).T)
        return [
            write(
                tmp_path / "g.csv",
                "lng,lat\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(lon, lat, strict=False)),
            )
        ], "gcj02"
    if fmt == "gktxt":
        from lzspatial.io.gktxt import write_gktxt

        path = tmp_path / "p.txt"
        write_gktxt(
            gpd.GeoDataFrame(
                {"id": ["a"], "name_zh": ["n"]},
                crs=4550,
                geometry=[shapely.box(x[0], y[0], x[0] + 80, y[0] + 80)],
            ),
            path,
        )
        return [path], None
    path = tmp_path / f"s.{fmt}"
    gdf_sites().to_parquet(path) if fmt == "parquet" else gdf_sites().to_file(path)
    return [path], None


@pytest.mark.parametrize(
    "fmt", ["csv-lonlat", "csv-4550", "csv-gcj02", "geojson", "gpkg", "parquet", "gktxt"]
)
@pytest.mark.parametrize("out_ext", ["csv", "geojson", "gpkg", "parquet"])
def test_cli_every_input_and_output(tmp_path, fmt, out_ext, capsys):
    (src,), crs = make_input(tmp_path, fmt)
    out = tmp_path / f"res.{out_ext}"
    args = ["screen", str(src), "--industry", "trade_logistics", "--out", str(out)]
    with pytest.raises(SystemExit) as info:
        main(args + (["--crs", crs] if crs else []))
    assert info.value.code == 0, capsys.readouterr().err
    back = (
        pd.read_csv(out, encoding="utf-8-sig")
        if out_ext == "csv"
        else gpd.read_file(out)
        if out_ext != "parquet"
        else gpd.read_parquet(out)
    )
    n = 1 if fmt == "gktxt" else 3
    assert len(back) == n and set(back["verdict"]) <= {"pass", "conditional", "fail"}
    if fmt.startswith("csv"):
        np.testing.assert_allclose(
            back[["wgs84_lon", "wgs84_lat"]].to_numpy()
            if out_ext == "csv"
            else shapely.get_coordinates(back.geometry.values),
            PTS,
            atol=2e-6,
        )
    assert f"screened {n} site(s)" in capsys.readouterr().out


def test_cli_bad_rows_exit_2_one_line(tmp_path):
    src = write(tmp_path / "bad.csv", BAD)
    out = tmp_path / "res.csv"
    proc = run_cli("screen", src, "--out", out)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and "line 5: lon 'abc' is not a number" in lines[0] and "Traceback" not in proc.stderr
    )
    assert not out.exists() and not list(tmp_path.glob(".lzspatial-tmp-*"))


def test_cli_skip_invalid_writes_rejects(tmp_path):
    src = write(tmp_path / "bad.csv", BAD)
    out, rej = tmp_path / "res.csv", tmp_path / "rej.csv"
    proc = run_cli("screen", src, "--out", out, "--skip-invalid", "--rejects", rej)
    assert proc.returncode == 0, proc.stderr
    assert "5 bad row(s) skipped" in proc.stderr
    assert list(pd.read_csv(out, encoding="utf-8-sig")["row"]) == [2, 8]
    r = pd.read_csv(rej, encoding="utf-8-sig")
    assert list(r["row"]) == [3, 4, 5, 6, 7] and "not a number" in r.loc[2, "problem"]
    proc = run_cli("screen", src, "--out", tmp_path / "r2.geojson", "--skip-invalid")
    assert (tmp_path / "r2.rejects.csv").exists()


def test_cli_streams_csv_in_chunks(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(122.5, 123.0, 1000), rng.uniform(41.3, 41.7, 1000)
    src = tmp_path / "many.csv"
    pd.DataFrame({"id": np.arange(1000), "lon": lon, "lat": lat}).to_csv(src, index=False)
    main_out, chunk_out = tmp_path / "one.parquet", tmp_path / "chunks.parquet"
    with pytest.raises(SystemExit):
        main(["screen", str(src), "--out", str(main_out)])
    monkeypatch.setattr(_cli_screen, "CSV_CHUNK", 64)
    with pytest.raises(SystemExit):
        main(["screen", str(src), "--out", str(chunk_out)])
    a, b = gpd.read_parquet(main_out), gpd.read_parquet(chunk_out)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["row"]) == list(range(2, 1002))
    assert "screened 1,000 site(s)" in capsys.readouterr().out


def test_cli_map(tmp_path):
    pytest.importorskip("lzspatial.outputs.webmap")
    proc = run_cli("screen", csv_lonlat(tmp_path), "--industry", "agriculture", "--map", tmp_path / "m.html")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "s0" in html


def test_cli_unknown_industry(tmp_path):
    proc = run_cli("screen", csv_lonlat(tmp_path), "--industry", "steel")
    assert proc.returncode == 2 and "unknown industry 'steel'" in proc.stderr


def test_cli_json_free_of_nan(tmp_path):
    proc = run_cli("screen", csv_lonlat(tmp_path), "--out", tmp_path / "o.geojson")
    assert proc.returncode == 0
    doc = json.loads((tmp_path / "o.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == 3 and doc["features"][0]["properties"]["row"] == 2


# ---------------------------------------------------------------- review fixes


def cli(capsys, *args):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return info.value.code, out, err


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "{src}", "--out", "{src}"],
        ["screen", "{alias}", "--out", "{src}"],
        ["screen", "{src}", "--out", "{other}", "--skip-invalid", "--rejects", "{alias}"],
        ["report", "{src}", "--industry", "agriculture", "--out", "{alias}"],
    ],
)
def test_cli_refuses_to_overwrite_its_input(tmp_path, capsys, args):
    src = csv_lonlat(tmp_path)
    (tmp_path / "sub").mkdir()
    alias = tmp_path / "sub" / ".." / src.name  # the same file, spelt differently
    before = src.read_bytes()
    names = {"src": src, "alias": alias, "other": tmp_path / "o.csv"}
    code, _, err = cli(capsys, *(a.format(**names) for a in args))
    assert code == 2 and "would overwrite the input" in err and len(err.strip().splitlines()) == 1
    assert src.read_bytes() == before and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("cmd", [["screen"], ["report", "--industry", "agriculture"]])
def test_cli_missing_input_file(tmp_path, capsys, cmd):
    missing = tmp_path / "nofile.csv"
    code, _, err = cli(capsys, cmd[0], missing, *cmd[1:])
    assert code == 2 and f"{missing}: file not found" in err and "internal error" not in err


@pytest.mark.parametrize(
    ("name", "text", "holds"),
    [
        ("h.csv", "name,lon,lat\n", "a header but no rows"),
        ("h2.csv", "name,lon,lat\n\n\n", "a header but no rows"),
        ("e.geojson", '{"type":"FeatureCollection","features":[]}', "no features"),
    ],
)
def test_empty_inputs_are_refused(tmp_path, capsys, name, text, holds):
    src = write(tmp_path / name, text)
    with pytest.raises(InputError, match="no sites"):
        read_sites(src)
    for args in (["screen", src, "--out", tmp_path / "o.csv"], ["report", src, "--industry", "agriculture"]):
        code, out, err = cli(capsys, *args)
        assert code == 2 and f"{src}: no sites (the file has {holds})" in err, err
        assert "screened" not in out
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "report.html").exists()


def test_cli_gpkg_is_byte_identical(tmp_path, capsys):
    src = csv_lonlat(tmp_path)
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    for out in (a, b):
        assert cli(capsys, "screen", src, "--industry", "agriculture", "--out", out)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    with sqlite3.connect(a) as con:  # pinned, not the time of the run
        assert con.execute("select last_change from gpkg_contents").fetchall() == [
            ("2000-01-01T00:00:00.000Z",)
        ]


HOSTILE_CSV = (
    "name,note,lon,lat\n"
    '"=HYPERLINK(""http://x"",""y"")",-3,122.72,41.51\n'
    "@SUM(1+1),+5,122.95,41.55\n"
    "-cmd,\tx,122.60,41.30\n"
    "=bad,-1.5e3,abc,41.5\n"
)


def test_cli_csv_outputs_have_a_bom_and_no_formulas(tmp_path, capsys, monkeypatch):
    src = write(tmp_path / "h.csv", HOSTILE_CSV)
    out, rej = tmp_path / "o.csv", tmp_path / "o.rejects.csv"
    monkeypatch.setattr(_cli_screen, "CSV_CHUNK", 1)  # one chunk per row: the BOM must come once
    code, _, err = cli(capsys, "screen", src, "--out", out, "--skip-invalid")
    assert code == 0, err
    for path in (out, rej):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back["name"]) == ['\'=HYPERLINK("http://x","y")', "'@SUM(1+1)", "'-cmd"]
    assert list(back["note"]) == ["-3", "+5", "'\tx"]  # numbers stay numbers
    assert list(back.columns[:2]) == ["row", "name"] and float(back["dist_axis_m"].iloc[0]) > 0
    r = pd.read_csv(rej, encoding="utf-8-sig", dtype=str)
    assert list(r["name"]) == ["'=bad"] and list(r["note"]) == ["-1.5e3"] and list(r["row"]) == ["5"]


def test_write_results_csv_guards_text_not_numbers(tmp_path):
    g = gpd.GeoDataFrame(
        {"label": ["=1+1", "-1.5", "中文"], "value": [-1.5, -2.0, 3.0]},
        geometry=[shapely.Point(p) for p in PTS],
        crs=4326,
    )
    path = write_results(g, tmp_path / "r.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert list(back["label"]) == ["'=1+1", "-1.5", "中文"]
    assert list(back["value"]) == [-1.5, -2.0, 3.0] and back["value"].dtype == float


def test_cli_summary_names_the_core(tmp_path, capsys):
    from lzspatial.plan import load_plan

    core = load_plan()["core"].geometry.iloc[0].representative_point()
    pts = [(core.x, core.y), PTS[2], (121.0, 40.0)]
    code, out, _ = cli(capsys, "screen", csv_lonlat(tmp_path, pts=pts))
    assert code == 0
    line = next(ln for ln in out.splitlines() if "by zone" in ln)
    assert "core / 核心区: 1" in line and "(outside the district): 1" in line and "(none)" not in line
    assert "zone-" in line
