"""国土TXT (the land-submission coordinate file): reader and writer."""

from lzspatial.io.gktxt.read import GK_CRS, ZONE, from_gktxt_string, read_gktxt
from lzspatial.io.gktxt.write import GK_CRS_NO_PREFIX, to_gktxt_string, write_gktxt

__all__ = [
    "GK_CRS",
    "GK_CRS_NO_PREFIX",
    "ZONE",
    "from_gktxt_string",
    "read_gktxt",
    "to_gktxt_string",
    "write_gktxt",
]
