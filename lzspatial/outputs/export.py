"""Exports for GIS staff: GeoJSON, GeoPackage, CSV and 国土TXT, in the CRSs of Chinese practice.

:func:`export_plan` writes a plan's layers into a folder:

* ``geojson``: ``<layer>.geojson`` per layer plus ``plan.geojson`` (every
  feature with a leading ``layer`` property). EPSG:4326 is strict RFC 7946
  (no ``crs`` member, counter-clockwise exteriors, 6 decimals, no ``bbox``).
  Other EPSG CRSs add a ``crs`` member (``urn:ogc:def:crs:EPSG::4550``), as
  GDAL and QGIS read it: such files are not RFC 7946. ``gcj02``/``bd09``
  convert the lon/lat and add a top-level ``"coordinate_system"`` member
  instead (there is no EPSG code for them).
* ``gpkg``: one ``<plan id>.gpkg`` (GeoPackage 1.2), one table per layer
  (written by pyogrio) in drawing order, top first, each declared with the
  schema's geometry type (multi-part where the schema allows it), list fields
  as JSON array text, a QGIS default style per layer in ``layer_styles``
  (Chinese aliases, value maps, the web map's labels) and the QGIS project in
  ``qgis_projects``. Refuses ``gcj02``/``bd09``.
* ``qgis``: the GeoPackage and ``<plan id>.qgz`` beside it, a QGIS project
  opening it by relative path (:mod:`lzspatial.outputs.qgis_project`): project
  CRS EPSG:4550, the web map's drawing order and groups, Chinese layer names,
  an A3 print layout. The GeoPackage holds the same project (``qgis_projects``).
* ``csv``: ``<layer>.csv`` per point layer, UTF-8 with BOM (Excel), the
  attributes in schema order, then the coordinates.
* ``gktxt``: ``<layer>.txt`` per polygon layer, the land coordinate file in
  CGCS2000 3-degree Gauss-Krüger zone 41 (EPSG:4529).
* ``shp`` and ``filegdb``: for ArcGIS, see :mod:`lzspatial.outputs.arcgis`.

Every file is written atomically; the same plan and options give
byte-identical files. The plan is never modified.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyogrio
import shapely

from lzspatial._util.atomic import atomic_path, staged_folder, write_bytes, write_error, write_text
from lzspatial._util.env import source_date
from lzspatial._util.guard import check_output
from lzspatial.crs import WGS84, parse_crs
from lzspatial.crs.transforms import is_offset, reproject
from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.io import feature_collection_text
from lzspatial.io.csv import CSV_ENCODING, guard_cell
from lzspatial.io.gktxt import write_gktxt
from lzspatial.io.gpkg import GPKG_DATASET_OPTIONS, pinned_gpkg_time
from lzspatial.outputs.arcgis import export_filegdb, export_shp, remove_files, stale_gdb_files
from lzspatial.outputs.formats import FORMAT_CRS, FORMAT_OPTIONS, FORMATS, NEWLINES
from lzspatial.outputs.qgis import layer_qml, write_layer_styles
from lzspatial.outputs.qgis_project import PROJECT_CRS, ProjectLayer, embed_project, project_qgs, qgz_bytes
from lzspatial.outputs.style import CLASS_FIELD, DRAW_RANK
from lzspatial.plan.labels import label_zh
from lzspatial.plan.model import require_plan
from lzspatial.plan.schema import ELEMENTS

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = [
    "FORMATS",
    "GKTXT_LAYERS",
    "default_precision",
    "export_plan",
    "gdb_name",
    "gpkg_name",
    "gpkg_order",
]

#: Layers written as 国土TXT when none are chosen (those present in the plan).
GKTXT_LAYERS: Final = ("boundary", "core", "zones", "parks", "control_lines")
_GEOGRAPHIC: Final = ("EPSG:4326", "EPSG:4490", "gcj02", "bd09")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: Text cells starting with these are prefixed with ``'`` in CSV (spreadsheet formula injection).


def default_precision(crs: str) -> int:
    """Decimals of coordinates in text exports: 6 for degrees (~0.1 m), 3 for metres (1 mm).

    Examples
    --------
    >>> default_precision("EPSG:4326"), default_precision("EPSG:4550")
    (6, 3)
    """
    return 6 if crs in _GEOGRAPHIC else 3


# ------------------------------------------------------------------ checking options


def _check_format(fmt: str) -> str:
    key = str(fmt).strip().lower()
    if key not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return key


def _check_crs(fmt: str, crs: str | None) -> str:
    if crs is None:
        return "EPSG:4529" if fmt == "gktxt" else WGS84
    canon = parse_crs(crs)
    if canon not in FORMAT_CRS[fmt]:
        if fmt == "gktxt":
            hint = "国土TXT is always CGCS2000 3-degree Gauss-Kruger zone 41 (EPSG:4529); omit `crs=`"
        else:
            hint = (
                f"{canon} has no EPSG code, and labelling its shifted lon/lat as EPSG:4326 would "
                "put every feature hundreds of metres off in any GIS; export EPSG:4326 to "
                "GeoPackage, or use `fmt=geojson/csv` for " + canon
            )
        raise CRSError(f"`crs={crs!r}` cannot be used with `fmt={fmt!r}`: {hint}")
    return canon


def _kind(name: str, plan: Plan) -> str:
    element = plan.element(name)
    types = ELEMENTS[element].geom_types if element in ELEMENTS else ()
    if types and all(t.endswith("Point") for t in types):
        return "point"
    if types and all(t.endswith("Polygon") for t in types):
        return "polygon"
    return "other"


def _check_layers(plan: Plan, fmt: str, layers: str | Sequence[str] | None) -> list[str]:
    """Return the layers to write, in plan order; explain every refusal."""
    if fmt == "csv":
        fitting = [n for n in plan.layer_names if _kind(n, plan) == "point"]
        what = "CSV holds point layers only"
    elif fmt == "gktxt":
        fitting = [n for n in plan.layer_names if _kind(n, plan) == "polygon"]
        what = "国土TXT holds polygon layers only"
    else:
        fitting, what = list(plan.layer_names), ""
    if layers is None:
        chosen = [n for n in fitting if fmt != "gktxt" or n in GKTXT_LAYERS]
        if not chosen:
            raise InputError(f"plan {plan.id!r} has no layer to export as {fmt} ({what})")
        return chosen
    asked = [s.strip() for s in (layers.split(",") if isinstance(layers, str) else layers)]
    asked = [s for s in dict.fromkeys(asked) if s]
    if not asked:
        raise InputError(f"`layers={layers!r}` names no layer; choose from: {', '.join(plan.layer_names)}")
    unknown = [s for s in asked if s not in plan.layer_names]
    if unknown:
        raise InputError(
            f"unknown layer(s) {', '.join(map(repr, unknown))}; plan {plan.id!r} has: "
            f"{', '.join(plan.layer_names)}"
        )
    unfit = [s for s in asked if s not in fitting]
    if unfit:
        raise InputError(
            f"{what}: {', '.join(map(repr, unfit))} cannot be written; choose from: {', '.join(fitting)}"
        )
    return [n for n in plan.layer_names if n in asked]


def _check_precision(fmt: str, crs: str, precision: int | None) -> int | None:
    if precision is None:
        return None if fmt in ("gpkg", "qgis", "shp", "filegdb") else default_precision(crs)
    limit = 6 if fmt == "gktxt" else 15
    if type(precision) is not int or not 0 <= precision <= limit:
        raise InputError(f"precision={precision!r} must be an integer from 0 to {limit} (decimals)")
    return precision


def _prepare_out(out_dir: str | os.PathLike[str], plan: Plan) -> Path:
    out = Path(out_dir)
    check_output(out, folder=True, inputs=[plan.path])  # never into, over or around the plan
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:
        raise OutputError(f"{out}: output path exists and is not a folder") from err
    except OSError as err:
        raise OutputError(f"{out}: cannot create output folder: {err.strerror or err}") from err
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output folder is not writable")
    return out


# ------------------------------------------------------------------ frames


def _frame(plan: Plan, name: str, crs: str) -> gpd.GeoDataFrame:
    """Layer *name* in *crs* (a new frame)."""
    return reproject(plan.layer(name), crs)


def _list_as_text(value: Any) -> Any:
    """Return lists as JSON array text (``["a","b"]``) and other values unchanged."""
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))
    return value


def _flatten_lists(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            if out[col].map(lambda v: isinstance(v, (list, tuple))).any():
                out[col] = out[col].map(_list_as_text).astype(object)
    return out


def _round_geoms(frame: gpd.GeoDataFrame, precision: int, label: str) -> gpd.GeoDataFrame:
    """Round coordinates as the text formats do; refuse geometry it makes invalid."""
    out = frame.copy()
    geoms = shapely.transform(np.asarray(out.geometry.values), lambda c: np.round(c, precision))
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{label}: feature {out['id'].iloc[i]!r}, field 'geometry': invalid once rounded "
            f"to {precision} decimals ({shapely.is_valid_reason(geoms[i])}); raise `precision=`"
        )
    out[out.geometry.name] = geoms
    return out.set_crs(frame.crs, allow_override=True)


def _crs_urn(crs: str) -> str | None:
    """``crs`` member of a GeoJSON: none for RFC 7946 and for GCJ-02/BD-09."""
    if crs == WGS84 or is_offset(crs):
        return None
    return "urn:ogc:def:crs:EPSG::" + crs.split(":")[1]


# ------------------------------------------------------------------ GeoJSON


def _geojson_text(rows: Any, *, precision: int, crs: str, name: str) -> str:
    text = feature_collection_text(rows, precision=precision, crs_name=_crs_urn(crs), name=name)
    if is_offset(crs):  # a foreign member saying which obfuscated datum the lon/lat are in
        head, sep, rest = text.partition("\n")
        tail = ',"features":['
        head = head[: -len(tail)] + f',"coordinate_system":"{crs}"' + tail
        text = head + sep + rest
    return text


def _rows(frame: gpd.GeoDataFrame, layer: str | None = None) -> Iterator[tuple[dict[str, Any], Any]]:
    cols = [c for c in frame.columns if c != frame.geometry.name]
    for props, geom in zip(frame[cols].to_dict("records"), frame.geometry.values, strict=True):
        yield ({"layer": layer, **props} if layer is not None else props), geom


def _export_geojson(
    plan: Plan, out: Path, names: list[str], crs: str, precision: int, **_: Any
) -> list[Path]:
    frames = {n: _frame(plan, n, crs) for n in names}
    written = [
        write_text(out / f"{n}.geojson", _geojson_text(_rows(f), precision=precision, crs=crs, name=n))
        for n, f in frames.items()
    ]
    combined = (row for n, f in frames.items() for row in _rows(f, layer=n))
    written.append(
        write_text(out / "plan.geojson", _geojson_text(combined, precision=precision, crs=crs, name=plan.id))
    )
    return written


# ------------------------------------------------------------------ GeoPackage


def gpkg_name(plan: Plan) -> str:
    """File name of the GeoPackage: ``<plan id>.gpkg`` (``plan.gpkg`` if the id is not file-safe)."""
    return f"{plan.id}.gpkg" if _SAFE_NAME.match(plan.id) and ".." not in plan.id else "plan.gpkg"


def _layer_meta(plan: Plan, name: str) -> dict[str, str]:
    zh, en = plan.titles(name)
    src = plan.source
    desc = (
        f"{plan.title_zh} / {plan.title_en}. Source: {src.get('publisher', '')}, "
        f"{src.get('date', '')}. Features with geometry_basis = 'schematic' are drawn "
        "schematically, not survey data (dashed in the default style)."
    )
    note = plan.names_note
    if note:
        desc += f" {note.get('zh', '')} {note.get('en', '')}".rstrip()
    return {"IDENTIFIER": f"{zh} {en}", "DESCRIPTION": desc}


def _declared_type(plan: Plan, name: str) -> str:
    """Return the table's geometry type from the schema: the multi-part type where the schema allows it."""
    element = plan.element(name)
    types = ELEMENTS[element].geom_types if element in ELEMENTS else ()
    return types[-1] if types else "Unknown"


