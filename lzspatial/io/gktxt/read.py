"""Read the 国土 land coordinate file ("国土TXT", 用地坐标表).

The format, and the decisions taken where it is loose, are described in
:mod:`lzspatial.gktxt`, which is where :func:`read_gktxt` and
:func:`from_gktxt_string` are public. The format's constants live here so
that the reader stands alone; the writer imports them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from lzspatial.errors import CRSError, InputError
from lzspatial.io.limits import read_limited

__all__ = ["ATTR_HEADER", "COORDS_HEADER", "GK_CRS", "ZONE", "from_gktxt_string", "read_gktxt"]

#: 3-degree Gauss-Krüger zone of the files read and written.
ZONE: Final = 41
#: CRS of the coordinates as written (zone prefix in the easting).
GK_CRS: Final = "EPSG:4529"
_PREFIX: Final = ZONE * 1_000_000.0
ATTR_HEADER: Final = "[属性描述]"
COORDS_HEADER: Final = "[地块坐标]"
_HEADER: Final = "界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编号,@"
_Row = tuple[int, str, int, float, float]  # line, 点号, 圈号, X (northing), Y (easting)


def _err(source: str, line: int, fld: str, msg: str, cls: type = InputError) -> Exception:
    """Build an error naming the file, line and field."""
    return cls(f"{source}: line {line}, field {fld}: {msg}")


@dataclass
class _Block:
    line: int
    count: int
    area: float
    pid: str
    name: str
    use: str
    rows: list[_Row] = field(default_factory=list)


def _decode(data: bytes, source: str, encoding: str | None) -> str:
    if encoding:
        tries = [encoding]
    elif data.startswith(b"\xef\xbb\xbf"):
        tries = ["utf-8-sig"]
    else:
        tries = ["utf-8", "gb18030"]
    start = 0
    for enc in tries:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as err:
            start = err.start if enc == tries[0] else start  # report where the first try failed
        except LookupError as err:
            raise InputError(f"{source}: encoding={encoding!r} is unknown") from err
    line, bad = data.count(b"\n", 0, start) + 1, data[start : start + 4]
    raise InputError(f"{source}: line {line}: bytes {bad!r} are not {' or '.join(tries)}; save as UTF-8/GBK")


def _num(text: str, source: str, line: int, name: str, kind: type = float) -> Any:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not np.isfinite(value):
        what = "an integer" if kind is int else "a finite number"
        raise _err(source, line, name, f"{text!r} is not {what}; fix the value")
    return value


def _check_attrs(attrs: dict[str, tuple[str, int]], source: str) -> None:
    checks = [
        ("带号", lambda v: v == str(ZONE), f"only zone {ZONE} (EPSG:4529/4550) is read"),
        ("几度分带", lambda v: v == "3", "only 3-degree zones are read"),
        ("坐标系", lambda v: "2000" in v or "CGCS" in v.upper(), "only CGCS2000 is read"),
        ("计量单位", lambda v: v in ("米", "m"), "coordinates must be in metres (米)"),
    ]
    for key, ok, hint in checks:
        value, line = attrs.get(key, ("", 0))
        if value and not ok(value):
            msg = f"{value!r} is not supported: {hint}; convert the data first"
            raise _err(source, line, key, msg, CRSError)


def _vertex(fields: list[str], source: str, line: int) -> tuple[int, float, float, bool]:
    """Parse ``点号,圈号,X,Y``; return ring, X, Y and whether Y had the prefix."""
    if len(fields) != 4:
        msg = f"{len(fields)} fields, expected 4 (点号,圈号,X,Y)"
        raise _err(source, line, "点号,圈号,X,Y", msg)
    ring = _num(fields[1], source, line, "圈号", int)
    x = _num(fields[2], source, line, "X (northing)")
    y = _num(fields[3], source, line, "Y (easting)")
    if x >= 1e7 and y < 1e7:
        msg = f"X={x!r} looks like a prefixed easting, Y={y!r} like a northing; swap them (X is north)"
        raise _err(source, line, "X", msg)
    if y >= 1e7 and int(y // 1_000_000) != ZONE:
        msg = f"Y={y!r} is in zone {int(y // 1_000_000)}, expected {ZONE}; reproject the data to zone {ZONE}"
        raise _err(source, line, "Y", msg, CRSError)
    if 1e6 <= y < 1e7:
        msg = f"Y={y!r} is neither a prefixed easting ({ZONE}xxxxxx.xxx) nor a plain one (< 1000000)"
        raise _err(source, line, "Y", msg)
    return ring, x, y, y >= 1e7


def _parse(text: str, source: str) -> list[_Block]:
    section: str | None = None
    seen_coords = False
    attrs: dict[str, tuple[str, int]] = {}
    blocks: list[_Block] = []
    first_prefix: tuple[bool, int] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line
            seen_coords = seen_coords or line == COORDS_HEADER
            continue
        if section == ATTR_HEADER:
            key, sep, val = line.partition("=")
            if sep:
                attrs[key.strip()] = (val.strip(), lineno)
            continue
        if section is None:
            first = f"{ATTR_HEADER} or {COORDS_HEADER}"
            msg = f"data {line[:40]!r} before any section; the file must start with {first}"
            raise _err(source, lineno, "section", msg)
        if section != COORDS_HEADER:
            continue  # unknown sections are ignored
        fields = [f.strip() for f in line.split(",")]
        if fields[-1] == "@":
            if len(fields) < _HEADER.count(",") + 1:  # 9 fields, or longer variants (土地整治: 13)
                msg = f"{len(fields)} fields, expected at least {_HEADER.count(',') + 1} ({_HEADER})"
                raise _err(source, lineno, "parcel header", msg)
            if fields[4] not in ("", "面"):
                msg = f"{fields[4]!r} is not supported; only polygon parcels ('面') are read"
                raise _err(source, lineno, "记录图形属性", msg)
            count = _num(fields[0], source, lineno, "界址点数", int)
            area = _num(fields[1], source, lineno, "地块面积") if fields[1] else float("nan")
            blocks.append(_Block(lineno, count, area, fields[2], fields[3], fields[6]))
            continue
        if not blocks:
            msg = "vertex row before any parcel header (a header line ends with ',@')"
            raise _err(source, lineno, "点号", msg)
        ring, x, y, prefixed = _vertex(fields, source, lineno)
        if first_prefix is None:
            first_prefix = (prefixed, lineno)
        elif first_prefix[0] != prefixed:
            msg = f"Y={y!r} {'has' if prefixed else 'lacks'} the zone prefix unlike line {first_prefix[1]}"
            raise _err(source, lineno, "Y", msg)
        blocks[-1].rows.append((lineno, fields[0], ring, x, y if prefixed else y + _PREFIX))
    if not seen_coords:
        raise InputError(f"{source}: no {COORDS_HEADER} section; this is not a 国土TXT file")
    _check_attrs(attrs, source)
    if not blocks:
        raise InputError(f"{source}: the {COORDS_HEADER} section contains no parcels")
    return blocks


def _rings(block: _Block, source: str) -> list[tuple[int, list[_Row]]]:
    """Group the rows of *block* by 圈号 (each ring's rows must be contiguous)."""
    if len(block.rows) != block.count:
        msg = f"parcel {block.pid!r} says {block.count} but has {len(block.rows)} vertex rows; fix the count"
        raise _err(source, block.line, "界址点数", msg)
    groups: list[tuple[int, list[_Row]]] = []
    for row in block.rows:
        if groups and groups[-1][0] == row[2]:
            groups[-1][1].append(row)
        elif any(g[0] == row[2] for g in groups):
            msg = f"ring {row[2]} of parcel {block.pid!r} resumes after another ring; keep its rows together"
            raise _err(source, row[0], "圈号", msg)
        else:
            groups.append((row[2], [row]))
    return groups


def _geometry(block: _Block, source: str) -> Polygon | MultiPolygon:
    groups = _rings(block, source)
    rings: list[Polygon] = []
    for ring_no, rows in groups:
        first, last = rows[0], rows[-1]
        label = f"ring {ring_no} of parcel {block.pid!r}"
        if len(rows) < 4:
            msg = f"{label} has {len(rows)} rows; a closed ring needs at least 4"
            raise _err(source, first[0], "圈号", msg)
        if abs(first[3] - last[3]) > 1e-6 or abs(first[4] - last[4]) > 1e-6:
            msg = f"{label} is not closed: last point {last[1]} ({last[3]!r}, {last[4]!r}) != first "
            msg += f"point {first[1]} ({first[3]!r}, {first[4]!r}); repeat the first point at the end"
            raise _err(source, last[0], "X/Y", msg)
        ring = Polygon([(r[4], r[3]) for r in rows])
        if not ring.is_valid:
            msg = f"invalid {label} ({shapely.is_valid_reason(ring)}); fix the coordinates"
            raise _err(source, first[0], "X/Y", msg)
        rings.append(ring)
    depth = [sum(j != i and rj.contains(ri) for j, rj in enumerate(rings)) for i, ri in enumerate(rings)]
    shells = [i for i, d in enumerate(depth) if d % 2 == 0]
    holes: dict[int, list[Any]] = {i: [] for i in shells}
    for i, d in enumerate(depth):
        if d % 2:
            parents = [j for j in shells if depth[j] == d - 1 and rings[j].contains(rings[i])]
            if not parents:
                msg = f"ring {groups[i][0]} of parcel {block.pid!r} lies in overlapping rings; fix the rings"
                raise _err(source, groups[i][1][0][0], "圈号", msg)
            holes[min(parents, key=lambda j: rings[j].area)].append(rings[i].exterior.coords)
    parts = [Polygon(rings[i].exterior.coords, holes[i]) for i in shells]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not geom.is_valid:
        msg = f"parcel {block.pid!r} is invalid ({shapely.is_valid_reason(geom)}); fix the coordinates"
        raise _err(source, block.line, "geometry", msg)
    return geom


def _merge_parts(blocks: list[_Block], geoms: list[Any]) -> tuple[list[_Block], list[Any]]:
    """Join runs of blocks ``<id>-1``, ``<id>-2``, ... (same name and use) into one feature ``<id>``."""
    out_blocks: list[_Block] = []
    out_geoms: list[Any] = []
    i = 0
    while i < len(blocks):
        base, sep, num = blocks[i].pid.rpartition("-")
        j = i
        if sep and num == "1":
            while (
                j + 1 < len(blocks)
                and blocks[j + 1].pid == f"{base}-{j + 2 - i}"
                and (blocks[j + 1].name, blocks[j + 1].use) == (blocks[i].name, blocks[i].use)
            ):
                j += 1
        if j == i:
            out_blocks.append(blocks[i])
            out_geoms.append(geoms[i])
        else:
            polys = [p for g in geoms[i : j + 1] for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
            first = blocks[i]
            area = sum(b.area for b in blocks[i : j + 1])
            out_blocks.append(_Block(first.line, first.count, area, base, first.name, first.use))
            out_geoms.append(MultiPolygon(polys))
        i = j + 1
    return out_blocks, out_geoms


def from_gktxt_string(
    text: str, *, crs: Any = GK_CRS, source: str = "<string>", merge_parts: bool = False
) -> gpd.GeoDataFrame:
    r"""Parse 国土TXT *text*; see :func:`read_gktxt`.

    Parameters
    ----------
    text : str
        The file content.
    crs : Any
        CRS of the result; see :func:`read_gktxt`.
    source : str
        Name used in error messages.
    merge_parts : bool
        Join blocks ``<id>-1``, ``<id>-2``, ... into one MultiPolygon ``<id>``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel.

    Examples
    --------
    >>> t = ("[地块坐标]\n5,1.0,a,名,面,,,,@\nJ1,1,4595100,475000\nJ2,1,4595100,475100"
    ...      "\nJ3,1,4595000,475100\nJ4,1,4595000,475000\nJ1,1,4595100,475000\n")
    >>> from_gktxt_string(t).geometry.iloc[0].bounds
    (41475000.0, 4595000.0, 41475100.0, 4595100.0)
    """
    blocks = _parse(text, source)
    geoms = [_geometry(b, source) for b in blocks]
    if merge_parts:
        blocks, geoms = _merge_parts(blocks, geoms)
    gdf = gpd.GeoDataFrame(
        {
            "parcel_id": [b.pid for b in blocks],
            "name": [b.name for b in blocks],
            "area_ha": np.array([b.area for b in blocks], dtype=np.float64),
            "use": [b.use for b in blocks],
        },
        geometry=geoms,
        crs=GK_CRS,
    )
    try:
        return gdf if gdf.crs == crs else gdf.to_crs(crs)
    except Exception as err:  # pyproj raises several types
        raise CRSError(f"{source}: cannot reproject to crs={crs!r}: {err}") from err


def read_gktxt(
    path: str | os.PathLike[str],
    *,
    crs: Any = GK_CRS,
    encoding: str | None = None,
    merge_parts: bool = False,
) -> gpd.GeoDataFrame:
    """Read a 国土TXT file into a GeoDataFrame.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    crs : Any
        CRS of the result. The file is read as CGCS2000 3-degree GK zone 41
        (EPSG:4529; eastings without the zone prefix, i.e. EPSG:4550, get it
        added) and reprojected when *crs* differs.
    encoding : str, optional
        Force a text encoding; by default UTF-8 (BOM or not), then GB18030
        (a superset of GBK).
    merge_parts : bool
        Join the blocks ``<id>-1``, ``<id>-2``, ... that the writer makes of a
        multi-part parcel back into one MultiPolygon ``<id>`` (area summed).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``parcel_id``, ``name``, ``area_ha`` (地块面积 as written, in
        hectares; NaN if empty), ``use`` and valid Polygon/MultiPolygon
        geometry.

    Raises
    ------
    InputError
        For unreadable or malformed files (the message names the line and
        field) and invalid parcels (with the GEOS reason).
    CRSError
        If the file declares or uses another zone or datum.
    """
    path = Path(path)
    data = read_limited(path, InputError, missing="cannot read: file not found")  # regular files only
    text = _decode(data, str(path), encoding)
    return from_gktxt_string(text, crs=crs, source=str(path), merge_parts=merge_parts)
