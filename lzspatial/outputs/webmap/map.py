"""The folium map: a self-contained ``folium.Map`` with deterministic ids.

Leaflet comes from the ``xstatic-leaflet`` package and is inlined with our own
small runtime (``lzspatial/assets``). folium's CDN links to jQuery, Bootstrap
and Font Awesome are dropped. Data never passes through a Jinja template, so
text such as ``{{ 7*7 }}`` in a feature name stays text.
"""

from __future__ import annotations

import itertools
import os
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element, Figure

from lzspatial._util.atomic import write_text
from lzspatial._util.text import esc
from lzspatial.crs.transforms import reproject
from lzspatial.errors import CRSError, InputError
from lzspatial.outputs.webmap import payload as _payload
from lzspatial.outputs.webmap.basemaps import needs_gcj02, tile_layers
from lzspatial.outputs.webmap.leaflet import check_inlinable, leaflet_css, leaflet_js
from lzspatial.plan.labels import ENGLISH_ONLY, LANGS, VERDICTS
from lzspatial.plan.model import Plan, require_plan

__all__ = ["LANGS", "VERDICTS", "LzMap", "build_map", "render_html", "save_map"]

_ASSETS = Path(__file__).resolve().parent / "assets"
#: Our scripts in ``assets/``, inlined in this order as ONE ``<script>``. The lzmap-* parts are
#: consecutive slices of one IIFE (not valid on their own; only their concatenation is):
_SCRIPTS = (
    "lzpoints.js",  # canvas renderer for big point classes (window.lzspatialPoints)
    "lzmap-core.js",  # header, IIFE start, UI strings, constants, DOM/SVG/bilingual helpers
    "lzmap-layers.js",  # symbols, Runtime, drawing, tooltips, popups (bilingual cells), arrowheads
    "lzmap-labels.js",  # permanent labels: candidates per geometry, placement by priority, hiding
    "lzmap-legend.js",  # title panel, legend and its layout, visibility sync, grouped layer control
    "lzmap-search.js",  # search index, ranking, select + highlight, search box
    "lzmap-measure.js",  # tool bar: fullscreen, measure distance (m) and area (ha)
    "lzmap-lang.js",  # the 中/EN switch (every text at run time), north arrow, ratio scale
    "lzmap-init.js",  # fit, counts, run, window.lzspatial.init, IIFE end
)
_RANDOM_ID = re.compile(r"\b[a-z][a-z0-9_]*_[0-9a-f]{32}\b")
_EXTERNAL = re.compile(r"<script[^>]*\ssrc\s*=|<link[^>]*\shref\s*=", re.IGNORECASE)


@lru_cache(maxsize=1)
def _head() -> str:
    """Inline Leaflet (CSS, JS) and the lzspatial runtime, without any URL that would be fetched."""
    css, js = leaflet_css(), leaflet_js()
    ours_js = check_inlinable(
        " + ".join(_SCRIPTS), "".join((_ASSETS / name).read_text(encoding="utf-8") for name in _SCRIPTS)
    )
    ours_css = check_inlinable("lzmap.css", (_ASSETS / "lzmap.css").read_text(encoding="utf-8"))
    return (
        f"<style>\n{css}\n</style>\n<script>\n{js}\n</script>\n"
        f"<style>\n{ours_css}</style>\n<script>\n{ours_js}</script>\n"
    )