def gpkg_order(plan: Plan, names: Sequence[str]) -> list[str]:
    """Tables top first (QGIS draws the first table on top): the reverse of the web map's drawing order."""
    middle = len(DRAW_RANK) / 2
    return sorted(names, key=lambda n: -DRAW_RANK.get(plan.element(n), middle))


def _write_gpkg(
    plan: Plan, path: Path, names: list[str], crs: str, precision: int | None, *, project: bool
) -> list[Path]:
    """Write the GeoPackage (1.2, tables top first, styles, the project inside) and maybe the ``.qgz``."""
    styles: dict[str, str] = {}
    layers: list[ProjectLayer] = []
    ordered = gpkg_order(plan, names)
    with atomic_path(path) as tmp, pinned_gpkg_time():
        for i, name in enumerate(ordered):
            frame = _flatten_lists(_frame(plan, name, crs))
            if precision is not None:
                frame = _round_geoms(frame, precision, f"{plan.path}: layer {name!r}")
            declared = _declared_type(plan, name)
            try:
                pyogrio.write_dataframe(
                    frame,
                    tmp,
                    layer=name,
                    driver="GPKG",
                    geometry_type=declared,
                    promote_to_multi=declared.startswith("Multi"),
                    layer_options=_layer_meta(plan, name),
                    dataset_options=GPKG_DATASET_OPTIONS if i == 0 else None,
                )
            except Exception as err:  # pyogrio/GDAL raise several types
                raise write_error(path, err, f"cannot write layer {name!r}") from err
            fields = ("fid", *(c for c in frame.columns if c != frame.geometry.name))
            element = plan.element(name)
            lay = ProjectLayer(
                name, element, plan.titles(name), declared, fields, _class_labels(frame, element)
            )
            styles[name] = layer_qml(
                element,
                geom_type=declared,
                vocabularies=plan.vocabularies,
                fields=fields,
                title=lay.title,
                class_labels={cls: (zh, en) for cls, zh, en in lay.class_labels},
            )
            layers.append(lay)
        write_layer_styles(
            tmp,
            styles,
            description=(
                "lzspatial default style: the web map's colours; dashed outlines and hollow "
                "markers = geometry_basis 'schematic'"
            ),
        )
        qgz = qgz_bytes(_project_xml(plan, path.name, layers, crs), path.stem)
        embed_project(tmp, plan.id, qgz)
    if not project:
        return [path]
    return [path, write_bytes(path.with_suffix(".qgz"), qgz)]


