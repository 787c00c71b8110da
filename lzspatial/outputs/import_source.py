"""Reading a layer edited in a GIS: which layer, which CRS, which columns, which values.

The source side of ``lzspatial import`` (:mod:`lzspatial.outputs.plan_import`): a
GeoPackage, Shapefile (``.shp`` or zipped), File Geodatabase or GeoJSON is checked
(regular file, or a ``.gdb`` folder), its layer picked, read with pyogrio, put in the
plan's storage CRS (EPSG:4326), and its columns mapped back onto plan fields (GIS
columns dropped, Shapefile names and continuation parts undone, ``--map-fields``
applied), with list, boolean and missing values restored.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import shapely

from lzspatial._util.files import check_regular, name_problem
from lzspatial._util.guard import protect
from lzspatial.crs import WGS84, parse_crs
from lzspatial.crs.transforms import reproject
from lzspatial.errors import CRSError, InputError
from lzspatial.outputs.arcgis import GDB_VOCAB_TABLE, LIST_SEPARATOR, shp_field_names
from lzspatial.plan.schema import COMMON_FIELDS, ELEMENTS

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = [
    "GIS_COLUMNS",
    "NOT_LAYERS",
    "SUFFIXES",
    "check_near",
    "check_source",
    "parse_map_fields",
    "pick_layer",
    "read_source",
    "source_columns",
    "source_layers",
    "source_rows",
    "to_storage_crs",
]

#: Columns GIS tools add, dropped on import (compared without case).
GIS_COLUMNS: Final = frozenset(
    {"fid", "objectid", "ogc_fid", "shape_length", "shape_area", "shape_leng", "shape_le_1", "shape_ar_1"}
)
#: Tables of our own exports that are not plan layers.
NOT_LAYERS: Final = frozenset({"layer_styles", "qgis_projects", GDB_VOCAB_TABLE})
#: The file kinds read (a ``.gdb`` is a folder).
SUFFIXES: Final = (".gpkg", ".shp", ".zip", ".gdb", ".geojson", ".json")


def check_source(src: Path) -> Path:
    """Return *src* if it is a file kind this reads (a ``.gdb`` folder, else a regular file), else raise."""
    problem = name_problem(src)
    if problem:
        raise InputError(f"{str(src)!r}: {problem}")
    if src.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"{src}: not a layer file this command reads; give a .gpkg, .shp, .zip (zipped Shapefile), "
            ".gdb folder, .geojson or .json"
        )
    if src.suffix.lower() == ".gdb":
        if not src.is_dir() or not (src / "gdb").is_file():
            raise InputError(f"{src}: not a File Geodatabase folder (no 'gdb' file inside)")
        protect(src)
        return src
    check_regular(src, InputError)  # FIFOs, devices, folders: one line
    if src.suffix.lower() == ".shp":
        check_regular(src.with_suffix(".dbf"), InputError, missing="the Shapefile's .dbf is missing")
    return src


def source_layers(src: Path) -> list[str]:
    """Return the layer names of *src*, without our own non-layer tables."""
    import pyogrio

    try:
        names = [str(n) for n in pyogrio.list_layers(src)[:, 0]]
    except Exception as err:  # pyogrio raises several types
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        text = text.split(";")[0].replace(f"'{src}' ", "")  # GDAL's first sentence, without the path again
        raise InputError(f"{src}: cannot open as a GIS layer file: {text[:200]}") from err
    return [n for n in names if n not in NOT_LAYERS]


def pick_layer(plan: Plan, src: Path, layer: str | None) -> tuple[str, str | None]:
    """Return (plan layer, source layer) and refuse names that do not fit."""
    names = source_layers(src)
    stem = src.stem if src.suffix.lower() in (".shp", ".zip", ".geojson", ".json") else None
    target = layer or (stem if stem in plan.layer_names else None)
    if target is None and len(names) == 1 and names[0] in plan.layer_names:
        target = names[0]
    if target is None:
        raise InputError(
            f"{src}: cannot tell which plan layer it holds (layers: {', '.join(names) or 'none'}); "
            f"pick one with `layer=` from: {', '.join(plan.layer_names)}"
        )
    if target not in plan.layer_names:
        raise InputError(
            f"`layer={target!r}` is not a layer of plan {plan.id!r}; "
            f"choose from: {', '.join(plan.layer_names)}"
        )
    if target in names:
        return target, target
    if len(names) == 1:
        return target, names[0]
    raise InputError(
        f"{src}: has no layer {target!r} (layers: {', '.join(names) or 'none'}); pick one with `layer=`"
    )


def read_source(src: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read *layer* of *src* (a Shapefile without ``.cpg``: UTF-8 if its bytes are, else GBK)."""
    import pyogrio

    kwargs: dict[str, Any] = {}
    if src.suffix.lower() == ".shp" and not src.with_suffix(".cpg").is_file():
        kwargs["encoding"] = _guess_dbf_encoding(src.with_suffix(".dbf"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(src, layer=layer, **kwargs)
    except Exception as err:  # pyogrio raises several types
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{src}: cannot read layer {layer!r}: {text[:200]}") from err


def _guess_dbf_encoding(dbf: Path) -> str:
    """UTF-8 when the .dbf's bytes are UTF-8, else GBK (CP936): Shapefiles without a .cpg."""
    data = dbf.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "CP936"
    return "UTF-8"


def _sidecar_names(src: Path) -> dict[str, tuple[str, int]] | None:
    """Return Shapefile field -> (plan field, part) from the export's ``<layer>.fields.csv`` beside *src*."""
    path = src.with_suffix(".fields.csv")
    if src.suffix.lower() == ".zip":
        import zipfile

        try:
            with zipfile.ZipFile(src) as zf:
                inside = [n for n in zf.namelist() if n.endswith(".fields.csv")]
                data = zf.read(inside[0]) if len(inside) == 1 else None
        except (zipfile.BadZipFile, OSError, KeyError):
            data = None
    elif src.suffix.lower() == ".shp" and path.is_file():
        data = path.read_bytes()
    else:
        data = None
    if data is None:
        return None
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text)))
    try:
        return {r["shapefile_field"]: (r["field"], int(r.get("part") or 1)) for r in rows}
    except (KeyError, ValueError) as err:
        raise InputError(
            f"{path}: not a field table of an lzspatial export ({err}); remove or fix it"
        ) from err


