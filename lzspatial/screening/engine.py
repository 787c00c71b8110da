"""Site screening: where each site falls in the plan and how far it is from what matters.

:func:`screen` takes points and/or polygons and returns a new GeoDataFrame
aligned to the input index: the input's columns plus the columns below.
:func:`screen_xy` does the same for bare coordinate arrays (what the CLI
streams through, chunk by chunk). All measures are exact, in the plan's
metric CRS (EPSG:4550); distances are true geometric distances.

Columns
-------
zone_id, zone_name_zh, zone_name_en, zone_functions
    The zone covering a point (the first in plan order, boundary included);
    for a polygon, the zone holding the largest part of it. Functions are
    joined with ``;``. Missing outside every zone.
in_core
    The point lies in the core; for a polygon, at least half of it does.
park_id, park_name_zh, park_name_en
    The park covering the point (first in plan order); for a polygon, the
    park with the largest overlap. Missing if none.
in_eco_red_line, in_basic_farmland, in_urban_development_boundary
    The point lies in a control line of that kind; a polygon takes land
    (area > 0) from one.
dist_axis_m + nearest_axis_id, dist_center_m + nearest_center_id,
dist_town_m + nearest_town_id, dist_key_town_m + nearest_key_town_id
(towns of rank ``key``), dist_railway_m + nearest_railway_id (transport of
kind ``railway``), dist_logistics_m + nearest_logistics_id (parks of kind
bonded_zone, logistics_park, timber_port or customs_station)
    Metres from the site (a polygon: from its nearest point; 0 when it
    touches or contains the feature) to the nearest feature, and its id. In
    exact ties the first feature in plan order wins. NaN and missing when
    the plan has no such feature.
site_area_ha, area_ha__<id>, share_pct__<id> (polygons only)
    The site's area, and the area (ha) and share of the site (%) taken from
    the core, each zone and each control line, by feature id (plan order).
data_basis
    The weakest ``geometry_basis`` of the plan features these answers read
    (``schematic`` for the default plan): an answer computed from schematic
    geometry is schematic too. :func:`answer_basis` gives it per answer.
industry, verdict, verdict_rules, verdict_reasons, verdict_reasons_zh (with an industry)
    ``pass``, ``conditional`` or ``fail`` per the plan's ``siting.toml``
    (see :mod:`lzspatial.siting`); the cited rule ids joined with ``;``, and
    one reason per cited rule joined with `` | ``.

How it is fast
--------------
A plan index (built once per plan and cached) lays a grid of up to 256 x 256
cells over the plan. For each polygon every cell is classified as inside,
outside or crossed by the boundary; cells that need an exact test are split
8 x 8 and the sub-cells classified the same way, so most points are answered
by table lookups and only points in crossed sub-cells are tested exactly
(``shapely.intersects_xy`` on prepared geometry). For each distance layer the
features are exploded into 2-point segments and every cell keeps the
segments that can be nearest to some point in it (pruned from coarse to fine
with the cell radius, then with exact per-cell bounds); cells left with a few
candidates are split 4 x 4 and pruned again. A cell or sub-cell with one
candidate is keyed by the branch of the GEOS point-segment formula that holds
all over it (distance to an end, or perpendicular), so such a point computes
that branch alone, bit-identical to the whole formula; the others rank their
candidates. Points go through in chunks of :data:`CHUNK` on two threads
(numpy, pyproj and GEOS release the GIL), each chunk read, checked,
transformed and screened in one pass and written straight into preallocated
result columns; each worker thread rebuilds the PROJ pipeline from its
string rather than from the PROJ database. Polygon areas use the same cell
classes (summed-area tables) and GEOS intersections for the boundary cases;
polygon distances use GEOS (``STRtree.query_nearest``).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> from lzspatial import load_plan
>>> sites = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(122.72, 41.51)], crs=4326)
>>> out = screen(sites, load_plan(), industry="trade_logistics")
>>> out.loc[0, "in_core"], out.loc[0, "verdict"]
(np.True_, 'conditional')
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from lzspatial.crs import WGS84, parse_crs, transformer
from lzspatial.crs.transforms import by_proj, transform_xy
from lzspatial.errors import CRSError, InputError
from lzspatial.plan.model import require_plan
from lzspatial.plan.schema import weakest_basis
from lzspatial.rules.siting import decide, load_siting, parse_industry, reason
from lzspatial.screening.grid import PolyLayer
from lzspatial.screening.plan_index import (
    CONTROL_KINDS,
    DISTANCES,
    LOGISTICS_KINDS,
    PlanIndex,
    plan_index,
)

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = [
    "CHUNK",
    "CONTROL_KINDS",
    "DISTANCES",
    "LOGISTICS_KINDS",
    "THREADS",
    "answer_basis",
    "screen",
    "screen_xy",
]

#: Points per chunk (bounds memory; each chunk is one task for the thread pool).
CHUNK = 125_000
#: Worker threads.
THREADS = 2


# ---------------------------------------------------------------- per-chunk work


def _points_chunk(
    idx: PlanIndex, x: np.ndarray, y: np.ndarray, targets: dict[str, PolyLayer]
) -> dict[str, np.ndarray]:
    """All answers for one chunk of points in the metric CRS."""
    cell, every = idx.grid.cells(x, y)
    out: dict[str, np.ndarray] = {
        "zone": idx.layers["zones"].first_cover(x, y, cell, every),
        "core": idx.layers["core"].first_cover(x, y, cell, every) >= 0,
        "park": idx.layers["parks"].first_cover(x, y, cell, every),
    }
    for kind, layer in idx.kind_layers.items():
        out[f"in_{kind}"] = layer.first_cover(x, y, cell, every) >= 0
    for name, near in idx.near.items():
        out[f"dist_{name}"], out[f"near_{name}"] = near.nearest_xy(x, y, cell, every)
    for rule_id, layer in targets.items():
        out[f"rule:{rule_id}"] = layer.first_cover(x, y, cell, every) >= 0
    return out


def _polygons_chunk(
    idx: PlanIndex, geoms: np.ndarray, targets: dict[str, PolyLayer], siting: Any
) -> dict[str, np.ndarray]:
    """All answers for one chunk of polygons in the metric CRS."""
    area = shapely.area(geoms)
    bounds = shapely.bounds(geoms)
    out: dict[str, np.ndarray] = {"site_area": area}
    for name in ("zones", "core", "parks", "control_lines"):
        out[f"area:{name}"] = idx.layers[name].areas(geoms, bounds, area)
    z, p = out["area:zones"], out["area:parks"]
    out["zone"] = np.where(z.max(axis=1, initial=0) > 0, z.argmax(axis=1) if z.shape[1] else -1, -1)
    out["park"] = np.where(p.max(axis=1, initial=0) > 0, p.argmax(axis=1) if p.shape[1] else -1, -1)
    out["core"] = out["area:core"].sum(axis=1) >= 0.5 * area
    kinds = idx.frames["control_lines"]["kind"].to_numpy()
    for kind in CONTROL_KINDS:
        out[f"in_{kind}"] = np.asarray((out["area:control_lines"][:, kinds == kind] > 0).any(axis=1))
    for name, near in idx.near.items():
        taken = out["area:parks"][:, idx.logistics] if name == "logistics" else None
        out[f"dist_{name}"], out[f"near_{name}"] = near.nearest_geoms(geoms, bounds, area, taken)
    for rule_id, layer in targets.items():
        taken = layer.areas(geoms, bounds, area)[:, 0] if len(layer.geoms) else np.zeros(len(geoms))
        rule = siting.rule(rule_id)
        if rule.when == "inside":
            out[f"rule:{rule_id}"] = taken >= siting.overlap_min_m2
        else:
            out[f"rule:{rule_id}"] = taken >= area * siting.inside_min_share_pct / 100.0
    return out


def _threads(threads: int | None) -> int:
    """Return the worker threads to use: *threads*, else :data:`THREADS`."""
    n = THREADS if threads is None else int(threads)
    if n < 1:
        raise InputError(f"screen: threads must be at least 1, got {threads!r}")
    return n


def _map_chunks(
    func: Callable[[slice], Any],
    n: int,
    chunk: int,
    threads: int,
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """Run *func* over slices of ``range(n)`` (on a thread pool when there are several) in order."""
    slices = [slice(a, min(a + chunk, n)) for a in range(0, n, chunk)] or [slice(0, 0)]
    if len(slices) == 1 or threads < 2:
        parts = []
        for sl in slices:
            parts.append(func(sl))
            if progress is not None and len(slices) > 1:
                progress(sl.stop - sl.start)
        return parts
    parts = []
    with ThreadPoolExecutor(threads) as pool:
        for part, sl in zip(pool.map(func, slices), slices, strict=True):
            parts.append(part)
            if progress is not None:
                progress(sl.stop - sl.start)
    return parts


def _run_chunks(
    func: Callable[[slice], dict[str, np.ndarray]],
    n: int,
    chunk: int,
    threads: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Run *func* over slices of ``range(n)`` and concatenate the answers."""
    parts = _map_chunks(func, n, chunk, threads, progress)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


