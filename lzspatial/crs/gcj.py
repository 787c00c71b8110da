"""Conversions between WGS84, GCJ-02 (AMap/Gaode, Tencent) and BD-09 (Baidu).

GCJ-02 is the obfuscated datum Chinese web maps must use; BD-09 adds Baidu's
own offset on top of GCJ-02. All functions are vectorised with numpy: they
take scalars or array-likes of longitudes and latitudes in degrees (broadcast
against each other) and return a ``(lon, lat)`` tuple of float arrays of the
broadcast shape, or of Python floats when both inputs are scalars.

Conventions
-----------
* The forward GCJ-02 formula is the widely published one (Krasovsky-1940
  constants ``a = 6378245.0``, ``ee = 0.00669342162296594323``). Outside the
  usual rough box around China (lon < 72.004 or > 137.8347, lat < 0.8293 or
  > 55.8271, see :func:`outside_china`) GCJ-02 equals WGS84, as in the
  standard implementation. For the inverse the box is tested on the GCJ-02
  input.
* BD-09 uses the usual formula (``x_pi = pi * 3000 / 180``, offsets 0.0065 E,
  0.006 N) everywhere, also outside China, like the standard code.
* The inverses (:func:`gcj02_to_wgs84`, :func:`bd09_to_gcj02`,
  :func:`bd09_to_wgs84`) are exact inverses of the forward formulas: a
  fixed-point iteration runs until every point's residual is below 1e-9
  degrees (at most 30 iterations; 3-5 are typical), so round trips agree to
  about 1e-11 degrees. :func:`bd09_to_gcj02` therefore differs by up to
  ~1e-7 degrees (a few cm) from the common closed-form approximation.
* NaN in gives NaN out; other points are unaffected.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(122.72, 41.51)
>>> round(lon, 4), round(lat, 4)
(122.7253, 41.5122)
>>> w = gcj02_to_wgs84(lon, lat)
>>> abs(w[0] - 122.72) < 1e-9 and abs(w[1] - 41.51) < 1e-9
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final, TypeAlias

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from lzspatial.errors import CRSError, InputError

__all__ = [
    "COORD_SYSTEMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert_gdf",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "outside_china",
    "transform_geometries",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

#: Semi-major axis of the Krasovsky-1940 ellipsoid used by GCJ-02, metres.
KRASOVSKY_A: Final = 6378245.0
#: First eccentricity squared of the Krasovsky-1940 ellipsoid.
KRASOVSKY_EE: Final = 0.00669342162296594323
#: Baidu's angular constant.
X_PI: Final = math.pi * 3000.0 / 180.0
#: Baidu's fixed offsets, degrees.
BD_DLON: Final = 0.0065
BD_DLAT: Final = 0.006
#: Rough box (min lon, min lat, max lon, max lat) inside which GCJ-02 applies.
CHINA_BOX: Final = (72.004, 0.8293, 137.8347, 55.8271)
#: Inverse iterations stop once every residual is below this (degrees) ...
INVERSE_TOL: Final = 1e-9
#: ... or after this many iterations.
INVERSE_MAX_ITER: Final = 30
#: Names accepted by :func:`convert_gdf`.
COORD_SYSTEMS: Final = ("wgs84", "gcj02", "bd09")

#: ``shapely.transform(include_z=None)`` (keep each geometry's Z) needs shapely >= 2.1.
_INCLUDE_Z: Final = None if tuple(map(int, shapely.__version__.split(".")[:2])) >= (2, 1) else False

FloatArray: TypeAlias = NDArray[np.float64]
#: Return type of the conversions: arrays, or floats for scalar input.
LonLat: TypeAlias = "tuple[FloatArray, FloatArray] | tuple[float, float]"
Converter: TypeAlias = "Callable[[ArrayLike, ArrayLike], LonLat]"


# ---------------------------------------------------------------- helpers


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    """Return float arrays broadcast to one shape and whether input was scalar."""
    arrays = []
    for name, value in (("lon", lon), ("lat", lat)):
        try:
            arrays.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError) as err:
            raise InputError(
                f"gcj: {name} must be a number or an array of numbers, got {value!r} "
                f"({err}); convert it to float first"
            ) from err
    try:
        x, y = np.broadcast_arrays(*arrays)
    except ValueError as err:
        raise InputError(
            f"gcj: lon and lat shapes {arrays[0].shape!r} and {arrays[1].shape!r} "
            "do not broadcast; pass arrays of the same shape"
        ) from err
    return np.array(x), np.array(y), x.ndim == 0


def _result(x: FloatArray, y: FloatArray, scalar: bool) -> LonLat:
    if scalar:
        return float(x), float(y)
    return x, y


def _outside(x: FloatArray, y: FloatArray) -> NDArray[np.bool_]:
    lon0, lat0, lon1, lat1 = CHINA_BOX
    return (x < lon0) | (x > lon1) | (y < lat0) | (y > lat1)


def _gcj_delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS84 offset (degrees) at WGS84 *lon*, *lat*, no box test."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    a, ee = KRASOVSKY_A, KRASOVSKY_EE
    dlat = (dlat * 180.0) / ((a * (1.0 - ee)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (a / sqrt_magic * np.cos(rad) * pi)
    return dlon, dlat


def _wgs_to_gcj(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_delta(x, y)
    out = _outside(x, y)
    return np.where(out, x, x + dlon), np.where(out, y, y + dlat)


def _gcj_to_bd(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta) + BD_DLON, z * np.sin(theta) + BD_DLAT


def _bd_to_gcj_rough(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the usual closed-form BD-09 -> GCJ-02 (about 1e-7 degrees off)."""
    x = x - BD_DLON
    y = y - BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    x: FloatArray,
    y: FloatArray,
    x0: FloatArray,
    y0: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(u, v) == (x, y)`` by fixed-point iteration from (x0, y0)."""
    u, v = x0, y0
    for _ in range(INVERSE_MAX_ITER):
        fu, fv = forward(u, v)
        ru, rv = fu - x, fv - y
        u, v = u - ru, v - rv
        res = np.fmax(np.abs(ru), np.abs(rv))
        res = res[np.isfinite(res)]
        if res.size == 0 or float(res.max()) < INVERSE_TOL:
            break
    return u, v


def _gcj_to_wgs(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj_delta(x, y)
    u, v = _invert(_gcj_delta_fwd, x, y, x - dlon, y - dlat)
    out = _outside(x, y)
    return np.where(out, x, u), np.where(out, y, v)


def _gcj_delta_fwd(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Forward GCJ-02 without the China box (used inside the inverse)."""
    dlon, dlat = _gcj_delta(x, y)
    return x + dlon, y + dlat


