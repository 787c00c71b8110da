"""One formula guard for every CSV: the plan export and the screening results agree."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from shapely import Point

from lzspatial.io.csv import FORMULA_START, guard_cell, guard_frame
from lzspatial.screening.results import write_results

CELLS = ["-12.5", "+3", "=1+1", "@SUM(A1)", "-x", "\tcmd", "plain", "1e5", "-.5e-3"]


def test_numbers_pass_formulas_are_quoted():
    assert [guard_cell(c) for c in CELLS] == [
        "-12.5", "+3", "'=1+1", "'@SUM(A1)", "'-x", "'\tcmd", "plain", "1e5", "-.5e-3",
    ]  # fmt: skip


@given(st.text(max_size=12))
def test_cell_and_frame_guards_agree(text):
    framed = guard_frame(pd.DataFrame({"a": [text]}))["a"].iloc[0]
    assert framed == guard_cell(text)
    if guard_cell(text) != text:
        assert text.startswith(FORMULA_START)


def test_export_and_site_writer_write_the_same_cells(default_plan, tmp_path):
    """The plan's CSV export and ``screen --out x.csv`` guard the same text the same way."""
    from lzspatial.outputs.export import _cell

    frame = gpd.GeoDataFrame({"note": CELLS}, geometry=[Point(122.7, 41.5)] * len(CELLS), crs=4326)
    out = write_results(frame, tmp_path / "r.csv")
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)["note"].tolist()
    assert written == [_cell(c) for c in CELLS] == [guard_cell(c) for c in CELLS]
