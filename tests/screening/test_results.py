"""Writing screening results: every format round-trips, failures leave the target, CSV is guarded."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lzspatial.errors import InputError, OutputError
from lzspatial.screening.sites import write_results
from tests.screening.sitedata import PTS, results, write

# ---------------------------------------------------------------- writing


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
