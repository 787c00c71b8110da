"""The chunked CSV pipeline: read, check, screen and write any number of points in bounded memory.

:func:`screen_csv` is what ``lzspatial screen SITES.csv --out …`` runs. Each chunk of
rows is checked (bad rows are logged with their line numbers), screened with
:func:`~lzspatial.screening.engine.screen_xy` and handed to a
:class:`~lzspatial.screening.results.ResultWriter`, so memory does not grow with the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lzspatial.crs import WGS84, parse_crs
from lzspatial.crs.transforms import transform_xy
from lzspatial.plan.model import Plan, require_plan
from lzspatial.screening.engine import screen, screen_xy
from lzspatial.screening.results import PARQUET_ROW_GROUP, WRITTEN_COLUMNS, ResultWriter, check_columns
from lzspatial.screening.sites import FORMATS, RowLog, csv_parts, geoparquet_chunks, read_sites

__all__ = [
    "CSV_CHUNK",
    "screen_file",
    "screen_iter",
    "CORE_LABEL",
    "OUTSIDE_LABEL",
    "StreamSummary",
    "check_site_columns",
    "screen_csv",
    "tally",
]

#: Rows per chunk of a streamed CSV: one GeoParquet row group each.
CSV_CHUNK = PARQUET_ROW_GROUP
#: How the tallies name sites in the core and outside every zone.
CORE_LABEL, OUTSIDE_LABEL = "core / 核心区", "(outside the district)"


@dataclass
class StreamSummary:
    """Counts of a screening run: sites screened, and sites per zone and per verdict."""

    sites: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def tally(summary: StreamSummary, res: pd.DataFrame) -> None:
    """Add one chunk of screening results to *summary* (per zone, and per verdict if present)."""
    summary.sites += len(res)
    for col in ("zone_id", "verdict"):
        if col not in res.columns:
            continue
        counts = summary.counts.setdefault(col, {})
        if isinstance(res[col].dtype, pd.CategoricalDtype):  # count the codes
            for label, n in _coded_counts(res, col).items():
                counts[label] = counts.get(label, 0) + n
            continue
        values = res[col].astype(object)
        if col == "zone_id":
            core = res["in_core"].to_numpy(bool) if "in_core" in res.columns else np.zeros(len(res), bool)
            none = values.isna().to_numpy()
            values = values.mask(none & core, CORE_LABEL).mask(none & ~core, OUTSIDE_LABEL)
        for k, v in values.fillna("(none)").value_counts().items():
            counts[str(k)] = counts.get(str(k), 0) + int(v)


def _coded_counts(res: pd.DataFrame, col: str) -> dict[str, int]:
    """Count a categorical column for :func:`tally`, from its codes."""
    codes = res[col].cat.codes.to_numpy().astype(np.int64)
    labels = ["(none)", *map(str, res[col].cat.categories)]
    slot = codes + 1  # missing (-1) -> 0
    if col == "zone_id":  # missing: in the core, or outside every zone and the core
        core = res["in_core"].to_numpy(bool) if "in_core" in res.columns else np.zeros(len(res), bool)
        labels = [CORE_LABEL, OUTSIDE_LABEL, *labels[1:]]
        slot = np.where(codes < 0, np.where(core, 0, 1), codes + 2)
    counts: dict[str, int] = {}
    for label, n in zip(labels, np.bincount(slot, minlength=len(labels)).tolist(), strict=True):
        if n:
            counts[label] = counts.get(label, 0) + n
    return counts


def check_site_columns(sites: Any, plan: Plan, industry: str | None, where: object) -> None:
    """Refuse site columns that clash with the columns screening adds (see :func:`check_columns`).

    The result columns depend on the plan, the industry and the geometry type, so they are
    found by screening the first site alone; nothing is written before this check.
    """
    if not len(sites):
        return
    geom = sites.geometry.name
    probe = screen(sites[[geom]].iloc[:1], plan, industry)
    added = (*WRITTEN_COLUMNS, *(c for c in probe.columns if c != probe.geometry.name))
    check_columns([c for c in sites.columns if c != geom], where, added=added, by="screening")


def screen_csv(
    path: str | os.PathLike[str],
    plan: Plan,
    *,
    industry: str | None = None,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    writer: ResultWriter | None = None,
    skip_invalid: bool = False,
    chunksize: int = CSV_CHUNK,
    progress: Callable[[int], Any] | None = None,
    threads: int | None = None,
    pipeline: bool = True,
) -> tuple[StreamSummary, RowLog]:
    """Screen a CSV of points chunk by chunk, writing results as they come.

    Parameters
    ----------
    path : path-like
        The CSV (lon/lat columns, or x/y with a projected *crs*).
    plan : Plan
        The loaded plan.
    industry : str, optional
        An industry chain key (already parsed): adds the verdict columns.
    crs, lon, lat, x, y : str, optional
        As for :func:`~lzspatial.screening.sites.read_sites`.
    writer : ResultWriter, optional
        Receives each screened chunk; the caller closes (or aborts) it.
    skip_invalid : bool
        Go on past bad rows (they are logged) instead of stopping the output.
    chunksize : int
        Rows per chunk (a UTF-8 file is read in chunks of exactly this many rows; each
        chunk is one GeoParquet row group).
    progress : callable, optional
        Called with the number of rows of each chunk read.
    threads : int, optional
        Screening threads (default :data:`lzspatial.screening.engine.THREADS`).
    pipeline : bool
        Read (and check and project) the next chunk and write the last one on their own
        threads while a chunk is screened; three chunks are then in memory. The results
        are the same either way.

    Returns
    -------
    (StreamSummary, RowLog)
        The counts, and the log of bad rows (raise with ``log.raise_if_bad()``).
    """
    plan = require_plan(plan, "screen_csv")
    path = Path(path)
    log = RowLog(path, "line")
    summary = StreamSummary()
    metric = _metric_crs(plan)
    parts = _projected(
        csv_parts(path, crs=crs, lon=lon, lat=lat, x=x, y=y, chunksize=chunksize, fast=True), metric
    )
    # with *pipeline*, chunk k+1 is read (and projected) and chunk k-1 written while chunk k is
    # screened (pyarrow, numpy, pyproj and GEOS release the GIL): the reading thread is one
    # thread for the whole file, so its pyproj transformer is made once
    try:
        with (
            ThreadPoolExecutor(1, "lzspatial-read") as reading,
            ThreadPoolExecutor(1, "lzspatial-write") as writing,
        ):
            ahead = reading.submit(next, parts, None) if pipeline else None
            written: Future[None] | None = None
            while (item := ahead.result() if ahead is not None else next(parts, None)) is not None:
                if ahead is not None:
                    ahead = reading.submit(next, parts, None)
                if written is not None and written.done():  # a failed write stops the run now
                    written.result()
                    written = None
                chunk, xs, ys, problems, metric_xy = item
                good = log.add(chunk.rows, problems, chunk.frame() if problems else None)
                if log.bad and not skip_invalid:  # stop the output; keep reading to report every bad row
                    if progress is not None:
                        progress(len(chunk))
                    continue
                keep = None if good.all() else good
                gx, gy = (xs, ys) if keep is None else (xs[keep], ys[keep])
                res = _screen_points(gx, gy, metric_xy, keep, plan, metric, industry, threads)
                if not summary.sites:  # before anything is written: the one naming rule of the writers
                    added = (*WRITTEN_COLUMNS, *res.columns)
                    check_columns(chunk.columns, path, added=added, by="screening")
                tally(summary, res)
                if written is not None:
                    written.result()
                    written = None
                if writer is not None and len(res):
                    rows = chunk.rows if keep is None else chunk.rows[keep]
                    args = (rows, chunk.text(keep), res, gx, gy)
                    if pipeline:
                        written = writing.submit(writer.write_points, *args)
                    else:
                        writer.write_points(*args)
                if progress is not None:
                    progress(len(chunk))
                del res, item, chunk
            if written is not None:
                written.result()
    finally:
        parts.close()
    return summary, log


def _metric_crs(plan: Plan) -> str | None:
    """Return the plan's metric CRS if :func:`screen_xy` takes it as is (``crs=``), else None."""
    import warnings

    metric = plan.metric_crs
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return metric if parse_crs(metric) == metric else None
    except Exception:  # noqa: BLE001 - an unknown or trap CRS: screen lon/lat as given
        return None