def _class_labels(frame: gpd.GeoDataFrame, element: str) -> tuple[tuple[str, str, str], ...]:
    """Return legend labels named after the features where each feature is its own class (the axes)."""
    if CLASS_FIELD.get(element) != "id" or not {"name_zh", "name_en"} <= set(frame.columns):
        return ()
    rows = zip(frame["id"], frame["name_zh"], frame["name_en"], strict=True)
    return tuple((str(i), str(zh), str(en)) for i, zh, en in rows)


def _project_xml(plan: Plan, gpkg_file: str, layers: list[ProjectLayer], crs: str) -> str:
    note = plan.disclaimer
    return project_qgs(
        title=plan.title_zh,
        gpkg_file=gpkg_file,
        layers=layers,
        data_crs=crs,
        extent=_project_extent(plan, [lay.table for lay in layers]),
        vocabularies=plan.vocabularies,
        disclaimer=f"{note.get('zh', '')}\n\n{note.get('en', '')}".strip(),
    )


def _project_extent(plan: Plan, names: list[str]) -> tuple[float, float, float, float]:
    """Return what the project shows, in its CRS: the district (boundary layer), else every layer."""
    shown = [n for n in plan.layer_names if plan.element(n) == "boundary"] or names
    boxes = np.array([reproject(plan.layer(n), PROJECT_CRS).total_bounds for n in shown])
    boxes = boxes[~np.isnan(boxes).any(axis=1)]
    if not len(boxes):
        return 0.0, 0.0, 1.0, 1.0
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def _export_gpkg(
    plan: Plan, out: Path, names: list[str], crs: str, precision: int | None, **_: Any
) -> list[Path]:
    return _write_gpkg(plan, out / gpkg_name(plan), names, crs, precision, project=False)


