"""Screening on a Dask cluster, for inputs that outgrow one machine (optional extra ``lzspatial[dask]``).

:func:`screen_dask` screens a ``dask_geopandas.GeoDataFrame`` partition by partition;
:func:`screen_files` is what ``lzspatial screen SRC --engine dask`` runs: one partition per
input file (GeoParquet or CSV), screened on the workers and written as one GeoParquet file
per partition into an output folder, with the columns and types of the single-process path.

How it stays cheap on a cluster
-------------------------------
* The plan travels as a :class:`PlanHandle`: pickled with a stable key (the SHA-256 of the
  pickled plan). A worker process that unpickles a key it has seen gets its own copy back,
  whose plan index (:func:`~lzspatial.screening.plan_index.plan_index`) is already built: the
  index is built once per worker process, not once per task.
* The result's meta (columns and dtypes) comes from the schema: the input's empty frame plus
  the screening columns of a one-site probe at the plan's centre. The category dtypes come
  from the plan (every zone, park, feature id and verdict), so every partition has the same.
* Threads are explicit: ``threads_per_worker`` sets the Dask worker threads, and each task
  screens with one thread (``threads=1``): parallelism comes from the partitions.
* The output folder is written through :func:`lzspatial._util.atomic.staged_folder`: the
  partitions go into a staging folder inside it and are moved in only when every partition
  succeeded, so a failed or killed job never leaves a partial result looking complete.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lzspatial.errors import InputError, LzSpatialError, OutputError
from lzspatial.plan.model import require_plan
from lzspatial.screening.engine import screen

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = [
    "EXTRA",
    "PlanHandle",
    "expand_sources",
    "require_dask",
    "result_meta",
    "screen_dask",
    "screen_files",
]

#: The optional extra that brings dask-geopandas and distributed.
EXTRA = "lzspatial[dask]"


def require_dask() -> None:
    """Raise an :class:`InputError` naming the extra to install when Dask is missing."""
    missing = []
    for mod in ("dask", "distributed", "dask_geopandas"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod.replace("_", "-"))
    if missing:
        raise InputError(
            f"the dask engine needs {', '.join(missing)}: install the optional extra with "
            f"pip install '{EXTRA}'"
        )


# ---------------------------------------------------------------- the plan, once per worker

_PLANS: dict[str, Any] = {}
_PLANS_LOCK = threading.Lock()


class PlanHandle:
    """A plan that is unpickled once per process: tasks sharing the key share the plan and its index.

    Examples
    --------
    >>> import pickle
    >>> from lzspatial import load_plan
    >>> h = PlanHandle(load_plan())
    >>> pickle.loads(pickle.dumps(h)).plan is pickle.loads(pickle.dumps(h)).plan
    True
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = require_plan(plan, "PlanHandle")
        self._blob = pickle.dumps(self.plan, protocol=pickle.HIGHEST_PROTOCOL)
        #: Stable across pickling: the SHA-256 of the pickled plan.
        self.key = hashlib.sha256(self._blob).hexdigest()
        with _PLANS_LOCK:
            _PLANS.setdefault(self.key, self.plan)

    def __reduce__(self) -> tuple[Any, tuple[str, bytes]]:
        return (_handle, (self.key, self._blob))


def _handle(key: str, blob: bytes) -> PlanHandle:
    """Unpickle a :class:`PlanHandle`: the process's plan for *key*, unpickled on first sight."""
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is None:
            plan = _PLANS[key] = pickle.loads(blob)  # noqa: S301 - our own pickled plan
    h = PlanHandle.__new__(PlanHandle)
    h.plan, h._blob, h.key = plan, blob, key
    return h


# ---------------------------------------------------------------- meta and the partition function


