r"""Read and write the 国土 land coordinate file ("国土TXT", 用地坐标表).

A ``[属性描述]`` section of ``key=value`` lines (坐标系, 几度分带, 带号, ...)
is followed by ``[地块坐标]`` with one block per parcel: a header
``界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编号,@`` and
one ``点号,圈号,X,Y`` row per vertex, e.g.::

    5,1.0000,id-1,名称,面,,用途,,@
    J1,1,4595100.000,41475000.000
    J2,1,4595100.000,41475100.000
    J3,1,4595000.000,41475100.000
    J4,1,4595000.000,41475000.000
    J1,1,4595100.000,41475000.000

Format decisions
----------------
* CRS: CGCS2000 3-degree Gauss-Krüger zone 41. ``X`` is the northing, ``Y``
  the easting with the zone prefix (EPSG:4529, false easting 41 500 000).
  The reader also takes eastings without the prefix (EPSG:4550) and adds it,
  so it always returns EPSG:4529 (or the requested *crs*).
* 界址点数 counts every vertex row of the block, closing rows included.
* 地块面积 is in hectares (公顷, the unit of land submissions), 4 decimals: the
  plane area in the zone-41 projection of the coordinates as written.
* A MultiPolygon of several parts is written as one block per part, with
  地块编号 ``<id>-1``, ``<id>-2``, ... (a one-part MultiPolygon keeps ``<id>``):
  in the common reading of the format 圈号 1 is the parcel's outline and
  圈号 >= 2 are its holes, so parts may not share a block.
  ``read_gktxt(..., merge_parts=True)`` joins such blocks back into one feature.
* 圈号 numbers the rings of a block from 1: the exterior, then its holes. Exteriors are written
  clockwise on a north-up map, holes counter-clockwise, each ring starting
  at its north-western vertex (largest northing - easting). Point names J1,
  J2, ... run on across the block; a ring's closing row repeats its first
  name. The reader ignores orientation and ring order and sorts rings into
  exteriors and holes by nesting; it never returns invalid geometry.
* Text: UTF-8 without BOM and ``\n`` line ends by default; ``encoding="gbk"``
  and ``newline="\r\n"`` for older systems. The reader takes UTF-8 (BOM or
  not) and GBK/GB18030 and any line ends.
* Coordinates have *precision* decimals (3 = millimetres); Z is dropped.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from lzspatial._util.atomic import write_bytes
from lzspatial._util.env import source_date
from lzspatial.errors import CRSError, InputError
from lzspatial.io.gktxt.read import ATTR_HEADER, COORDS_HEADER, GK_CRS, ZONE, from_gktxt_string, read_gktxt

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "GK_CRS",
    "GK_CRS_NO_PREFIX",
    "ZONE",
    "from_gktxt_string",
    "read_gktxt",
    "to_gktxt_string",
    "write_gktxt",
]

#: The same projection without the zone prefix.
GK_CRS_NO_PREFIX: Final = "EPSG:4550"


# ------------------------------------------------------------------ writing


def _date_text(date: str | _dt.date | None, source: str) -> str:
    if date is None:
        pinned = source_date()
        return (pinned or _dt.date.today()).isoformat()
    if isinstance(date, _dt.datetime):
        date = date.date()
    if isinstance(date, _dt.date):
        return date.isoformat()
    try:
        return _dt.date.fromisoformat(str(date)).isoformat()
    except ValueError as err:
        raise InputError(
            f"{source}: date={date!r} is not a date; pass a datetime.date or 'YYYY-MM-DD'"
        ) from err


def _text(value: Any, source: str, where: str, name: str) -> str:
    """Return *value* as one comma-safe field, or raise naming the feature."""
    if value is None or (np.ndim(value) == 0 and bool(pd.isna(value))):
        return ""
    text = str(value).strip()
    for bad in (",", "\n", "\r"):
        if bad in text:
            msg = f"value {text!r} contains {bad!r}, which breaks the format; replace it (e.g. with '，')"
            raise InputError(f"{source}: {where}, field {name!r}: {msg}")
    return text


def _oriented(ring: NDArray[np.float64], clockwise: bool) -> NDArray[np.float64]:
    """Drop the closing vertex, orient the ring and start it at its NW vertex."""
    pts = np.asarray(ring, dtype=np.float64)[:-1, :2]
    x, y = (pts - pts[0]).T
    signed = float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))  # > 0: CCW
    if (signed > 0) == clockwise:
        pts = pts[::-1]
    key = pts[:, 1] - pts[:, 0]  # northing - easting
    cand = np.flatnonzero(key == key.max())
    return np.roll(pts, -int(cand[np.argmax(pts[cand, 1])]), axis=0)


def _block(geom: Polygon | MultiPolygon, precision: int, source: str, where: str) -> tuple[list[str], float]:
    """Return the vertex lines of *geom* and its area (ha) as written."""
    lines: list[str] = []
    parts: list[Polygon] = []
    k = ring_no = 0
    for poly in geom.geoms if isinstance(geom, MultiPolygon) else [geom]:
        rings = [_oriented(np.asarray(poly.exterior.coords), clockwise=True)]
        rings += [_oriented(np.asarray(r.coords), clockwise=False) for r in poly.interiors]
        written = []
        for pts in rings:
            ring_no += 1
            texts = [(f"{e:.{precision}f}", f"{n:.{precision}f}") for e, n in pts]
            names = [f"J{k + i}" for i in range(1, len(texts) + 1)]
            k += len(texts)
            lines += [f"{p},{ring_no},{n},{e}" for p, (e, n) in zip(names, texts, strict=True)]
            lines.append(f"{names[0]},{ring_no},{texts[0][1]},{texts[0][0]}")
            written.append([(float(e), float(n)) for e, n in texts])
        parts.append(Polygon(written[0], written[1:]))
    out = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not out.is_valid:
        reason = shapely.is_valid_reason(out)
        msg = f"invalid once rounded to {precision} decimals ({reason}); raise precision or clean it"
        raise InputError(f"{source}: {where}, field 'geometry': {msg}")
    origin = shapely.get_coordinates(out)[0]
    area = shapely.area(shapely.transform(out, lambda c: c - origin))  # exact near origin
    return lines, float(area) / 10_000.0


def _render(
    gdf: gpd.GeoDataFrame,
    source: str,
    id_field: str | None,
    name_field: str | None,
    use_field: str | None,
    producer: str,
    date: str | _dt.date | None,
    precision: int,
    newline: str,
) -> str:
    if not hasattr(gdf, "geometry") or not hasattr(gdf, "crs"):
        raise InputError(f"{source}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise CRSError(f"{source}: the GeoDataFrame has no CRS; set it first, e.g. gdf.set_crs(4550)")
    if type(precision) is not int or not 0 <= precision <= 6:
        raise InputError(f"{source}: precision={precision!r} must be an integer 0-6")
    if newline not in ("\n", "\r\n"):
        raise InputError(f"{source}: newline={newline!r} must be '\\n' or '\\r\\n'")
    if len(gdf) == 0:
        raise InputError(f"{source}: the GeoDataFrame has no features; nothing to write")
    roles = {"id_field": id_field, "name_field": name_field, "use_field": use_field}
    for role, col in roles.items():
        if col is not None and col not in gdf.columns:
            cols = ", ".join(map(str, gdf.columns))
            raise InputError(f"{source}: {role}={col!r} is not a column ({cols}); pass one or None")
    producer = _text(producer, source, "header", "数据产生单位")
    try:
        geoms = gdf.geometry.to_crs(GK_CRS)
    except Exception as err:  # pyproj raises several types
        raise CRSError(f"{source}: cannot reproject {gdf.crs!r} to {GK_CRS}: {err}") from err
    lines = [
        ATTR_HEADER,
        "格式版本号=1.01版本",
        f"数据产生单位={producer}",
        f"数据产生日期={_date_text(date, source)}",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={ZONE}",
        f"精度={10.0**-precision:.{precision}f}",
        "转换参数=,,,,,,",
        COORDS_HEADER,
    ]

    def attr(col: str | None, pos: int, where: str, default: str = "") -> str:
        return _text(gdf[col].iloc[pos], source, where, col) if col else default

    for pos, (idx, geom) in enumerate(zip(gdf.index, geoms, strict=True)):
        pid = attr(id_field, pos, f"feature {pos} (index {idx!r})", str(pos + 1))
        where = f"feature {pos} (index {idx!r}, id {pid!r})"
        name, use = attr(name_field, pos, where), attr(use_field, pos, where)
        if not isinstance(geom, Polygon | MultiPolygon):
            kind = "missing" if geom is None else geom.geom_type
            msg = f"{kind} geometry; only Polygon and MultiPolygon parcels can be written"
            raise InputError(f"{source}: {where}, field 'geometry': {msg}")
        if geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else shapely.is_valid_reason(geom)
            msg = f"invalid geometry ({reason}); fix it first (e.g. shapely.make_valid)"
            raise InputError(f"{source}: {where}, field 'geometry': {msg}")
        parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        for k, part in enumerate(parts, 1):
            block_id = f"{pid}-{k}" if len(parts) > 1 else pid
            rows, area = _block(part, precision, source, where if len(parts) == 1 else f"{where}, part {k}")
            lines.append(f"{len(rows)},{area:.4f},{block_id},{name},面,,{use},,@")
            lines += rows
    return newline.join(lines) + newline


def to_gktxt_string(
    gdf: gpd.GeoDataFrame,
    *,
    id_field: str | None = "id",
    name_field: str | None = "name_zh",
    use_field: str | None = None,
    producer: str = "lzspatial",
    date: str | _dt.date | None = None,
    precision: int = 3,
    newline: str = "\n",
) -> str:
    """Return the 国土TXT text of the polygon parcels of *gdf*.

    Parameters are those of :func:`write_gktxt` (without *path*/*encoding*).

    Returns
    -------
    str
        The whole file; the same input always gives the same text.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"id": ["a"], "name_zh": ["地块"]},
    ...                      geometry=[box(475000, 4595000, 475100, 4595100)], crs=4550)
    >>> print(to_gktxt_string(g, date="2023-02-01").splitlines()[12])
    5,1.0000,a,地块,面,,,,@
    """
    return _render(gdf, "<string>", id_field, name_field, use_field, producer, date, precision, newline)


def write_gktxt(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    id_field: str | None = "id",
    name_field: str | None = "name_zh",
    use_field: str | None = None,
    producer: str = "lzspatial",
    date: str | _dt.date | None = None,
    precision: int = 3,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    r"""Write the polygon parcels of *gdf* as a 国土TXT file, atomically.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygon/MultiPolygon parcels in any CRS (it must have one); they are
        reprojected to EPSG:4529 (CGCS2000 GK zone 41 with prefix).
    path : str or os.PathLike
        Output file; its folder must exist.
    id_field, name_field, use_field : str or None
        Columns written as 地块编号, 地块名称 and 地块用途; ``None`` writes an
        empty field (for *id_field*: the 1-based row number).
    producer : str
        数据产生单位.
    date : str or datetime.date, optional
        数据产生日期; default ``SOURCE_DATE_EPOCH`` when set, else today.
    precision : int
        Decimals of the coordinates (3 = millimetres).
    encoding : str
        ``"utf-8"`` (no BOM) or e.g. ``"gbk"``.
    newline : str
        ``"\n"`` or ``"\r\n"``.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    CRSError
        If *gdf* has no CRS or cannot be reprojected.
    InputError
        For non-polygon, empty or invalid geometries, bad attribute values
        (commas, characters *encoding* lacks) or bad options.
    OutputError
        If the file cannot be written.
    """
    path = Path(path)
    text = _render(gdf, str(path), id_field, name_field, use_field, producer, date, precision, newline)
    try:
        data = text.encode(encoding)
    except LookupError as err:
        raise InputError(f"{path}: encoding={encoding!r} is unknown; use 'utf-8' or 'gbk'") from err
    except UnicodeEncodeError as err:
        line, char = text.count("\n", 0, err.start) + 1, err.object[err.start : err.end]
        msg = f"character {char!r} is not in {encoding!r}; use encoding='utf-8' or replace it"
        raise InputError(f"{path}: line {line}: {msg}") from err
    return write_bytes(path, data)
