"""The CSV stream's fast paths give the files of the plain paths: Arrow chunks, parts, codes, projection."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lzspatial.screening import stream
from lzspatial.screening.engine import screen_xy
from lzspatial.screening.results import ResultWriter
from lzspatial.screening.sites import csv_chunks, csv_parts
from lzspatial.screening.stream import StreamSummary, screen_csv, tally


def _lines(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(122.3, 123.3, n).round(6), rng.uniform(41.1, 41.9, n).round(6)
    return [f"s{i},{a},{b}" for i, (a, b) in enumerate(zip(lon, lat, strict=True))]


def _csv(tmp_path, lines: list[str], name: str = "s.csv", encoding: str = "utf-8"):
    p = tmp_path / name
    p.write_text("name,lon,lat\n" + "\n".join(lines) + "\n", encoding=encoding)
    return p


def _plain_stream(path, plan, out, *, industry, chunksize, skip_invalid=False):
    """The stream as it was: pandas text frames, screen_xy on lon/lat, one frame per chunk to write()."""
    with ResultWriter(out) as w:
        for chunk, xs, ys, problems in csv_chunks(path, chunksize=chunksize):
            good = np.ones(len(chunk), bool)
            good[list(problems)] = False
            if not good.all() and not skip_invalid:
                raise AssertionError("bad rows")
            res = screen_xy(xs[good], ys[good], plan, industry=industry)
            res.index = chunk.index[good]
            frame = pd.concat([chunk[good], res], axis=1)
            frame["wgs84_lon"], frame["wgs84_lat"] = xs[good], ys[good]
            if len(frame):
                w.write(frame)


@pytest.mark.parametrize(
    ("suffix", "encoding", "late"),
    [
        (".parquet", "utf-8", None),  # Arrow text chunks
        (".parquet", "utf-8", "   "),  # Arrow chunks (1 MiB blocks), then pandas frames
        (".parquet", "gb18030", None),  # pandas frames all the way
        (".csv", "utf-8", None),
        (".geojson", "utf-8", None),
    ],
)
def test_stream_writes_the_bytes_of_the_plain_path(tmp_path, default_plan, suffix, encoding, late):
    n, chunk = (50_000, 10_000) if late is not None else (5_000, 1_500)
    lines = _lines(n)
    lines[10] = "bad,abc,41.5"  # a bad row (skipped) in the first chunk
    lines[4_321] = "far,10.0,10.0"  # in range, far outside the district: missing zones, still screened
    lines[7] = "中文,122.7,41.5"
    if late is not None:
        lines[45_000] = late
    p = _csv(tmp_path, lines, encoding=encoding)
    if late is not None:  # the Arrow reader yields chunks before it meets the line
        assert [c.table is not None for c, *_ in csv_parts(p, chunksize=chunk)][:2] == [True, True]
    fast, plain = tmp_path / f"fast{suffix}", tmp_path / f"plain{suffix}"
    with ResultWriter(fast) as w:
        summary, log = screen_csv(
            p, default_plan, industry="trade_logistics", writer=w, skip_invalid=True, chunksize=chunk
        )
    _plain_stream(p, default_plan, plain, industry="trade_logistics", chunksize=chunk, skip_invalid=True)
    bad = [(12, "lon 'abc' is not a number")]
    if late is not None:
        bad.append((45_002, "blank row"))
    assert summary.sites == n - len(bad) and log.bad == bad
    assert fast.read_bytes() == plain.read_bytes()


def test_row_groups_are_the_chunks(tmp_path, default_plan):
    p = _csv(tmp_path, _lines(3_500))
    out = tmp_path / "o.parquet"
    with ResultWriter(out) as w:
        screen_csv(p, default_plan, writer=w, chunksize=1_000)
    meta = pq.ParquetFile(out).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1_000, 1_000, 1_000, 500]
    assert pq.read_table(out, columns=["row"]).column(0).to_pylist() == list(range(2, 3_502))


def test_pipelined_and_serial_streams_write_the_same_bytes(tmp_path, default_plan):
    p = _csv(tmp_path, _lines(4_000))
    outs = []
    for pipeline in (False, True):
        out = tmp_path / f"o-{pipeline}.parquet"
        with ResultWriter(out) as w:
            screen_csv(
                p, default_plan, industry="trade_logistics", writer=w, chunksize=900, pipeline=pipeline
            )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("late", [None, "   ", "s,122.5", ",,"])
def test_exact_chunks_fall_back_to_pandas_with_the_same_rows(tmp_path, late):
    lines = _lines(9_000)
    lines[3] = ""
    if late is not None:
        lines[7_777] = late
    p = _csv(tmp_path, lines)
    got = list(csv_parts(p, chunksize=2_000))
    sizes = [len(c) for c, *_ in got]
    assert sum(sizes) == 9_000
    if late is None:  # Arrow all the way: chunks of exactly 2,000 rows
        assert sizes == [2_000] * 4 + [1_000] and all(c.table is not None for c, *_ in got)
    fast = pd.concat([c.frame().astype(str) for c, *_ in got])
    slow = pd.concat([f.astype(str) for f, *_ in csv_chunks(p, chunksize=2_000)])
    pd.testing.assert_frame_equal(fast, slow)
    probs = {int(c.rows[i]): t for c, _, _, pr in got for i, t in pr.items()}
    assert probs[5] == "blank row"


def test_coded_tally_counts_as_the_text_tally(default_plan):
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(122.0, 123.6, 20_000), rng.uniform(40.9, 42.1, 20_000)
    res = screen_xy(xs, ys, default_plan, industry="trade_logistics")
    assert isinstance(res["zone_id"].dtype, pd.CategoricalDtype)
    coded, text = StreamSummary(), StreamSummary()
    tally(coded, res)
    tally(text, res.astype({"zone_id": object, "verdict": object}))
    assert coded == text
    assert stream.CORE_LABEL in coded.counts["zone_id"] and stream.OUTSIDE_LABEL in coded.counts["zone_id"]


def test_points_without_finite_metric_coordinates_take_the_lonlat_path(monkeypatch, default_plan):
    calls = []
    monkeypatch.setattr(stream, "screen_xy", lambda x, y, plan, **kw: calls.append(kw.get("crs")))
    xs, ys = np.array([122.7, 33.0]), np.array([41.5, 0.0])
    metric = stream.transform_xy(xs, ys, "EPSG:4326", "EPSG:4550")
    assert not np.isfinite(metric[0]).all()  # 33°E on the equator is off the 123°E zone's projection
    stream._screen_points(xs, ys, metric, None, default_plan, "EPSG:4550", None, None)
    stream._screen_points(
        xs[:1], ys[:1], metric, np.array([True, False]), default_plan, "EPSG:4550", None, None
    )
    assert calls == [None, "EPSG:4550"]


def test_metric_crs_is_used_only_when_screen_xy_takes_it_as_is(default_plan, monkeypatch):
    assert stream._metric_crs(default_plan) == "EPSG:4550"
    for odd in ("epsg:4550", "EPSG:4549", "EPSG:32651"):  # not canonical, a warning, not accepted
        monkeypatch.setattr(type(default_plan), "metric_crs", property(lambda self, odd=odd: odd))
        assert stream._metric_crs(default_plan) is None


def test_utf8_check_decodes_a_block_after_a_pending_byte(tmp_path):
    from lzspatial.errors import InputError
    from lzspatial.screening.sites import _encoding

    head = b"lon,lat\n" + b"122.5,41.5\n" * 200_000
    pad = (1 << 20) - len(head) % (1 << 20) - 1
    # a GBK lead byte ends the first 1 MiB block; the next block, all ASCII, starts with a newline
    data = head + b"1" * pad + b"\x81" + b"\n122.5,41.5\n" * 10
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    line = data[: len(head) + pad].count(b"\n") + 1
    with pytest.raises(InputError, match=rf"line {line}: bytes b'\\n122' are neither UTF-8 nor GBK"):
        _encoding(p)
    p.write_bytes(data.replace(b"\x81\n", b"\xd6\xd0\n"))  # 中 in GBK across the blocks: valid
    assert _encoding(p) == "gb18030"


def test_streaming_a_csv_to_geoparquet_loads_no_gdal(tmp_path):
    p = _csv(tmp_path, _lines(50))
    code = (
        "import sys\n"
        "from lzspatial.plan import load_plan\n"
        "from lzspatial.screening.results import ResultWriter\n"
        "from lzspatial.screening.stream import screen_csv\n"
        f"with ResultWriter({str(tmp_path / 'o.parquet')!r}) as w:\n"
        f"    screen_csv({str(p)!r}, load_plan(), writer=w)\n"
        "print('pyogrio' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"