def _export_qgis(
    plan: Plan, out: Path, names: list[str], crs: str, precision: int | None, **_: Any
) -> list[Path]:
    return _write_gpkg(plan, out / gpkg_name(plan), names, crs, precision, project=True)


# ------------------------------------------------------------------ CSV


def _coord_names(crs: str) -> tuple[str, str]:
    if is_offset(crs):
        return f"lon_{crs}", f"lat_{crs}"
    return ("lon", "lat") if crs in _GEOGRAPHIC else ("x", "y")


def _cell(value: Any) -> str:
    """CSV text of one attribute value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return _list_as_text(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _cell(value.item())
    text = str(value)
    return guard_cell(text) if isinstance(value, str) else text


def _csv_bytes(frame: gpd.GeoDataFrame, crs: str, precision: int) -> bytes:
    cols = [c for c in frame.columns if c != frame.geometry.name]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    stated = [] if crs == WGS84 or is_offset(crs) else [crs]  # other CRSs are named in a `crs` column
    writer.writerow([*cols, *_coord_names(crs), *(["crs"] if stated else [])])
    for props, geom in zip(frame[cols].to_dict("records"), frame.geometry.values, strict=True):
        empty = geom is None or geom.is_empty
        xy = ["", ""] if empty else [f"{geom.x:.{precision}f}", f"{geom.y:.{precision}f}"]
        writer.writerow([*(_cell(props[c]) for c in cols), *xy, *stated])
    return buf.getvalue().encode(CSV_ENCODING)


def _export_csv(plan: Plan, out: Path, names: list[str], crs: str, precision: int, **_: Any) -> list[Path]:
    return [write_bytes(out / f"{n}.csv", _csv_bytes(_frame(plan, n, crs), crs, precision)) for n in names]


# ------------------------------------------------------------------ 国土TXT


def _gktxt_date(plan: Plan, date: str | _dt.date | None) -> str | _dt.date | None:
    """Explicit date, else ``SOURCE_DATE_EPOCH`` (left to the writer), else the plan's source date."""
    if date is not None or source_date() is not None:
        return date
    try:
        return _dt.date.fromisoformat(str(plan.source.get("date", "")))
    except ValueError:
        return None


