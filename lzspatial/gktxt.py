"""Read and write the 国土 land coordinate file ("国土TXT", 用地坐标表).

The file has an attribute section and a coordinate section::

    [属性描述]
    格式版本号=1.01版本
    数据产生单位=lzspatial
    数据产生日期=2023-02-01
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=41
    精度=0.001
    转换参数=,,,,,,
    [地块坐标]
    5,1.0000,id-1,名称,面,,用途,,@
    J1,1,4595100.000,41475000.000
    ...

Each parcel is a block: a header ``界址点数,地块面积,地块编号,地块名称,
记录图形属性(面),图幅号,地块用途,地类编号,@`` then one ``点号,圈号,X,Y``
row per vertex. Decisions made here:

* **CRS**: CGCS2000 3-degree Gauss-Krüger zone 41. ``X`` is the northing,
  ``Y`` the easting *with* the zone prefix (EPSG:4529, false easting
  41 500 000). The reader also accepts eastings without the prefix
  (EPSG:4550) and adds it, so results are always EPSG:4529 (or *crs*).
* **界址点数** counts every vertex row of the block, closing rows included.
* **地块面积** is in hectares (公顷, the unit of land submissions), 4 decimals:
  the plane area, in the zone-41 projection, of the coordinates as written.
* **Rings**: 圈号 numbers rings from 1 across the whole parcel; each
  polygon part writes its exterior then its holes. Exteriors are written
  clockwise as seen on a north-up map and holes counter-clockwise, each
  starting at its north-western vertex (largest northing - easting). Point
  names J1, J2, ... run on across the block; a ring's closing row repeats
  its first point name. The reader ignores orientation and ring order: it
  sorts rings into exteriors and holes by nesting.
* **Text**: UTF-8 without BOM and ``\\n`` line ends by default (``encoding=
  "gbk"`` and ``newline="\\r\\n"`` for older 国土 systems). The reader takes
  UTF-8 with or without BOM and GBK/GB18030, and any line ends.
* Coordinates are written with *precision* decimals (3 = mm); Z is dropped.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from ._atomic import write_bytes
from .errors import CRSError, InputError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["GK_CRS", "GK_CRS_NO_PREFIX", "ZONE", "from_gktxt_string", "read_gktxt",
           "to_gktxt_string", "write_gktxt"]

#: Gauss-Krüger zone (3-degree) of the files this module reads and writes.
ZONE: Final = 41
#: CRS of the coordinates as written (zone prefix in the easting).
GK_CRS: Final = "EPSG:4529"
#: Same projection without the zone prefix.
GK_CRS_NO_PREFIX: Final = "EPSG:4550"
_PREFIX: Final = ZONE * 1_000_000.0
_ATTR: Final = "[属性描述]"
_COORDS: Final = "[地块坐标]"
_N_HEADER_FIELDS: Final = 9


# ------------------------------------------------------------------ writing


def _date_text(date: str | _dt.date | None, source: str) -> str:
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
        return _dt.date.today().isoformat()
    if isinstance(date, _dt.date):
        return date.isoformat()
    try:
        return _dt.date.fromisoformat(str(date)).isoformat()
    except ValueError as err:
        raise InputError(
            f"{source}: date={date!r} is not a date; pass a datetime.date or 'YYYY-MM-DD'"
        ) from err


def _text(value: Any, source: str, where: str, name: str) -> str:
    """Return *value* as one CSV-safe field or raise naming the feature."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip()
    bad = [c for c in (",", "\n", "\r") if c in text]
    if bad:
        raise InputError(
            f"{source}: {where}, field {name!r}: value {text!r} contains {bad[0]!r}, "
            "which breaks the comma-separated format; replace it (e.g. with '，')"
        )
    return text


def _oriented(ring: NDArray[np.float64], clockwise: bool) -> NDArray[np.float64]:
    """Drop the closing vertex, orient the ring and start it at its NW vertex."""
    pts = np.asarray(ring, dtype=np.float64)[:-1, :2]
    local = pts - pts[0]
    x, y = local[:, 0], local[:, 1]
    signed = float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))  # > 0: CCW
    if (signed > 0) == clockwise:
        pts = pts[::-1]
    key = pts[:, 1] - pts[:, 0]  # northing - easting
    cand = np.flatnonzero(key == key.max())
    start = int(cand[np.argmax(pts[cand, 1])])
    return np.roll(pts, -start, axis=0)