def _computed_names(plan: Plan, name: str, encoding: str) -> dict[str, tuple[str, int]]:
    """Return Shapefile field -> (plan field, part) as the export would name them (parts up to 9)."""
    frame = plan.layer(name)
    cols = [c for c in frame.columns if c != frame.geometry.name]
    expanded = [c if k == 1 else f"{c}_{k}" for c in cols for k in range(1, 10)]
    parts = {(c if k == 1 else f"{c}_{k}"): (c, k) for c in cols for k in range(1, 10)}
    # the export numbers every column in order; recompute the mapping for each width separately
    out: dict[str, tuple[str, int]] = {}
    for width in range(1, 10):
        names = [e for e in expanded if parts[e][1] <= width]
        for long, short in shp_field_names(names, encoding).items():
            out.setdefault(short, parts[long])
    for col in cols:  # GDAL's own cut, when a GIS saved the layer as a Shapefile (geometry_b)
        out.setdefault(col[:10], (col, 1))
    return out


def parse_map_fields(map_fields: str | dict[str, str] | None) -> dict[str, str]:
    """Parse ``"a=b,c=d"`` (source column = plan field).

    Examples
    --------
    >>> parse_map_fields("名称=name_zh, 类型=kind")
    {'名称': 'name_zh', '类型': 'kind'}
    """
    if not map_fields:
        return {}
    if isinstance(map_fields, dict):
        return dict(map_fields)
    out = {}
    for item in str(map_fields).split(","):
        a, sep, b = item.partition("=")
        if not sep or not a.strip() or not b.strip():
            raise InputError(f"`map_fields={map_fields!r}`: {item!r} is not SOURCE=FIELD; e.g. 名称=name_zh")
        out[a.strip()] = b.strip()
    return out


def source_columns(
    frame: gpd.GeoDataFrame, plan: Plan, name: str, src: Path, mapping: dict[str, str]
) -> dict[str, list[tuple[int, str]]]:
    """Return plan field -> [(part, source column)], after dropping GIS columns and renaming."""
    shp: dict[str, tuple[str, int]] = {}
    if src.suffix.lower() in (".shp", ".zip"):
        shp = _sidecar_names(src) or _computed_names(plan, name, "utf-8")
    known = {f.name for f in (*COMMON_FIELDS, *ELEMENTS[plan.element(name)].fields)}
    known |= set(plan.layer(name).columns)
    unknown_map = [a for a in mapping if a not in frame.columns]
    if unknown_map:
        raise InputError(
            f"{src}: `map_fields=` names column(s) {', '.join(map(repr, unknown_map))} the layer lacks; "
            f"its columns: {', '.join(c for c in frame.columns if c != frame.geometry.name)}"
        )
    fields: dict[str, list[tuple[int, str]]] = {}
    for col in frame.columns:
        if col == frame.geometry.name or (col.casefold() in GIS_COLUMNS and col not in mapping):
            continue
        target, part = (mapping[col], 1) if col in mapping else shp.get(col, (col, 1))
        if col not in mapping and target not in known and col.casefold() in {k.casefold() for k in known}:
            target = next(k for k in known if k.casefold() == col.casefold())
        fields.setdefault(target, []).append((part, col))
    for target, cols in fields.items():
        parts = [p for p, _ in cols]
        if len(parts) != len(set(parts)):
            clash = ", ".join(repr(c) for _, c in cols)
            raise InputError(
                f"{src}: columns {clash} all map to field {target!r}; drop one or rename it "
                "with `map_fields=`"
            )
    lowered: dict[str, str] = {}
    for target in fields:
        key = target.casefold()
        if key in lowered:
            raise InputError(
                f"{src}: columns map to {lowered[key]!r} and {target!r}, which differ only in case; "
                "rename one with `map_fields=`"
            )
        lowered[key] = target
    return {t: sorted(cols) for t, cols in fields.items()}