def _uses(plan: Plan, name: str, frame: gpd.GeoDataFrame) -> list[str]:
    """地块用途 of each parcel: the zh labels of its class (functions, park kind, control line)."""
    element = plan.element(name)
    field = {
        "zones": ("functions", "functional_areas"),
        "parks": ("kind", "park_kinds"),
        "control_lines": ("kind", None),
    }.get(element)
    if field is None or field[0] not in frame.columns:
        return [""] * len(frame)
    vocab = plan.vocabularies.get(field[1], {}) if field[1] else {}

    def label(v: str) -> str:
        return vocab.get(v, {}).get("zh") or label_zh(element, v, plan.vocabularies) or str(v)

    out = []
    for value in frame[field[0]]:
        values = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
        out.append("、".join(label(v) for v in values))
    return out


def _export_gktxt(
    plan: Plan,
    out: Path,
    names: list[str],
    crs: str,
    precision: int,
    *,
    date: str | _dt.date | None = None,
    encoding: str | None = None,
    producer: str | None = None,
    newline: str | None = None,
    **_: Any,
) -> list[Path]:

    day = _gktxt_date(plan, date)
    encoding = encoding or "utf-8"
    ends = NEWLINES[newline] if newline else ("\r\n" if encoding == "gbk" else "\n")
    written = []
    for name in names:
        frame = plan.layer(name, metric=True)
        frame["_use"] = _uses(plan, name, frame)
        written.append(
            write_gktxt(
                frame,
                out / f"{name}.txt",
                id_field="id",
                name_field="name_zh",
                use_field="_use",
                producer="lzspatial" if producer is None else producer,
                date=day,
                precision=precision,
                encoding=encoding,
                newline=ends,
            )
        )
    return written


# ------------------------------------------------------------------ ArcGIS


def _arcgis_frames(plan: Plan, names: list[str], crs: str, precision: int | None) -> dict[str, Any]:
    frames = {}
    for name in names:
        frame = _frame(plan, name, crs)
        if precision is not None:
            frame = _round_geoms(frame, precision, f"{plan.path}: layer {name!r}")
        frames[name] = frame
    return frames


def _export_shp(
    plan: Plan,
    out: Path,
    names: list[str],
    crs: str,
    precision: int | None,
    *,
    encoding: str | None = None,
    zipped: bool = False,
    **_: Any,
) -> list[Path]:
    day = source_date() or _gktxt_date(plan, None)
    return export_shp(
        _arcgis_frames(plan, names, crs, precision),
        out,
        crs,
        encoding=encoding or "utf-8",
        zipped=zipped,
        date=day if isinstance(day, _dt.date) else None,
        label=f"{plan.path}: ",
    )


def gdb_name(plan: Plan) -> str:
    """Folder name of the File Geodatabase: ``<plan id>.gdb``."""
    return gpkg_name(plan)[: -len(".gpkg")] + ".gdb"


def _export_filegdb(
    plan: Plan, out: Path, names: list[str], crs: str, precision: int | None, **_: Any
) -> list[Path]:
    return export_filegdb(plan, _arcgis_frames(plan, names, crs, precision), out / gdb_name(plan))