def _fmt(v: float, precision: int) -> str:
    return f"{v:.{precision}f}"


def _block(
    geom: Polygon | MultiPolygon, precision: int, source: str, where: str
) -> tuple[list[tuple[str, int, str, str]], float]:
    """Return the vertex rows (name, ring, X, Y) and the area in ha of *geom*."""
    rows: list[tuple[str, int, str, str]] = []
    parts: list[Polygon] = []
    k = ring_no = 0
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    for poly in polys:
        rings = [_oriented(np.asarray(poly.exterior.coords), clockwise=True)]
        rings += [_oriented(np.asarray(r.coords), clockwise=False) for r in poly.interiors]
        written: list[list[tuple[float, float]]] = []
        for pts in rings:
            ring_no += 1
            first = k + 1
            texts = [(_fmt(e, precision), _fmt(n, precision)) for e, n in pts]
            for e, n in texts:
                k += 1
                rows.append((f"J{k}", ring_no, n, e))
            rows.append((f"J{first}", ring_no, texts[0][1], texts[0][0]))
            written.append([(float(e), float(n)) for e, n in texts])
        parts.append(Polygon(written[0], written[1:]))
    out = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not out.is_valid:
        raise InputError(
            f"{source}: {where}: geometry becomes invalid when rounded to {precision} "
            f"decimals ({shapely.is_valid_reason(out)}); raise precision or clean "
            "the geometry (shapely.make_valid / set_precision)"
        )
    x0, y0 = shapely.get_coordinates(out)[0]
    area = shapely.area(shapely.transform(out, lambda c: c - (x0, y0)))
    return rows, float(area) / 10_000.0