class _Unprojected(Exception):  # noqa: N818 - internal signal, turned into an InputError
    """A point at *pos* has no finite coordinates in the plan's metric CRS."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


def _outside(what: str, metric: str) -> str:
    return (
        f"{what} lies outside the area of the plan's metric CRS {metric} (it has no finite "
        "coordinates there; the plan covers one district): drop it or check its coordinates"
    )


class _Store:
    """Result columns that chunks fill in place (no concatenation at the end).

    Allocated on the calling thread: memory a worker thread allocates comes from its own
    malloc arena, fresh pages that are faulted in one by one.
    """

    def __init__(self, n: int, layout: dict[str, Any]) -> None:
        self.n = n
        self.cols: dict[str, np.ndarray] = {k: np.empty(n, dtype=dt) for k, dt in layout.items()}


# ---------------------------------------------------------------- columns


def _lut(idx: PlanIndex, key: str, values: list[Any]) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """Categories (sorted text of *values*) and the lookup table from a value's position to its code.

    ``lut[-1]`` is -1, so ``lut[codes]`` maps "none" (-1) to missing. Cached on the index.
    """
    hit = idx.luts.get(key)
    if hit is None:
        text = np.array([str(v) for v in values], dtype=object)
        cats, pos = (
            np.unique(text, return_inverse=True) if len(values) else (text, np.zeros(0, dtype=np.int64))
        )
        small = np.int8 if cats.size < 127 else np.int16 if cats.size < 32_767 else np.int32
        lut = np.r_[np.asarray(pos).reshape(-1), -1].astype(small)
        hit = idx.luts[key] = (pd.CategoricalDtype(pd.Index(cats, dtype=object)), lut)
    return hit


def _cat(values: list[Any], codes: np.ndarray) -> pd.Categorical:
    """Return a categorical of ``values[code]`` (missing where code < 0)."""
    cats, pos = (
        np.unique(np.array([str(v) for v in values], dtype=object), return_inverse=True)
        if values
        else (np.array([], dtype=object), np.array([], dtype=np.int64))
    )
    codes = np.asarray(codes)
    mapped = np.where(codes >= 0, pos[np.maximum(codes, 0)] if len(values) else -1, -1)
    return pd.Categorical.from_codes(mapped, categories=pd.Index(cats, dtype=object))


def _specs(idx: PlanIndex) -> list[tuple[str, str, str, list[Any] | None]]:
    """Return the screening columns in order: (column, kind, answer key, category values)."""
    zones, parks = idx.frames["zones"], idx.frames["parks"]
    out: list[tuple[str, str, str, list[Any] | None]] = [
        ("zone_id", "cat", "zone", list(zones["id"])),
        ("zone_name_zh", "cat", "zone", list(zones["name_zh"])),
        ("zone_name_en", "cat", "zone", list(zones["name_en"])),
        ("zone_functions", "cat", "zone", [";".join(f or ()) for f in zones.get("functions", [])]),
        ("in_core", "bool", "core", None),
        ("park_id", "cat", "park", list(parks["id"])),
        ("park_name_zh", "cat", "park", list(parks["name_zh"])),
        ("park_name_en", "cat", "park", list(parks["name_en"])),
    ]
    out += [(f"in_{kind}", "bool", f"in_{kind}", None) for kind in CONTROL_KINDS]
    out.append(("data_basis", "const", "", None))
    for name, near in idx.near.items():
        out.append((f"dist_{name}_m", "float", f"dist_{name}", None))
        out.append((f"nearest_{name}_id", "cat", f"near_{name}", list(near.ids)))
    return out


def _compact(idx: PlanIndex, res: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Raw answers of a chunk as the compact arrays of the final columns (category codes, bools, floats)."""
    out: dict[str, np.ndarray] = {}
    for col, kind, key, values in _specs_cached(idx):
        if kind == "cat":
            _, lut = _lut(idx, col, values or [])
            out[col] = lut[res[key]]
        elif kind == "bool":
            out[col] = np.asarray(res[key], dtype=bool)
        elif kind == "float":
            out[col] = np.asarray(res[key], dtype=np.float64)
    return out


