"""The ``screen`` command (and ``report`` where they share input handling), run in process.

Moved from the former ``test_sites.py``. Readers and writers are tested separately: each site
reader once into one result writer, and each result writer once from one reader.
"""

from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lzspatial.cli import main
from lzspatial.errors import InputError
from lzspatial.screening.sites import read_sites
from tests.conftest import run_cli
from tests.screening.sitedata import BAD, PTS, csv_lonlat, gdf_sites, to, write

# ---------------------------------------------------------------- the CLI


@pytest.fixture(autouse=True)
def _default_plan_loaded_once(monkeypatch, default_plan):
    """Let ``screen``/``report`` reuse the session's default plan (and so its cached spatial index).

    Loading and indexing the default plan costs about 1.5 s per command; these tests are about
    reading sites and writing results. Loading the default plan through the CLI is covered by
    the other command tests (validate, info, check, build).
    """
    import lzspatial.plan

    real = lzspatial.plan.load_plan

    def load_plan(path=None, *args, **kwargs):
        return default_plan if path is None and not args and not kwargs else real(path, *args, **kwargs)

    monkeypatch.setattr(lzspatial.plan, "load_plan", load_plan)


def _small_chunks(monkeypatch, rows: int) -> list[int]:
    """Make ``screen`` stream CSV input in chunks of *rows* rows (the CLI calls ``stream.screen_csv``).

    Returns a list that gets one entry per streamed run, so a test can check the patch took effect.
    """
    from lzspatial.screening import stream

    real, runs = stream.screen_csv, []

    def screen_csv(*args, **kwargs):
        runs.append(rows)
        return real(*args, **{**kwargs, "chunksize": rows})

    monkeypatch.setattr(stream, "screen_csv", screen_csv)
    return runs


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


READERS = ["csv-lonlat", "csv-4550", "csv-gcj02", "geojson", "gpkg", "parquet", "gktxt"]
WRITERS = ["csv", "geojson", "gpkg", "parquet"]


def _screen_and_read_back(tmp_path, fmt, out_ext, capsys):
    """``screen`` an input of format *fmt* into a result file *out_ext*, and check what comes back."""
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


@pytest.mark.parametrize("fmt", READERS)
def test_cli_every_input(tmp_path, fmt, capsys):
    """Each site reader once, into one writer (CSV: its WGS84 columns are checked against the input)."""
    _screen_and_read_back(tmp_path, fmt, "csv", capsys)


@pytest.mark.parametrize("out_ext", WRITERS)
def test_cli_every_output(tmp_path, out_ext, capsys):
    """Each result writer once, from one reader (a lon/lat CSV)."""
    _screen_and_read_back(tmp_path, "csv-lonlat", out_ext, capsys)


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
    runs = _small_chunks(monkeypatch, 64)
    with pytest.raises(SystemExit):
        main(["screen", str(src), "--out", str(chunk_out)])
    a, b = gpd.read_parquet(main_out), gpd.read_parquet(chunk_out)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["row"]) == list(range(2, 1002))
    assert "screened 1,000 site(s)" in capsys.readouterr().out
    assert runs == [64], "the CSV was not streamed through lzspatial.screening.stream.screen_csv"


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
    runs = _small_chunks(monkeypatch, 1)  # one chunk per row: the BOM must come once
    code, _, err = cli(capsys, "screen", src, "--out", out, "--skip-invalid")
    assert code == 0, err
    assert runs == [1], "the CSV was not streamed through lzspatial.screening.stream.screen_csv"
    for path in (out, rej):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back["name"]) == ['\'=HYPERLINK("http://x","y")', "'@SUM(1+1)", "'-cmd"]
    assert list(back["note"]) == ["-3", "+5", "'\tx"]  # numbers stay numbers
    assert list(back.columns[:2]) == ["row", "name"] and float(back["dist_axis_m"].iloc[0]) > 0
    r = pd.read_csv(rej, encoding="utf-8-sig", dtype=str)
    assert list(r["name"]) == ["'=bad"] and list(r["note"]) == ["-1.5e3"] and list(r["row"]) == ["5"]


