"""国土TXT (the land-submission coordinate file): reader and writer.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.io.gktxt.read import GK_CRS, ZONE, from_gktxt_string, read_gktxt
    from lzspatial.io.gktxt.write import GK_CRS_NO_PREFIX, to_gktxt_string, write_gktxt

_EXPORTS = {
    "GK_CRS": "lzspatial.io.gktxt.read",
    "GK_CRS_NO_PREFIX": "lzspatial.io.gktxt.write",
    "ZONE": "lzspatial.io.gktxt.read",
    "from_gktxt_string": "lzspatial.io.gktxt.read",
    "read_gktxt": "lzspatial.io.gktxt.read",
    "to_gktxt_string": "lzspatial.io.gktxt.write",
    "write_gktxt": "lzspatial.io.gktxt.write",
}
__all__ = [
    "GK_CRS",
    "GK_CRS_NO_PREFIX",
    "ZONE",
    "from_gktxt_string",
    "read_gktxt",
    "to_gktxt_string",
    "write_gktxt",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
