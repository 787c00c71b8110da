"""The way back: a layer edited in a GIS (GeoPackage, Shapefile, File Geodatabase, GeoJSON) into the plan.

:func:`import_layer` reads one layer of *src*, turns it back into plan features
and replaces the plan's layer file with them, after checking the whole plan:

* reprojects to the plan's storage CRS (RFC 7946 lon/lat, EPSG:4326);
* drops the columns GIS tools add (``fid``, ``OBJECTID``, ``Shape_Length``, ...);
* maps Shapefile names back (the export's ``<layer>.fields.csv``, else the
  same mapping computed from the plan) and joins text spread over ``note``,
  ``note_2``, ...; ``--map-fields`` renames any other column;
* restores list fields from JSON array text or the ``;``-joined form;
* keeps ids: a feature is matched to the plan by ``id``;
* a feature whose geometry moved by more than :data:`MOVE_TOLERANCE_M`, or a
  new one, takes the ``geometry_basis`` and ``source`` the user gives; none
  given is an error (never silently);
* unchanged features keep their stored properties and geometry, so a round
  trip with no edits writes nothing and leaves the layer file byte-identical;
* the plan with the new layer is loaded and validated (in a scratch copy)
  before the layer file is replaced, atomically. *src* is only read.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import shapely

from lzspatial._util.atomic import write_text
from lzspatial._util.files import check_regular, name_problem
from lzspatial._util.guard import editing, protect
from lzspatial._util.lock import folder_lock
from lzspatial.crs import WGS84, parse_crs
from lzspatial.crs.transforms import reproject
from lzspatial.errors import CRSError, InputError, OutputError, SchemaError
from lzspatial.io import feature_collection_text, parse_json_file
from lzspatial.outputs.arcgis import GDB_VOCAB_TABLE, LIST_SEPARATOR, shp_field_names
from lzspatial.plan.model import check_replacement, require_plan
from lzspatial.plan.schema import BASES, COMMON_FIELDS, ELEMENTS

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = ["GIS_COLUMNS", "MOVE_TOLERANCE_M", "ImportReport", "import_layer"]

#: Columns GIS tools add, dropped on import (compared without case).
GIS_COLUMNS: Final = frozenset(
    {"fid", "objectid", "ogc_fid", "shape_length", "shape_area", "shape_leng", "shape_le_1", "shape_ar_1"}
)
#: A geometry that moved less than this (metres, in the plan's metric CRS) counts as unchanged.
MOVE_TOLERANCE_M: Final = 0.05
#: Tables of our own exports that are not plan layers.
_NOT_LAYERS: Final = frozenset({"layer_styles", "qgis_projects", GDB_VOCAB_TABLE})
_SUFFIXES: Final = (".gpkg", ".shp", ".zip", ".gdb", ".geojson", ".json")


@dataclass
class ImportReport:
    """What an import changed (ids per kind of change) and the file it wrote (None when nothing changed)."""

    layer: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    reattributed: dict[str, list[str]] = field(default_factory=dict)
    written: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.removed or self.moved or self.reattributed)

    def lines(self) -> list[str]:
        """Return the report as lines of text."""
        out = [f"layer {self.layer!r}:"]
        for what, ids in (("added", self.added), ("removed", self.removed), ("moved", self.moved)):
            out.append(f"  {what}: {len(ids)}" + (f" ({', '.join(ids)})" if ids else ""))
        items = [f"{fid} [{', '.join(f)}]" for fid, f in self.reattributed.items()]
        out.append(f"  re-attributed: {len(items)}" + (f" ({'; '.join(items)})" if items else ""))
        out += [f"  note: {n}" for n in self.notes]
        return out


# ------------------------------------------------------------------ reading the source


def _check_src(src: Path) -> Path:
    problem = name_problem(src)
    if problem:
        raise InputError(f"{str(src)!r}: {problem}")
    if src.suffix.lower() not in _SUFFIXES:
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


def _source_layers(src: Path) -> list[str]:
    import pyogrio

    try:
        names = [str(n) for n in pyogrio.list_layers(src)[:, 0]]
    except Exception as err:  # pyogrio raises several types
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        text = text.split(";")[0].replace(f"'{src}' ", "")  # GDAL's first sentence, without the path again
        raise InputError(f"{src}: cannot open as a GIS layer file: {text[:200]}") from err
    return [n for n in names if n not in _NOT_LAYERS]


def _pick_layer(plan: Plan, src: Path, layer: str | None) -> tuple[str, str | None]:
    """Return (plan layer, source layer) and refuse names that do not fit."""
    names = _source_layers(src)
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


def _read(src: Path, layer: str | None) -> gpd.GeoDataFrame:
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


# ------------------------------------------------------------------ columns


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


def _parse_map(map_fields: str | dict[str, str] | None) -> dict[str, str]:
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


def _columns(
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


# ------------------------------------------------------------------ values


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


def _same(old: Any, new: Any) -> bool:
    if old == new:
        return True
    if isinstance(old, str) and isinstance(new, str):  # a GBK Shapefile holds km² as km2 (NFKC)
        return unicodedata.normalize("NFKC", old) == new or _truncated(old, new)
    return False


def _truncated(old: Any, new: Any) -> bool:
    """Whether *new* is *old* cut at a dBASE field's 254 bytes (a GIS saved the layer as a Shapefile)."""
    if not (isinstance(old, str) and isinstance(new, str) and new and old != new):
        return False
    cut = new.rstrip()
    folded = unicodedata.normalize("NFKC", old)
    longest = max(len(cut.encode("utf-8")), len(cut.encode("gb18030")))
    return 200 <= longest <= 254 and (old.startswith(cut) or folded.startswith(cut))