def _bd_to_gcj(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    u0, v0 = _bd_to_gcj_rough(x, y)
    return _invert(_gcj_to_bd, x, y, u0, v0)


def _public(
    core: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: ArrayLike,
    lat: ArrayLike,
) -> LonLat:
    x, y, scalar = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore", over="ignore"):
        u, v = core(x, y)
    return _result(np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64), scalar)


# ----------------------------------------------------------- point API


def outside_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_] | bool:
    """Tell which points lie outside the rough China box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees (broadcast against each other).

    Returns
    -------
    numpy.ndarray of bool or bool
        True where ``lon < 72.004``, ``lon > 137.8347``, ``lat < 0.8293`` or
        ``lat > 55.8271``; a Python bool for scalar input. NaN is "inside"
        (so conversions propagate it).

    Examples
    --------
    >>> outside_china([122.72, 2.35], [41.51, 48.85]).tolist()
    [False, True]
    """
    x, y, scalar = _as_arrays(lon, lat)
    out = _outside(x, y)
    return bool(out) if scalar else out


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 to GCJ-02 (identity outside the China box).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: float arrays of the broadcast shape, or
        floats for scalar input.

    Examples
    --------
    >>> wgs84_to_gcj02(2.35, 48.85)
    (2.35, 48.85)
    """
    return _public(_wgs_to_gcj, lon, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert GCJ-02 to WGS84 precisely (iterative inverse of the forward).

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84; the round trip through :func:`wgs84_to_gcj02`
        agrees to about 1e-11 degrees. Identity outside the China box.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84([122.7253], [41.5122])
    >>> lon.shape
    (1,)
    """
    return _public(_gcj_to_wgs, lon, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert GCJ-02 to BD-09 (Baidu), applied everywhere.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.

    Examples
    --------
    >>> [round(v, 4) for v in gcj02_to_bd09(116.404, 39.915)]
    [116.4104, 39.9213]
    """
    return _public(_gcj_to_bd, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert BD-09 to GCJ-02 precisely (iterative inverse of the forward).

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(*gcj02_to_bd09(116.404, 39.915))
    >>> round(lon, 9), round(lat, 9)
    (116.404, 39.915)
    """
    return _public(_bd_to_gcj, lon, lat)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 to BD-09 (through GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.
    """
    return _public(lambda x, y: _gcj_to_bd(*_wgs_to_gcj(x, y)), lon, lat)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert BD-09 to WGS84 precisely (through GCJ-02).

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitudes and latitudes in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84.
    """
    return _public(lambda x, y: _gcj_to_wgs(*_bd_to_gcj(x, y)), lon, lat)


# ------------------------------------------------------- geometry API

_CONVERTERS: Final[dict[tuple[str, str], Converter]] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def transform_geometries(geoms: Any, func: Converter) -> Any:
    """Apply a point conversion to every vertex of shapely geometries.

    Parameters
    ----------
    geoms : shapely.Geometry or array_like of shapely.Geometry
        Geometries in degrees (x = longitude, y = latitude). ``None`` stays
        ``None``; Z values are kept unchanged (shapely >= 2.1; older shapely
        returns 2D geometries).
    func : callable
        One of the conversions of this module, or any function with the same
        ``func(lon_array, lat_array) -> (lon_array, lat_array)`` contract.

    Returns
    -------
    shapely.Geometry or numpy.ndarray
        New geometries with the same structure and vertex counts (as
        :func:`shapely.transform` returns them).

    Examples
    --------
    >>> from shapely import Point
    >>> transform_geometries(Point(2.35, 48.85), wgs84_to_gcj02).wkt
    'POINT (2.35 48.85)'
    """

    def _apply(coords: FloatArray) -> FloatArray:
        out = np.array(coords, dtype=np.float64)
        x, y = func(out[:, 0], out[:, 1])
        out[:, 0] = x
        out[:, 1] = y
        return out

    return shapely.transform(geoms, _apply, include_z=_INCLUDE_Z)  # type: ignore[arg-type]  # None: shapely>=2.1


def _system(name: object, role: str) -> str:
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "").replace("_", "")
        if key in COORD_SYSTEMS:
            return key
    raise InputError(
        f"convert_gdf: {role}={name!r} is not a known coordinate system; "
        f"use one of {', '.join(COORD_SYSTEMS)} (case and '-'/'_' are ignored)"
    )


def convert_gdf(gdf: gpd.GeoDataFrame, src: str, dst: str) -> gpd.GeoDataFrame:
    """Return a copy of *gdf* with its geometry converted from *src* to *dst*.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Frame in geographic degrees, CRS EPSG:4326 (WGS84) or EPSG:4490
        (CGCS2000, treated as WGS84: they differ by centimetres). It is not
        modified. Only the active geometry column is converted.
    src, dst : str
        ``"wgs84"``, ``"gcj02"`` or ``"bd09"`` (case-insensitive; ``"GCJ-02"``
        works too). The CRS label of the result stays that of *gdf*: GCJ-02
        and BD-09 have no EPSG code.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame (a plain copy when ``src == dst``).

    Raises
    ------
    InputError
        If *gdf* is not a GeoDataFrame or a name is unknown.
    CRSError
        If *gdf* has no CRS or one other than EPSG:4326/4490.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(122.72, 41.51)], crs=4326)
    >>> round(float(convert_gdf(g, "wgs84", "gcj02").geometry.x[0]), 4)
    122.7253
    """
    s, d = _system(src, "src"), _system(dst, "dst")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(
            f"convert_gdf: expected a GeoDataFrame, got {type(gdf).__name__}; "
            "wrap it with geopandas.GeoDataFrame(..., crs=4326)"
        )
    if gdf.crs is None:
        raise CRSError(
            "convert_gdf: the GeoDataFrame has no CRS; set it with "
            "gdf.set_crs(4326) if the coordinates are degrees"
        )
    epsg = gdf.crs.to_epsg()
    if epsg not in (4326, 4490):
        raise CRSError(
            f"convert_gdf: CRS {gdf.crs.to_string()!r} is not geographic WGS84 or "
            "CGCS2000; reproject first with gdf.to_crs(4326)"
        )
    out = gdf.copy()
    if s != d:
        geom = out.geometry
        converted = transform_geometries(np.asarray(geom.values), _CONVERTERS[(s, d)])
        out[geom.name] = gpd.GeoSeries(converted, index=out.index, crs=gdf.crs)
    return out