def _screening_columns(frame: Any, plan: Plan, industry: str | None, polygons: bool) -> pd.DataFrame:
    """Return the screening columns (no rows) for sites in *frame*'s CRS: a probe at the plan's centre."""
    import geopandas as gpd

    pl = require_plan(plan, "screen_dask")
    c = pl.boundary_metric.representative_point()
    geoms = [c] + ([c.buffer(10.0)] if polygons else [])
    probe = gpd.GeoDataFrame(geometry=geoms, crs=pl.metric_crs)
    if frame.crs is not None:
        probe = probe.to_crs(frame.crs)
    out = screen(probe, pl, industry, threads=1)
    return pd.DataFrame(out.drop(columns=out.geometry.name)).iloc[:0]


def result_meta(meta: Any, plan: Plan, industry: str | None = None, polygons: bool = False) -> Any:
    """Return the empty GeoDataFrame :func:`screen` gives for sites with *meta*'s columns and CRS.

    Computed from the schema (the input's empty frame, and a probe for the screening columns),
    never by running on dask's made-up sample rows.
    """
    import geopandas as gpd

    new = _screening_columns(meta, plan, industry, polygons)
    geom = meta.geometry.name
    base = meta.drop(columns=[c for c in new.columns if c in meta.columns and c != geom])
    new.index = base.index[:0]
    out = pd.concat([base, new], axis=1)
    return gpd.GeoDataFrame(out, geometry=geom, crs=meta.crs)


def _screen_part(part: Any, handle: PlanHandle, industry: str | None, meta: Any, threads: int) -> Any:
    """Screen one partition with the worker's plan; the columns and dtypes of *meta*."""
    out = screen(part, handle.plan, industry, threads=threads)
    extra = [c for c in out.columns if c not in meta.columns]
    if extra:
        raise InputError(
            f"screen_dask: a partition holds polygon sites (columns {extra[0]!r}…); "
            "pass polygons=True (or --polygons)"
        )
    out = out.reindex(columns=meta.columns)
    for c in meta.columns:  # area columns absent in a point-only partition, categoricals as in meta
        if c != meta.geometry.name and out[c].dtype != meta[c].dtype:
            out[c] = out[c].astype(meta[c].dtype)
    return out


def screen_dask(
    ddf: Any,
    plan: Plan,
    industry: str | None = None,
    *,
    polygons: bool = False,
    threads: int = 1,
) -> Any:
    """Screen a ``dask_geopandas.GeoDataFrame`` partition by partition (lazily).

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        Sites with a CRS; points (or points and polygons with *polygons*).
    plan : Plan
        The loaded plan; it is shipped once per worker process (:class:`PlanHandle`).
    industry : str, optional
        An industry chain: adds the verdict columns.
    polygons : bool
        The sites include polygons: the result has the area columns too.
    threads : int
        Screening threads inside each task (default 1: Dask runs partitions in parallel).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; ``.compute()`` equals :func:`lzspatial.screen` on the whole frame, row for row,
        with the same dtypes (the categories come from the plan).
    """
    require_dask()
    pl = require_plan(plan, "screen_dask")
    if industry is not None:
        from lzspatial.rules.siting import parse_industry

        industry = parse_industry(pl, industry)
    if ddf._meta.crs is None:
        from lzspatial.errors import CRSError

        raise CRSError("screen_dask: the sites have no CRS; set it with ddf.set_crs('EPSG:4326')")
    meta = result_meta(ddf._meta, pl, industry, polygons)
    handle = PlanHandle(pl)
    return ddf.map_partitions(_screen_part, handle, industry, meta, threads, meta=meta)


# ---------------------------------------------------------------- files in, partitioned GeoParquet out