def _render(
    gdf: gpd.GeoDataFrame,
    source: str,
    *,
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
        raise CRSError(
            f"{source}: the GeoDataFrame has no CRS; set it with gdf.set_crs(...) "
            f"(e.g. {GK_CRS_NO_PREFIX!r} for zone-41 metres without prefix)"
        )
    if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 6:
        raise InputError(f"{source}: precision={precision!r} must be an integer 0-6")
    if newline not in ("\n", "\r\n"):
        raise InputError(f"{source}: newline={newline!r} must be '\\n' or '\\r\\n'")
    if len(gdf) == 0:
        raise InputError(f"{source}: the GeoDataFrame has no features; nothing to write")
    for role, col in (("id_field", id_field), ("name_field", name_field),
                      ("use_field", use_field)):
        if col is not None and col not in gdf.columns:
            raise InputError(
                f"{source}: {role}={col!r} is not a column (columns: "
                f"{', '.join(map(str, gdf.columns))}); pass an existing one or None"
            )
    producer_text = _text(producer, source, "header", "数据产生单位")
    try:
        geoms = gdf.geometry.to_crs(GK_CRS)
    except Exception as err:  # pyproj raises several types
        raise CRSError(f"{source}: cannot reproject from {gdf.crs!r} to {GK_CRS}: {err}") from err
    lines = [
        _ATTR,
        "格式版本号=1.01版本",
        f"数据产生单位={producer_text}",
        f"数据产生日期={_date_text(date, source)}",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={ZONE}",
        f"精度={_fmt(10.0 ** -precision, precision)}",
        "转换参数=,,,,,,",
        _COORDS,
    ]
    for pos, (idx, geom) in enumerate(zip(gdf.index, geoms, strict=True)):
        where = f"feature {pos} (index {idx!r})"
        pid = _text(gdf[id_field].iloc[pos], source, where, id_field) if id_field else str(pos + 1)
        where = f"feature {pos} (index {idx!r}, id {pid!r})"
        name = _text(gdf[name_field].iloc[pos], source, where, name_field) if name_field else ""
        use = _text(gdf[use_field].iloc[pos], source, where, use_field) if use_field else ""
        if not isinstance(geom, Polygon | MultiPolygon):
            kind = "missing" if geom is None else geom.geom_type
            raise InputError(
                f"{source}: {where}, field 'geometry': {kind} geometry; only Polygon and "
                "MultiPolygon parcels can be written (drop or convert it)"
            )
        if geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else shapely.is_valid_reason(geom)
            raise InputError(
                f"{source}: {where}, field 'geometry': invalid geometry ({reason}); "
                "fix it first (e.g. shapely.make_valid)"
            )
        rows, area = _block(geom, precision, source, where)
        lines.append(f"{len(rows)},{area:.4f},{pid},{name},面,,{use},,@")
        lines.extend(",".join(map(str, row)) for row in rows)
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
    return _render(gdf, "<string>", id_field=id_field, name_field=name_field,
                   use_field=use_field, producer=producer, date=date,
                   precision=precision, newline=newline)


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
    """Write the polygon parcels of *gdf* as a 国土TXT file, atomically.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygon/MultiPolygon parcels in any CRS (it must have one); they are
        reprojected to EPSG:4529 (CGCS2000 GK zone 41 with prefix).
    path : str or os.PathLike
        Output file; its folder must exist.
    id_field, name_field, use_field : str or None
        Columns written as 地块编号, 地块名称 and 地块用途. ``None`` writes an
        empty field (for *id_field*: the 1-based row number).
    producer : str
        数据产生单位.
    date : str or datetime.date, optional
        数据产生日期; default today, or ``SOURCE_DATE_EPOCH`` when set.
    precision : int
        Decimals of the coordinates (3 = millimetres).
    encoding : str
        ``"utf-8"`` (no BOM) or e.g. ``"gbk"``.
    newline : str
        ``"\\n"`` or ``"\\r\\n"``.

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
        (commas, characters *encoding* lacks) or options.
    OutputError
        If the file cannot be written.
    """
    path = Path(path)
    text = _render(gdf, str(path), id_field=id_field, name_field=name_field,
                   use_field=use_field, producer=producer, date=date,
                   precision=precision, newline=newline)
    try:
        data = text.encode(encoding)
    except LookupError as err:
        raise InputError(f"{path}: encoding={encoding!r} is unknown; use 'utf-8' or 'gbk'") from err
    except UnicodeEncodeError as err:
        line = text.count("\n", 0, err.start) + 1
        raise InputError(
            f"{path}: line {line}: character {err.object[err.start:err.end]!r} cannot be "
            f"encoded in {encoding!r}; use encoding='utf-8' or replace it"
        ) from err
    return write_bytes(path, data)


# ------------------------------------------------------------------ reading


@dataclass
class _Block:
    line: int
    count: int
    area: float
    pid: str
    name: str
    use: str
    rows: list[tuple[int, str, int, float, float]] = field(default_factory=list)


def _decode(data: bytes, source: str, encoding: str | None) -> str:
    if encoding:
        tries = [encoding]
    elif data.startswith(b"\xef\xbb\xbf"):
        tries = ["utf-8-sig"]
    else:
        tries = ["utf-8", "gb18030"]
    last: UnicodeDecodeError | None = None
    for enc in tries:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as err:
            last = err
        except LookupError as err:
            raise InputError(f"{source}: encoding={encoding!r} is unknown") from err
    assert last is not None
    line = data.count(b"\n", 0, last.start) + 1
    raise InputError(
        f"{source}: line {line}: bytes {data[last.start:last.start + 4]!r} are not valid "
        f"{' or '.join(tries)}; re-save the file as UTF-8 or GBK"
    )


def _num(text: str, source: str, line: int, name: str, kind: type = float) -> Any:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or (kind is float and not np.isfinite(value)):
        raise InputError(
            f"{source}: line {line}, field {name}: {text!r} is not a valid "
            f"{'integer' if kind is int else 'number'}; fix the value"
        )
    return value


def _check_attrs(attrs: dict[str, tuple[str, int]], source: str) -> None:
    def bad(key: str, hint: str, err: type[Exception] = CRSError) -> Exception:
        val, line = attrs[key]
        return err(f"{source}: line {line}, field {key}: {val!r} is not supported; {hint}")

    if attrs.get("带号", ("",))[0] not in ("", str(ZONE)):
        raise bad("带号", f"only zone {ZONE} (EPSG:4529/4550) is read; reproject the data")
    if attrs.get("几度分带", ("",))[0] not in ("", "3"):
        raise bad("几度分带", "only 3-degree zones are read")
    crs_name = attrs.get("坐标系", ("",))[0]
    if crs_name and "2000" not in crs_name and "CGCS" not in crs_name.upper():
        raise bad("坐标系", "only CGCS2000 (2000国家大地坐标系) is read; convert the data")
    if attrs.get("计量单位", ("",))[0] not in ("", "米", "m"):
        raise bad("计量单位", "coordinates must be in metres (米)", InputError)


def _parse(text: str, source: str) -> list[_Block]:
    section = None
    seen_coords = False
    attrs: dict[str, tuple[str, int]] = {}
    blocks: list[_Block] = []
    prefixed: tuple[bool, int] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff").strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line
            seen_coords = seen_coords or line == _COORDS
            continue
        if section == _ATTR:
            key, sep, val = line.partition("=")
            if sep:
                attrs[key.strip()] = (val.strip(), lineno)
            continue
        if section is None:
            raise InputError(
                f"{source}: line {lineno}: data {line[:40]!r} before any section; "
                f"the file must start with {_ATTR} or {_COORDS}"
            )
        if section != _COORDS:
            continue  # unknown sections are ignored
        fields = [f.strip() for f in line.split(",")]
        if fields[-1] == "@":
            if len(fields) != _N_HEADER_FIELDS:
                raise InputError(
                    f"{source}: line {lineno}: parcel header has {len(fields)} fields, "
                    f"expected {_N_HEADER_FIELDS} (界址点数,地块面积,地块编号,地块名称,"
                    "面,图幅号,地块用途,地类编号,@)"
                )
            if fields[4] not in ("", "面"):
                raise InputError(
                    f"{source}: line {lineno}, field 记录图形属性: {fields[4]!r} is not "
                    "supported; only polygon parcels ('面') can be read"
                )
            area = _num(fields[1], source, lineno, "地块面积") if fields[1] else float("nan")
            blocks.append(_Block(lineno, _num(fields[0], source, lineno, "界址点数", int),
                                 area, fields[2], fields[3], fields[6]))
            continue
        if not blocks:
            raise InputError(
                f"{source}: line {lineno}: vertex row before any parcel header "
                "(a header line ends with ',@')"
            )
        if len(fields) != 4:
            raise InputError(
                f"{source}: line {lineno}: vertex row has {len(fields)} fields, "
                "expected 4 (点号,圈号,X,Y)"
            )
        ring = _num(fields[1], source, lineno, "圈号", int)
        x = _num(fields[2], source, lineno, "X (northing)")
        y = _num(fields[3], source, lineno, "Y (easting)")
        if x >= 1e7 and y < 1e7:
            raise InputError(
                f"{source}: line {lineno}, field X: X={x!r} looks like a zone-prefixed "
                f"easting and Y={y!r} like a northing; swap them (X is the northing)"
            )
        if y >= 1e7:
            zone = int(y // 1_000_000)
            if zone != ZONE:
                raise CRSError(
                    f"{source}: line {lineno}, field Y: Y={y!r} is in zone {zone}, "
                    f"expected zone {ZONE}; reproject the file to CGCS2000 3-degree zone {ZONE}"
                )
        elif y >= 1e6:
            raise InputError(
                f"{source}: line {lineno}, field Y: Y={y!r} is neither an easting with "
                f"zone prefix ({ZONE}xxxxxx.xxx) nor one without (< 1000000)"
            )
        has_prefix = y >= 1e7
        if prefixed is None:
            prefixed = (has_prefix, lineno)
        elif prefixed[0] != has_prefix:
            raise InputError(
                f"{source}: line {lineno}, field Y: Y={y!r} "
                f"{'has' if has_prefix else 'lacks'} the zone prefix but line "
                f"{prefixed[1]} does not; use one convention in the whole file"
            )
        blocks[-1].rows.append((lineno, fields[0], ring, x, y if has_prefix else y + _PREFIX))
    if not seen_coords:
        raise InputError(f"{source}: no {_COORDS} section; this is not a 国土TXT file")
    _check_attrs(attrs, source)
    if not blocks:
        raise InputError(f"{source}: the {_COORDS} section contains no parcels")
    return blocks


def _geometry(block: _Block, source: str) -> Polygon | MultiPolygon:
    where = f"{source}: line {block.line}: parcel {block.pid!r}"
    if len(block.rows) != block.count:
        raise InputError(
            f"{where}, field 界址点数: header says {block.count} points but the block has "
            f"{len(block.rows)} vertex rows; fix the count (closing rows included)"
        )
    groups: list[tuple[int, list[tuple[int, str, int, float, float]]]] = []
    for row in block.rows:
        if groups and groups[-1][0] == row[2]:
            groups[-1][1].append(row)
        elif any(g[0] == row[2] for g in groups):
            raise InputError(
                f"{source}: line {row[0]}, field 圈号: ring {row[2]} of parcel "
                f"{block.pid!r} resumes after another ring; keep each ring's rows together"
            )
        else:
            groups.append((row[2], [row]))
    rings: list[Polygon] = []
    for ring_no, rows in groups:
        first, last = rows[0], rows[-1]
        if len(rows) < 4:
            raise InputError(
                f"{source}: line {first[0]}, field 圈号: ring {ring_no} of parcel "
                f"{block.pid!r} has {len(rows)} rows; a closed ring needs at least 4"
            )
        if abs(first[3] - last[3]) > 1e-6 or abs(first[4] - last[4]) > 1e-6:
            raise InputError(
                f"{source}: line {last[0]}, field X/Y: ring {ring_no} of parcel "
                f"{block.pid!r} is not closed: last point {last[1]} ({last[3]!r}, "
                f"{last[4]!r}) differs from first point {first[1]} ({first[3]!r}, "
                f"{first[4]!r}); repeat the first point at the end of the ring"
            )
        ring = Polygon([(r[4], r[3]) for r in rows])
        if not ring.is_valid:
            raise InputError(
                f"{where}, ring {ring_no} (line {first[0]}): invalid ring "
                f"({shapely.is_valid_reason(ring)}); fix the coordinates"
            )
        rings.append(ring)
    depth = [sum(j != i and rj.contains(ri) for j, rj in enumerate(rings))
             for i, ri in enumerate(rings)]
    shells = [i for i, d in enumerate(depth) if d % 2 == 0]
    holes: dict[int, list[Any]] = {i: [] for i in shells}
    for i, d in enumerate(depth):
        if d % 2:
            parents = [j for j in shells if depth[j] == d - 1 and rings[j].contains(rings[i])]
            if not parents:
                raise InputError(
                    f"{where}, field 圈号: ring {groups[i][0]} lies in several overlapping "
                    "rings; rings must be disjoint exteriors with holes inside them"
                )
            parent = min(parents, key=lambda j: rings[j].area)
            holes[parent].append(rings[i].exterior.coords)
    parts = [Polygon(rings[i].exterior.coords, holes[i]) for i in shells]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    if not geom.is_valid:
        raise InputError(
            f"{where}, field geometry: invalid parcel ({shapely.is_valid_reason(geom)}); "
            "fix the coordinates"
        )
    return geom


def from_gktxt_string(
    text: str, *, crs: Any = GK_CRS, source: str = "<string>"
) -> gpd.GeoDataFrame:
    """Parse 国土TXT *text*; see :func:`read_gktxt`.

    Parameters
    ----------
    text : str
        The file content.
    crs : Any
        CRS of the result; see :func:`read_gktxt`.
    source : str
        Name used in error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per parcel.

    Examples
    --------
    >>> t = ("[地块坐标]\\n5,1.0,a,名,面,,,,@\\nJ1,1,4595100,475000\\nJ2,1,4595100,475100"
    ...      "\\nJ3,1,4595000,475100\\nJ4,1,4595000,475000\\nJ1,1,4595100,475000\\n")
    >>> g = from_gktxt_string(t)
    >>> g.geometry.iloc[0].bounds
    (41475000.0, 4595000.0, 41475100.0, 4595100.0)
    """
    import geopandas as gpd

    blocks = _parse(text, source)
    geoms = [_geometry(b, source) for b in blocks]
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
    path: str | os.PathLike[str], *, crs: Any = GK_CRS, encoding: str | None = None
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

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``parcel_id``, ``name``, ``area_ha`` (地块面积 as written,
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
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from err
    return from_gktxt_string(_decode(data, str(path), encoding), crs=crs, source=str(path))