def _specs_cached(idx: PlanIndex) -> list[tuple[str, str, str, list[Any] | None]]:
    specs = idx.luts.get("__specs__")
    if specs is None:
        specs = idx.luts["__specs__"] = _specs(idx)
    return specs


def _assemble(idx: PlanIndex, comp: dict[str, np.ndarray], n: int) -> dict[str, Any]:
    """Return the documented columns from compact arrays (categoricals share the cached dtypes)."""
    cols: dict[str, Any] = {}
    for col, kind, _key, values in _specs_cached(idx):
        if kind == "cat":
            dtype, _ = _lut(idx, col, values or [])
            cols[col] = pd.Categorical.from_codes(comp[col], dtype=dtype, validate=False)
        elif kind == "const":
            weakest = weakest_basis(idx.basis.values()) or "sourced"
            cols[col] = pd.Categorical.from_codes(
                np.zeros(n, dtype=np.int8), categories=pd.Index([weakest]), validate=False
            )
        else:
            cols[col] = comp[col]
    return cols


def _columns(idx: PlanIndex, res: dict[str, np.ndarray], polygons: bool) -> dict[str, Any]:
    """Turn raw answers into the documented columns."""
    n = len(res["zone"])
    cols = _assemble(idx, _compact(idx, res), n)
    if polygons:
        area = res["site_area"]
        cols["site_area_ha"] = area / 1e4
        with np.errstate(invalid="ignore", divide="ignore"):
            for name in ("core", "zones", "control_lines"):
                for k, fid in enumerate(idx.frames[name]["id"]):
                    taken = res[f"area:{name}"][:, k]
                    cols[f"area_ha__{fid}"] = taken / 1e4
                    cols[f"share_pct__{fid}"] = np.where(area > 0, taken / area * 100.0, np.nan)
    return cols