def expand_sources(src: str | os.PathLike[str]) -> tuple[list[Path], str]:
    """Return the input files of SRC (a folder, a glob, or one file) and their format (csv or parquet).

    A folder gives its ``*.parquet`` files (else its ``*.csv``), sorted; a glob is expanded
    and sorted. Every file must have the same format.
    """
    text = str(src)
    p = Path(text)
    if p.is_dir():
        files = sorted(p.glob("*.parquet")) or sorted(p.glob("*.csv"))
        if not files:
            raise InputError(f"{p}: the folder holds no .parquet or .csv files")
    elif any(ch in text for ch in "*?["):
        files = sorted(Path(f) for f in glob.glob(text))
        if not files:
            raise InputError(f"{text}: no file matches")
    elif p.is_file():
        files = [p]
    else:
        raise InputError(f"{text}: file not found")
    kinds = {f.suffix.lower() for f in files}
    if kinds - {".csv", ".parquet"} or len(kinds) != 1:
        raise InputError(
            f"{text}: the dask engine reads GeoParquet (.parquet) or CSV (.csv) files of one kind, "
            f"got {', '.join(sorted(kinds))}"
        )
    return files, kinds.pop().lstrip(".")


def _empty_input(path: Path, fmt: str, names: dict[str, Any]) -> Any:
    """Return the empty frame :func:`~lzspatial.screening.sites.read_sites` gives for *path* (its schema)."""
    import geopandas as gpd

    from lzspatial.crs import WGS84

    if fmt == "csv":
        from lzspatial.screening.sites import csv_chunks

        for chunk, *_ in csv_chunks(path, chunksize=1, **names):
            cols = {c: pd.Series([], dtype=object) for c in chunk.columns}
            break
        else:
            raise InputError(f"{path}: the CSV is empty (no header row)")
    else:
        import json

        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(path)
        except Exception as err:  # pyarrow raises several types
            raise InputError(f"{path}: cannot read Parquet: {err}") from err
        if b"geo" not in (schema.metadata or {}):
            raise InputError(f"{path}: not GeoParquet (no 'geo' metadata); the dask engine reads GeoParquet")
        table = schema.empty_table().to_pandas()
        geo = json.loads(schema.metadata[b"geo"])["primary_column"]
        cols = {c: table[c] for c in table.columns if c != geo}
    frame = pd.DataFrame(cols, index=pd.RangeIndex(1, 1, name="row"))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84, index=frame.index), crs=WGS84)


def _read_part(path: Path, names: dict[str, Any], meta: Any) -> Any:
    """Read and check one input file (rows named as by ``read_sites``), in EPSG:4326.

    A file with no rows is an empty partition (the whole input is refused only if every
    file is empty).
    """
    from lzspatial.screening.sites import read_sites

    if _no_rows(path):
        return meta.copy()
    gdf, _ = read_sites(path, **names)
    return gdf.astype({c: meta[c].dtype for c in meta.columns if c != meta.geometry.name}, copy=False)


def _declares_polygons(path: Path) -> bool:
    """Return whether a GeoParquet file declares polygon geometries (or no types at all)."""
    import json

    import pyarrow.parquet as pq

    geo = json.loads((pq.read_schema(path).metadata or {}).get(b"geo", b"{}") or b"{}")
    column = geo.get("columns", {}).get(geo.get("primary_column", ""), {})
    kinds = column.get("geometry_types", [])
    return not kinds or any("Polygon" in k for k in kinds)


