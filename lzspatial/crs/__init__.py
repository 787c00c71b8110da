"""Coordinate systems: names, transforms and the GCJ-02/BD-09 offset datums.

Every writer reprojects through :func:`reproject` (or :func:`to_wgs84` on the way in),
so the GCJ-02/BD-09 branch exists in one place.


Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
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

_EXPORTS = {
    "ACCEPTED": "lzspatial.crs.names",
    "CGCS2000": "lzspatial.crs.names",
    "COORD_SYSTEMS": "lzspatial.crs.gcj",
    "CRSWarning": "lzspatial.crs.names",
    "GK_CM120_TRAP": "lzspatial.crs.names",
    "GK_CM123": "lzspatial.crs.names",
    "GK_ZONE41": "lzspatial.crs.names",
    "METRIC": "lzspatial.crs.names",
    "OFFSET_DATUMS": "lzspatial.crs.transforms",
    "WGS84": "lzspatial.crs.names",
    "bd09_to_gcj02": "lzspatial.crs.gcj",
    "bd09_to_wgs84": "lzspatial.crs.gcj",
    "convert_gdf": "lzspatial.crs.gcj",
    "gcj02_to_bd09": "lzspatial.crs.gcj",
    "gcj02_to_wgs84": "lzspatial.crs.gcj",
    "is_offset": "lzspatial.crs.transforms",
    "outside_china": "lzspatial.crs.gcj",
    "parse_crs": "lzspatial.crs.names",
    "reproject": "lzspatial.crs.transforms",
    "to_wgs84": "lzspatial.crs.transforms",
    "transform_geometries": "lzspatial.crs.gcj",
    "transform_xy": "lzspatial.crs.transforms",
    "transformer": "lzspatial.crs.names",
    "warn_if_trap": "lzspatial.crs.names",
    "wgs84_to_bd09": "lzspatial.crs.gcj",
    "wgs84_to_gcj02": "lzspatial.crs.gcj",
}
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
__getattr__, __dir__ = attach(__name__, _EXPORTS)
