"""The rule kinds, one function each, in the vocabulary of QGIS and ArcGIS Data Reviewer.

Each takes a rule and a :class:`~lzspatial.rules.context.Context` and returns
(features checked, violation records).

A new kind goes here (a function and an entry in :data:`IMPLEMENTATIONS`) and in the
parameter registry :data:`lzspatial.rules.ruleset.KINDS`; a test keeps the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial.rules.context import Context, Features, violation_row
from lzspatial.rules.filters import is_null
from lzspatial.rules.report import format_measure

if TYPE_CHECKING:
    from lzspatial.rules.ruleset import Rule

__all__ = ["IMPLEMENTATIONS"]

_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def _distance_to(container: Any, geoms: Any) -> Any:
    """Distances from *geoms* (outside it) to *container*, via an STRtree of its boundary segments.

    Faster than ``shapely.distance`` against a large polygon: each query visits a few
    segments instead of every vertex.
    """
    if not len(geoms):
        return np.zeros(0)
    edges = shapely.boundary(container) if shapely.get_dimensions(container) == 2 else container
    segs = []
    for ln in shapely.get_parts(edges):
        xy = shapely.get_coordinates(ln)
        if len(xy) >= 2:
            segs.append(np.stack([xy[:-1], xy[1:]], axis=1))
    if not segs:
        return shapely.distance(geoms, container)
    tree = shapely.STRtree(np.asarray(shapely.linestrings(np.concatenate(segs)), dtype=object))
    (idx, _), found = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    dist = np.full(len(geoms), np.nan)
    dist[idx] = found
    return dist


def _tree(geoms: Any) -> Any:

    return shapely.STRtree(geoms)


# -- rule kinds ----------------------------------------------------------------------


def _outside(geoms: Any, parts: Any) -> Any:
    """Each of *geoms* less the union of *parts*: against the parts it meets only.

    The same set as ``difference(geoms, union_all(parts))``, without overlaying each geometry
    with the whole union (which grows with the plan: seconds for thousands of parts).
    """
    out = np.array(geoms, dtype=object)
    if not len(geoms):
        return out
    gi, pj = _tree(parts).query(geoms, predicate="intersects")
    if not len(gi):
        return out
    order = np.argsort(gi, kind="stable")
    gi, pj = gi[order], pj[order]
    starts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
    for a, b in zip(starts, np.r_[starts[1:], len(gi)], strict=True):
        i = gi[a]
        out[i] = shapely.difference(geoms[i], shapely.union_all(parts[pj[a:b]]))
    return out


def _must_be_within(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    tol = rule.param("tolerance_m")
    container = shapely.union_all(objs.geoms) if len(objs) else shapely.Polygon()
    zone = container.buffer(tol) if tol > 0 and not container.is_empty else container
    shapely.prepare(zone)
    bad = np.flatnonzero(~shapely.covers(zone, subj.geoms))
    g = subj.geoms[bad]
    dims = shapely.get_dimensions(g)
    measure = np.full(len(g), np.nan)
    shown = g.copy()
    pts, other = dims == 0, dims > 0
    if not container.is_empty:
        measure[pts] = _distance_to(container, g[pts])
    outside = _outside(g[other], objs.geoms) if not container.is_empty else g[other]
    measure[other] = np.where(dims[other] == 2, shapely.area(outside), shapely.length(outside))
    shown[other] = np.where(shapely.is_empty(outside), g[other], outside)
    out = []
    for k, i in enumerate(bad):
        unit = "m2" if dims[k] == 2 else "m"
        if dims[k] == 2:
            share = 100 * measure[k] / g[k].area
            what = f"has {format_measure(measure[k], unit)} ({share:.0f} % of its area)"
        elif dims[k] == 1:
            what = f"has {format_measure(measure[k], unit)} of its length"
        else:
            what = f"lies {format_measure(measure[k], unit)}"
        msg = f"{subj.ids[i]} {what} outside {objs.label} (tolerance {tol:g} m)"
        out.append(violation_row(subj, i, None, measure[k], unit, msg, shown[k]))
    return len(subj), out


def _must_contain(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    need = rule.param("min_count")
    counts = np.zeros(len(subj), dtype=int)
    if len(objs) and len(subj):
        s, o = _tree(objs.geoms).query(subj.geoms, predicate="covers")
        keep = ~subj.same(s, objs, o)
        counts = np.bincount(s[keep], minlength=len(subj))
    out = [
        violation_row(
            subj,
            i,
            None,
            counts[i],
            "count",
            f"{subj.ids[i]} contains {counts[i]} of {objs.label}; at least {need} required",
            subj.geoms[i],
        )
        for i in np.flatnonzero(counts < need)
    ]
    return len(subj), out


def _overlap(ga: Any, gb: Any, tol: float) -> tuple[Any, Any, Any, Any]:
    """Per pair: whether it overlaps, the measure, its unit and the overlap geometry."""
    dim = np.minimum(shapely.get_dimensions(ga), shapely.get_dimensions(gb))
    n = len(ga)
    hit, measure = np.zeros(n, dtype=bool), np.zeros(n)
    units, geom = np.full(n, "m2", dtype=object), np.empty(n, dtype=object)
    hi, lo = dim >= 1, dim < 1
    if hi.any():
        inter = shapely.intersection(ga[hi], gb[hi])
        area = dim[hi] == 2
        m = np.where(area, shapely.area(inter), shapely.length(inter))
        measure[hi], units[hi], geom[hi] = m, np.where(area, "m2", "m"), inter
        line_hit = (m > 0) & shapely.relate_pattern(ga[hi], gb[hi], "T********")
        hit[hi] = np.where(area, m > tol, line_hit)
    if lo.any():
        a, b = ga[lo], gb[lo]
        hit[lo] = shapely.relate_pattern(a, b, "T********")
        a_pt = shapely.get_dimensions(a) == 0
        pt, other = np.where(a_pt, a, b), np.where(a_pt, b, a)
        poly = shapely.get_dimensions(other) == 2
        depth = np.zeros(len(pt))
        depth[poly] = shapely.distance(pt[poly], shapely.boundary(other[poly]))
        measure[lo], units[lo], geom[lo] = depth, "m", pt
    return hit, measure, units, geom


def _overlap_rows(subj: Features, s: Any, objs: Features, o: Any, tol: float) -> list[dict[str, Any]]:

    order = np.lexsort((o, s))
    s, o = s[order], o[order]
    hit, measure, units, geom = _overlap(subj.geoms[s], objs.geoms[o], tol)
    out = []
    for k in np.flatnonzero(hit):
        a, b = subj.ids[s[k]], f"{objs.ids[o[k]]} ({objs.layers[o[k]]})"
        if units[k] == "m2":
            msg = f"{a} overlaps {b} by {format_measure(measure[k], 'm2')}; tolerance {tol:,.0f} m²"
        elif geom[k].geom_type == "Point":
            pt_first = subj.geoms[s[k]].geom_type == "Point"
            inner, outer = (a, b) if pt_first else (b, a)
            msg = f"{inner} lies {format_measure(measure[k], 'm')} inside {outer}"
        else:
            msg = f"{a} overlaps {b} along {format_measure(measure[k], 'm')}"
        out.append(violation_row(subj, s[k], objs.ids[o[k]], measure[k], units[k], msg, geom[k]))
    return out


def _must_not_overlap(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:
    subj = ctx.select(rule.subject).spatial()
    if not len(subj):
        return 0, []
    a, b = _tree(subj.geoms).query(subj.geoms, predicate="intersects")
    keep = (a < b) & ~subj.same(a, subj, b)
    return len(subj), _overlap_rows(subj, a[keep], subj, b[keep], rule.param("tolerance_m2"))


def _must_not_overlap_with(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:
    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    if not len(subj) or not len(objs):
        return len(subj), []
    o, s = _tree(subj.geoms).query(objs.geoms, predicate="intersects")  # objects prepared
    keep = ~subj.same(s, objs, o)
    return len(subj), _overlap_rows(subj, s[keep], objs, o[keep], rule.param("tolerance_m2"))


def _must_not_have_gaps(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    subj, cont = ctx.select(rule.subject).spatial(), ctx.select(rule.container).spatial()
    tol = rule.param("tolerance_m2")
    cover = shapely.union_all(subj.geoms[shapely.get_dimensions(subj.geoms) == 2])
    out = []
    for i, c in enumerate(cont.geoms):
        gap = c.difference(cover) if not cover.is_empty else c
        parts = shapely.get_parts(gap)
        parts = parts[shapely.get_dimensions(parts) == 2]
        areas = shapely.area(parts)
        for k in np.argsort(-areas, kind="stable"):
            if areas[k] > tol:
                msg = (
                    f"gap of {format_measure(areas[k], 'm2')} in {cont.ids[i]} not covered by {subj.label} "
                    f"(tolerance {tol:,.0f} m²)"
                )
                out.append(violation_row(cont, i, None, areas[k], "m2", msg, parts[k]))
    return len(cont), out


def _nearest(subj: Features, idx: Any, objs: Features) -> tuple[Any, Any]:
    """Nearest object (index or -1) and distance for subject features *idx*, never itself."""
    near, dist = np.full(len(idx), -1), np.full(len(idx), np.nan)
    if not len(objs) or not len(idx):
        return near, dist
    exclusive = bool(set(subj.layers[idx]) & set(objs.layers))
    (k, o), d = _tree(objs.geoms).query_nearest(
        subj.geoms[idx], return_distance=True, exclusive=exclusive, all_matches=False
    )
    near[k], dist[k] = o, d
    return near, dist


def _must_be_within_distance(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    d = rule.param("distance_m")
    ok = np.zeros(len(subj), dtype=bool)
    if len(objs) and len(subj) and d > 0 and not set(subj.layers) & set(objs.layers):
        # no feature can be its own object: the nearest object within d settles each subject
        # (every pair within d, as below, grows with the square of the features on big plans)
        s, _ = _tree(objs.geoms).query_nearest(subj.geoms, max_distance=d, all_matches=False)
        ok[s] = True
    elif len(objs) and len(subj):
        s, o = _tree(objs.geoms).query(subj.geoms, predicate="dwithin", distance=d)
        ok[s[~subj.same(s, objs, o)]] = True
    bad = np.flatnonzero(~ok)
    near, dist = _nearest(subj, bad, objs)
    found = near >= 0
    lines = np.array(subj.geoms[bad], dtype=object)
    lines[found] = shapely.shortest_line(subj.geoms[bad][found], objs.geoms[near[found]])
    out = []
    for k, i in enumerate(bad):
        rid = objs.ids[near[k]] if found[k] else None
        msg = (
            f"{subj.ids[i]} is {format_measure(dist[k], 'm')} from the nearest of {objs.label}"
            f"{f' ({rid})' if rid else ''}; the limit is {d:,.0f} m"
        )
        out.append(violation_row(subj, i, rid, dist[k], "m", msg, lines[k]))
    return len(subj), out


def _must_be_farther_than(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    d = rule.param("distance_m")
    if not len(subj) or not len(objs):
        return len(subj), []
    s, o = _tree(objs.geoms).query(subj.geoms, predicate="dwithin", distance=d)
    keep = ~subj.same(s, objs, o)
    order = np.lexsort((o[keep], s[keep]))
    s, o = s[keep][order], o[keep][order]
    ga, gb = subj.geoms[s], objs.geoms[o]
    dist = shapely.distance(ga, gb)
    geom = shapely.shortest_line(ga, gb)
    touch = dist == 0
    if touch.any():
        inter = shapely.intersection(ga[touch], gb[touch])
        geom[touch] = np.where(shapely.is_empty(inter), geom[touch], inter)
    out = []
    for k in range(len(s)):
        how = "touches or crosses" if touch[k] else f"is {format_measure(dist[k], 'm')} from"
        msg = (
            f"{subj.ids[s[k]]} {how} {objs.ids[o[k]]} ({objs.layers[o[k]]}); "
            f"it must be farther than {d:,.0f} m"
        )
        out.append(violation_row(subj, s[k], objs.ids[o[k]], dist[k], "m", msg, geom[k]))
    return len(subj), out


def _count(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:
    feats = ctx.select(rule.subject)
    n = len(feats)
    exact, lo, hi = rule.param("exact"), rule.param("min"), rule.param("max")
    problem = None
    if exact is not None and n != exact:
        problem = f"exactly {exact}"
    elif lo is not None and n < lo:
        problem = f"at least {lo}"
    elif hi is not None and n > hi:
        problem = f"at most {hi}"
    if problem is None:
        return 1, []
    layer = ",".join(dict.fromkeys(s.layer for s in rule.subject))
    row = {
        "layer": layer,
        "feature_id": None,
        "related_id": None,
        "measure": float(n),
        "unit": "count",
        "message": f"{n} features in {feats.label}; expected {problem}",
        "geometry": None,
    }
    return 1, [row]


def _key(value: Any) -> Any:
    """Return a hashable key of any JSON value that keeps booleans apart from numbers."""
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    if isinstance(value, dict):  # an object-valued property: compared by content
        return ("object", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if hasattr(value, "tolist"):
        return _key(value.tolist())
    return (type(value) is bool, value)


def _attribute_in(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:
    feats = ctx.select(rule.subject)
    name = rule.param("field")
    vocab = rule.param("vocabulary")
    domain_vals = tuple(ctx.plan.vocabularies[vocab]) if vocab else rule.param("values")
    domain = {_key(v) for v in domain_vals}
    label = f"vocabulary {vocab!r}" if vocab else ", ".join(map(repr, domain_vals[:12]))
    allow_null = rule.param("allow_null")
    out = []
    for i, value in enumerate(feats.values(name)):
        items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else [value]
        bad = [x for x in items if (not allow_null if is_null(x) else _key(x) not in domain)]
        if bad:
            msg = f"{feats.ids[i]}: field {name!r} has {', '.join(map(repr, bad))}, not in {label}"
            out.append(violation_row(feats, i, None, len(bad), "count", msg, feats.geoms[i]))
    return len(feats), out


def _unique(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:
    feats = ctx.select(rule.subject)
    name = rule.param("field")
    groups: dict[Any, list[int]] = {}
    values = feats.values(name)
    for i, value in enumerate(values):
        if not (not isinstance(value, (list, tuple)) and is_null(value)):
            groups.setdefault(_key(value), []).append(i)
    out = []
    for idx in groups.values():
        if len(idx) < 2:
            continue
        for i in idx:
            others = [str(feats.ids[j]) for j in idx if j != i]
            msg = (
                f"{feats.ids[i]}: field {name!r} value {values[i]!r} is shared by {len(idx)} features "
                f"(also {', '.join(others[:5])}{' ...' if len(others) > 5 else ''})"
            )
            out.append(violation_row(feats, i, others[0], len(idx), "count", msg, feats.geoms[i]))
    return len(feats), out


def _valid_geometry(rule: Rule, ctx: Context) -> tuple[int, list[dict[str, Any]]]:

    feats = ctx.select(rule.subject)
    g = feats.geoms
    missing = shapely.is_missing(g)
    empty = ~missing & shapely.is_empty(g)
    invalid = ~missing & ~empty & ~shapely.is_valid(g)
    reasons = dict(zip(np.flatnonzero(invalid), shapely.is_valid_reason(g[invalid]), strict=True))
    out = []
    for i in np.flatnonzero(missing | empty | invalid):
        shown = g[i] if not missing[i] else None
        if missing[i]:
            why = "has no geometry"
        elif empty[i]:
            why = "has an empty geometry"
        else:
            why = f"has an invalid geometry: {reasons[i]}"
            m = _LOCATION.search(reasons[i])
            shown = shapely.Point(float(m.group(1)), float(m.group(2))) if m else g[i]
        out.append(violation_row(feats, i, None, 1, "count", f"{feats.ids[i]} {why}", shown))
    return len(feats), out


#: Rule kind -> its implementation.
IMPLEMENTATIONS: dict[str, Callable[[Rule, Context], tuple[int, list[dict[str, Any]]]]] = {
    "must_be_within": _must_be_within,
    "must_contain": _must_contain,
    "must_not_overlap": _must_not_overlap,
    "must_not_overlap_with": _must_not_overlap_with,
    "must_not_have_gaps": _must_not_have_gaps,
    "must_be_within_distance": _must_be_within_distance,
    "must_be_farther_than": _must_be_farther_than,
    "count": _count,
    "attribute_in": _attribute_in,
    "unique": _unique,
    "valid_geometry": _valid_geometry,
}
