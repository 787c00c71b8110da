"""File formats only: GeoJSON, CSV, GeoPackage and 国土TXT, with no plan knowledge.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.io.geojson import (
        ACCEPTED_CRS_NAMES,
        feature_collection_text,
        geometry_to_geojson,
        parse_json_file,
        parse_json_text,
        parse_json_text_unchecked_numbers,
        read_json_text,
        write_geojson,
    )
    from lzspatial.io.limits import MAX_INPUT_BYTES, check_size

_EXPORTS = {
    "ACCEPTED_CRS_NAMES": "lzspatial.io.geojson",
    "MAX_INPUT_BYTES": "lzspatial.io.limits",
    "check_size": "lzspatial.io.limits",
    "feature_collection_text": "lzspatial.io.geojson",
    "geometry_to_geojson": "lzspatial.io.geojson",
    "parse_json_file": "lzspatial.io.geojson",
    "parse_json_text": "lzspatial.io.geojson",
    "parse_json_text_unchecked_numbers": "lzspatial.io.geojson",
    "read_json_text": "lzspatial.io.geojson",
    "write_geojson": "lzspatial.io.geojson",
}
__all__ = [
    "ACCEPTED_CRS_NAMES",
    "MAX_INPUT_BYTES",
    "check_size",
    "feature_collection_text",
    "geometry_to_geojson",
    "parse_json_file",
    "parse_json_text",
    "parse_json_text_unchecked_numbers",
    "read_json_text",
    "write_geojson",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
