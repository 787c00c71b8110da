"""Basemap tile sources of the web map: none, OpenStreetMap, CARTO, Tianditu and Gaode.

Tiles are the only network traffic a map makes; ``"none"`` makes none at all.
The Tianditu key is read from ``LZSPATIAL_TIANDITU_KEY`` and is never stored
in the code. Gaode tiles are in GCJ-02, so :func:`needs_gcj02` tells the map
to shift every layer before drawing.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

from lzspatial.errors import InputError

__all__ = ["BASEMAPS", "TIANDITU_ENV", "needs_gcj02", "tile_layers"]

#: Accepted basemap names.
BASEMAPS = ("none", "osm", "carto", "tianditu", "gaode")

#: Environment variable holding the Tianditu browser key (``tk``).
TIANDITU_ENV = "LZSPATIAL_TIANDITU_KEY"

_KEY_PATTERN = re.compile(r"^[0-9A-Za-z]{8,64}$")

_OSM = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "options": {
        "maxZoom": 19,
        "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">'
        "OpenStreetMap</a> contributors",
    },
}
_CARTO = {
    "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    "options": {
        "maxZoom": 20,
        "subdomains": "abcd",
        "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>',
    },
}
_GAODE = {
    "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
    "options": {
        "maxZoom": 18,
        "subdomains": "1234",
        # The Gaode/DataV outline of Liaozhong omits the ~184 km² east lobe (茨榆坨, 刘二堡, the
        # secondary center): say so where users overlay the plan on these tiles.
        "attribution": "&copy; 高德地图 AutoNavi (GCJ-02). 注意：高德/DataV 的辽中区界缺少东部约 184 km²"
        "（茨榆坨、刘二堡一带），该处要素并非位于区外 / Note: Gaode's district outline omits a ~184 km² "
        "east lobe (Ciyutuo, Liu'erbao); features there are not outside the district",
    },
}
_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)


def _check_name(basemap: object) -> str:
    if not isinstance(basemap, str) or basemap.strip().lower() not in BASEMAPS:
        raise InputError(
            f"basemap {basemap!r} is not known; use one of: {', '.join(BASEMAPS)} ('none' needs no network)"
        )
    return basemap.strip().lower()


def needs_gcj02(basemap: str) -> bool:
    """Return whether layers must be shifted into GCJ-02 to line up with *basemap*."""
    return _check_name(basemap) == "gaode"


def _tianditu_key() -> str:
    key = os.environ.get(TIANDITU_ENV, "").strip()
    if not key:
        raise InputError(
            f"basemap 'tianditu' needs a Tianditu browser key: set the environment variable "
            f"{TIANDITU_ENV}=<key> "
            "(apply at https://console.tianditu.gov.cn), or use `basemap=none/osm/carto`"
        )
    if not _KEY_PATTERN.match(key):
        raise InputError(
            f"{TIANDITU_ENV} does not look like a Tianditu key (8-64 letters and digits, "
            f"got {len(key)} characters); check the value you set"
        )
    warnings.warn(
        f"the Tianditu key from {TIANDITU_ENV} is written into the map HTML, where anyone who opens "
        "the file can "
        "read it; share such maps only with people allowed to use the key, or rebuild with `basemap=none`",
        UserWarning,
        stacklevel=3,
    )
    return key


def tile_layers(basemap: str, lang: str = "both") -> list[dict[str, Any]]:
    """Return the tile layers (``url`` and Leaflet ``options``) of *basemap*, drawn bottom first.

    Parameters
    ----------
    basemap : str
        One of :data:`BASEMAPS`.
    lang : str
        ``zh``, ``en`` or ``both``; picks the Tianditu annotation layer (English for ``en``).

    Raises
    ------
    InputError
        For an unknown basemap, or ``tianditu`` without a usable key.

    Examples
    --------
    >>> tile_layers("none")
    []
    >>> tile_layers("osm")[0]["url"]
    'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    """
    name = _check_name(basemap)
    if name == "none":
        return []
    if name == "osm":
        return [_OSM]
    if name == "carto":
        return [_CARTO]
    if name == "gaode":
        return [_GAODE]
    key = _tianditu_key()
    attribution = "&copy; 天地图 Tianditu (National Platform for Common GeoSpatial Information Services)"
    notes = "eva" if lang == "en" else "cva"
    return [
        {
            "url": _TIANDITU.format(layer=layer, key=key, s="{s}", z="{z}", x="{x}", y="{y}"),
            "options": {"maxZoom": 18, "subdomains": "01234567", "attribution": attribution},
        }
        for layer in ("vec", notes)
    ]
