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
from lzspatial.crs.transforms import OFFSET_DATUMS, is_offset, reproject, to_wgs84, transform_xy

__all__ = [
    "ACCEPTED",
    "CGCS2000",
    "COORD_SYSTEMS",
    "CRSWarning",
    "GK_CM120_TRAP",
    "GK_CM123",
    "GK_ZONE41",
    "METRIC",
    "OFFSET_DATUMS",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert_gdf",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "is_offset",
    "outside_china",
    "parse_crs",
    "reproject",
    "to_wgs84",
    "transform_geometries",
    "transform_xy",
    "transformer",
    "warn_if_trap",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