class _Raw(Element):
    """Text put into the page as is (never rendered as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _LzLayers(Element):
    """The lzspatial layers, legend and tools: inlined assets plus one ``lzspatial.init`` call."""

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "LzLayers"
        self.payload = payload

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure), "the lzspatial layers must be added to a map in a Figure"
        figure.header.add_child(_Raw(_head()), name="lzspatial_assets")
        parent = self._parent.get_name() if self._parent is not None else "null"
        figure.script.add_child(_Raw(f"lzspatial.init({parent}, {self.payload});\n"), name=self.get_name())
        return ""


class LzMap(folium.Map):
    """A ``folium.Map`` whose HTML is self-contained and byte-identical for the same inputs.

    It loads nothing from a CDN (Leaflet is inlined by the lzspatial layers),
    and it renumbers element ids in tree order before every render, so
    ``save()``, ``_repr_html_()`` (Jupyter) and :func:`render_html` all give
    deterministic output.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def render(self, **kwargs: Any) -> Any:
        """Renumber element ids deterministically, then render as folium does."""
        _number_ids(self.get_root())
        return super().render(**kwargs)


def _number_ids(root: Element) -> None:
    counter = itertools.count(1)

    def walk(element: Element) -> None:
        element._id = str(next(counter))
        for child in element._children.values():
            walk(child)

    walk(root)


def render_html(m: folium.Map) -> str:
    """Return the full, self-contained HTML page of map *m*.

    Warns if something added to the map links an external script or style
    sheet (such a page no longer works offline).
    """
    html = m.get_root().render()
    if _EXTERNAL.search(html):
        warnings.warn(
            "the map links external scripts or style sheets (added by folium plugins?); "
            "it will not work offline",
            UserWarning,
            stacklevel=2,
        )
    return html