def _no_rows(path: Path) -> bool:
    """Return whether *path* holds a header (or schema) but no rows."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return bool(pq.ParquetFile(path).metadata.num_rows == 0)
        except Exception:  # noqa: BLE001 - read_sites names the problem
            return False
    if path.stat().st_size > 1 << 16:
        return False
    lines = path.read_bytes().splitlines()
    return not any(line.strip() for line in lines[1:])


def _write_part(frame: Any, folder: str, name: str) -> dict[str, Any]:
    """Write one screened partition as GeoParquet (atomically) and return its tallies."""
    from lzspatial.screening.results import ResultWriter
    from lzspatial.screening.stream import StreamSummary, tally

    summary = StreamSummary()
    tally(summary, frame)
    with ResultWriter(Path(folder) / name) as w:
        w.write(frame)
    return {"sites": summary.sites, "counts": summary.counts}


@contextmanager
def _client(scheduler: str | None, workers: int | None, threads_per_worker: int) -> Iterator[Any]:
    """Connect to *scheduler*, or start (and close) a LocalCluster of *workers* processes."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(f"--scheduler {scheduler}: cannot connect: {err}") from err
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers or 2,
        threads_per_worker=threads_per_worker,
        processes=True,
        dashboard_address=":0",
        silence_logs=40,
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def screen_files(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    plan: Plan,
    industry: str | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int = 1,
    crs: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    x: str | None = None,
    y: str | None = None,
    polygons: bool | None = None,
) -> dict[str, Any]:
    """Screen input files on a Dask cluster into a folder of GeoParquet partitions.

    Parameters
    ----------
    src : str or path-like
        A folder of ``.parquet`` (GeoParquet) or ``.csv`` files, a glob, or one file.
        Each file is one partition; rows are numbered within their file (column ``row``).
    out : path-like
        The output folder (created if absent): ``part-00000.parquet``… one per input file,
        in the sorted order of the inputs. Written only when every partition succeeded.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); else a LocalCluster of
        *workers* processes (default 2) is started and closed.
    threads_per_worker : int
        Dask threads per worker process (LocalCluster only; a running cluster keeps its own).
    polygons : bool, optional
        Whether sites may be polygons (adds the area columns); default: from the GeoParquet
        files' declared geometry types (CSV sites are points).

    Returns
    -------
    dict
        ``sites`` (rows screened), ``counts`` (per zone and verdict), ``files``.
    """
    require_dask()
    import dask
    import dask.dataframe as dd

    from lzspatial._util.atomic import staged_folder

    pl = require_plan(plan, "screen_files")
    files, fmt = expand_sources(src)
    names: dict[str, Any] = {"crs": crs, "lon": lon, "lat": lat, "x": x, "y": y}
    if fmt == "parquet":
        names = {"crs": crs}
    meta_in = _empty_input(files[0], fmt, names)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: the dask engine writes a folder of GeoParquet files; give a folder")
    if threads_per_worker < 1:
        raise InputError(f"--threads-per-worker must be at least 1, got {threads_per_worker}")
    from lzspatial.screening.stream import check_site_columns

    check_site_columns(meta_in, pl, industry, files[0])
    if polygons is None:
        polygons = fmt == "parquet" and any(_declares_polygons(f) for f in files)
    if all(_no_rows(f) for f in files):
        raise InputError(f"{src}: no sites (every file has a header but no rows)")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with _client(scheduler, workers, threads_per_worker) as client, staged_folder(out) as stage:
            parts = [dask.delayed(_read_part)(f, names, meta_in) for f in files]
            ddf = dd.from_delayed(parts, meta=meta_in, verify_meta=False)
            screened = screen_dask(ddf, pl, industry, polygons=polygons, threads=1)
            writes = [
                dask.delayed(_write_part)(p, str(stage), f"part-{k:05d}.parquet")
                for k, p in enumerate(screened.to_delayed())
            ]
            results = client.compute(writes, sync=True)
    except LzSpatialError:
        _drop_if_empty(out, created)
        raise
    except Exception as err:
        _drop_if_empty(out, created)
        name = type(err).__name__
        if name == "KilledWorker":
            raise OutputError(
                f"{out}: a Dask worker died while screening ({err}); nothing was written "
                "(out of memory? retry with more memory per worker or smaller input files)"
            ) from err
        raise OutputError(f"{out}: the Dask job failed ({name}: {err}); nothing was written") from err
    total: dict[str, Any] = {"sites": 0, "counts": {}, "files": len(files)}
    for r in results:
        total["sites"] += r["sites"]
        for col, counts in r["counts"].items():
            mine = total["counts"].setdefault(col, {})
            for k, v in counts.items():
                mine[k] = mine.get(k, 0) + v
    return total


def _drop_if_empty(out: Path, created: bool) -> None:
    """Remove the output folder this job created if nothing is in it (no half-made result is left)."""
    if created:
        try:
            out.rmdir()
        except OSError:
            pass