def _props(
    frame: gpd.GeoDataFrame, cols: dict[str, list[tuple[int, str]]], types: dict[str, str]
) -> list[dict[str, Any]]:
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


# ------------------------------------------------------------------ geometry


def _single(geom: Any) -> Any:
    """Drop Z/M and unwrap a one-part multi geometry (QGIS and FileGDB save polygons as multi)."""
    if geom is None or geom.is_empty:
        return geom
    geom = shapely.force_2d(geom)
    if geom.geom_type.startswith("Multi") and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


def _moved(old: Any, new: Any, metric: str) -> bool:
    import geopandas as gpd

    if old is None or new is None:
        return old is not new
    pair = gpd.GeoSeries([_single(old), new], crs=WGS84).to_crs(metric)
    a, b = shapely.normalize(pair.iloc[0]), shapely.normalize(pair.iloc[1])
    return not bool(shapely.equals_exact(a, b, tolerance=MOVE_TOLERANCE_M))


# ------------------------------------------------------------------ the import


def _stored(plan: Plan, name: str) -> tuple[Path, list[dict[str, Any]]]:
    entry = next(e for e in plan.manifest.layers if e.name == name)
    path = plan.path / entry.file
    doc = parse_json_file(path)
    return path, list(doc["features"])


def _unchanged_since(file: Path, stored: list[dict[str, Any]]) -> None:
    """Refuse to write when another run replaced the layer file after it was read."""
    if list(parse_json_file(file)["features"]) != stored:
        raise OutputError(f"{file}: the layer file changed while importing; run the import again")


def _in_storage_crs(frame: gpd.GeoDataFrame, src: Path, crs: str | None) -> gpd.GeoDataFrame:
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


def _check_far(frame: gpd.GeoDataFrame, src: Path, plan: Plan) -> None:
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