def _rule_bits(res: dict[str, np.ndarray], rules: list[Any]) -> np.ndarray:
    """One integer per site: bit *b* set when the site is inside the target of rule *b*."""
    bits = np.zeros(len(res["zone"]), dtype=np.int64)
    for b, rule in enumerate(rules):
        bits |= res[f"rule:{rule.id}"].astype(np.int64) << b
    return bits


#: Up to this many rules per industry, the verdict columns' categories are every possible answer.
_ALL_COMBINATIONS = 12


def _decisions(idx: PlanIndex, rules: list[Any], industry: str, keys: np.ndarray) -> list[list[str]]:
    """Verdict, rule ids, reasons (en, zh) for each combination of fired rules in *keys*."""
    rows = [{r.id: bool((int(key) >> b) & 1) for b, r in enumerate(rules)} for key in keys]
    verdicts, cited, fired = decide(rules, rows)
    rule_txt, en_txt, zh_txt = [], [], []
    for cs, fs in zip(cited, fired, strict=True):
        texts = [reason(r, f, idx.plan) for r, f in zip(cs, fs, strict=True)]
        rule_txt.append(";".join(r.id for r in cs))
        zh_txt.append(" | ".join(t[0] for t in texts) or "无适用的选址规则")
        en_txt.append(" | ".join(t[1] for t in texts) or f"no siting rule applies to {industry}")
    return [list(verdicts), rule_txt, en_txt, zh_txt]


def _verdicts(idx: PlanIndex, bits: np.ndarray, rules: list[Any], industry: str, n: int) -> dict[str, Any]:
    """Verdict columns from the per-site rule bits (one decision per combination of fired rules).

    With up to :data:`_ALL_COMBINATIONS` rules every combination is decided once per plan and
    industry, and the categories are every possible answer: the dtypes do not depend on the
    sites (one partition of a Dask job has the dtypes of the next).
    """
    bits = np.asarray(bits, dtype=np.int64)
    if len(rules) <= _ALL_COMBINATIONS:
        cache_key = f"verdicts:{industry}:" + ",".join(r.id for r in rules)
        table = idx.luts.get(cache_key)
        if table is None:
            table = idx.luts[cache_key] = _decisions(idx, rules, industry, np.arange(1 << len(rules)))
        inverse = bits
    else:
        keys, inverse = np.unique(bits, return_inverse=True)
        table = _decisions(idx, rules, industry, keys)
    inverse = np.asarray(inverse).reshape(-1)
    verdicts, rule_txt, en_txt, zh_txt = table
    return {
        "industry": pd.Categorical.from_codes(
            np.zeros(n, dtype=np.int8), categories=pd.Index([industry]), validate=False
        ),
        "verdict": _cat(verdicts, inverse),
        "verdict_rules": _cat(rule_txt, inverse),
        "verdict_reasons": _cat(en_txt, inverse),
        "verdict_reasons_zh": _cat(zh_txt, inverse),
    }


# ---------------------------------------------------------------- public API


def _rules(idx: PlanIndex, industry: str | None) -> tuple[str | None, Any, list[Any], dict[str, PolyLayer]]:
    if industry is None:
        return None, None, [], {}

    key = parse_industry(idx.plan, industry)
    siting = load_siting(idx.plan)
    rules = siting.rules_for(key)
    return key, siting, rules, {r.id: idx.target(siting, r) for r in rules}


