"""Site inputs shared by the site, result and ``screen`` CLI tests (not a test module)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely

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


BAD = "name,lon,lat\na,122.7,41.5\nb,,41.5\n\nc,abc,41.5\nd,200,41.5\ne,41.5,122.7\nf,122.8,41.6\n\n\n"


def gdf_sites():
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=[shapely.Point(p) for p in PTS], crs=4326)


def results():
    from lzspatial.screening.engine import screen

    g = gdf_sites()
    g.loc[3] = ["poly", shapely.box(122.7, 41.5, 122.71, 41.51)]
    from lzspatial import load_plan

    return screen(g, load_plan(), industry="agriculture")
