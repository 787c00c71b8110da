"""Outputs: style, exports, QGIS styles, the compliance report, the web map, the print map and build.

The web map needs folium and the printed outputs matplotlib; each is imported only when used.
Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.outputs.printmap import print_map, render_map

_EXPORTS = {
    "print_map": "lzspatial.outputs.printmap",
    "render_map": "lzspatial.outputs.printmap",
}
__all__ = ["print_map", "render_map"]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