def test_cli_summary_names_the_core(tmp_path, capsys):
    from lzspatial.plan import load_plan

    core = load_plan()["core"].geometry.iloc[0].representative_point()
    pts = [(core.x, core.y), PTS[2], (121.0, 40.0)]
    code, out, _ = cli(capsys, "screen", csv_lonlat(tmp_path, pts=pts))
    assert code == 0
    line = next(ln for ln in out.splitlines() if "by zone" in ln)
    assert "core / 核心区: 1" in line and "(outside the district): 1" in line and "(none)" not in line
    assert "zone-" in line


def test_cli_stream_uses_one_malloc_arena(monkeypatch):
    """``screen`` asks glibc for one malloc arena (its threads' freed memory is then shared)."""
    import ctypes

    from lzspatial.cli import screen as screen_cli

    calls = []

    class _Libc:
        def __init__(self, name):
            self.mallopt = _Mallopt()

    class _Mallopt:
        def __call__(self, *args):
            calls.append(args)
            return 1

    monkeypatch.setattr(ctypes, "CDLL", _Libc)
    monkeypatch.setattr(screen_cli.sys, "platform", "linux")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    screen_cli._one_malloc_arena()
    assert calls == [(-8, 1)]  # M_ARENA_MAX = 1
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # the user's setting wins
    screen_cli._one_malloc_arena()
    assert calls == [(-8, 1)]


def test_cli_counts_lines_only_for_a_progress_bar_that_shows(tmp_path, capsys, monkeypatch):
    from lzspatial.cli import screen as screen_cli

    counted = []
    monkeypatch.setattr(screen_cli, "_count_lines", lambda path: counted.append(path) or 2)
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as fh:  # over the 8 MiB from which the bar gets a total
        fh.write("lon,lat,note\n" + f"122.7,41.5,{'x' * 8_500_000}\n" + "122.8,41.6,y\n")
    code, out, err = cli(capsys, "screen", big)
    assert code == 0, err
    assert "screened 2 site(s)" in out and counted == []  # stderr is captured: no bar, no count
    monkeypatch.setattr(screen_cli, "_shows_progress", lambda: True)
    code, out, err = cli(capsys, "screen", big)
    assert code == 0, err
    assert counted == [big]


def test_cli_help_states_the_geoparquet_settings(capsys):
    """The --help text and the docs say the row groups and compression the writer uses."""
    from lzspatial.screening.results import PARQUET_COMPRESSION, PARQUET_ROW_GROUP
    from lzspatial.screening.stream import CSV_CHUNK
    from tests.conftest import REPO

    code, out, _ = cli(capsys, "screen", "--help")
    text = " ".join(out.split())
    assert code == 0 and CSV_CHUNK == PARQUET_ROW_GROUP
    assert f"row groups of {PARQUET_ROW_GROUP:,} rows" in text and PARQUET_COMPRESSION in text
    docs = " ".join((REPO / "docs" / "screening.md").read_text(encoding="utf-8").split())
    assert (
        f"chunks of {CSV_CHUNK:,} rows" in docs
        and f"row groups of at most {PARQUET_ROW_GROUP:,} rows" in docs
    )
    assert f"{PARQUET_COMPRESSION} compression" in docs


def test_cli_row_outside_the_plans_crs_is_a_bad_row(tmp_path):
    """A valid lon/lat that EPSG:4550 cannot hold is a bad row (line named), not an internal error."""
    src = tmp_path / "far.csv"
    src.write_text("lon,lat,id\n123.0,41.6,a\n33,0,b\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    proc = run_cli("screen", src, "--out", out)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 3: lon=33, lat=0 lies outside the area of EPSG:4550" in lines[0]
    assert not out.exists()
    proc = run_cli("screen", src, "--out", out, "--skip-invalid")
    assert proc.returncode == 0, proc.stderr
    assert list(gpd.read_parquet(out)["id"]) == ["a"]
