"""The Arrow CSV reader yields the rows, numbers and problems of the pandas reader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lzspatial.screening.sites import csv_chunks


def _rows(path, fast):
    frames, problems = [], {}
    for chunk, lon, lat, probs in csv_chunks(path, fast=fast):
        frames.append(chunk.astype(str).assign(_lon=lon, _lat=lat))
        problems.update({int(chunk.index[i]): p for i, p in probs.items()})
    return pd.concat(frames), problems


def _big(n: int) -> list[str]:
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(122.5, 123.0, n).round(6), rng.uniform(41.3, 41.7, n).round(6)
    return [f"s{i},{a},{b}" for i, (a, b) in enumerate(zip(lon, lat, strict=True))]


@pytest.mark.parametrize(
    "late",
    [
        None,  # a clean file: Arrow all the way
        "   ",  # a line of spaces after the first block: pandas takes over mid-file
        "s,122.5",  # a row with too few fields
        ",,",  # a row of empty cells: a blank row for both
    ],
)
def test_fast_reader_matches_pandas(tmp_path, late):
    lines = _big(60_000)  # more than one 1 MiB block
    lines[3] = ""  # a blank line early
    lines[5] = "x,abc,41.5"
    if late is not None:
        lines[55_000] = late
    p = tmp_path / "s.csv"
    p.write_text("name,lon,lat\n" + "\n".join(lines) + "\n", encoding="utf-8")
    fast, fast_problems = _rows(p, True)
    slow, slow_problems = _rows(p, False)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast_problems == slow_problems
    assert fast_problems[7].startswith("lon 'abc'")  # line 7: header is line 1
    assert fast_problems[5] == "blank row"
    assert list(fast.index[:3]) == [2, 3, 4] and fast.index[-1] == 60_001


def test_pipelined_stream_writes_the_same_bytes(tmp_path):
    from lzspatial.plan import load_plan
    from lzspatial.screening.results import ResultWriter
    from lzspatial.screening.stream import screen_csv

    p = tmp_path / "s.csv"
    p.write_text("name,lon,lat\n" + "\n".join(_big(60_000)) + "\n", encoding="utf-8")
    plan = load_plan()
    outs = []
    for pipeline in (False, True):
        out = tmp_path / f"out-{pipeline}.parquet"
        with ResultWriter(out) as w:
            summary, _ = screen_csv(p, plan, industry="trade_logistics", writer=w, pipeline=pipeline)
        assert summary.sites == 60_000
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
