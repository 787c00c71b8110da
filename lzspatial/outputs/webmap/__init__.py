"""Web maps of a plan that open anywhere: offline, bilingual, safe and reproducible.

:func:`build_map` returns a ``folium.Map`` (it renders inline in Jupyter);
:func:`render_html` gives its self-contained HTML and :func:`save_map` writes
it atomically. Leaflet is inlined from ``xstatic-leaflet``; legend, layer
control, search, measuring and fullscreen are lzspatial's own small JS/CSS
(``lzspatial/assets``). Features are drawn in groups of one constant style;
every data text reaches the page through ``textContent``.


Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.outputs.webmap.basemaps import BASEMAPS, TIANDITU_ENV
    from lzspatial.outputs.webmap.map import LANGS, VERDICTS, LzMap, build_map, render_html, save_map

_EXPORTS = {
    "BASEMAPS": "lzspatial.outputs.webmap.basemaps",
    "LANGS": "lzspatial.outputs.webmap.map",
    "LzMap": "lzspatial.outputs.webmap.map",
    "TIANDITU_ENV": "lzspatial.outputs.webmap.basemaps",
    "VERDICTS": "lzspatial.outputs.webmap.map",
    "build_map": "lzspatial.outputs.webmap.map",
    "render_html": "lzspatial.outputs.webmap.map",
    "save_map": "lzspatial.outputs.webmap.map",
}
__all__ = [
    "BASEMAPS",
    "LANGS",
    "LzMap",
    "TIANDITU_ENV",
    "VERDICTS",
    "build_map",
    "render_html",
    "save_map",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
