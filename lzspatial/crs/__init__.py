"""Coordinate systems: names, transforms and the GCJ-02/BD-09 offset datums.

Every writer reprojects through :func:`reproject` (or :func:`to_wgs84` on the way in),
so the GCJ-02/BD-09 branch exists in one place.
"""

from lzspatial.crs.gcj import (
    COORD_SYSTEMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert_gdf,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    outside_china,
    transform_geometries,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from lzspatial.crs.names import (
    ACCEPTED,
    CGCS2000,
    GK_CM120_TRAP,
    GK_CM123,
    GK_ZONE41,
    METRIC,
    WGS84,
    CRSWarning,
    parse_crs,
    transformer,
    warn_if_trap,
)

__all__ = [
    "ACCEPTED",
    "CGCS2000",
    "COORD_SYSTEMS",
    "CRSWarning",
    "GK_CM120_TRAP",
    "GK_CM123",
    "GK_ZONE41",
    "METRIC",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert_gdf",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "outside_china",
    "parse_crs",
    "transform_geometries",
    "transformer",
    "warn_if_trap",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
