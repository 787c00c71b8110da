"""Feature-level comparison: per layer, features matched by ``id``.

Geometries are first compared exactly in EPSG:4326 (as stored); only the pairs
that differ are reprojected to the metric CRS and measured, with shapely 2's
vectorised functions. A pair whose Hausdorff distance is at most the tolerance
counts as unchanged (vertex jitter from editing tools). GEOS computes the
discrete Hausdorff distance: from every vertex of one geometry to the other
geometry (its segments), both ways, so a vertex added on a straight edge moves
nothing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import shapely

from lzspatial.crs import WGS84, transformer
from lzspatial.diff.model import FeatureChange, FieldChange, LayerSummary
from lzspatial.plan.model import Plan

__all__ = ["compare_layers", "geom_kind", "metric_array", "normalise"]


def geom_kind(geom_type: str) -> str:
    """Return ``polygon``, ``line`` or ``point`` for a geometry type name.

    Examples
    --------
    >>> geom_kind("MultiPolygon"), geom_kind("LineString"), geom_kind("Point")
    ('polygon', 'line', 'point')
    """
    return "polygon" if "Polygon" in geom_type else "line" if "LineString" in geom_type else "point"


def metric_array(geoms: np.ndarray, crs: str, *, inverse: bool = False) -> np.ndarray:
    """Reproject an array of EPSG:4326 geometries to *crs* (or back, with *inverse*), vectorised."""
    if not len(geoms):
        return geoms
    tr = transformer(crs, WGS84) if inverse else transformer(WGS84, crs)

    def xy(c: np.ndarray) -> np.ndarray:
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, xy))


def normalise(v: Any) -> Any:
    """Return a comparable, JSON-ready form of a property value (missing -> None, arrays -> lists).

    Examples
    --------
    >>> import numpy as np
    >>> normalise(np.float64("nan")), normalise(np.array(["a", "b"])), normalise(np.int64(3))
    (None, ['a', 'b'], 3)
    """
    if v is None:
        return None
    if isinstance(v, (list, tuple)):
        return [normalise(x) for x in v]
    if isinstance(v, np.ndarray):
        return [normalise(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _anchors(geoms: np.ndarray) -> np.ndarray:
    """Arrow anchors in EPSG:4326: a polygon's centroid, a line's midpoint, the point itself."""
    out = np.empty(len(geoms), dtype=object)
    if not len(geoms):
        return out
    types = shapely.get_type_id(geoms)
    lines = np.isin(types, (1, 2, 5))
    out[~lines] = shapely.centroid(geoms[~lines])
    if lines.any():
        out[lines] = shapely.line_interpolate_point(geoms[lines], 0.5, normalized=True)
    return out


def _xy(p: Any) -> tuple[float, float] | None:
    if p is None or p.is_empty:
        return None
    return (round(float(p.x), 6), round(float(p.y), 6))


def _r(v: float, nd: int) -> float:
    r = round(float(v), nd)
    return 0.0 if r == 0 else r


def _single_measures(kind: str, g: Any) -> dict[str, float | None]:
    if kind == "polygon":
        return {"area_ha": _r(g.area / 1e4, 4)}
    if kind == "line":
        return {"length_m": _r(g.length, 2)}
    return {}


def _pair_measures(kind: str, ga: Any, gb: Any, hd: float, moved: float) -> dict[str, float | None]:
    if kind == "point":
        return {"moved_m": _r(hd, 2)}
    if kind == "line":
        la, lb = ga.length, gb.length
        return {
            "hausdorff_m": _r(hd, 2),
            "length_a_m": _r(la, 2),
            "length_b_m": _r(lb, 2),
            "length_delta_m": _r(lb - la, 2),
        }
    aa, ab = ga.area / 1e4, gb.area / 1e4
    return {
        "area_a_ha": _r(aa, 4),
        "area_b_ha": _r(ab, 4),
        "area_delta_ha": _r(ab - aa, 4),
        "area_delta_pct": _r((ab - aa) / aa * 100, 2) if aa > 0 else None,
        "hausdorff_m": _r(hd, 2),
        "centroid_moved_m": _r(moved, 2),
    }


def _columns(fa: pd.DataFrame, fb: pd.DataFrame) -> list[str]:
    cols = [c for c in fa.columns if c not in ("geometry", "id")]
    cols += [c for c in fb.columns if c not in cols and c not in ("geometry", "id")]
    return cols


def _attribute_changes(fa: Any, fb: Any, pa: np.ndarray, pb: np.ndarray) -> list[list[FieldChange]]:
    """Per common feature (in the order of *pa*), the properties that differ."""
    out: list[list[FieldChange]] = [[] for _ in range(len(pa))]
    for col in _columns(fa, fb):
        va = fa[col].to_numpy(dtype=object)[pa] if col in fa.columns else np.full(len(pa), None, dtype=object)
        vb = fb[col].to_numpy(dtype=object)[pb] if col in fb.columns else np.full(len(pb), None, dtype=object)
        try:  # elementwise == in C: None == None, equal strings and lists are equal
            same = np.asarray(va == vb, dtype=bool)
        except (TypeError, ValueError):  # a cell holding an array: compare one by one
            same = np.zeros(len(pa), dtype=bool)
        for i in np.flatnonzero(~same):  # NaN == NaN is False: normalise decides
            nx, ny = normalise(va[i]), normalise(vb[i])
            if nx != ny:
                out[i].append(FieldChange(col, nx, ny))
    return out


def _texts(frame: Any, col: str, positions: np.ndarray) -> dict[int, str]:
    """Position -> the text of *col* ("" where missing or absent), for *positions* only."""
    if col not in frame.columns:
        return {int(p): "" for p in positions}
    values = frame[col].to_numpy(dtype=object)
    return {int(p): "" if normalise(values[p]) is None else str(values[p]) for p in positions}


def _one_sided(
    name: str, element: str, frame: Any, positions: np.ndarray, status: str, crs: str
) -> list[FeatureChange]:
    if not len(positions):
        return []
    geoms = np.asarray(frame.geometry.array)[positions]
    metric = metric_array(geoms, crs)
    anchors = _anchors(geoms)
    basis = frame["geometry_basis"].to_numpy(dtype=object)[positions]
    ids, zh, en = (_texts(frame, c, positions) for c in ("id", "name_zh", "name_en"))
    out = []
    for i, pos in enumerate(positions):
        kind = geom_kind(geoms[i].geom_type)
        b = None if basis[i] is None else str(basis[i])
        ch = FeatureChange(
            layer=name,
            element=element,
            id=ids[pos],
            status=status,
            name_zh=zh[pos],
            name_en=en[pos],
            kind=kind,
            basis_a=b if status == "removed" else None,
            basis_b=b if status == "added" else None,
            measures=_single_measures(kind, metric[i]),
        )
        if status == "added":
            ch.geom_b, ch.anchor_b = geoms[i], _xy(anchors[i])
        else:
            ch.geom_a, ch.anchor_a = geoms[i], _xy(anchors[i])
        out.append(ch)
    return out


def _common(
    name: str, element: str, fa: Any, fb: Any, pa: np.ndarray, pb: np.ndarray, crs: str, tolerance_m: float
) -> list[FeatureChange]:
    ga = np.asarray(fa.geometry.array)[pa]
    gb = np.asarray(fb.geometry.array)[pb]
    differ = ~shapely.equals_exact(ga, gb, tolerance=0.0)
    geo = np.zeros(len(pa), dtype=bool)
    hd = np.zeros(len(pa))
    moved = np.zeros(len(pa))
    ma = np.empty(len(pa), dtype=object)
    mb = np.empty(len(pa), dtype=object)
    idx = np.flatnonzero(differ)
    if idx.size:
        ma[idx] = metric_array(ga[idx], crs)
        mb[idx] = metric_array(gb[idx], crs)
        hd[idx] = shapely.hausdorff_distance(ma[idx], mb[idx])
        geo[idx] = hd[idx] > tolerance_m
        moved[idx] = shapely.distance(shapely.centroid(ma[idx]), shapely.centroid(mb[idx]))
    attrs = _attribute_changes(fa, fb, pa, pb)
    keep = np.flatnonzero(geo | np.array([bool(a) for a in attrs], dtype=bool))
    anchors_a = _anchors(ga[keep[geo[keep]]])
    anchors_b = _anchors(gb[keep[geo[keep]]])
    ai = 0
    basis_a = fa["geometry_basis"].to_numpy(dtype=object)[pa]
    basis_b = fb["geometry_basis"].to_numpy(dtype=object)[pb]
    ids, zh, en = (_texts(fb, c, pb[keep]) for c in ("id", "name_zh", "name_en"))
    out = []
    for i in keep:
        kind = geom_kind(gb[i].geom_type)
        ch = FeatureChange(
            layer=name,
            element=element,
            id=ids[pb[i]],
            status="changed",
            name_zh=zh[pb[i]],
            name_en=en[pb[i]],
            kind=kind,
            basis_a=None if basis_a[i] is None else str(basis_a[i]),
            basis_b=None if basis_b[i] is None else str(basis_b[i]),
            geometry_changed=bool(geo[i]),
            attributes=attrs[i],
            geom_a=ga[i],
            geom_b=gb[i],
        )
        if geo[i]:
            ch.measures = _pair_measures(kind, ma[i], mb[i], hd[i], moved[i])
            ch.anchor_a, ch.anchor_b = _xy(anchors_a[ai]), _xy(anchors_b[ai])
            ai += 1
        out.append(ch)
    return out


def compare_layers(
    a: Plan, b: Plan, tolerance_m: float = 0.0
) -> tuple[list[LayerSummary], list[FeatureChange]]:
    """Compare every layer of *a* and *b* feature by feature.

    Returns the per-layer counts (A's layer order, then layers only in B) and the
    changed features (per layer: removed, changed, added; each in its plan's order).
    """
    crs = a.metric_crs
    names = list(a.layer_names) + [n for n in b.layer_names if n not in a]
    layers: list[LayerSummary] = []
    changes: list[FeatureChange] = []
    for name in names:
        fa = a.layer(name) if name in a else None
        fb = b.layer(name) if name in b else None
        element = a.element(name) if fa is not None else b.element(name)
        if fa is None or fb is None:
            frame = fb if fa is None else fa
            assert frame is not None
            status = "added" if fa is None else "removed"
            found = _one_sided(name, element, frame, np.arange(len(frame)), status, crs)
            layers.append(
                LayerSummary(
                    name,
                    element,
                    status,
                    0 if fa is None else len(frame),
                    0 if fb is None else len(frame),
                    len(frame) if status == "added" else 0,
                    len(frame) if status == "removed" else 0,
                    0,
                )
            )
            changes.extend(found)
            continue
        ia, ib = pd.Index(fa["id"].astype(str)), pd.Index(fb["id"].astype(str))
        in_b = ib.get_indexer(ia)
        pa = np.flatnonzero(in_b >= 0)
        pb = in_b[pa]
        removed = np.flatnonzero(in_b < 0)
        added = np.flatnonzero(ia.get_indexer(ib) < 0)
        found_common = _common(name, element, fa, fb, pa, pb, crs, tolerance_m)
        changes.extend(_one_sided(name, element, fa, removed, "removed", crs))
        changes.extend(found_common)
        changes.extend(_one_sided(name, element, fb, added, "added", crs))
        layers.append(
            LayerSummary(name, element, "both", len(fa), len(fb), len(added), len(removed), len(found_common))
        )
    return layers, changes
