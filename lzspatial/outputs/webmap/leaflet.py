"""Leaflet, inlined: its CSS and JS from ``xstatic-leaflet``, with no URL a browser would fetch.

The structure map (:mod:`lzspatial.outputs.webmap.map`) and the review map of ``lzspatial diff``
both inline Leaflet from here, so an offline page is made one way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = ["check_inlinable", "house_css", "leaflet_css", "leaflet_js"]


def check_inlinable(name: str, text: str) -> str:
    """Return *text* if it can sit inside ``<script>``/``<style>`` as is; raise RuntimeError if not.

    Examples
    --------
    >>> check_inlinable("x.js", "var a = 1;")
    'var a = 1;'
    """
    if re.search(r"</(script|style)", text, re.IGNORECASE) or "url(images/" in text:
        raise RuntimeError(f"{name} cannot be inlined safely (contains a closing tag or an image URL)")
    return text


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's CSS without its image URLs (layer-switcher and marker images are not used)."""
    import xstatic.pkg.leaflet as xl

    css = (Path(xl.BASE_DIR) / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"background-image:\s*url\(images/[^)]*\);?", "", css)
    return check_inlinable("leaflet.css", css)


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's JS without its source-map comment (which a browser would try to fetch)."""
    import xstatic.pkg.leaflet as xl

    js = (Path(xl.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S*\s*$", "", js)
    return check_inlinable("leaflet.js", js)


@lru_cache(maxsize=1)
def house_css() -> str:
    """Return the web map's own CSS (``assets/lzmap.css``: fonts, panels, tooltips) for other pages."""
    path = Path(__file__).resolve().parent / "assets" / "lzmap.css"
    return check_inlinable("lzmap.css", path.read_text(encoding="utf-8"))