def import_layer(
    plan: Plan,
    src: str | os.PathLike[str],
    *,
    layer: str | None = None,
    map_fields: str | dict[str, str] | None = None,
    crs: str | None = None,
    basis: str | None = None,
    source: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Bring one edited layer of *src* back into *plan*'s folder; return what changed.

    Parameters
    ----------
    plan : Plan
        The plan to update (its folder is written).
    src : path-like
        A GeoPackage, Shapefile (``.shp`` or a zipped one), File Geodatabase
        (``.gdb`` folder) or GeoJSON file; only read.
    layer : str, optional
        The plan layer; default the source layer's (or file's) name.
    map_fields : str or dict, optional
        ``"a=b,c=d"``: source column ``a`` holds plan field ``b``.
    crs : str, optional
        The CRS of *src* when it states none (or to check what it states).
    basis, source : str, optional
        ``geometry_basis`` and ``source`` of new and moved features; required
        when there are any.
    dry_run : bool
        Report the changes without writing.

    Returns
    -------
    ImportReport

    Raises
    ------
    InputError, CRSError, SchemaError
        Unreadable or unfit input, a missing basis/source, or a plan that the
        new layer would make invalid; nothing is written.
    """
    the_plan = require_plan(plan, "import_layer")
    path = _check_src(Path(src))
    name, src_layer = _pick_layer(the_plan, path, layer)
    if basis is not None and basis not in BASES:
        raise InputError(f"`basis={basis!r}` is not a geometry basis; use one of: {', '.join(BASES)}")
    frame = _read(path, src_layer if path.suffix.lower() in (".gpkg", ".gdb") else None)
    if frame.geometry.name not in frame.columns or len(frame) == 0:
        raise InputError(f"{path}: layer {src_layer!r} has no features; nothing to import")
    frame = _in_storage_crs(frame, path, crs)
    _check_far(frame, path, the_plan)
    spec = ELEMENTS[the_plan.element(name)]
    types = {f.name: f.type for f in (*COMMON_FIELDS, *spec.fields)}
    cols = _columns(frame, the_plan, name, path, _parse_map(map_fields))
    if "id" not in cols:
        raise InputError(f"{path}: layer has no 'id' column; map the id column with `map_fields=COLUMN=id`")
    rows = _props(frame, cols, types)
    geoms = [_single(g) for g in frame.geometry.values]
    file, stored = _stored(the_plan, name)
    report = _apply(the_plan, name, path, file, stored, (rows, set(cols)), geoms, (basis, source), dry_run)
    kept = [f for f in types if f not in cols]
    if kept:
        report.notes.append(f"fields not in the source, kept from the plan: {', '.join(kept)}")
    return report


def _apply(
    plan: Plan,
    name: str,
    src: Path,
    file: Path,
    stored: list[dict[str, Any]],
    rows_fields: tuple[list[dict[str, Any]], set[str]],
    geoms: list[Any],
    basis_source: tuple[str | None, str | None],
    dry_run: bool,
) -> ImportReport:
    import shapely.geometry as sg

    rows, fields = rows_fields
    basis, source = basis_source
    report = ImportReport(name)
    old = {f["properties"].get("id"): f for f in stored}
    seen: set[str] = set()
    new_rows: dict[str, tuple[dict[str, Any], Any]] = {}
    for i, (props, geom) in enumerate(zip(rows, geoms, strict=True)):
        fid = props.get("id")
        if not isinstance(fid, str) or not fid:
            raise InputError(
                f"{src}: feature #{i + 1}: field 'id' is empty; give every feature an id (a slug)"
            )
        if fid in seen:
            raise InputError(f"{src}: feature {fid!r}: field 'id': duplicate id; ids must be unique")
        if geom is None or geom.is_empty:
            raise InputError(
                f"{src}: feature {fid!r}: field 'geometry': missing or empty; draw it, or delete the "
                "feature to remove it from the plan"
            )
        seen.add(fid)
        new_rows[fid] = (props, geom)
    needs_basis: list[str] = []
    out: list[tuple[dict[str, Any], Any]] = []
    for fid, feat in old.items():
        if fid not in new_rows:
            report.removed.append(str(fid))
            continue
        given, geom = new_rows[fid]
        before = dict(feat["properties"])
        props = {**{k: v for k, v in before.items() if k not in fields}, **given}  # absent columns kept
        geom_before = sg.shape(feat["geometry"]) if feat.get("geometry") else None
        moved = _moved(geom_before, geom, plan.metric_crs)
        merged = {k: (before[k] if k in before and _same(before[k], v) else v) for k, v in props.items()}
        cut = [k for k, v in props.items() if _truncated(before.get(k), v)]
        if cut:
            report.notes.append(
                f"{fid}: {', '.join(cut)} cut at 254 bytes in the source (a Shapefile); kept the plan's text"
            )
        changed = [k for k in (*before, *props) if not _same(before.get(k), props.get(k))]
        changed = list(dict.fromkeys(changed))
        if moved:
            report.moved.append(fid)
            needs_basis.append(fid)
        if changed:
            report.reattributed[fid] = changed
        if not moved and not changed:
            out.append((before, geom_before))
        else:
            out.append((merged, geom if moved else geom_before))
    for fid, (props, geom) in new_rows.items():
        if fid not in old:
            report.added.append(fid)
            needs_basis.append(fid)
            out.append((props, geom))
    if needs_basis:
        if basis is None or not source:
            ids = ", ".join(needs_basis[:5]) + (" ..." if len(needs_basis) > 5 else "")
            raise InputError(
                f"{src}: {len(needs_basis)} feature(s) with new or edited geometry ({ids}); say where it "
                "comes from with `basis=` (sourced, derived or schematic) and `source=` (a citation)"
            )
        marked = set(needs_basis)
        out = [
            ({**p, "geometry_basis": basis, "source": source} if p.get("id") in marked else p, g)
            for p, g in out
        ]
    if not report.changed:
        report.notes.append("no changes; the layer file is left as it was")
        return report
    text = feature_collection_text(out, precision=6)
    if file.resolve() == src.resolve():
        raise InputError(f"{src}: is the plan's own layer file; import from an exported copy")
    with folder_lock(plan.path):  # validate and write as one step
        _validate(plan, file, text)
        if dry_run:
            report.notes.append("dry run: nothing written")
            return report
        _unchanged_since(file, stored)
        with editing(plan.path, [file]):  # this file only; the reads above protect it again
            report.written = write_text(file, text)
    return report


def _validate(plan: Plan, file: Path, text: str) -> None:
    """Check the whole plan with the new layer text before anything is written."""
    name = next(e.name for e in plan.manifest.layers if plan.path / e.file == file)
    try:
        check_replacement(plan, name, text)
    except SchemaError as err:
        raise SchemaError(
            f"the imported layer would make the plan invalid: {err}; nothing written", err.problems
        ) from err