def _plain(value: Any) -> Any:
    """Return a JSON value from a pandas/numpy cell (NaN and NaT -> None)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1:  # JSON arrays read by GDAL
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return _plain(value.item())
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def _restore(value: Any, ftype: str) -> Any:
    value = _plain(value)
    if ftype == "list" and (value is None or value == ""):
        return []  # a Shapefile or FileGDB cannot tell an empty list from an empty field
    if ftype == "list" and isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                return value  # validation names it
            return parsed
        return [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
    if ftype == "bool":
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "t", "f", "1", "0"):
            return value.strip().lower() in ("true", "t", "1")
    if ftype in ("int", "float") and isinstance(value, float) and value.is_integer() and ftype == "int":
        return int(value)
    if isinstance(value, str) and value == "":
        return None
    return value


def source_rows(
    frame: gpd.GeoDataFrame, cols: dict[str, list[tuple[int, str]]], types: dict[str, str]
) -> list[dict[str, Any]]:
    """Return one plan properties dict per row: parts joined, values restored, missing values left out."""
    out = []
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    order = [f.name for f in COMMON_FIELDS] + [t for t in types if t not in {f.name for f in COMMON_FIELDS}]
    order += [t for t in cols if t not in order]
    for rec in records:
        props: dict[str, Any] = {}
        for target in order:
            if target not in cols:
                continue
            pieces = [_plain(rec[c]) for _, c in cols[target]]
            if len(pieces) > 1:
                texts = [p for p in pieces if p is not None and p != ""]
                value: Any = "".join(str(p) for p in texts) if texts else None
            else:
                value = pieces[0]
            value = _restore(value, types.get(target, "str"))
            if value is not None:
                props[target] = value
        out.append(props)
    return out


def to_storage_crs(frame: gpd.GeoDataFrame, src: Path, crs: str | None) -> gpd.GeoDataFrame:
    """Return *frame* in EPSG:4326; *crs* names a missing CRS, and must agree with a stated one."""
    given = parse_crs(crs) if crs else None
    if frame.crs is None:
        if given is None:
            raise CRSError(
                f"{src}: the layer has no CRS; say which with `crs='EPSG:4550'` (or 4326, 4490, 4529)"
            )
        return reproject(frame.set_crs(WGS84 if given in ("gcj02", "bd09") else given), WGS84, src=given)
    stated = frame.crs.to_epsg()
    if given is not None and given not in ("gcj02", "bd09") and f"EPSG:{stated}" != given:
        raise CRSError(
            f"{src}: the layer says its CRS is {frame.crs.to_string()!r} but `crs={given!r}` was given; "
            "drop `crs=` or fix the file's CRS"
        )
    return reproject(frame, WGS84, src=given if given in ("gcj02", "bd09") else None)


def check_near(frame: gpd.GeoDataFrame, src: Path, plan: Plan) -> None:
    """Coordinates in the wrong CRS land far from the district or out of lon/lat range: one line."""
    coords = shapely.get_coordinates(np.asarray(frame.geometry.values))
    if len(coords) and not np.isfinite(coords).all():
        raise CRSError(
            f"{src}: coordinates do not fit the layer's stated CRS {frame.crs!s}; the file's CRS is wrong "
            "(fix its .prj, or pass `crs=`)"
        )
    bounds = plan.layer("boundary").total_bounds
    minx, miny, maxx, maxy = frame.total_bounds
    far = minx < bounds[0] - 2 or maxx > bounds[2] + 2 or miny < bounds[1] - 2 or maxy > bounds[3] + 2
    if len(frame) and far:
        raise CRSError(
            f"{src}: the features lie far from the plan's district (lon {minx:.3f}..{maxx:.3f}, lat "
            f"{miny:.3f}..{maxy:.3f}); the layer's CRS ({frame.crs!s}) is probably wrong: "
            "fix it or pass `crs=`"
        )