def screen_xy(
    x: Any,
    y: Any,
    plan: Plan,
    *,
    crs: str = WGS84,
    industry: str | None = None,
    progress: Callable[[int], None] | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Screen points given as coordinate arrays.

    Parameters
    ----------
    x, y : array-like
        Longitudes and latitudes (or eastings and northings) of the points.
    crs : str
        Their CRS: ``EPSG:4326`` (default), ``EPSG:4490``, ``EPSG:4550``,
        ``EPSG:4529``, ``gcj02`` or ``bd09``.
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    industry : str, optional
        An industry chain of the plan (key or label): adds the verdict columns.
    progress : callable, optional
        Called with the number of points done after each chunk.
    threads : int, optional
        Worker threads (default :data:`THREADS`); chunks of :data:`CHUNK` points run in parallel.

    Returns
    -------
    pandas.DataFrame
        The columns documented in :mod:`lzspatial.screening` (no geometry),
        with a RangeIndex.

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> xs, ys = [122.945933, 122.72], [41.546229, 41.51]
    >>> df = screen_xy(xs, ys, load_plan(), industry="bonded_warehousing_processing")
    >>> df[["zone_id", "park_id", "verdict"]].values.tolist()
    [['zone-east', 'park-bonded-jinhai', 'pass'], [nan, nan, 'fail']]
    """
    crs = parse_crs(crs)
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(f"screen_xy: x and y must be 1-D arrays of one length, got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        bad = np.flatnonzero(~(np.isfinite(x) & np.isfinite(y)))
        raise InputError(
            f"screen_xy: {bad.size} point(s) have missing or non-finite coordinates "
            f"(first at position {int(bad[0])}); drop or fix them first"
        )
    pl = require_plan(plan, "screen")
    idx = plan_index(pl)
    key, siting, rules, targets = _rules(idx, industry)
    tr = _xy_transformer(crs, pl.metric_crs)
    store = _Store(x.size, _point_layout(idx, rules))

    def work(sl: slice) -> None:
        mx, my = transform_xy(x[sl], y[sl], crs, pl.metric_crs) if tr is None else tr.transform(x[sl], y[sl])
        _point_answers(idx, mx, my, targets, rules, store, sl)

    try:
        _map_chunks(work, x.size, CHUNK, _threads(threads), progress)
    except _Unprojected as err:
        at = f"({float(x[err.pos])!r}, {float(y[err.pos])!r} in {crs})"
        where = f"screen_xy: the point at position {err.pos} {at}"
        raise InputError(_outside(where, pl.metric_crs)) from None
    return pd.DataFrame(_point_columns(idx, store, rules, key))


def _xy_transformer(crs: str, metric: str) -> Any:
    """Return the transformer :func:`transform_xy` would use from *crs* to *metric* (see :func:`_per_thread`).

    None where :func:`transform_xy` does something else (the same CRS, WGS84 and CGCS2000
    taken as one, or the offset datums GCJ-02 and BD-09).
    """
    if not by_proj(crs, metric):
        return None
    return _per_thread(transformer(crs, metric))


def _point_layout(idx: PlanIndex, rules: list[Any]) -> dict[str, Any]:
    """Return the dtype of each compact answer column of points (what :func:`_point_answers` fills)."""
    out: dict[str, Any] = {}
    for col, kind, _key, values in _specs_cached(idx):
        if kind == "cat":
            out[col] = _lut(idx, col, values or [])[1].dtype
        elif kind == "bool":
            out[col] = np.dtype(bool)
        elif kind == "float":
            out[col] = np.dtype(np.float64)
    if rules:
        out["_rule_bits"] = np.dtype(np.int64)
    return out


def _point_answers(
    idx: PlanIndex,
    mx: np.ndarray,
    my: np.ndarray,
    targets: dict[str, PolyLayer],
    rules: list[Any],
    store: _Store,
    sl: slice,
) -> None:
    """Store the compact answers of one chunk of points (metric coordinates) at *sl*.

    Raises :class:`_Unprojected` for a point whose metric coordinates are not finite (far
    outside the area of the plan's metric CRS, where the projection has no value).
    """
    if not np.isfinite(np.add.reduce(mx) + np.add.reduce(my)):  # finite only if all are
        bad = np.flatnonzero(~(np.isfinite(mx) & np.isfinite(my)))
        if bad.size:
            raise _Unprojected(sl.start + int(bad[0]))
    res = _points_chunk(idx, np.asarray(mx), np.asarray(my), targets)
    cols = store.cols
    for col, kind, key, values in _specs_cached(idx):
        if kind == "cat":
            cols[col][sl] = _lut(idx, col, values or [])[1][res[key]]
        elif kind in ("bool", "float"):
            cols[col][sl] = res[key]
    if rules:
        cols["_rule_bits"][sl] = _rule_bits(res, rules)


def _point_columns(idx: PlanIndex, store: _Store, rules: list[Any], key: str | None) -> dict[str, Any]:
    """Return the documented columns of screened points from the filled store."""
    cols = _assemble(idx, store.cols, store.n)
    if key is not None:
        cols.update(_verdicts(idx, store.cols["_rule_bits"], rules, key, store.n))
    return cols


def answer_basis(plan: Plan) -> dict[str, str]:
    """Return the ``geometry_basis`` each screening answer rests on, by answer.

    Keys: ``zone``, ``core``, ``park``, ``in_<control kind>`` and ``dist_<name>``. A "no"
    from a schematic control line is as schematic as a "yes": the report prints it as
    "否（示意数据）".

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> answer_basis(load_plan())["in_basic_farmland"]
    'schematic'
    """
    return dict(plan_index(require_plan(plan, "answer_basis")).basis)


def screen(
    sites: gpd.GeoDataFrame,
    plan: Plan,
    industry: str | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    threads: int | None = None,
) -> gpd.GeoDataFrame:
    """Screen sites (points and/or polygons) against a plan.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Points, Polygons or MultiPolygons with a CRS. It is not modified.
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    industry : str, optional
        An industry chain of the plan's vocabulary (key, or its zh/en label):
        adds ``verdict`` and friends from the plan's ``siting.toml``.
    progress : callable, optional
        Called with the number of sites done after each chunk.
    threads : int, optional
        Worker threads (default :data:`THREADS`).

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with the input's index, columns and geometry, plus the
        columns documented in :mod:`lzspatial.screening` (input columns of
        the same names are replaced).

    Raises
    ------
    InputError
        Sites that are not a GeoDataFrame, or with missing, empty, invalid or
        unsupported geometries (the message names the index labels).
    CRSError
        Sites without a CRS.
    RuleError
        A malformed ``siting.toml`` (with an industry).

    Notes
    -----
    Sites are checked and screened in chunks of :data:`CHUNK` on the thread pool, and each
    chunk's answers are stored straight into compact result columns (category codes of one
    or two bytes, booleans, float64 distances): memory above the input stays near 100 bytes
    per point. :func:`lzspatial.screening.stream.screen_iter` screens an iterable of frames
    one at a time, for inputs of any size.
    """
    if not isinstance(sites, gpd.GeoDataFrame):
        raise InputError(
            f"screen: sites must be a GeoDataFrame, got {type(sites).__name__}; "
            "read files with lzspatial.read_sites"
        )
    if sites.crs is None:
        raise CRSError(
            "screen: the sites have no CRS; set it with sites.set_crs('EPSG:4326') "
            "(or the CRS the coordinates are in)"
        )
    nthreads = _threads(threads)
    geoms = np.asarray(sites.geometry.values, dtype=object)
    tally = _Tally(progress)
    new = _all_points(sites, geoms, plan, industry, nthreads, tally)
    if new is None:
        new = _mixed(sites, geoms, plan, industry, nthreads, tally)
    new.index = sites.index
    clash = [c for c in new.columns if c in sites.columns and c != sites.geometry.name]
    base = sites.drop(columns=clash) if clash else sites
    out = pd.concat([base, new], axis=1)
    return gpd.GeoDataFrame(out, geometry=sites.geometry.name, crs=sites.crs)


class _Tally:
    """A progress callback that reports each site once, however many passes the sites take.

    :func:`_all_points` reports the chunks it screens; when it gives up, :func:`_mixed`
    starts over and its first reports are held back until they pass what was reported.
    """

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.reported = 0
        self.done = 0

    def restart(self) -> None:
        self.done = 0

    def __call__(self, k: int) -> None:
        self.done += k
        if self.progress is not None and self.done > self.reported:
            step, self.reported = self.done - self.reported, self.done
            self.progress(step)


def _all_points(
    sites: gpd.GeoDataFrame, geoms: np.ndarray, plan: Plan, industry: str | None, threads: int, tally: _Tally
) -> pd.DataFrame | None:
    """Screen sites that are all points with finite coordinates in one pass, checks included.

    Each chunk reads its coordinates (``shapely.get_x`` is NaN for anything but a point, and
    raises for an empty point), and goes on to screen them only if they are all finite, which
    proves the chunk has nothing :func:`_kinds` would reject or treat as a polygon. Returns
    None, having stopped early, when a chunk cannot be proved so, or when the plan, industry
    or CRS is refused: :func:`_mixed` then does everything as before (checks first, in the
    same order, with the same messages).
    """
    try:
        pl = require_plan(plan, "screen")
        idx = plan_index(pl)
        key, _siting, rules, targets = _rules(idx, industry)
        tr = _transformer(sites.crs, pl.metric_crs)
    except Exception:  # noqa: BLE001 - raised again, in the documented order, by _mixed
        return None
    n = len(geoms)
    store = _Store(n, _point_layout(idx, rules))
    stop = threading.Event()

    def work(sl: slice) -> None:
        if stop.is_set():
            return
        g = geoms[sl]
        try:
            gx, gy = shapely.get_x(g), shapely.get_y(g)
        except shapely.errors.GEOSException:  # an empty point
            stop.set()
            return
        if not np.isfinite(np.add.reduce(gx) + np.add.reduce(gy)):  # finite only if all are
            stop.set()
            return
        mx, my = (gx, gy) if tr is None else tr.transform(gx, gy, inplace=True)  # gx, gy are ours
        if tr is not None and not np.isfinite(np.add.reduce(mx) + np.add.reduce(my)):
            stop.set()  # outside the metric CRS: _mixed names the site
            return
        _point_answers(idx, mx, my, targets, rules, store, sl)

    def done(k: int) -> None:  # on the calling thread, in order
        if not stop.is_set():
            tally(k)

    _map_chunks(work, n, CHUNK, threads, done if tally.progress is not None else None)
    if stop.is_set():
        tally.restart()
        return None
    return pd.DataFrame(_point_columns(idx, store, rules, key), copy=False)


def _mixed(
    sites: gpd.GeoDataFrame, geoms: np.ndarray, plan: Plan, industry: str | None, threads: int, tally: _Tally
) -> pd.DataFrame:
    """Check and screen any sites: points and (multi)polygons, raising on bad ones."""
    nthreads = threads
    progress = tally if tally.progress is not None else None  # counts on from _all_points
    kind, gx, gy = _kinds(geoms, sites.index, nthreads)
    pl = require_plan(plan, "screen")
    idx = plan_index(pl)
    key, siting, rules, targets = _rules(idx, industry)
    tr = _transformer(sites.crs, pl.metric_crs)
    pts = np.flatnonzero(kind == 0)
    polys = np.flatnonzero(kind == 1)
    parts = []
    if pts.size or not polys.size:
        every = pts.size == kind.size
        px, py = (gx, gy) if every else (gx[pts], gy[pts])
        store = _Store(pts.size, _point_layout(idx, rules))

        def work(sl: slice) -> None:
            mx, my = (px[sl], py[sl]) if tr is None else tr.transform(px[sl], py[sl])
            _point_answers(idx, mx, my, targets, rules, store, sl)

        try:
            _map_chunks(work, pts.size, CHUNK, nthreads, progress)
        except _Unprojected as err:
            label = sites.index[int(pts[err.pos])]
            raise InputError(_outside(f"screen: site {label!r}", pl.metric_crs)) from None
        frame = pd.DataFrame(_point_columns(idx, store, rules, key), copy=False)
        del store
        parts.append(frame if every else frame.set_axis(pts))
    if polys.size:
        metric = (
            geoms[polys]
            if tr is None
            else shapely.transform(geoms[polys], lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        )
        unprojected = np.flatnonzero(~np.isfinite(shapely.bounds(metric)).all(axis=1))
        if unprojected.size:
            where = f"screen: {unprojected.size} site(s) ({_labels(sites.index, polys[unprojected])})"
            raise InputError(_outside(where, pl.metric_crs).replace(" lies ", " lie ", 1))

        def pwork(sl: slice) -> dict[str, np.ndarray]:
            return _polygons_chunk(idx, metric[sl], targets, siting)

        res = _run_chunks(pwork, polys.size, max(1, CHUNK // 10), nthreads, progress)
        cols = _columns(idx, res, polygons=True)
        if key is not None:
            cols.update(_verdicts(idx, _rule_bits(res, rules), rules, key, polys.size))
        parts.append(pd.DataFrame(cols, index=pd.RangeIndex(polys.size)).set_axis(polys))
    return parts[0] if len(parts) == 1 else pd.concat(parts).sort_index()


def _kinds(geoms: np.ndarray, index: Any, threads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0 for points, 1 for (multi)polygons, and the points' coordinates (NaN elsewhere).

    Checked chunk by chunk on the thread pool; raises one InputError naming the bad rows.
    """

    def check(sl: slice) -> dict[str, np.ndarray]:
        g = geoms[sl]
        tid = shapely.get_type_id(g)
        kind = np.where(tid == 0, 0, np.where((tid == 3) | (tid == 6), 1, -1)).astype(np.int8)
        empty = (tid < 0) | shapely.is_empty(g)
        x = np.full(tid.size, np.nan)
        y = np.full(tid.size, np.nan)
        pt = np.flatnonzero((kind == 0) & ~empty)
        if pt.size == tid.size:
            x, y = shapely.get_x(g), shapely.get_y(g)
        elif pt.size:
            x[pt], y[pt] = shapely.get_x(g[pt]), shapely.get_y(g[pt])
        with np.errstate(invalid="ignore"):
            nonfinite = (kind == 0) & ~empty & ~(np.isfinite(x) & np.isfinite(y))
        poly = np.flatnonzero((kind == 1) & ~empty)
        invalid = np.zeros(tid.size, dtype=bool)
        if poly.size:
            invalid[poly] = ~shapely.is_valid(g[poly])
        return {
            "kind": kind,
            "x": x,
            "y": y,
            "empty": empty,
            "unsupported": (kind < 0) & ~empty,
            "nonfinite": nonfinite,
            "invalid": invalid,
        }

    chunk = max(CHUNK // 4, 1)
    res = _run_chunks(check, len(geoms), chunk, threads)
    problems = []
    for name, mask in (
        ("missing or empty geometry", res["empty"]),
        ("unsupported geometry type (use Point, Polygon or MultiPolygon)", res["unsupported"]),
    ):
        bad = np.flatnonzero(mask)
        if bad.size:
            problems.append(f"{name} at index {_labels(index, bad)}")
    if not problems:
        bad = np.flatnonzero(res["nonfinite"])
        if bad.size:
            problems.append(f"non-finite coordinates at index {_labels(index, bad)}")
        invalid = np.flatnonzero(res["invalid"])
        if invalid.size:
            why = shapely.is_valid_reason(geoms[invalid[0]])
            problems.append(
                f"invalid polygon at index {_labels(index, invalid)} ({why}); repair with shapely.make_valid"
            )
    if problems:
        raise InputError("screen: " + "; ".join(problems))
    return res["kind"], res["x"], res["y"]


def _labels(index: Any, pos: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(repr(index[int(p)]) for p in pos[:limit])
    return shown + (f" and {pos.size - limit} more" if pos.size > limit else "")


def _transformer(crs: Any, metric: str) -> Any:
    """Return a transformer from *crs* to the metric CRS, or None when they are the same."""
    try:
        src = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as err:
        raise CRSError(f"screen: cannot use the sites' CRS {crs!r}: {err}") from err
    if src == pyproj.CRS.from_user_input(metric):
        return None
    code = src.to_epsg()
    return _per_thread(
        transformer(f"EPSG:{code}" if code else src.to_wkt(), metric)
        if code
        else pyproj.Transformer.from_crs(src, metric, always_xy=True)
    )


#: Probe points (lon/lat or metres) on which a pipeline transformer must match its original.
_PROBES = (
    np.array([0.0, 1.0, 123.0, 122.72, -71.1, 500_000.0, 41_500_000.0, 1e-7]),
    np.array([0.0, 1.0, 41.5, 41.51, 42.3, 4_600_000.0, 4_600_000.0, -1e-7]),
)
_FAST: dict[int, Any] = {}
_FAST_LOCK = threading.Lock()


def _per_thread(tr: Any) -> Any:
    """Return *tr*, or the same single PROJ operation rebuilt from its pipeline string.

    A pyproj transformer builds its PROJ object once per thread, and one built from two CRSs
    looks its operation up in the PROJ database again in every new worker thread (about
    50 ms of CPU each, per call of :func:`screen`). PROJ runs a coordinate operation as its
    PROJ string, which is what ``definition`` gives for a single operation, so a transformer
    from that string computes the same numbers and builds in well under a millisecond. Used
    only when the operation is one PROJ pipeline (not a choice between alternatives, whose
    definition PROJ does not know before it transforms) and the two agree bit for bit on
    probe points; otherwise *tr* itself.
    """
    hit = _FAST.get(id(tr))
    if hit is not None and hit[0] is tr:
        return hit[1]
    fast = tr
    definition = getattr(tr, "definition", "") or ""
    if definition.startswith("proj="):
        try:
            cand = pyproj.Transformer.from_pipeline(definition)
            with np.errstate(all="ignore"):
                a = tr.transform(*_PROBES, errcheck=False)
                b = cand.transform(*_PROBES, errcheck=False)
            same = all(
                np.array_equal(np.asarray(u).view(np.int64), np.asarray(v).view(np.int64))
                for u, v in zip(a, b, strict=True)
            )
        except pyproj.exceptions.ProjError:
            same = False
        if same:
            fast = cand
    with _FAST_LOCK:
        if len(_FAST) >= 64:
            _FAST.clear()
        _FAST[id(tr)] = (tr, fast)
    return fast