def _projected(
    parts: Iterator[tuple[Any, np.ndarray, np.ndarray, dict[int, str]]], metric: str | None
) -> Generator[tuple[Any, np.ndarray, np.ndarray, dict[int, str], Any], None, None]:
    """Add each chunk's coordinates in *metric* (what :func:`screen_xy` computes first), or None."""
    try:
        for chunk, xs, ys, problems in parts:
            if metric is None:
                yield chunk, xs, ys, problems, None
                continue
            mx, my = transform_xy(xs, ys, WGS84, metric)
            if not np.isfinite(np.add.reduce(mx) + np.add.reduce(my)):  # a point the CRS can't hold
                given = np.isfinite(xs) & np.isfinite(ys)
                for i in np.flatnonzero(~(np.isfinite(mx) & np.isfinite(my)) & given):
                    at = f"lon={xs[i]:.6g}, lat={ys[i]:.6g}"
                    problems.setdefault(int(i), f"{at} lies outside the area of {metric}, the plan's CRS")
            yield chunk, xs, ys, problems, (mx, my)
    finally:
        parts.close()  # type: ignore[attr-defined]


def _screen_points(
    xs: np.ndarray,
    ys: np.ndarray,
    metric_xy: Any,
    keep: np.ndarray | None,
    plan: Plan,
    metric: str | None,
    industry: str | None,
    threads: int | None,
) -> pd.DataFrame:
    """:func:`screen_xy` of WGS84 *xs*, *ys*, from their metric coordinates when given and finite.

    Every point is transformed alone, so transforming the chunk first gives the coordinates
    that ``screen_xy`` would compute; anything not finite takes the lon/lat path as before.
    """
    if metric_xy is not None and metric is not None:
        mx, my = metric_xy if keep is None else (metric_xy[0][keep], metric_xy[1][keep])
        if np.isfinite(mx).all() and np.isfinite(my).all():
            return screen_xy(mx, my, plan, crs=metric, industry=industry, threads=threads)
    return screen_xy(xs, ys, plan, industry=industry, threads=threads)


