"""Coordinate reference systems of Chinese planning practice.

Constants, a cached pyproj transformer factory (always lon/lat, x/y order) and
the parser behind every ``--crs`` option.
"""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

from lzspatial.errors import CRSError

if TYPE_CHECKING:
    import pyproj

__all__ = [
    "ACCEPTED",
    "CGCS2000",
    "CRSWarning",
    "GK_CM123",
    "GK_CM120_TRAP",
    "GK_ZONE41",
    "METRIC",
    "INPUT_CRS",
    "WGS84",
    "describe",
    "parse_crs",
    "transformer",
    "warn_if_trap",
]

#: WGS84 lon/lat, the CRS of GeoJSON (RFC 7946).
WGS84 = "EPSG:4326"
#: CGCS2000 geographic (equal to WGS84 at planning scale).
CGCS2000 = "EPSG:4490"
#: CGCS2000 3-degree Gauss-Krüger, central meridian 123°E (false easting 500 000).
GK_CM123 = "EPSG:4550"
#: The same with the zone-41 prefix (false easting 41 500 000), used in 国土TXT.
GK_ZONE41 = "EPSG:4529"
#: The trap: 3-degree GK with central meridian 120°E, wrong for Liaozhong.
GK_CM120_TRAP = "EPSG:4549"
#: The metric CRS all geometry work uses.
METRIC = GK_CM123

#: Names accepted by ``--crs`` options (case-insensitive), mapped to a canonical form.
ACCEPTED = {
    "epsg:4326": WGS84,
    "wgs84": WGS84,
    "epsg:4490": CGCS2000,
    "cgcs2000": CGCS2000,
    "epsg:4550": GK_CM123,
    "epsg:4529": GK_ZONE41,
    "epsg:4549": GK_CM120_TRAP,
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
}


#: Systems coordinates may be given in (sites, projects, exports), canonical names, in help order.
INPUT_CRS = (WGS84, CGCS2000, GK_CM123, GK_ZONE41, GK_CM120_TRAP, "gcj02", "bd09")
_NOTES = {"gcj02": " (Gaode/AMap)", "bd09": " (Baidu)", GK_CM120_TRAP: " (CM 120°E: not Liaozhong's zone)"}


def describe(names: tuple[str, ...] | list[str]) -> str:
    """Return canonical CRS names as help text ("EPSG:4326, …, gcj02 (Gaode/AMap) or bd09 (Baidu)").

    Examples
    --------
    >>> describe(("EPSG:4326", "gcj02"))
    'EPSG:4326 or gcj02 (Gaode/AMap)'
    """
    parts = [n + _NOTES.get(n, "") for n in names]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


class CRSWarning(UserWarning):
    """A CRS that is valid but probably not what the user meant."""


def warn_if_trap(crs: str) -> None:
    """Warn when *crs* is EPSG:4549 (central meridian 120°E, not Liaozhong's 123°E)."""
    if str(crs).upper().replace(" ", "") == GK_CM120_TRAP:
        warnings.warn(
            "EPSG:4549 is CGCS2000 3-degree Gauss-Kruger with central meridian 120°E; "
            "Liaozhong lies in the zone of 123°E: use EPSG:4550 (or EPSG:4529 with the "
            "zone-41 prefix)",
            CRSWarning,
            stacklevel=3,
        )


def parse_crs(value: str, *, allow: tuple[str, ...] | None = None) -> str:
    """Normalise a user-given CRS name.

    Parameters
    ----------
    value : str
        ``EPSG:4326``, ``EPSG:4490``, ``EPSG:4550``, ``EPSG:4529``, ``EPSG:4549``
        (with a warning), ``gcj02`` or ``bd09`` (case-insensitive); a bare
        EPSG code (``4550``) is read as ``EPSG:4550``.
    allow : tuple of str, optional
        Canonical names accepted here; default all.

    Returns
    -------
    str
        The canonical name, for example ``"EPSG:4550"`` or ``"gcj02"``.

    Examples
    --------
    >>> parse_crs("epsg:4550")
    'EPSG:4550'
    >>> parse_crs("GCJ02")
    'gcj02'
    >>> parse_crs("4550")
    'EPSG:4550'
    """
    key = str(value).strip().lower().replace(" ", "")
    key = f"epsg:{key}" if key.isdigit() else key  # a bare EPSG code: 4550
    canon = ACCEPTED.get(key)
    choices = allow or tuple(dict.fromkeys(ACCEPTED.values()))
    if canon is None or canon not in choices:
        raise CRSError(f"unknown or unsupported CRS {value!r}; use one of: {', '.join(choices)}")
    warn_if_trap(canon)
    return canon


@functools.lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> pyproj.Transformer:
    """Return a cached pyproj transformer from *src* to *dst* in x/y (lon/lat) order."""
    import pyproj

    try:
        return pyproj.Transformer.from_crs(src, dst, always_xy=True)
    except pyproj.exceptions.CRSError as err:
        raise CRSError(f"cannot transform from {src!r} to {dst!r}: {err}") from err
