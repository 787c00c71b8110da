"""File formats only: GeoJSON, CSV, GeoPackage and 国土TXT, with no plan knowledge."""

from lzspatial.io.geojson import (
    ACCEPTED_CRS_NAMES,
    MAX_INPUT_BYTES,
    check_size,
    feature_collection_text,
    geometry_to_geojson,
    parse_json_file,
    write_geojson,
)

__all__ = [
    "ACCEPTED_CRS_NAMES",
    "MAX_INPUT_BYTES",
    "check_size",
    "feature_collection_text",
    "geometry_to_geojson",
    "parse_json_file",
    "write_geojson",
]