def screen_iter(
    frames: Iterable[Any], plan: Plan, industry: str | None = None, *, threads: int | None = None
) -> Iterator[Any]:
    """Screen an iterable of GeoDataFrames one at a time: memory is bounded by the largest frame.

    Each frame is screened with :func:`~lzspatial.screening.engine.screen` and yielded before
    the next is read, so inputs of any size stream through (read them in batches, e.g. with
    :func:`~lzspatial.screening.sites.geoparquet_chunks` or ``pyogrio.read_dataframe(...,
    skip_features=, max_features=)``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from lzspatial import load_plan
    >>> parts = (gpd.GeoDataFrame(geometry=[Point(122.72, 41.51 + k / 100)], crs=4326) for k in range(3))
    >>> [len(out) for out in screen_iter(parts, load_plan())]
    [1, 1, 1]
    """
    plan = require_plan(plan, "screen_iter")
    for frame in frames:
        yield screen(frame, plan, industry, threads=threads)


def screen_file(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    plan: Plan,
    industry: str | None = None,
    *,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    skip_invalid: bool = False,
    chunksize: int = CSV_CHUNK,
    threads: int | None = None,
) -> tuple[StreamSummary, RowLog]:
    """Screen a file of sites into a results file, in constant memory for CSV and GeoParquet.

    CSV and GeoParquet inputs stream in chunks of *chunksize* rows (read, checked, screened
    and written one after the other); other formats are read whole. The output follows its
    extension (:data:`lzspatial.screening.results.OUTPUTS`) and is written atomically: bad
    rows (unless *skip_invalid*) raise one :class:`~lzspatial.errors.InputError` naming them,
    and nothing is written.

    Returns
    -------
    (StreamSummary, RowLog)
        The counts, and the bad rows (``log.rejects()``) when *skip_invalid*.
    """
    plan = require_plan(plan, "screen_file")
    src = Path(src)
    fmt = FORMATS.get(src.suffix.lower())
    names: dict[str, Any] = {"lon": lon, "lat": lat, "x": x, "y": y}
    with ResultWriter(out) as writer:
        if fmt == "csv":
            summary, log = screen_csv(
                src,
                plan,
                industry=industry,
                crs=crs,
                writer=writer,
                skip_invalid=skip_invalid,
                chunksize=chunksize,
                threads=threads,
                **names,
            )
        elif fmt == "parquet" and _is_geoparquet_file(src):
            summary, log = StreamSummary(), RowLog(src, "row")
            for part in geoparquet_chunks(src, log, crs=crs, chunksize=chunksize):
                if log.bad and not skip_invalid:
                    continue  # keep reading to name every bad row
                if not summary.sites:
                    check_site_columns(part, plan, industry, src)
                res = screen(part, plan, industry, threads=threads)
                tally(summary, res)
                writer.write(res)
        else:
            gdf, rejects = read_sites(src, crs=crs, skip_invalid=skip_invalid, **names)
            log = RowLog(src, "row")
            log.bad = [(int(r), str(p)) for r, p in zip(rejects.index, rejects["problem"], strict=True)]
            check_site_columns(gdf, plan, industry, src)
            summary = StreamSummary()
            res = screen(gdf, plan, industry, threads=threads)
            tally(summary, res)
            writer.write(res)
        if log.bad and not skip_invalid:
            log.raise_if_bad()
    return summary, log


def _is_geoparquet_file(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception:  # noqa: BLE001 - read_sites names the problem
        return False
