"""The export formats and what each accepts: the registry the library and the CLI both read.

Kept free of heavy imports, so that ``lzspatial export --help`` lists the choices fast.
"""

from __future__ import annotations

from typing import Final

from lzspatial.crs.names import CGCS2000, GK_CM120_TRAP, GK_CM123, GK_ZONE41, WGS84

__all__ = [
    "DATABASE_FORMATS",
    "DESCRIPTIONS",
    "ENCODINGS",
    "FORMATS",
    "FORMAT_CRS",
    "FORMAT_OPTIONS",
    "NEWLINES",
]

#: Export formats, with a one-line description each (shown by ``lzspatial export --help``).
DESCRIPTIONS: Final = {
    "geojson": "<layer>.geojson per layer + plan.geojson (RFC 7946 in EPSG:4326)",
    "gpkg": "<plan id>.gpkg, one table per layer, QGIS default styles",
    "gktxt": "<layer>.txt per polygon layer: 国土TXT, CGCS2000 GK zone 41",
    "csv": "<layer>.csv per point layer (UTF-8 with BOM, for Excel)",
    "qgis": "<plan id>.qgz QGIS project (A3 layout) + the gpkg it opens",
    "shp": "<layer>.shp per layer (.cpg, ESRI .prj; --zip: <layer>.zip), for ArcGIS",
    "filegdb": "<plan id>.gdb File Geodatabase (OpenFileGDB), for ArcGIS",
}
#: Export formats.
FORMATS: Final = tuple(DESCRIPTIONS)
_METRIC_AND_DEGREES = (WGS84, CGCS2000, GK_CM123, GK_ZONE41, GK_CM120_TRAP)
#: The CRSs each format accepts (canonical names; the first is the default).
FORMAT_CRS: Final = {
    "geojson": (*_METRIC_AND_DEGREES, "gcj02", "bd09"),
    "gpkg": _METRIC_AND_DEGREES,
    "csv": (*_METRIC_AND_DEGREES, "gcj02", "bd09"),
    "gktxt": (GK_ZONE41,),
    "qgis": _METRIC_AND_DEGREES,
    "shp": _METRIC_AND_DEGREES,
    "filegdb": _METRIC_AND_DEGREES,
}
#: Text encodings of the 国土TXT and Shapefile exports.
ENCODINGS: Final = ("utf-8", "gbk")
#: The options each format reads (others are ignored with a warning).
FORMAT_OPTIONS: Final = {
    "encoding": ("gktxt", "shp"),
    "date": ("gktxt",),
    "producer": ("gktxt",),
    "newline": ("gktxt",),
    "zipped": ("shp",),
}
#: Line ends of the 国土TXT export (default: CRLF with GBK, else LF).
NEWLINES: Final = {"lf": "\n", "crlf": "\r\n"}
#: Formats written into a database (``--dsn``) instead of a folder (``--out``), with descriptions.
DATABASE_FORMATS: Final = {
    "postgis": "a PostGIS schema (--dsn, --schema): one table per layer, QGIS styles in layer_styles",
}
