"""Writing screening results: :func:`write_results` and :class:`ResultWriter`.

Both write by extension (:data:`OUTPUTS`): ``.geojson``/``.json``, ``.gpkg``,
``.csv`` (UTF-8 with a BOM, formula cells guarded, see :func:`lzspatial.io.csv.guard_frame`;
points as ``wgs84_lon``/``wgs84_lat``, other geometries as ``wgs84_wkt``) and
``.parquet`` (GeoParquet, WKB), atomically. The source row is written as the first
column, ``row``. Input columns that clash with a written column, or differ from another only
in case, are refused before anything is written (:func:`check_columns`). Import them from
:mod:`lzspatial.sites`.
"""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzspatial._util.atomic import AtomicTarget, write_error
from lzspatial.crs import WGS84
from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.io.csv import guard_frame
from lzspatial.io.geojson import COLLECTION_TAIL, collection_head, feature_text

__all__ = [
    "LAT",
    "LON",
    "OUTPUTS",
    "PARQUET_COMPRESSION",
    "PARQUET_LEVEL",
    "PARQUET_ROW_GROUP",
    "WKT",
    "format_of",
    "WRITTEN_COLUMNS",
    "ResultWriter",
    "check_columns",
    "write_results",
]

#: Output formats by extension.
OUTPUTS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".parquet": "parquet"}
#: Output columns holding point coordinates (CSV) and other geometries (CSV, WKT), WGS84.
LON, LAT, WKT = "wgs84_lon", "wgs84_lat", "wgs84_wkt"
#: GeoParquet output: compression, and the largest row group (rows); each chunk written is one
#: row group or more (a streamed CSV: one per chunk of 250,000 rows). Snappy, because the writer
#: is the busiest thread of the CSV stream: for 10⁷ screened points (903 MB) it encodes in 4.0 s
#: of CPU, zstd level 1 in 4.7 s for a file 21 % smaller (712 MB), lz4 in 3.7 s at snappy's
#: size, no compression in 3.3 s (1,241 MB); every Parquet reader reads snappy. Row groups of
#: 250,000 rows keep the three chunks in flight (read, screened, written) within 480 MB at the
#: peak for 10⁷ points; 500,000 saved about 5 % of the CPU and peaked at 620-630 MB.
PARQUET_COMPRESSION, PARQUET_LEVEL, PARQUET_ROW_GROUP = "snappy", None, 250_000
#: Columns every results writer adds (the source row, coordinates, geometry, GeoPackage's fid).
WRITTEN_COLUMNS = ("row", LON, LAT, WKT, "geometry", "fid")


def __getattr__(name: str) -> Any:
    """``results.pyogrio``, imported on first use: GDAL (about 30 MB) loads for GeoPackage only."""
    if name == "pyogrio":
        import pyogrio

        return pyogrio
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_columns(
    columns: list[str], where: object, *, added: tuple[str, ...] = WRITTEN_COLUMNS, by: str = "lzspatial"
) -> None:
    """Refuse input columns that would clash in the results: the one naming rule of every writer.

    Column names are compared without regard to case (GeoPackage, Parquet readers and
    spreadsheets treat ``Name`` and ``NAME`` as one). A clash is refused, naming the column
    and how to rename it; nothing is renamed or dropped silently.

    Examples
    --------
    >>> try:
    ...     check_columns(["id", "Name", "NAME"], "s.csv")
    ... except InputError as err:
    ...     print(str(err).split(",")[0])
    s.csv: columns 'Name' and 'NAME' differ only in case
    """
    seen: dict[str, str] = {}
    for c in map(str, columns):
        other = seen.setdefault(c.casefold(), c)
        if other != c or list(map(str, columns)).count(c) > 1:
            raise InputError(
                f"{where}: columns {other!r} and {c!r} differ only in case, which GeoPackage and "
                "spreadsheets treat as one column; rename one of them"
            )
    reserved = {a.casefold(): a for a in added}
    for c in map(str, columns):
        if c.casefold() in reserved:
            raise InputError(
                f"{where}: column {c!r} clashes with the column {reserved[c.casefold()]!r} that {by} "
                f"writes into the results; rename it in the input (for example to 'input_{c}')"
            )


