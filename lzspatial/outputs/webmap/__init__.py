"""Web maps of a plan that open anywhere: offline, bilingual, safe and reproducible.

:func:`build_map` returns a ``folium.Map`` (it renders inline in Jupyter);
:func:`render_html` gives its self-contained HTML and :func:`save_map` writes
it atomically. Leaflet is inlined from ``xstatic-leaflet``; legend, layer
control, search, measuring and fullscreen are lzspatial's own small JS/CSS
(``lzspatial/assets``). Features are drawn in groups of one constant style;
every data text reaches the page through ``textContent``.
"""

from __future__ import annotations

from lzspatial.outputs.webmap.basemaps import BASEMAPS, TIANDITU_ENV
from lzspatial.outputs.webmap.map import LANGS, VERDICTS, LzMap, build_map, render_html, save_map

__all__ = ["BASEMAPS", "LANGS", "TIANDITU_ENV", "VERDICTS", "LzMap", "build_map", "render_html", "save_map"]