def _warn_ignored(fmt: str, given: dict[str, Any]) -> None:
    import warnings

    for option, value in given.items():
        if value not in (None, False) and fmt not in FORMAT_OPTIONS[option]:
            users = "/".join(FORMAT_OPTIONS[option])
            warnings.warn(f"`{option}=` is ignored by `fmt={fmt!r}` (it applies to {users})", UserWarning, 3)


# ------------------------------------------------------------------ entry point

_WRITERS: dict[str, Callable[..., list[Path]]] = {
    "geojson": _export_geojson,
    "gpkg": _export_gpkg,
    "csv": _export_csv,
    "gktxt": _export_gktxt,
    "qgis": _export_qgis,
    "shp": _export_shp,
    "filegdb": _export_filegdb,
}


def export_plan(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str = "geojson",
    crs: str | None = None,
    layers: str | Sequence[str] | None = None,
    precision: int | None = None,
    date: str | _dt.date | None = None,
    encoding: str | None = None,
    zipped: bool = False,
    producer: str | None = None,
    newline: str | None = None,
) -> list[Path]:
    """Export a plan's layers into *out_dir* and return the files written.

    Parameters
    ----------
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    out_dir : path-like
        Output folder; created (with parents) if missing.
    fmt : {"geojson", "gpkg", "qgis", "gktxt", "csv", "shp", "filegdb"}
        The format (see the module docstring); ``qgis`` writes the GeoPackage
        and the ``.qgz`` project beside it.
    crs : str, optional
        ``EPSG:4326`` (default), ``EPSG:4490``, ``EPSG:4550``, ``EPSG:4529``,
        ``EPSG:4549`` (warns), ``gcj02`` or ``bd09``; see :func:`lzspatial.crs.parse_crs`.
        ``gktxt`` is always EPSG:4529; ``gpkg`` and ``qgis`` refuse ``gcj02``/``bd09``.
    layers : str or sequence of str, optional
        Layer names (a list or ``"a,b"``); default every layer the format
        holds (CSV: point layers; 国土TXT: boundary, core, zones, parks,
        control_lines). Files follow the plan's layer order.
    precision : int, optional
        Decimals of coordinates; default 6 for degrees and 3 for metres.
        GeoPackages keep full precision unless it is given.
    date : str or datetime.date, optional
        国土TXT 数据产生日期; default ``SOURCE_DATE_EPOCH`` if set, else the
        plan's source date (so repeated exports are identical).
    encoding : str, optional
        国土TXT and Shapefile text encoding: ``"utf-8"`` (default) or ``"gbk"``.
    zipped : bool
        Shapefile: one ``<layer>.zip`` per layer instead of loose files.
    producer : str, optional
        国土TXT 数据产生单位 (default ``lzspatial``).
    newline : {"lf", "crlf"}, optional
        国土TXT line ends; default CRLF with GBK, else LF.

    Returns
    -------
    list of pathlib.Path
        The files written, in order.

    Raises
    ------
    InputError
        Unknown format, layer or precision, or a layer the format cannot hold.
    CRSError
        A CRS that is unknown or that the format cannot carry.
    OutputError
        The folder cannot be created or a file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from lzspatial import load_plan
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in export_plan(load_plan(), d, fmt="csv")]
    ['places.csv', 'towns.csv', 'centers.csv']
    """
    the_plan = require_plan(plan, "export_plan")
    fmt = _check_format(fmt)
    canon = _check_crs(fmt, crs)
    names = _check_layers(the_plan, fmt, layers)
    prec = _check_precision(fmt, canon, precision)
    given = {"encoding": encoding, "date": date, "producer": producer, "newline": newline, "zipped": zipped}
    _warn_ignored(fmt, given)
    if encoding is not None and str(encoding).lower() not in ("utf-8", "gbk"):
        raise InputError(f"`encoding={encoding!r}` is not supported; use utf-8 or gbk")
    if newline is not None and newline not in NEWLINES:
        raise InputError(f"`newline={newline!r}` is not supported; use lf or crlf")
    out = _prepare_out(out_dir, the_plan)
    options = {k: (str(v).lower() if k == "encoding" and v else v) for k, v in given.items()}
    with staged_folder(out) as stage:  # a writer that refuses the data fails before any file is replaced
        staged = _WRITERS[fmt](the_plan, stage, names, canon, prec, **options)
        published = [out / p.relative_to(stage) for p in staged]
        stale = stale_gdb_files(out / gdb_name(the_plan), published) if fmt == "filegdb" else []
    remove_files(stale)  # tables of an earlier geodatabase of the same name
    return published