def format_of(path: Path, table: dict[str, str], what: str) -> str:
    """Return the format of *path* by its extension in *table*, or raise naming the choices."""
    fmt = table.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown {what} format {path.suffix!r}; use one of {', '.join(table)}")
    return fmt


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* with categoricals as plain text columns (object, None for missing)."""
    out = {}
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            vals = s.astype(object).to_numpy()
            vals = vals.astype(object)
            vals[pd.isna(vals)] = None
            out[c] = vals
        else:
            out[c] = s.to_numpy()
    return pd.DataFrame(out, index=df.index)


class _Points(NamedTuple):
    """One chunk of screened points in parts (see :meth:`ResultWriter.write_points`)."""

    rows: np.ndarray
    text: Any
    res: pd.DataFrame
    lon: np.ndarray
    lat: np.ndarray


class ResultWriter:
    """Write results chunk by chunk into a temp file renamed over *path* on :meth:`close`.

    Parameters
    ----------
    path : str or path-like
        The output; the format follows the extension (:data:`OUTPUTS`).

    Notes
    -----
    Every chunk must have the same columns. Chunks are GeoDataFrames in
    EPSG:4326 (their index is written as a ``row`` column).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.fmt = format_of(self.path, OUTPUTS, "output")
        self._target = AtomicTarget(self.path)
        self.tmp = self._target.tmp
        self._fh: Any = None
        self._pq: Any = None
        self._n = 0

    def write(self, gdf: gpd.GeoDataFrame) -> None:
        """Append one chunk (the first is checked with :func:`check_columns` before anything is written)."""
        if self._n == 0 and self._fh is None and self._pq is None:
            geo = isinstance(gdf, gpd.GeoDataFrame)
            cols = [c for c in gdf.columns if not (geo and c == gdf.geometry.name)]
            coords = (LON, LAT) if not geo else ()
            check_columns(
                [c for c in cols if c not in coords],
                self.path,
                added=tuple(c for c in WRITTEN_COLUMNS if c not in coords),
            )
        self._guarded(getattr(self, f"_write_{self.fmt}"), gdf)
        self._n += len(gdf)

    def write_points(
        self, rows: np.ndarray, text: Any, res: pd.DataFrame, lon: np.ndarray, lat: np.ndarray
    ) -> None:
        """Append one chunk of screened points given in parts, as :meth:`write` of their frame.

        The frame is *text* (the input's columns: a pandas frame, or an Arrow table of the
        Arrow CSV reader), then *res* (the screening columns), indexed by *rows*, with the
        WGS84 coordinates *lon*, *lat* as :data:`LON`/:data:`LAT`. GeoParquet is written
        from the parts directly (no pandas frame); the file is the same.
        """
        if self.fmt != "parquet":
            if not isinstance(text, pd.DataFrame):
                text = text.to_pandas(types_mapper=pd.ArrowDtype)
            index = pd.Index(rows, name="row")
            frame = pd.concat([text.set_axis(index), res.set_axis(index)], axis=1)
            frame[LON], frame[LAT] = lon, lat
            self.write(frame)
            return
        if self._n == 0 and self._pq is None:
            names = [str(c) for c in (text.columns if isinstance(text, pd.DataFrame) else text.column_names)]
            check_columns(
                [*names, *map(str, res.columns)],
                self.path,
                added=tuple(c for c in WRITTEN_COLUMNS if c not in (LON, LAT)),
            )
        self._guarded(self._write_parquet, _Points(rows, text, res, lon, lat))
        self._n += len(rows)

    def _guarded(self, write: Any, *args: Any) -> None:
        """Run one write; on any failure drop the temp file and raise an InputError/OutputError."""
        try:
            write(*args)
        except (OutputError, InputError):
            self.abort()
            raise
        except Exception as err:  # OSError, and GDAL/SQLite/Arrow errors of a full disk
            self.abort()
            raise write_error(self.path, err) from err

    def _table(self, data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Attributes (with ``row`` first) and the geometries (None for a lon/lat frame)."""
        geoms = None
        if isinstance(data, gpd.GeoDataFrame):
            geoms = np.asarray(data.geometry.values, dtype=object)
            df = pd.DataFrame(data.drop(columns=data.geometry.name))
            if len(geoms) and bool((shapely.get_type_id(geoms) == 0).all()):
                df[LON], df[LAT] = shapely.get_x(geoms), shapely.get_y(geoms)
                geoms = None
            elif not len(geoms):
                df[LON], df[LAT] = np.zeros(0), np.zeros(0)
                geoms = None
        else:
            df = pd.DataFrame(data, copy=False)
        df.insert(0, "row", np.asarray(data.index))  # check_columns refused an input column named so
        return df.reset_index(drop=True), geoms

    def _geoms(self, df: pd.DataFrame, geoms: np.ndarray | None) -> np.ndarray:

        if geoms is None:
            return np.asarray(shapely.points(df[LON].to_numpy(), df[LAT].to_numpy()), dtype=object)
        return geoms

    def _arrow(self, df: pd.DataFrame, *, dictionaries: bool = False) -> Any:
        """Return an Arrow table with stable types: text as string (or int32-indexed dictionaries)."""
        import pyarrow as pa

        return _stable(pa.Table.from_pandas(df, preserve_index=False), dictionaries=dictionaries)

    def _write_csv(self, data: pd.DataFrame) -> None:
        import pyarrow.csv as pacsv

        df, geoms = self._table(data)
        if geoms is not None:
            df[WKT] = shapely.to_wkt(geoms, rounding_precision=-1)
        first = self._fh is None
        if first:
            self._fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
            self._fh.write(codecs.BOM_UTF8)  # once, at the start (CSV_ENCODING)
        table = self._arrow(guard_frame(df))
        pacsv.write_csv(table, self._fh, pacsv.WriteOptions(include_header=first))

    def _write_parquet(self, data: pd.DataFrame | _Points) -> None:
        import pyarrow as pa

        if isinstance(data, _Points):
            self._parquet_points(*data)
            return
        df, geoms = self._table(data)
        table = self._arrow(df.drop(columns=[LON, LAT]) if geoms is None else df, dictionaries=True)
        if geoms is None:
            wkb = _point_wkb(df[LON].to_numpy(np.float64), df[LAT].to_numpy(np.float64))
            kinds = ["Point"]
        else:
            wkb = pa.array(shapely.to_wkb(geoms), type=pa.binary())
            kinds = sorted({g.geom_type for g in geoms})
        self._append_parquet(table.append_column("geometry", wkb), kinds)

    def _parquet_points(
        self, rows: np.ndarray, text: Any, res: pd.DataFrame, lon: np.ndarray, lat: np.ndarray
    ) -> None:
        """Write the Arrow table of :meth:`_write_parquet` for a frame of points, built from its parts."""
        import pyarrow as pa

        if isinstance(text, pd.DataFrame):
            text = pa.Table.from_pandas(text, preserve_index=False)
        table = pa.Table.from_arrays(
            [pa.array(np.asarray(rows, dtype=np.int64)), *text.columns, *map(_arrow_column, res.items())],
            names=["row", *map(str, text.column_names), *map(str, res.columns)],
        )
        wkb = _point_wkb(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        self._append_parquet(_stable(table, dictionaries=True).append_column("geometry", wkb), ["Point"])

    def _append_parquet(self, table: Any, kinds: list[str]) -> None:
        """Write *table* (attributes, then WKB ``geometry``) as the next row groups of the file."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._pq is None:
            geo = {
                "version": "1.0.0",
                "primary_column": "geometry",
                "columns": {"geometry": {"encoding": "WKB", "geometry_types": kinds}},
            }
            self._schema = table.schema.with_metadata({b"geo": json.dumps(geo).encode()})
            self._pq = pq.ParquetWriter(
                self.tmp,
                self._schema,
                compression=PARQUET_COMPRESSION,
                compression_level=PARQUET_LEVEL,
                # dictionary pages for the text columns only (coded already); statistics for the
                # numbers only: the other columns gain nothing from either and cost half the time
                use_dictionary=[f.name for f in self._schema if pa.types.is_dictionary(f.type)],
                write_statistics=[
                    f.name
                    for f in self._schema
                    if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
                ],
            )
        self._pq.write_table(table.cast(self._schema), row_group_size=PARQUET_ROW_GROUP)

    def _write_gpkg(self, data: pd.DataFrame) -> None:

        df, geoms = self._table(data)
        if geoms is None:
            geoms = self._geoms(df, geoms)
            df = df.drop(columns=[LON, LAT])
        out = gpd.GeoDataFrame(_plain(df), geometry=geoms, crs=WGS84)
        import pyogrio  # GDAL: only for GeoPackage (about 30 MB)

        from lzspatial.io.gpkg import pinned_gpkg_time

        with pinned_gpkg_time():
            pyogrio.write_dataframe(out, self.tmp, layer="sites", driver="GPKG", append=self.tmp.exists())

    def _write_geojson(self, data: pd.DataFrame) -> None:
        if self._fh is None:
            self._fh = open(self.tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._fh.write(collection_head() + "\n")
        df, geoms = self._table(data)
        if geoms is None:
            geoms = self._geoms(df, geoms)
            df = df.drop(columns=[LON, LAT])
        cols = list(df.columns)
        lines = [
            feature_text(dict(zip(cols, rec, strict=True)), geom, 7)
            for rec, geom in zip(df.itertuples(index=False, name=None), geoms, strict=True)
        ]
        if lines:
            self._fh.write((",\n" if self._n else "") + ",\n".join(lines))

    def close(self) -> Path:
        """Finish the file and rename it over the target."""
        try:
            if self.fmt == "geojson":
                if self._fh is None:
                    self._write_geojson(_empty())
                self._fh.write("\n" + COLLECTION_TAIL)
            if self._fh is not None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
            if self._pq is not None:
                self._pq.close()
            if not self.tmp.exists():
                self.write(_empty())
                if self._pq is not None:
                    self._pq.close()
                if self._fh is not None:
                    self._fh.close()
            self._target.commit()
        except OutputError:
            self.abort()
            raise
        except Exception as err:  # OSError, and GDAL/SQLite/Arrow errors of a full disk
            self.abort()
            raise write_error(self.path, err) from err
        return self.path

    def abort(self) -> None:
        """Drop the temp file, leaving *path* untouched."""
        for h in (self._fh, self._pq):
            try:
                if h is not None:
                    h.close()
            except Exception:  # noqa: BLE001 - best effort while failing
                pass
        self._target.discard()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _stable(table: Any, *, dictionaries: bool = False) -> Any:
    """*table* with stable types: text as string (dictionaries as int32-indexed string dictionaries)."""
    import pyarrow as pa

    coded = pa.dictionary(pa.int32(), pa.string()) if dictionaries else pa.string()
    fields = []
    for f in table.schema:
        if pa.types.is_dictionary(f.type):
            f = pa.field(f.name, coded)
        elif pa.types.is_null(f.type) or pa.types.is_large_string(f.type):
            f = pa.field(f.name, pa.string())
        fields.append(f)
    return table.cast(pa.schema(fields))


def _arrow_column(item: tuple[Any, pd.Series]) -> Any:
    """Return the column of ``pa.Table.from_pandas`` for one (name, series) of screening results.

    Text categoricals become int32-indexed dictionaries straight from their codes (as
    :func:`_stable` casts them), floats and bools are handed over as they are (NaN as
    null, as ``from_pandas`` does); any other column goes through ``from_pandas``.
    """
    import pyarrow as pa

    name, s = item
    if isinstance(s.dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in s.cat.categories):
        codes = s.cat.codes.to_numpy()
        return pa.DictionaryArray.from_arrays(
            _with_nulls(codes.astype(np.int32), codes < 0), pa.array(list(s.cat.categories), type=pa.string())
        )
    if s.dtype == np.float64:
        values = s.to_numpy()
        return _with_nulls(values, np.isnan(values))
    if s.dtype == np.bool_:
        return pa.array(s.to_numpy())
    return pa.Table.from_pandas(pd.DataFrame({name: s}), preserve_index=False).column(0)


def _with_nulls(values: np.ndarray, missing: np.ndarray) -> Any:
    """Return an Arrow array of the numbers *values*, null where *missing* (validity packed in numpy)."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    nulls = int(np.count_nonzero(missing))
    if not nulls:
        return pa.array(values)
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [valid, pa.py_buffer(values)], null_count=nulls)


def _point_wkb(x: np.ndarray, y: np.ndarray) -> Any:
    """Little-endian WKB points built in numpy (no shapely objects)."""
    import pyarrow as pa

    buf = np.empty(x.size, dtype=[("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    buf["order"], buf["type"], buf["x"], buf["y"] = 1, 1, x, y
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(21), x.size, [None, pa.py_buffer(buf.tobytes())])
    return fixed.cast(pa.binary())


def _empty() -> gpd.GeoDataFrame:

    return gpd.GeoDataFrame(geometry=[], crs=WGS84)


def write_results(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write screening results (any CRS; written in EPSG:4326) atomically; the format follows the extension.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, pathlib
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame({"v": [1.5]}, geometry=[Point(122.7, 41.5)], crs=4326)
    >>> p = write_results(g, pathlib.Path(tempfile.mkdtemp()) / "out.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['"row","v","wgs84_lon","wgs84_lat"', '0,1.5,122.7,41.5']
    """
    if gdf.crs is None:
        raise CRSError("write_results: the frame has no CRS; set one first")
    out = gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(WGS84)
    with ResultWriter(path) as w:
        w.write(out)
    return Path(path)
