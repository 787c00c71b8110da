"""Exports for ArcGIS: Shapefiles (with ``.cpg`` and an ESRI ``.prj``) and a File Geodatabase.

* :func:`export_shp` writes one Shapefile per layer, in the output folder or
  zipped per layer (``<layer>.zip``). Each has a ``.cpg`` naming its code
  page (``UTF-8``, or ``936`` for GBK, which ArcGIS 10.x reads on a Chinese
  Windows), a ``.prj`` in ESRI's WKT dialect (pyproj ``WKT1_ESRI``) and a
  ``<layer>.fields.csv`` sidecar that maps the plan's field names onto the
  10-byte dBASE names (:func:`shp_field_names`).
* :func:`export_filegdb` writes ``<plan id>.gdb`` with GDAL's OpenFileGDB
  driver through pyogrio, one feature class per layer, plus a table
  ``lz_vocabularies`` (field, code, zh, en) of the plan's vocabularies.
  pyogrio has no API for GDAL field domains, so the codes are not bound to
  coded-value domains (see ``docs/exports.md``).

List fields (``functions``, ``tags``, ``industries``) are joined with
:data:`LIST_SEPARATOR` in both formats, which ArcGIS shows as plain text and
``lzspatial import`` splits again.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyogrio

from lzspatial._util.atomic import write_bytes, write_error
from lzspatial.errors import InputError
from lzspatial.plan.labels import value_labels

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = [
    "GDB_VOCAB_TABLE",
    "LIST_SEPARATOR",
    "DBF_TEXT_BYTES",
    "SHP_ENCODINGS",
    "esri_wkt",
    "export_filegdb",
    "export_shp",
    "join_lists",
    "remove_files",
    "shp_field_names",
    "stale_gdb_files",
]

#: Separator of list values in Shapefile and FileGDB text fields (``a;b``).
LIST_SEPARATOR: Final = ";"
#: Shapefile encodings: name -> (GDAL ``ENCODING`` option, ``.cpg`` content).
SHP_ENCODINGS: Final = {"utf-8": ("UTF-8", "UTF-8"), "gbk": ("CP936", "936")}
#: Name of the vocabulary table in the File Geodatabase.
GDB_VOCAB_TABLE: Final = "lz_vocabularies"
#: dBASE field names hold at most this many bytes.
_DBF_NAME_BYTES: Final = 10
#: Readable short names of schema fields longer than 10 bytes (others are cut, then numbered).
_SHORT: Final = {"geometry_basis": "geom_basis", "in_shenyang": "in_shenyng"}
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
#: dBASE text fields hold at most this many bytes; longer text continues in ``<field>_2``, ...
DBF_TEXT_BYTES: Final = 254


def esri_wkt(crs: str) -> str:
    """Return the ESRI-dialect WKT of *crs* (the content of a ``.prj`` ArcGIS reads).

    Examples
    --------
    >>> esri_wkt("EPSG:4550")[:40]
    'PROJCS["CGCS2000_3_Degree_GK_CM_123E",GE'
    """
    import pyproj
    from pyproj.enums import WktVersion

    return str(pyproj.CRS.from_user_input(crs).to_wkt(WktVersion.WKT1_ESRI))


def _cut(name: str, limit: int, encoding: str) -> str:
    """Return the longest prefix of *name* within *limit* bytes in *encoding* (whole characters)."""
    out = ""
    for ch in name:
        if len((out + ch).encode(encoding)) > limit:
            break
        out += ch
    return out


def shp_field_names(columns: Iterable[str], encoding: str = "utf-8", *, where: str = "") -> dict[str, str]:
    """Map field names onto distinct dBASE names of at most 10 bytes in *encoding*.

    Known long schema fields get readable short names (``geometry_basis`` ->
    ``geom_basis``); other names are cut to 10 bytes at a character boundary,
    and a name that would equal an earlier one (dBASE compares without case)
    is cut shorter and numbered (``_1``, ``_2``, ...). The same columns always
    give the same mapping.

    Raises
    ------
    InputError
        A name has a character *encoding* cannot hold.

    Examples
    --------
    >>> shp_field_names(["geometry_basis", "note_zh_long_a", "note_zh_long_b"])
    {'geometry_basis': 'geom_basis', 'note_zh_long_a': 'note_zh_lo', 'note_zh_long_b': 'note_zh__1'}
    >>> shp_field_names(["名称很长的字段"], "gbk")
    {'名称很长的字段': '名称很长的'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        try:
            col.encode(encoding)
        except UnicodeEncodeError as err:
            raise InputError(
                f"{where}field {col!r}: the name has {col[err.start]!r}, which {encoding} cannot hold; "
                "rename the field or use `encoding='utf-8'`"
            ) from err
        name = _cut(_SHORT.get(col, col), _DBF_NAME_BYTES, encoding)
        n = 0
        while not name or name.casefold() in used:
            n += 1
            suffix = f"_{n}"
            name = _cut(_SHORT.get(col, col), _DBF_NAME_BYTES - len(suffix), encoding) + suffix
        used.add(name.casefold())
        out[col] = name
    return out


def join_lists(frame: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    """Return *frame* with list values joined by :data:`LIST_SEPARATOR` (refusing values holding it)."""
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name or out[col].dtype != object:
            continue
        values = list(out[col])
        if not any(isinstance(v, (list, tuple)) for v in values):
            continue
        joined = []
        for fid, v in zip(out["id"], values, strict=True):
            if not isinstance(v, (list, tuple)):
                joined.append(v)
                continue
            bad = [x for x in v if LIST_SEPARATOR in str(x)]
            if bad:
                raise InputError(
                    f"{where}: feature {fid!r}, field {col!r}: value {bad[0]!r} contains the list "
                    f"separator {LIST_SEPARATOR!r}; rename the value"
                )
            joined.append(LIST_SEPARATOR.join(map(str, v)))
        out[col] = joined
        out[col] = out[col].astype(object)
    return out


def _chunks(text: str, encoding: str) -> list[str]:
    """Split *text* into pieces of at most 254 bytes in *encoding*, never ending or starting with a space.

    dBASE pads text with spaces and readers strip them, so a piece may not end in white space;
    the pieces joined give *text* back.

    Examples
    --------
    >>> parts = _chunks("ab " * 200, "utf-8")
    >>> [len(p.encode()) <= 254 for p in parts], "".join(parts) == "ab " * 200
    ([True, True, True], True)
    """
    pieces: list[str] = []
    rest = text
    while len(rest.encode(encoding)) > DBF_TEXT_BYTES:
        cut = len(_cut(rest, DBF_TEXT_BYTES, encoding))
        while cut > 1 and (rest[cut - 1].isspace() or rest[cut].isspace()):
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return [*pieces, rest]


def _split_long_text(frame: gpd.GeoDataFrame, encoding: str) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Spread text longer than a dBASE field over ``<col>``, ``<col>_2``, ...; map parts to fields."""
    out = frame.copy()
    cols = [c for c in frame.columns if c != frame.geometry.name]
    order: list[str] = []
    parts_of: dict[str, str] = {}
    for col in cols:
        order.append(col)
        parts_of[col] = col
        if not _is_text(out[col]):
            continue
        split = [_chunks(v, encoding) if isinstance(v, str) else [v] for v in out[col]]
        width = max((len(p) for p in split), default=1)
        out[col] = [p[0] for p in split]
        for k in range(2, width + 1):
            name = f"{col}_{k}"
            out[name] = [p[k - 1] if len(p) >= k else None for p in split]
            out[name] = out[name].astype(object)
            order.append(name)
            parts_of[name] = col
    return out[[*order, out.geometry.name]], parts_of


def _is_text(series: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series))


def _dbf_date(date: _dt.date | None) -> str:
    return (date or _dt.date(2000, 1, 1)).isoformat()


def _sidecar(mapping: dict[str, str], parts_of: dict[str, str], frame: gpd.GeoDataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["field", "part", "shapefile_field", "list_separator"])
    part: dict[str, int] = {}
    for col, short in mapping.items():
        field = parts_of[col]
        part[field] = part.get(field, 0) + 1
        is_list = frame[field].map(lambda v: isinstance(v, (list, tuple))).any()
        writer.writerow([field, part[field], short, LIST_SEPARATOR if is_list else ""])
    return buf.getvalue().encode("utf-8-sig")


def _zip(folder: Path, files: Sequence[Path], target: Path) -> Path:
    """Zip *files* (in order) into *target* with fixed times, for byte-identical archives."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    shutil.rmtree(folder)
    return write_bytes(target, buf.getvalue())


def export_shp(
    frames: dict[str, gpd.GeoDataFrame],
    out: Path,
    crs: str,
    *,
    encoding: str = "utf-8",
    zipped: bool = False,
    date: _dt.date | None = None,
    label: str = "",
) -> list[Path]:
    """Write one Shapefile per frame into *out* (or ``<layer>.zip`` each); return the files.

    *frames* are already in *crs*, rounded and with list fields as lists.
    *date* is stored as the dBASE "last update" (default 2000-01-01), so the
    same input gives the same bytes.
    """
    if encoding not in SHP_ENCODINGS:
        raise InputError(f"`encoding={encoding!r}` is not a Shapefile encoding; use utf-8 or gbk")
    gdal_enc, cpg = SHP_ENCODINGS[encoding]
    prj = esri_wkt(crs)
    written: list[Path] = []
    for name, frame in frames.items():
        where = f"{label}layer {name!r}: "
        flat = join_lists(frame, f"{label}layer {name!r}")
        for col in flat.columns:
            if col != flat.geometry.name:
                flat[col] = _encodable(flat, col, encoding, where)
        flat, parts_of = _split_long_text(flat, encoding)
        mapping = shp_field_names([c for c in flat.columns if c != flat.geometry.name], encoding, where=where)
        flat = flat.rename(columns=mapping)
        folder = out / f".{name}.shp.d" if zipped else out
        folder.mkdir(exist_ok=True)
        shp = folder / f"{name}.shp"
        try:
            pyogrio.write_dataframe(
                flat,
                shp,
                driver="ESRI Shapefile",
                encoding=gdal_enc,
                layer_options={"DBF_DATE_LAST_UPDATE": _dbf_date(date)},
            )
        except Exception as err:  # pyogrio/GDAL raise several types
            raise write_error(shp, err, f"cannot write layer {name!r}") from err
        (folder / f"{name}.cpg").write_bytes(cpg.encode("ascii"))
        (folder / f"{name}.prj").write_bytes(prj.encode("ascii"))
        (folder / f"{name}.fields.csv").write_bytes(_sidecar(mapping, parts_of, frame))
        files = [folder / f"{name}{ext}" for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".fields.csv")]
        if zipped:
            written.append(_zip(folder, files, out / f"{name}.zip"))
        else:
            written += files
    return written


def _encodable(frame: gpd.GeoDataFrame, col: str, encoding: str, where: str) -> Any:
    """Column *col* with text *encoding* lacks in NFKC form (``km²`` -> ``km2``); refuse what stays."""
    import unicodedata
    import warnings

    if not _is_text(frame[col]):
        return frame[col]
    values = []
    for fid, value in zip(frame["id"], frame[col], strict=True):
        if isinstance(value, str):
            try:
                value.encode(encoding)
            except UnicodeEncodeError:
                folded = unicodedata.normalize("NFKC", value)
                try:
                    folded.encode(encoding)
                except UnicodeEncodeError as err:
                    raise InputError(
                        f"{where}feature {fid!r}, field {col!r}: {folded[err.start]!r} is not in "
                        f"{encoding}; use `encoding='utf-8'` or replace the character"
                    ) from err
                warnings.warn(
                    f"{where}feature {fid!r}, field {col!r}: characters {encoding} lacks written in "
                    "their compatibility form (NFKC, e.g. km² -> km2)",
                    UserWarning,
                    stacklevel=2,
                )
                value = folded
        values.append(value)
    return values


def _vocab_rows(plan: Plan, names: Sequence[str]) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {"layer": [], "field": [], "code": [], "zh": [], "en": []}
    for name in names:
        element = plan.element(name)
        frame = plan.layer(name)
        for field, values in value_labels(element, plan.vocabularies).items():
            if field not in frame.columns:
                continue
            for code, labels in values.items():
                for key, val in (("layer", name), ("field", field), ("code", code)):
                    rows[key].append(val)
                rows["zh"].append(str(labels.get("zh", code)))
                rows["en"].append(str(labels.get("en", code)))
    return rows


def export_filegdb(plan: Plan, frames: dict[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    """Write *frames* as feature classes of the File Geodatabase folder *target*; return its files."""
    import pandas as pd

    # GDAL's own switch for fixed dataset UUIDs: the same plan gives the same bytes
    pyogrio.set_gdal_config_options({"OPENFILEGDB_REPRODUCIBLE_UUID": "YES"})
    try:
        _write_gdb(plan, frames, target, pd.DataFrame(_vocab_rows(plan, list(frames))))
    finally:
        pyogrio.set_gdal_config_options({"OPENFILEGDB_REPRODUCIBLE_UUID": None})
    return sorted(p for p in target.rglob("*") if p.is_file())


def _write_gdb(plan: Plan, frames: dict[str, gpd.GeoDataFrame], target: Path, table: Any) -> None:
    for name, frame in frames.items():
        flat = join_lists(frame, f"{plan.path}: layer {name!r}")
        try:
            pyogrio.write_dataframe(
                flat,
                target,
                layer=name,
                driver="OpenFileGDB",
                layer_options={"GEOMETRY_NAME": "SHAPE", "FID": "OBJECTID"},
            )
        except Exception as err:  # pyogrio/GDAL raise several types
            raise write_error(target, err, f"cannot write layer {name!r}") from err
    if len(table):
        try:
            pyogrio.write_dataframe(table, target, layer=GDB_VOCAB_TABLE, driver="OpenFileGDB")
        except Exception as err:  # pyogrio/GDAL raise several types
            raise write_error(target, err, "cannot write the vocabulary table") from err


def stale_gdb_files(target: Path, fresh: Iterable[Path]) -> list[Path]:
    """Files of an existing ``.gdb`` folder that a new export of the same name did not write."""
    keep = {p.name for p in fresh}
    if not target.is_dir():
        return []
    return sorted(p for p in target.iterdir() if p.is_file() and p.name not in keep and _gdb_file(p.name))


def _gdb_file(name: str) -> bool:
    return name == "gdb" or name == "timestamps" or name.startswith("a0") or name.endswith(".freelist")


def remove_files(paths: Iterable[Path]) -> None:
    """Remove files, ignoring those already gone."""
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