def save_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write the HTML of map *m* to *path* atomically (temp file + rename); return the path."""
    return write_text(path, render_html(m))


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------


def _check_frame(frame: Any, what: str, required: tuple[str, ...] = ()) -> Any:

    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"{what}: expected a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None:
        raise CRSError(f"{what}: the GeoDataFrame has no CRS; set it (gdf.set_crs(4326) for lon/lat degrees)")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what}: missing column(s) {', '.join(map(repr, missing))}; "
            f"expected the columns {', '.join(required)}"
        )
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


def _verdicts(sites: Any) -> list[str]:
    if "verdict" not in sites.columns:
        return ["missing"] * len(sites)
    out = []
    for idx, v in zip(sites.index, sites["verdict"], strict=True):
        if _payload._is_missing(v):
            out.append("missing")
        elif str(v) in VERDICTS:
            out.append(str(v))
        else:
            raise InputError(
                f"sites: row {idx!r}: field 'verdict': {v!r} is not a verdict; "
                f"use one of {', '.join(VERDICTS)} (or leave it empty)"
            )
    return out


def _site_label(sites: Any, site_label: str | None) -> str | None:
    cols = [c for c in sites.columns if c != sites.geometry.name]
    if site_label is not None:
        if site_label not in cols:
            raise InputError(
                f"sites: site_label {site_label!r} is not a column; columns: {', '.join(map(str, cols))}"
            )
        return site_label
    for c in ("name_zh", "name", "name_en", "site_id", "id"):
        if c in cols:
            return c
    return None


def _shift(frame: Any, gcj: bool) -> tuple[Any, Any]:
    """Return (display frame, WGS84 frame or None): GCJ-02 for Gaode, else the frame itself."""
    if not gcj:
        return frame, None
    return reproject(frame, "gcj02"), frame


def _union(bounds: list[float] | None, frame: Any) -> list[float] | None:
    """Grow *bounds* (minx, miny, maxx, maxy) to cover the geometries of *frame*."""
    geoms = frame.geometry
    if not len(frame) or geoms.is_empty.all() or geoms.isna().all():
        return bounds
    b = [float(v) for v in geoms.total_bounds]
    if bounds is None:
        return b
    return [min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])]


# ---------------------------------------------------------------------------
# the map
# ---------------------------------------------------------------------------


def build_map(
    plan: Plan,
    *,
    basemap: str = "none",
    lang: str = "both",
    violations: Any = None,
    sites: Any = None,
    site_label: str | None = None,
) -> LzMap:
    """Build the web map of a plan: every element styled, one legend, search, tools.

    Parameters
    ----------
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    basemap : {"none", "osm", "carto", "tianditu", "gaode"}
        Tiles under the vector layers. ``"none"`` makes no network request.
        ``"tianditu"`` reads its key from ``LZSPATIAL_TIANDITU_KEY`` (and
        warns that the key ends up in the HTML). ``"gaode"`` shifts every
        layer into GCJ-02 so it lines up; popups still give WGS84.
    lang : {"both", "zh", "en"}
        Initial language of labels, legend, popups and panels; the page's 中/EN
        switch changes every text at run time (the HTML holds both languages).
    violations : GeoDataFrame, optional
        ``CheckReport.violations`` of the rule check: a toggleable red layer
        (left out when empty).
    sites : GeoDataFrame, optional
        Sites to show, coloured by the column ``verdict``
        (pass | conditional | fail; empty = grey).
    site_label : str, optional
        Column naming each site (default: the first of ``name_zh``, ``name``,
        ``name_en``, ``site_id``, ``id``).

    Returns
    -------
    LzMap
        A ``folium.Map``; it renders inline in Jupyter. Save it with :func:`save_map`.

    Raises
    ------
    InputError
        Unknown basemap or language, a missing Tianditu key, bad sites or violations.
    CRSError
        Sites or violations without a CRS.

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> m = build_map(load_plan())
    >>> html = render_html(m)
    >>> "<script src" in html, len(html) < 1_000_000
    (False, True)
    """
    if lang not in LANGS:
        raise InputError(f"lang {lang!r} is not known; use one of: {', '.join(LANGS)}")
    gcj = needs_gcj02(basemap)
    tiles = tile_layers(basemap, lang)
    plan = require_plan(plan, "build_map")
    layers = []
    bounds = None
    for name in plan.layer_names:
        frame, wgs = _shift(plan[name], gcj)
        layers.append(_payload.plan_layer(plan, name, frame, wgs, lang))
        if name == "boundary" or (name == "places" and "kind" in frame.columns):
            focus = frame if name == "boundary" else frame[frame["kind"] == "city_centre"]
            bounds = _union(bounds, focus)
    if violations is not None and len(violations):  # no violations: no (empty) layer
        v = _check_frame(violations, "violations")
        frame, wgs = _shift(v, gcj)
        layers.append(_payload.violations_layer(frame, wgs, lang))
    if sites is not None and len(sites):
        s = _check_frame(sites, "sites")
        verdicts, label = _verdicts(s), _site_label(s, site_label)
        frame, wgs = _shift(s, gcj)
        layers.append(_payload.sites_layer(frame, wgs, lang, label, verdicts))
        bounds = _union(bounds, frame)
    if bounds is None:
        bounds = [122.47, 41.2, 123.1, 41.79]
    meta = {
        "lang": lang,
        "title": {"zh": plan.title_zh, "en": plan.title_en},
        "source": {k: str(plan.source.get(k, "")) for k in ("title", "publisher", "date")},
        "disclaimer": {k: str(plan.disclaimer.get(k, "")) for k in ("zh", "en")},
        "shift": "gcj02" if gcj else None,
        "enOnly": {"zh": ENGLISH_ONLY[0], "en": ENGLISH_ONLY[1]},
        "tiles": tiles,
        "bounds": [[round(bounds[1], 6), round(bounds[0], 6)], [round(bounds[3], 6), round(bounds[2], 6)]],
    }
    center = [round((bounds[1] + bounds[3]) / 2, 6), round((bounds[0] + bounds[2]) / 2, 6)]
    m = LzMap(location=center, zoom_start=10, tiles=None, zoom_control=False, zoom_snap=0.25)
    title = {"zh": plan.title_zh, "en": plan.title_en}
    root: Any = m.get_root()
    root.title = esc(
        title["zh"] if lang == "zh" else title["en"] if lang == "en" else f"{title['zh']} | {title['en']}"
    )
    m.add_child(_LzLayers(_payload.payload_text(meta, layers)), name="lzspatial")
    return m
