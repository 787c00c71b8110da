"""The one reprojection path: EPSG codes through pyproj, GCJ-02/BD-09 through :mod:`lzspatial.crs.gcj`.

Every reader and writer calls :func:`transform_xy` (coordinate arrays) or :func:`reproject`
(GeoDataFrames), so the offset-datum branch is written once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lzspatial.crs import gcj
from lzspatial.crs.names import WGS84, transformer

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["OFFSET_DATUMS", "by_proj", "is_offset", "reproject", "to_wgs84", "transform_xy"]

#: The obfuscated lon/lat systems of Chinese web maps (not in PROJ/EPSG).
OFFSET_DATUMS = ("gcj02", "bd09")
#: Lon/lat systems that equal WGS84 at planning scale (CGCS2000 differs by centimetres).
_SAME_AS_WGS84 = (WGS84, "EPSG:4490")


def is_offset(crs: object) -> bool:
    """Return whether *crs* names GCJ-02 or BD-09.

    Examples
    --------
    >>> is_offset("gcj02"), is_offset("EPSG:4326")
    (True, False)
    """
    return crs in OFFSET_DATUMS


def by_proj(src: str, dst: str) -> bool:
    """Return whether :func:`transform_xy` goes from *src* to *dst* with one PROJ transformer.

    Not when they are the same system (WGS84 and CGCS2000 taken as one) or either is GCJ-02/BD-09.

    Examples
    --------
    >>> by_proj("EPSG:4326", "EPSG:4550"), by_proj("EPSG:4490", "EPSG:4326"), by_proj("gcj02", "EPSG:4550")
    (True, False, False)
    """
    same = src == dst or (src in _SAME_AS_WGS84 and dst in _SAME_AS_WGS84)
    return not (same or is_offset(src) or is_offset(dst))


def _to_wgs(x: Any, y: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == "gcj02":
        x, y = gcj.gcj02_to_wgs84(x, y)
    elif crs == "bd09":
        x, y = gcj.bd09_to_wgs84(x, y)
    elif crs not in _SAME_AS_WGS84:
        x, y = transformer(crs, WGS84).transform(x, y)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _from_wgs(x: Any, y: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == "gcj02":
        x, y = gcj.wgs84_to_gcj02(x, y)
    elif crs == "bd09":
        x, y = gcj.wgs84_to_bd09(x, y)
    elif crs not in _SAME_AS_WGS84:
        x, y = transformer(WGS84, crs).transform(x, y)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def transform_xy(x: Any, y: Any, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays between two CRSs (EPSG codes, ``gcj02`` or ``bd09``).

    Examples
    --------
    >>> x, y = transform_xy([123.0], [41.5], "EPSG:4326", "EPSG:4550")
    >>> round(float(x[0]))
    500000
    """
    if src == dst or (src in _SAME_AS_WGS84 and dst in _SAME_AS_WGS84):
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if not is_offset(src) and not is_offset(dst):
        tx, ty = transformer(src, dst).transform(x, y)
        return np.asarray(tx, dtype=np.float64), np.asarray(ty, dtype=np.float64)
    lon, lat = _to_wgs(x, y, src)
    return _from_wgs(lon, lat, dst)


def _warp(gdf: gpd.GeoDataFrame, src: str, dst: str) -> gpd.GeoDataFrame:
    """*gdf* from *src* to *dst* (EPSG codes) through the one cached transformer of the pair.

    The same arithmetic as ``GeoDataFrame.to_crs``, without building a second pyproj
    transformer for the pair (about 0.1 s each).
    """
    import geopandas as gpd
    import shapely

    t = transformer(src, dst)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(
        shapely.transform(np.asarray(gdf.geometry.values), move), index=gdf.index, crs=dst
    )
    return out.set_crs(dst, allow_override=True)


def reproject(gdf: gpd.GeoDataFrame, dst: str, *, src: str | None = None) -> gpd.GeoDataFrame:
    """Return *gdf* in *dst* (an EPSG code, ``gcj02`` or ``bd09``) as a new frame.

    Parameters
    ----------
    gdf : GeoDataFrame
        The input; its CRS is used unless *src* is given.
    dst : str
        The target system.
    src : str, optional
        The system of *gdf*'s coordinates, for ``gcj02``/``bd09`` input (whose frames say
        EPSG:4326).

    Notes
    -----
    GCJ-02 and BD-09 frames carry the EPSG:4326 label: the values are lon/lat in the offset
    datum, which no CRS object can express.
    """
    source = src or (gdf.crs.to_string() if gdf.crs is not None else WGS84)
    if not is_offset(source) and not is_offset(dst):
        return gdf.copy() if source == dst else _warp(gdf, source, dst)
    if is_offset(source) and is_offset(dst) and source == dst:
        return gdf.copy()
    if not is_offset(source) and source not in _SAME_AS_WGS84:
        gdf = _warp(gdf, source, WGS84)
    src_sys = source if is_offset(source) else "wgs84"
    dst_sys = dst if is_offset(dst) else "wgs84"
    out = gcj.convert_gdf(gdf.set_crs(WGS84, allow_override=True), src_sys, dst_sys)
    return out if is_offset(dst) or dst in _SAME_AS_WGS84 else _warp(out, WGS84, dst)


def to_wgs84(gdf: gpd.GeoDataFrame, src: str | None = None) -> gpd.GeoDataFrame:
    """Return *gdf* in EPSG:4326 (from its own CRS, or from *src* such as ``gcj02``)."""
    return reproject(gdf, WGS84, src=src)
