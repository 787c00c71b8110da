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

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import shapely

from lzspatial._util.atomic import write_text
from lzspatial._util.guard import editing
from lzspatial._util.lock import folder_lock
from lzspatial.crs import WGS84
from lzspatial.errors import InputError, OutputError, SchemaError
from lzspatial.io import feature_collection_text, parse_json_file
from lzspatial.outputs.import_source import (
    check_near,
    check_source,
    parse_map_fields,
    pick_layer,
    read_source,
    source_columns,
    source_rows,
    to_storage_crs,
)
from lzspatial.plan.model import check_replacement, require_plan
from lzspatial.plan.schema import BASES, COMMON_FIELDS, ELEMENTS

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = ["MOVE_TOLERANCE_M", "ImportReport", "import_layer"]

#: A geometry that moved less than this (metres, in the plan's metric CRS) counts as unchanged.
MOVE_TOLERANCE_M: Final = 0.05


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
    path = check_source(Path(src))
    name, src_layer = pick_layer(the_plan, path, layer)
    if basis is not None and basis not in BASES:
        raise InputError(f"`basis={basis!r}` is not a geometry basis; use one of: {', '.join(BASES)}")
    frame = read_source(path, src_layer if path.suffix.lower() in (".gpkg", ".gdb") else None)
    if frame.geometry.name not in frame.columns or len(frame) == 0:
        raise InputError(f"{path}: layer {src_layer!r} has no features; nothing to import")
    frame = to_storage_crs(frame, path, crs)
    check_near(frame, path, the_plan)
    spec = ELEMENTS[the_plan.element(name)]
    types = {f.name: f.type for f in (*COMMON_FIELDS, *spec.fields)}
    cols = source_columns(frame, the_plan, name, path, parse_map_fields(map_fields))
    if "id" not in cols:
        raise InputError(f"{path}: layer has no 'id' column; map the id column with `map_fields=COLUMN=id`")
    rows = source_rows(frame, cols, types)
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
    report = ImportReport(name)
    new_rows = _by_id(src, *rows_fields[:1], geoms)
    out, needs_basis = _compare(plan, stored, new_rows, rows_fields[1], report)
    if needs_basis:
        out = _mark(src, out, needs_basis, *basis_source)
    if not report.changed:
        report.notes.append("no changes; the layer file is left as it was")
        return report
    if file.resolve() == src.resolve():
        raise InputError(f"{src}: is the plan's own layer file; import from an exported copy")
    text = feature_collection_text(out, precision=6)
    with folder_lock(plan.path):  # validate and write as one step
        _validate(plan, file, text)
        if dry_run:
            report.notes.append("dry run: nothing written")
            return report
        _unchanged_since(file, stored)
        with editing(plan.path, [file]):  # this file only; the reads above protect it again
            report.written = write_text(file, text)
    return report


def _by_id(src: Path, rows: list[dict[str, Any]], geoms: list[Any]) -> dict[str, tuple[dict[str, Any], Any]]:
    """Key the source features by id; refuse empty or repeated ids and missing geometry."""
    out: dict[str, tuple[dict[str, Any], Any]] = {}
    for i, (props, geom) in enumerate(zip(rows, geoms, strict=True)):
        fid = props.get("id")
        if not isinstance(fid, str) or not fid:
            raise InputError(
                f"{src}: feature #{i + 1}: field 'id' is empty; give every feature an id (a slug)"
            )
        if fid in out:
            raise InputError(f"{src}: feature {fid!r}: field 'id': duplicate id; ids must be unique")
        if geom is None or geom.is_empty:
            raise InputError(
                f"{src}: feature {fid!r}: field 'geometry': missing or empty; draw it, or delete the "
                "feature to remove it from the plan"
            )
        out[fid] = (props, geom)
    return out


def _compare(
    plan: Plan,
    stored: list[dict[str, Any]],
    new_rows: dict[str, tuple[dict[str, Any], Any]],
    fields: set[str],
    report: ImportReport,
) -> tuple[list[tuple[dict[str, Any], Any]], list[str]]:
    """Return the layer's new features (stored order, then new ones) and the ids needing a basis."""
    import shapely.geometry as sg

    old = {f["properties"].get("id"): f for f in stored}
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
        cut = [k for k, v in props.items() if _truncated(before.get(k), v)]
        if cut:
            report.notes.append(
                f"{fid}: {', '.join(cut)} cut at 254 bytes in the source (a Shapefile); kept the plan's text"
            )
        changed = list(dict.fromkeys(k for k in (*before, *props) if not _same(before.get(k), props.get(k))))
        if moved:
            report.moved.append(fid)
            needs_basis.append(fid)
        if changed:
            report.reattributed[fid] = changed
        merged = {k: (before[k] if k in before and _same(before[k], v) else v) for k, v in props.items()}
        out.append((merged if changed else before, geom if moved else geom_before))
    for fid, (props, geom) in new_rows.items():
        if fid not in old:
            report.added.append(fid)
            needs_basis.append(fid)
            out.append((props, geom))
    return out, needs_basis


def _mark(
    src: Path,
    out: list[tuple[dict[str, Any], Any]],
    needs_basis: list[str],
    basis: str | None,
    source: str | None,
) -> list[tuple[dict[str, Any], Any]]:
    """Give new and moved features the basis and source the user stated; none stated is an error."""
    if basis is None or not source:
        ids = ", ".join(needs_basis[:5]) + (" ..." if len(needs_basis) > 5 else "")
        raise InputError(
            f"{src}: {len(needs_basis)} feature(s) with new or edited geometry ({ids}); say where it "
            "comes from with `basis=` (sourced, derived or schematic) and `source=` (a citation)"
        )
    marked = set(needs_basis)
    return [
        ({**p, "geometry_basis": basis, "source": source} if p.get("id") in marked else p, g) for p, g in out
    ]


def _validate(plan: Plan, file: Path, text: str) -> None:
    """Check the whole plan with the new layer text before anything is written."""
    name = next(e.name for e in plan.manifest.layers if plan.path / e.file == file)
    try:
        check_replacement(plan, name, text)
    except SchemaError as err:
        raise SchemaError(
            f"the imported layer would make the plan invalid: {err}; nothing written", err.problems
        ) from err
