"""Reading candidate sites and writing screening results.

:func:`read_sites` reads CSV, GeoJSON, GeoPackage, GeoParquet and 国土TXT
into a GeoDataFrame in EPSG:4326 whose index (named ``row``) is the
1-based row of the source: the **line number** in a CSV (the header is line
1), the feature number elsewhere. Bad rows are never dropped silently: they
are listed, with their row numbers, in one :class:`~lzspatial.errors.InputError`
line, or returned as *rejects* with ``skip_invalid=True``.

CSV columns are found by name (case-insensitive): longitude ``lon``, ``lng``,
``long``, ``longitude``, ``经度``, ``x``; latitude ``lat``, ``latitude``,
``纬度``, ``y``; with a projected ``crs`` (EPSG:4550, EPSG:4529) easting
``x``, ``easting``, ``东坐标`` and northing ``y``, ``northing``, ``北坐标``.
``crs`` says what the coordinates are: ``EPSG:4326`` (default),
``EPSG:4490``, ``EPSG:4550``, ``EPSG:4529``, ``gcj02`` (Gaode/AMap,
Tencent) or ``bd09`` (Baidu); GCJ-02 and BD-09 are converted to WGS84. A
file's own CRS wins, except that GeoJSON (always lon/lat) may be declared
``gcj02`` or ``bd09``. Trailing blank lines of a CSV are ignored; blank lines
before data are bad rows. Line numbers assume no quoted field spans lines.

:func:`write_results` and :class:`ResultWriter` write by extension:
``.geojson``/``.json``, ``.gpkg``, ``.csv`` (UTF-8 with a BOM for Excel; text
cells that a spreadsheet would run as formulas get a leading ``'``; points as
``wgs84_lon``/``wgs84_lat``, other geometries as ``wgs84_wkt``) and ``.parquet``
(GeoParquet, WKB), atomically. The source row is written as the first column, ``row``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from lzspatial.crs import GK_CM123, GK_ZONE41, WGS84, parse_crs
from lzspatial.crs.gcj import outside_china
from lzspatial.crs.transforms import is_offset, to_wgs84, transform_xy
from lzspatial.errors import CRSError, InputError
from lzspatial.io import check_size
from lzspatial.io.gktxt import read_gktxt
from lzspatial.io.limits import check_regular
from lzspatial.screening.results import (
    LAT,
    LON,
    OUTPUTS,
    WKT,
    ResultWriter,
    check_columns,
    format_of,
    write_results,
)

__all__ = [
    "geoparquet_chunks",
    "FORMATS",
    "LAT",
    "LON",
    "OUTPUTS",
    "WKT",
    "ResultWriter",
    "check_layer_option",
    "csv_chunks",
    "csv_parts",
    "TextChunk",
    "RowLog",
    "read_sites",
    "write_results",
]

#: Input formats by extension.
FORMATS = {
    ".csv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".txt": "gktxt",
}
_LON = ("lon", "lng", "long", "longitude", "经度", "x")
_LAT = ("lat", "latitude", "纬度", "y")
_EAST = ("x", "easting", "east", "东坐标", "e")
_NORTH = ("y", "northing", "north", "北坐标", "n")
_CRS_ALLOWED = (WGS84, "EPSG:4490", GK_CM123, GK_ZONE41, "EPSG:4549", "gcj02", "bd09")
_SHOW = 10  # bad rows quoted in the error message
#: Bytes per block of the Arrow CSV reader: it reads ahead some blocks, so larger blocks hold
#: more memory (about 200 MB at 12 MiB) and are no faster (1 MiB: 0.5 s CPU per 10^7 rows).
_ARROW_BLOCK = 1 << 20


# ---------------------------------------------------------------- CSV


def _find(columns: list[str], given: str | None, names: tuple[str, ...], role: str, path: Path) -> str:
    if given is not None:
        if given not in columns:
            raise InputError(f"{path}: no column {given!r} for {role}; columns: {', '.join(columns)}")
        return given
    lower = {c.strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    raise InputError(
        f"{path}: no {role} column found (looked for {', '.join(names)}); columns: "
        f"{', '.join(columns)}; name it with `lon=`/`lat=` (or `x=`/`y=`)"
    )


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode_error_line(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """Decode the whole file in blocks; return (line, bad bytes) of the first error, or None.

    A block of ASCII bytes with no bytes of a character pending is valid in UTF-8 and GB18030
    alike: it is counted, not decoded.
    """
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            if block.isascii() and not decoder.getstate()[0]:  # ASCII, nothing pending: valid text
                line += block.count(b"\n")
                continue
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                # the decoder may hold up to 3 bytes of the previous block: count lines up to the error
                start = max(err.start - (len(err.object) - len(block)), 0)
                return line + block[:start].count(b"\n"), block[start : start + 4]
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            return line, err.object[err.start : err.start + 4]
    return None


def _encoding(path: Path) -> str:
    """Return the CSV's encoding, UTF-8 (BOM or not) or GB18030, judged on the whole file."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 12)
    if head.startswith(_UTF16_BOMS) or (len(head) >= 4 and head.count(b"\x00") > len(head) // 4):
        raise InputError(
            f"{path}: the file is UTF-16 text (Excel's 'Unicode text'); save it as CSV UTF-8 "
            "(or CSV with GBK) and try again"
        )
    if _decode_error_line(path, "utf-8") is None:
        return "utf-8-sig"
    bad = _decode_error_line(path, "gb18030")
    if bad is not None:
        line, data = bad
        raise InputError(
            f"{path}: line {line}: bytes {data!r} are neither UTF-8 nor GBK text; "
            "save the file as CSV UTF-8 and try again"
        )
    return "gb18030"


class _Fallback(Exception):
    """The Arrow reader met a row it cannot split like the header: the pandas reader takes over."""


def _arrow_tables(path: Path, block: int, chunksize: int) -> Iterator[Any]:
    """Text tables of a UTF-8 CSV parsed by pyarrow, *chunksize* rows each (the last may be shorter).

    Every column is read as text, exactly as the pandas reader does (empty cells are ``""``,
    a blank line is a row of empty cells). A row with another number of fields than the
    header (or a line of spaces) raises :class:`_Fallback`; only whole chunks of the rows
    before it are yielded first (pyarrow names its line: rows before it are one line each).
    A file with a header and no rows yields one empty table (the columns still count).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    odd: list[int | None] = []  # line numbers of the rows pyarrow could not split (None: unknown)

    def invalid(row: Any) -> str:
        odd.append(row.number)
        return "skip"

    first = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16))
    names = first.schema.names
    first.close()
    if len(set(names)) != len(names) or "" in names:  # pandas renames duplicates: let it
        raise _Fallback
    reader = pacsv.open_csv(
        path,  # parsed on this thread, one block after another: the odd rows' numbers are known
        read_options=pacsv.ReadOptions(block_size=block, use_threads=False),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    try:
        held: list[Any] = []  # batches read, not yet yielded
        count = yielded = 0  # rows held; rows yielded
        for batch in reader:
            held.append(batch)
            count += batch.num_rows
            # rows held that are known to split as pandas splits them: those before the first odd
            # line (the header is line 1; the first row, line 2)
            lines = [n for n in odd if n is not None]
            clean = count if not odd else min(lines) - 2 - yielded if len(lines) == len(odd) else 0
            while min(count, clean) >= chunksize:
                table = pa.Table.from_batches(held)
                yield table.slice(0, chunksize)
                yielded, clean = yielded + chunksize, clean - chunksize
                rest = table.slice(chunksize)
                held, count = rest.to_batches(), rest.num_rows
            if clean < count:  # an odd row among those held
                raise _Fallback
        if odd:
            raise _Fallback
        if count or not yielded:
            yield pa.Table.from_batches(held, schema=reader.schema)
    finally:
        reader.close()


class TextChunk:
    """One chunk of a CSV's rows as text, numbered by line (the header is line 1).

    ``table`` holds the columns as Arrow strings when pyarrow read them (else None);
    :meth:`frame` gives the pandas text frame of :func:`csv_chunks` (made once, when asked).
    """

    __slots__ = ("_frame", "start", "table")

    def __init__(self, *, table: Any = None, frame: pd.DataFrame | None = None, start: int = 2) -> None:
        self.table, self._frame, self.start = table, frame, start

    def __len__(self) -> int:
        return self.table.num_rows if self.table is not None else len(self._frame)  # type: ignore[arg-type]

    @property
    def columns(self) -> list[str]:
        """Return the column names, as text."""
        names = self.table.column_names if self.table is not None else self._frame.columns  # type: ignore[union-attr]
        return [str(c) for c in names]

    @property
    def rows(self) -> np.ndarray:
        """Return the line number of each row."""
        if self.table is not None:
            return np.arange(self.start, self.start + self.table.num_rows, dtype=np.int64)
        return self.frame().index.to_numpy()

    def frame(self) -> pd.DataFrame:
        """Return the rows as a text frame indexed by line number (``row``)."""
        if self._frame is None:
            frame = self.table.to_pandas(types_mapper=pd.ArrowDtype)
            frame.index = pd.RangeIndex(self.start, self.start + len(frame), name="row")
            self._frame = frame
        return self._frame

    def text(self, good: np.ndarray | None = None) -> Any:
        """Return the text columns of the rows where *good* (all if None): an Arrow table or a frame."""
        if self.table is not None:
            return self.table if good is None else self.table.filter(good)
        return self._frame if good is None else self._frame[good]  # type: ignore[index]


def _text_chunks(path: Path, chunksize: int, fast: bool) -> Generator[TextChunk, None, None]:
    """Yield the CSV's rows as text chunks (rows counted from 0 across chunks); InputError if unreadable.

    *fast*: UTF-8 files are parsed with pyarrow into Arrow text columns, in chunks of exactly
    *chunksize* rows; anything that reader would split differently from pandas (a line of
    spaces, too many or too few fields, duplicate column names) hands the rest of the file to
    pandas, from the first row not yet yielded, so rows and their numbers are the same either way.
    """
    import pyarrow as pa

    encoding = _encoding(path)
    done = 0
    if fast and encoding == "utf-8-sig":
        try:
            for table in _arrow_tables(path, _ARROW_BLOCK, max(chunksize, 1)):
                yield TextChunk(table=table, start=done + 2)
                done += table.num_rows
            return
        except _Fallback:
            pass
        except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as err:
            if done:
                raise InputError(f"{path}: cannot read CSV: {err}") from err
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            chunksize=chunksize,
            encoding=encoding,
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError) as err:
        raise InputError(f"{path}: cannot read CSV: {err}") from err
    try:
        seen = 0
        while True:
            try:
                chunk = next(reader)
            except StopIteration:
                return
            except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError) as err:
                raise InputError(f"{path}: cannot read CSV: {err}") from err
            n = len(chunk)
            if seen + n <= done and (n or done):  # yielded by the Arrow reader already
                seen += n
                continue
            if seen < done:
                chunk = chunk.iloc[done - seen :]
            seen += n
            yield TextChunk(frame=chunk)
    finally:
        reader.close()


def csv_chunks(
    path: str | os.PathLike[str],
    *,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    chunksize: int = 500_000,
    fast: bool = False,
) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[int, str]]]:
    """Read a CSV of points in chunks, checking every row.

    Parameters
    ----------
    fast : bool
        Parse UTF-8 files with pyarrow: the frames' text columns are Arrow-backed
        (``pd.ArrowDtype(pa.string())``) instead of Python strings. The rows, their
        numbers and the problems found are the same.

    Yields
    ------
    frame : pandas.DataFrame
        The chunk's columns as text, indexed by line number.
    lon, lat : numpy.ndarray
        WGS84 coordinates (NaN on bad rows).
    problems : list of str
        One entry per row: ``""`` if good, else what is wrong. Blank rows
        say ``"blank row"`` (the caller drops them if only blank rows follow).
    """
    parts = csv_parts(path, crs=crs, lon=lon, lat=lat, x=x, y=y, chunksize=chunksize, fast=fast)
    try:
        for chunk, xs, ys, problems in parts:
            yield chunk.frame(), xs, ys, problems
    finally:
        parts.close()


def csv_parts(
    path: str | os.PathLike[str],
    *,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    chunksize: int = 500_000,
    fast: bool = True,
) -> Generator[tuple[TextChunk, np.ndarray, np.ndarray, dict[int, str]], None, None]:
    """:func:`csv_chunks` with each chunk as a :class:`TextChunk` (Arrow text, no pandas frame).

    With *fast*, UTF-8 files are read by pyarrow in chunks of exactly *chunksize* rows; a
    chunk whose coordinates all parse and lie in range is checked on the Arrow columns alone,
    any other goes through the pandas frame, as :func:`csv_chunks` without *fast* does.
    """
    path = Path(path)
    canon = parse_crs(crs, allow=_CRS_ALLOWED) if crs else WGS84
    projected = canon in (GK_CM123, GK_ZONE41, "EPSG:4549")
    chunks = _text_chunks(path, chunksize, fast)
    try:
        first = next(chunks)
    except StopIteration:
        return
    try:  # the reader holds the file open: close it however the generator ends
        columns = first.columns
        check_columns(columns, path)  # case-only twins, or a column the results writers add
        if projected:
            cx, cy = (
                _find(columns, x or lon, _EAST, "easting (x)", path),
                _find(columns, y or lat, _NORTH, "northing (y)", path),
            )
        else:
            cx, cy = (
                _find(columns, lon or x, _LON, "longitude", path),
                _find(columns, lat or y, _LAT, "latitude", path),
            )
        chunk: TextChunk | None = first
        while chunk is not None:
            if chunk.table is None:
                frame = chunk.frame()
                if not isinstance(frame.index, pd.RangeIndex):  # pandas took surplus fields as an index
                    raise InputError(
                        f"{path}: some rows have more fields than the header's "
                        f"{len(columns)} columns ({', '.join(columns)}); remove the extra delimiters"
                    )
                frame.index = frame.index + 2
                frame.index.name = "row"
            checked = _check_table(chunk.table, cx, cy, canon) if chunk.table is not None else None
            yield (chunk, *(checked or _check_chunk(chunk.frame(), cx, cy, canon)))
            chunk = next(chunks, None)
    finally:
        chunks.close()


def _check_table(
    table: Any, cx: str, cy: str, crs: str
) -> tuple[np.ndarray, np.ndarray, dict[int, str]] | None:
    """:func:`_check_chunk` of an Arrow text table whose rows are all good; None if any is not."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        vx, vy = (
            np.asarray(pc.cast(table.column(c), pa.float64()).to_numpy(), dtype=np.float64) for c in (cx, cy)
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    lon, lat, bad = _convert(vx, vy, crs)
    return None if bad.any() else (lon, lat, {})


def _check_chunk(
    chunk: pd.DataFrame,
    cx: str,
    cy: str,
    crs: str,
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """WGS84 lon/lat of a chunk and its problems (position -> text)."""
    vx, tx = _numbers(chunk[cx])
    vy, ty = _numbers(chunk[cy])
    lon, lat, bad = _convert(vx, vy, crs)
    problems: dict[int, str] = {}
    for i in np.flatnonzero(bad):
        row = chunk.iloc[i]
        if all(str(v).strip() == "" for v in row):
            problems[int(i)] = "blank row"
        else:
            problems[int(i)] = _why(cx, tx.iat[int(i)], vx[i], cy, ty.iat[int(i)], vy[i], crs)
    return lon, lat, problems


def _numbers(col: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Parse a text column as floats (NaN where it is not a number) and return the stripped text too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # fast path: every cell is a plain number
        values = pc.cast(pa.array(col, type=pa.string()), pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(values, dtype=np.float64), col
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        text = col.str.strip()
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64), text


def _convert(vx: np.ndarray, vy: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 lon/lat from coordinates in *crs*, and which rows are bad (missing or out of range)."""
    with np.errstate(invalid="ignore"):
        if crs in (GK_CM123, "EPSG:4549"):
            ok = (vx > 0) & (vx < 1e6) & (vy > 0) & (vy < 1e7)
        elif crs == GK_ZONE41:
            ok = (vx > 41e6) & (vx < 42e6) & (vy > 0) & (vy < 1e7)
        else:
            ok = (np.abs(vx) <= 180) & (np.abs(vy) <= 90)
        if is_offset(crs):
            ok &= ~np.asarray(outside_china(vx, vy), dtype=bool)
    vx, vy = np.where(ok, vx, np.nan), np.where(ok, vy, np.nan)
    lon, lat = transform_xy(vx, vy, crs, WGS84)
    return lon, lat, ~(ok & np.isfinite(lon) & np.isfinite(lat))


def _why(cx: str, tx: object, vx: float, cy: str, ty: object, vy: float, crs: str) -> str:
    """Say what is wrong with one row's coordinates."""
    out = []
    for col, text, val in ((cx, tx, vx), (cy, ty, vy)):
        if text == "":
            out.append(f"{col} is missing")
        elif not np.isfinite(val):
            out.append(f"{col} {text!r} is not a number")
    if out:
        return "; ".join(out)
    if crs in (GK_CM123, "EPSG:4549"):
        if vx > 4e6 and vy < 1e6:
            return (
                f"{cx}={tx}, {cy}={ty}: x and y look swapped "
                "(x is the easting; Chinese survey X is the northing)"
            )
        if vx > 1e6:
            return f"{cx}={tx} carries a zone prefix: use `crs='EPSG:4529'`"
        return f"{cx}={tx}, {cy}={ty} outside the range of {crs} (easting 0..1,000,000 m)"
    if crs == GK_ZONE41:
        if vx < 1e6:
            return f"{cx}={tx} has no zone prefix 41: use `crs='EPSG:4550'`"
        return f"{cx}={tx} is not in Gauss-Kruger zone 41 (41,000,000..42,000,000)"
    if abs(vx) > 180 or abs(vy) > 90:
        hint = (
            "; lon and lat look swapped"
            if abs(vy) <= 180 and abs(vx) <= 90
            else "; these look like projected metres: pass `crs='EPSG:4550'` (or `crs='EPSG:4529'`)"
            if abs(vx) > 1000
            else ""
        )
        return f"{cx}={tx}, {cy}={ty} outside [-180, 180] x [-90, 90]{hint}"
    return f"{cx}={tx}, {cy}={ty} lies outside China, where {crs} does not apply"


class RowLog:
    """Collects the bad rows of one input file; blank rows count only if data follows them.

    Readers add each chunk's problems; the CLI writes :meth:`rejects` or raises
    :meth:`raise_if_bad` (one line naming every bad row).
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self.bad: list[tuple[int, str]] = []
        self.pending: list[tuple[int, str]] = []
        self.frames: list[pd.DataFrame] = []

    def add(
        self, rows: np.ndarray, problems: dict[int, str], frame: pd.DataFrame | None = None
    ) -> np.ndarray:
        """Record a chunk's problems (position -> text); return the mask of good rows."""
        good = np.ones(len(rows), dtype=bool)
        good[list(problems)] = False
        blank = np.zeros(len(rows), dtype=bool)
        blank[[i for i, p in problems.items() if p == "blank row"]] = True
        data = np.flatnonzero(~blank)
        if data.size and self.pending:
            self.bad.extend(self.pending)
            self.pending = []
        last = data[-1] if data.size else -1
        for i in sorted(problems):
            entry = (int(rows[i]), problems[i])
            (self.pending if blank[i] and i > last else self.bad).append(entry)
        if frame is not None and not good.all():
            self.frames.append(frame[~good])
        return good

    def rejects(self) -> pd.DataFrame:
        """Return the bad rows (trailing blank rows excluded): row, problem and the raw fields."""
        probs = dict(self.bad)
        raw = pd.concat(self.frames) if self.frames else pd.DataFrame(index=pd.Index([], name="row"))
        raw = raw[raw.index.isin(list(probs))]
        out = pd.DataFrame({"problem": [probs[r] for r in raw.index]}, index=raw.index)
        out = pd.concat([out, raw.astype(str)], axis=1) if len(raw.columns) else out
        out.index.name = "row"
        return out

    def raise_if_bad(self) -> None:
        """Raise one InputError line naming every bad row (the first few in full)."""
        if not self.bad:
            return
        shown = "; ".join(f"{self.what} {r}: {p}" for r, p in self.bad[:_SHOW])
        more = f"; and {len(self.bad) - _SHOW} more" if len(self.bad) > _SHOW else ""
        raise InputError(
            f"{self.path}: {len(self.bad)} bad row(s): {shown}{more} "
            "(fix them, or pass `skip_invalid=True` to write them to a rejects "
            "file and go on)"
        )


def _read_csv(path: Path, crs: str | None, names: dict[str, str | None], rows: RowLog) -> gpd.GeoDataFrame:

    frames, lons, lats = [], [], []
    for chunk, lon, lat, problems in csv_chunks(
        path, crs=crs, lon=names.get("lon"), lat=names.get("lat"), x=names.get("x"), y=names.get("y")
    ):
        good = rows.add(chunk.index.to_numpy(), problems, chunk)
        frames.append(chunk[good])
        lons.append(lon[good])
        lats.append(lat[good])
    if not frames:
        raise InputError(f"{path}: the CSV is empty (no header row)")
    frame = pd.concat(frames)
    geom = gpd.points_from_xy(np.concatenate(lons), np.concatenate(lats))
    return gpd.GeoDataFrame(frame, geometry=geom, crs=WGS84)


# ---------------------------------------------------------------- geometry files


def _read_geo(path: Path, fmt: str, crs: str | None, layer: str | None) -> gpd.GeoDataFrame:

    check_size(path)
    try:
        if fmt == "gktxt":
            return read_gktxt(path)
        if fmt == "parquet":
            return gpd.read_parquet(path)

        import pyogrio  # GDAL: only for the formats it reads (about 30 MB)

        layers = [n for n, _ in pyogrio.list_layers(path)]
        if layer is None and len(layers) > 1:
            raise InputError(
                f"{path}: holds {len(layers)} layers ({', '.join(layers)}); pick one with `layer=`"
            )
        if layer is not None and layer not in layers:
            raise InputError(f"{path}: no layer {layer!r}; it has: {', '.join(layers) or 'none'}")
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
            which = f"layer {layer or layers[0]!r}" if layers else "the file"
            raise InputError(
                f"{path}: {which} has no geometry column (a plain table); sites need points or "
                "polygons: add a geometry in QGIS, or export the table as CSV with lon/lat columns"
            )
        return gdf
    except (InputError, CRSError):
        raise
    except Exception as err:  # pyogrio/pyarrow raise many types
        raise InputError(f"{path}: cannot read {fmt}: {err}") from err


def _is_lonlat(crs: Any) -> bool:

    c = pyproj.CRS.from_user_input(crs)
    return c.equals(pyproj.CRS("OGC:CRS84")) or c.to_epsg() in (4326, 4490)


def _geo_to_wgs84(
    gdf: gpd.GeoDataFrame, path: Path, fmt: str, crs: str | None, rows: RowLog, start: int = 1
) -> gpd.GeoDataFrame:
    """Check a file's geometries and bring the good ones to EPSG:4326 (rows numbered from *start*)."""
    canon = parse_crs(crs, allow=_CRS_ALLOWED) if crs else None
    lonlat = gdf.crs is None or _is_lonlat(gdf.crs)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    problems = _geometry_problems(geoms)
    if is_offset(canon):
        if not lonlat:
            raise CRSError(f"{path}: the file's CRS is {gdf.crs}, not lon/lat; `crs={crs!r}` does not apply")
        gdf = to_wgs84(gdf.set_crs(WGS84, allow_override=True), src=canon)
    elif canon is not None:
        if gdf.crs is None or (fmt == "geojson" and lonlat):
            gdf = gdf.set_crs(canon, allow_override=True)
        elif not pyproj.CRS.from_user_input(gdf.crs).equals(pyproj.CRS.from_user_input(canon)):
            raise CRSError(f"{path}: the file declares {gdf.crs}; `crs={crs!r}` disagrees (drop `crs=`)")
    elif gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    out = gdf if _is_lonlat(gdf.crs) else gdf.to_crs(WGS84)
    b = shapely.bounds(np.asarray(out.geometry.values, dtype=object))
    with np.errstate(invalid="ignore"):
        inside = (np.abs(b[:, [0, 2]]) <= 180).all(1) & (np.abs(b[:, [1, 3]]) <= 90).all(1)
    for i in np.flatnonzero(~inside):
        problems.setdefault(
            int(i),
            f"coordinates {b[i, 0]:.6g}, {b[i, 1]:.6g} outside [-180, 180] x [-90, 90] "
            "(projected metres? give the CRS with `crs=`)",
        )
    index = _row_index(len(gdf), start)
    frame = gdf.drop(columns=gdf.geometry.name).set_axis(index)
    check_columns(list(frame.columns), path)  # case-only twins, or a column the results writers add
    raw = frame.assign(wkt=shapely.to_wkt(geoms, rounding_precision=-1))
    good = rows.add(np.asarray(index), problems, raw)
    out = out.set_axis(index)[good]
    return out.set_crs(WGS84, allow_override=True)


def _row_index(n: int, start: int = 1) -> Any:
    """Return a row index named ``row``, from *start* (1-based rows)."""
    return pd.RangeIndex(start, start + n, name="row")


def _geometry_problems(geoms: np.ndarray) -> dict[int, str]:

    tid = shapely.get_type_id(geoms)
    problems: dict[int, str] = {}
    for i in np.flatnonzero((tid < 0) | shapely.is_empty(geoms)):
        problems[int(i)] = "geometry is missing or empty"
    for i in np.flatnonzero((tid >= 0) & ~np.isin(tid, (0, 3, 6))):
        problems.setdefault(
            int(i), f"unsupported geometry type {geoms[i].geom_type}; use Point, Polygon or MultiPolygon"
        )
    polys = np.flatnonzero(np.isin(tid, (3, 6)))
    for i in polys[~shapely.is_valid(geoms[polys])]:
        problems.setdefault(
            int(i),
            f"invalid polygon: {shapely.is_valid_reason(geoms[i])} (repair it, e.g. with shapely.make_valid)",
        )
    pts = np.flatnonzero(tid == 0)
    with np.errstate(invalid="ignore"):
        for i in pts[~np.isfinite(shapely.get_x(geoms[pts]) + shapely.get_y(geoms[pts]))]:
            problems.setdefault(int(i), "coordinates are not finite numbers")
    return problems


def check_layer_option(path: Path, layer: str | None) -> None:
    """Refuse ``layer=`` for an input that has no layers (it would be ignored silently)."""
    fmt = FORMATS.get(path.suffix.lower())
    if layer is not None and fmt != "gpkg":
        raise InputError(f"{path}: `layer={layer!r}` applies only to a GeoPackage; this is {fmt} (drop it)")


def read_sites(
    path: str | os.PathLike[str],
    *,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    skip_invalid: bool = False,
    layer: str | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read candidate sites (points or polygons) from a file.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.geojson``/``.json``, ``.gpkg``, ``.parquet`` (GeoParquet,
        or plain Parquet with lon/lat columns) or ``.txt`` (国土TXT).
    crs : str, optional
        What the coordinates are (see the module docstring).
    lon, lat, x, y : str, optional
        CSV column names, when automatic detection does not fit.
    skip_invalid : bool
        Return bad rows as rejects instead of raising.
    layer : str, optional
        The layer of a multi-layer GeoPackage.

    Returns
    -------
    sites : geopandas.GeoDataFrame
        The good rows in EPSG:4326, indexed by source row (``row``).
    rejects : pandas.DataFrame
        The bad rows: ``problem`` and the raw fields, indexed by ``row``.

    Raises
    ------
    InputError
        Unreadable files, missing columns, a file with no rows, and bad rows
        (all of them named, in one line) unless *skip_invalid*.
    CRSError
        A CRS that is unknown or contradicts the file's.
    """
    path = Path(path)
    fmt = format_of(path, FORMATS, "input")
    check_regular(path, InputError)
    check_layer_option(path, layer)  # a FIFO, device or folder is refused before it is opened
    if fmt == "parquet" and not _is_geoparquet(path):
        fmt = "table"
    rows = RowLog(
        path,
        "line"
        if fmt == "csv"
        else "row"
        if fmt in ("parquet", "table", "gpkg")
        else "parcel"
        if fmt == "gktxt"
        else "feature",
    )
    if fmt in ("csv", "table"):
        names = {"lon": lon, "lat": lat, "x": x, "y": y}
        gdf = _read_csv(path, crs, names, rows) if fmt == "csv" else _read_table(path, crs, names, rows)
    else:
        gdf = _geo_to_wgs84(_read_geo(path, fmt, crs, layer), path, fmt, crs, rows)
    if not skip_invalid:
        rows.raise_if_bad()
    if not len(gdf) and not rows.bad:
        holds = {"csv": "a header but no rows", "geojson": "no features"}.get(fmt, "no rows")
        raise InputError(f"{path}: no sites (the file has {holds})")
    return gdf, rows.rejects()


def _is_geoparquet(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception as err:  # pyarrow raises several types
        raise InputError(f"{path}: cannot read Parquet: {err}") from err


def _read_table(path: Path, crs: str | None, names: dict[str, str | None], rows: RowLog) -> gpd.GeoDataFrame:
    """Read a plain Parquet table with coordinate columns, checked like a CSV (rows from 1)."""
    frame = pd.read_parquet(path)
    check_columns([str(c) for c in frame.columns], path)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    text = frame.astype(str).where(frame.notna(), "")
    canon = parse_crs(crs, allow=_CRS_ALLOWED) if crs else WGS84
    cols = [str(c) for c in frame.columns]
    if canon in (GK_CM123, GK_ZONE41, "EPSG:4549"):
        cx, cy = (
            _find(cols, names["x"] or names["lon"], _EAST, "easting (x)", path),
            _find(cols, names["y"] or names["lat"], _NORTH, "northing (y)", path),
        )
    else:
        cx, cy = (
            _find(cols, names["lon"] or names["x"], _LON, "longitude", path),
            _find(cols, names["lat"] or names["y"], _LAT, "latitude", path),
        )
    lon, lat, problems = _check_chunk(text, cx, cy, canon)
    good = rows.add(frame.index.to_numpy(), problems, text)
    return gpd.GeoDataFrame(frame[good], geometry=gpd.points_from_xy(lon[good], lat[good]), crs=WGS84)


def geoparquet_chunks(
    path: str | os.PathLike[str], rows: RowLog, *, crs: str | None = None, chunksize: int = 500_000
) -> Iterator[gpd.GeoDataFrame]:
    """Read a GeoParquet file batch by batch: each batch checked like :func:`read_sites` (rows from 1).

    Bad rows go to *rows*; each yielded frame holds the good rows of one batch, in EPSG:4326.
    Memory is bounded by *chunksize* rows, whatever the size of the file.
    """
    import json

    import pyarrow.parquet as pq

    path = Path(path)
    try:
        pf = pq.ParquetFile(path)
        meta = json.loads((pf.schema_arrow.metadata or {})[b"geo"])
        column = meta["primary_column"]
        file_crs = meta["columns"][column].get("crs", "OGC:CRS84")
    except Exception as err:  # pyarrow and json raise several types
        raise InputError(f"{path}: cannot read GeoParquet: {err}") from err
    start = 1
    try:
        batches = pf.iter_batches(batch_size=chunksize)
        for batch in batches:
            table = batch.to_pandas()
            geoms = shapely.from_wkb(table.pop(column).to_numpy())
            gdf = gpd.GeoDataFrame(table, geometry=geoms, crs=file_crs)
            yield _geo_to_wgs84(gdf, path, "parquet", crs, rows, start)
            start += len(table)
    except (InputError, CRSError):
        raise
    except Exception as err:  # pyarrow and shapely raise several types
        raise InputError(f"{path}: cannot read GeoParquet: {err}") from err
