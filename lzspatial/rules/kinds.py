"""The rule kinds, one function each, in the vocabulary of QGIS and ArcGIS Data Reviewer.

Each takes a rule and a :class:`~lzspatial.rules.context.Context` and returns
(features checked, :class:`~lzspatial.rules.context.Found`: the violations column by column,
their messages and geometries made only when a report shows them).

A new kind goes here (a function and an entry in :data:`IMPLEMENTATIONS`) and in the
parameter registry :data:`lzspatial.rules.ruleset.KINDS`; a test keeps the two equal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial._util.union import union
from lzspatial.rules.context import Context, Features, Found, found
from lzspatial.rules.filters import is_null, value_key
from lzspatial.rules.report import format_measure

if TYPE_CHECKING:
    from lzspatial.rules.ruleset import Rule

__all__ = ["IMPLEMENTATIONS"]

_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def _edge_tree(container: Any) -> Any:
    """Return an STRtree of the boundary segments of *container* (None when it has none)."""
    edges = shapely.boundary(container) if shapely.get_dimensions(container) == 2 else container
    segs = []
    for ln in shapely.get_parts(edges):
        xy = shapely.get_coordinates(ln)
        if len(xy) >= 2:
            segs.append(np.stack([xy[:-1], xy[1:]], axis=1))
    if not segs:
        return None
    return shapely.STRtree(np.asarray(shapely.linestrings(np.concatenate(segs)), dtype=object))


def _distance_to(objs: Features, geoms: Any) -> Any:
    """Distances from *geoms* (outside it) to the union of *objs*, via an STRtree of its boundary segments.

    Faster than ``shapely.distance`` against a large polygon: each query visits a few
    segments instead of every vertex.
    """
    if not len(geoms):
        return np.zeros(0)
    container = objs.union()
    tree = objs.cached("edges", lambda: _edge_tree(container))
    if tree is None:
        return shapely.distance(geoms, container)
    (idx, _), found = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    dist = np.full(len(geoms), np.nan)
    dist[idx] = found
    return dist


def _tree(geoms: Any) -> Any:

    return shapely.STRtree(geoms)


#: Most cells of one padded (groups x parts) array of ``_outside``.
_GRID_CELLS = 1 << 20


def _outside(geoms: Any, parts: Any, tree: Any = None) -> Any:
    """Each of *geoms* less the union of *parts*: against the parts it meets only.

    The same set as ``difference(geoms, union_all(parts))``, without overlaying each geometry
    with the whole union (which grows with the plan: seconds for thousands of parts).
    *tree* is an STRtree of *parts* (made here when not given). The parts each geometry
    meets are unioned in one vectorised call (rows of a None-padded array; ``union_all``
    ignores None), then subtracted in another.
    """
    out = np.array(geoms, dtype=object)
    if not len(geoms):
        return out
    gi, pj = (tree if tree is not None else _tree(parts)).query(geoms, predicate="intersects")
    if not len(gi):
        return out
    order = np.argsort(gi, kind="stable")
    gi, pj = gi[order], pj[order]
    starts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
    counts = np.diff(np.r_[starts, len(gi)])
    by_width = np.argsort(counts, kind="stable")
    a = 0
    while a < len(by_width):  # groups of similar width share one padded array
        width = int(counts[by_width[a]])
        b = a + 1
        while b < len(by_width) and (b - a + 1) * int(counts[by_width[b]]) <= max(_GRID_CELLS, width):
            b += 1
        groups = by_width[a:b]
        width = int(counts[groups[-1]])
        grid = np.full((len(groups), width), None, dtype=object)
        for col in range(width):
            has = counts[groups] > col
            grid[has, col] = parts[pj[starts[groups[has]] + col]]
        rows = gi[starts[groups]]
        out[rows] = shapely.difference(geoms[rows], shapely.union_all(grid, axis=1))
        a = b
    return out


# -- rule kinds ----------------------------------------------------------------------


def _zone(container: Any, tol: float) -> Any:
    zone = container.buffer(tol) if tol > 0 and not container.is_empty else container
    shapely.prepare(zone)
    return zone


def _must_be_within(rule: Rule, ctx: Context) -> tuple[int, Found]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    tol = rule.param("tolerance_m")
    container = objs.union()
    zone = objs.cached(("zone", tol), lambda: _zone(container, tol))
    bad = np.flatnonzero(~shapely.covers(zone, subj.geoms))
    g = subj.geoms[bad]
    dims = shapely.get_dimensions(g)
    measure = np.full(len(g), np.nan)
    pts, other = dims == 0, dims > 0
    if not container.is_empty:
        measure[pts] = _distance_to(objs, g[pts])
    outside = _outside(g[other], objs.geoms, objs.tree()) if not container.is_empty else g[other]
    measure[other] = np.where(dims[other] == 2, shapely.area(outside), shapely.length(outside))

    def messages() -> list[str]:
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
            out.append(f"{subj.ids[i]} {what} outside {objs.label} (tolerance {tol:g} m)")
        return out

    def geometries() -> Any:
        shown = g.copy()
        shown[other] = np.where(shapely.is_empty(outside), g[other], outside)
        return shown

    units = np.where(dims == 2, "m2", "m").tolist()
    return len(subj), found(subj, bad, None, measure, units, messages, geometries)


def _must_contain(rule: Rule, ctx: Context) -> tuple[int, Found]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    need = rule.param("min_count")
    counts = np.zeros(len(subj), dtype=int)
    if len(objs) and len(subj):
        s, o = objs.tree().query(subj.geoms, predicate="covers")
        keep = ~subj.same(s, objs, o)
        counts = np.bincount(s[keep], minlength=len(subj))
    bad = np.flatnonzero(counts < need)
    return len(subj), found(
        subj,
        bad,
        None,
        counts[bad],
        "count",
        lambda: [
            f"{subj.ids[i]} contains {counts[i]} of {objs.label}; at least {need} required" for i in bad
        ],
        lambda: subj.geoms[bad],
    )


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
        hits = m > tol
        line = np.flatnonzero(~area & (m > 0))  # a line pair overlaps if their interiors meet
        hits[~area] = False
        if len(line):
            hits[line] = shapely.relate_pattern(ga[hi][line], gb[hi][line], "T********")
        hit[hi] = hits
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


def _overlap_found(subj: Features, s: Any, objs: Features, o: Any, tol: float) -> Found:

    order = np.lexsort((o, s))
    s, o = s[order], o[order]
    hit, measure, units, geom = _overlap(subj.geoms[s], objs.geoms[o], tol)
    k = np.flatnonzero(hit)

    def messages() -> list[str]:
        out = []
        for k_ in k:
            a, b = subj.ids[s[k_]], f"{objs.ids[o[k_]]} ({objs.layers[o[k_]]})"
            if units[k_] == "m2":
                msg = f"{a} overlaps {b} by {format_measure(measure[k_], 'm2')}; tolerance {tol:,.0f} m²"
            elif geom[k_].geom_type == "Point":
                pt_first = subj.geoms[s[k_]].geom_type == "Point"
                inner, outer = (a, b) if pt_first else (b, a)
                msg = f"{inner} lies {format_measure(measure[k_], 'm')} inside {outer}"
            else:
                msg = f"{a} overlaps {b} along {format_measure(measure[k_], 'm')}"
            out.append(msg)
        return out

    return found(subj, s[k], objs.ids[o[k]], measure[k], units[k], messages, lambda: geom[k])


def _must_not_overlap(rule: Rule, ctx: Context) -> tuple[int, Found]:
    subj = ctx.select(rule.subject).spatial()
    if not len(subj):
        return 0, _NONE
    a, b = subj.tree().query(subj.geoms, predicate="intersects")
    keep = (a < b) & ~subj.same(a, subj, b)
    return len(subj), _overlap_found(subj, a[keep], subj, b[keep], rule.param("tolerance_m2"))


def _must_not_overlap_with(rule: Rule, ctx: Context) -> tuple[int, Found]:
    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    if not len(subj) or not len(objs):
        return len(subj), _NONE
    o, s = subj.tree().query(objs.geoms, predicate="intersects")  # objects prepared
    keep = ~subj.same(s, objs, o)
    return len(subj), _overlap_found(subj, s[keep], objs, o[keep], rule.param("tolerance_m2"))


def _must_not_have_gaps(rule: Rule, ctx: Context) -> tuple[int, Found]:

    subj, cont = ctx.select(rule.subject).spatial(), ctx.select(rule.container).spatial()
    tol = rule.param("tolerance_m2")
    cover = union(subj.geoms[shapely.get_dimensions(subj.geoms) == 2])
    rows: list[int] = []
    gaps: list[Any] = []
    sizes: list[float] = []
    for i, c in enumerate(cont.geoms):
        gap = c.difference(cover) if not cover.is_empty else c
        parts = shapely.get_parts(gap)
        parts = parts[shapely.get_dimensions(parts) == 2]
        areas = shapely.area(parts)
        for k in np.argsort(-areas, kind="stable"):
            if areas[k] > tol:
                rows.append(i)
                gaps.append(parts[k])
                sizes.append(areas[k])

    def messages() -> list[str]:
        return [
            f"gap of {format_measure(a, 'm2')} in {cont.ids[i]} not covered by {subj.label} "
            f"(tolerance {tol:,.0f} m²)"
            for i, a in zip(rows, sizes, strict=True)
        ]

    return len(cont), found(cont, rows, None, sizes, "m2", messages, lambda: gaps)


def _nearest(subj: Features, idx: Any, objs: Features) -> tuple[Any, Any]:
    """Nearest object (index or -1) and distance for subject features *idx*, never itself."""
    near, dist = np.full(len(idx), -1), np.full(len(idx), np.nan)
    if not len(objs) or not len(idx):
        return near, dist
    exclusive = bool(set(subj.layers[idx]) & set(objs.layers))
    (k, o), d = objs.tree().query_nearest(
        subj.geoms[idx], return_distance=True, exclusive=exclusive, all_matches=False
    )
    near[k], dist[k] = o, d
    return near, dist


def _must_be_within_distance(rule: Rule, ctx: Context) -> tuple[int, Found]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    d = rule.param("distance_m")
    ok = np.zeros(len(subj), dtype=bool)
    if len(objs) and len(subj) and d > 0 and not set(subj.layers) & set(objs.layers):
        # no feature can be its own object: the nearest object settles each subject (every
        # pair within d, as below, grows with the square of the features on big plans)
        margin = 1e-6 * max(1.0, d)  # far above rounding, far below any distance a rule states
        # a vertex of a feature is no nearer to an object than the feature: a first vertex
        # within d (by the margin) settles a line or polygon by a cheap point query
        ok = np.zeros(len(subj), dtype=bool)
        shaped = np.flatnonzero(shapely.get_type_id(subj.geoms) != 0)
        if len(shaped):
            counts = shapely.get_num_coordinates(subj.geoms[shaped])
            first = np.r_[0, np.cumsum(counts)[:-1]]
            vertex = shapely.points(shapely.get_coordinates(subj.geoms[shaped])[first])
            (k, _), dk = objs.tree().query_nearest(vertex, return_distance=True, all_matches=False)
            ok[shaped[k[dk <= d - margin]]] = True
        rest = np.flatnonzero(~ok)
        near_rest, dist_rest = _nearest(subj, rest, objs)
        within = dist_rest <= d
        # query_nearest(max_distance=d) first looks for objects in the subject's box widened
        # by d; a subject within d of its nearest object by less than rounding is asked that way
        edge = np.flatnonzero(within & (dist_rest > d - margin))
        if len(edge):
            within[edge] = False
            s, _ = objs.tree().query_nearest(subj.geoms[rest[edge]], max_distance=d, all_matches=False)
            within[edge[s]] = True
        ok[rest[within]] = True
        bad = rest[~within]
        near, dist = near_rest[~within], dist_rest[~within]  # _nearest(subj, bad, objs): no self to skip
    else:
        if len(objs) and len(subj):
            s, o = objs.tree().query(subj.geoms, predicate="dwithin", distance=d)
            ok[s[~subj.same(s, objs, o)]] = True
        bad = np.flatnonzero(~ok)
        near, dist = _nearest(subj, bad, objs)
    hit = near >= 0
    related = [objs.ids[n] if h else None for n, h in zip(near.tolist(), hit.tolist(), strict=True)]

    def geometries() -> Any:
        lines = np.array(subj.geoms[bad], dtype=object)
        lines[hit] = shapely.shortest_line(subj.geoms[bad][hit], objs.geoms[near[hit]])
        return lines

    def messages() -> list[str]:
        return [
            f"{subj.ids[i]} is {format_measure(dist[k], 'm')} from the nearest of {objs.label}"
            f"{f' ({rid})' if rid else ''}; the limit is {d:,.0f} m"
            for k, (i, rid) in enumerate(zip(bad, related, strict=True))
        ]

    return len(subj), found(subj, bad, related, dist, "m", messages, geometries)


def _must_be_farther_than(rule: Rule, ctx: Context) -> tuple[int, Found]:

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    d = rule.param("distance_m")
    if not len(subj) or not len(objs):
        return len(subj), _NONE
    s, o = objs.tree().query(subj.geoms, predicate="dwithin", distance=d)
    keep = ~subj.same(s, objs, o)
    order = np.lexsort((o[keep], s[keep]))
    s, o = s[keep][order], o[keep][order]
    ga, gb = subj.geoms[s], objs.geoms[o]
    dist = shapely.distance(ga, gb)
    touch = dist == 0

    def geometries() -> Any:
        geom = shapely.shortest_line(ga, gb)
        if touch.any():
            inter = shapely.intersection(ga[touch], gb[touch])
            geom[touch] = np.where(shapely.is_empty(inter), geom[touch], inter)
        return geom

    def messages() -> list[str]:
        out = []
        for k in range(len(s)):
            how = "touches or crosses" if touch[k] else f"is {format_measure(dist[k], 'm')} from"
            out.append(
                f"{subj.ids[s[k]]} {how} {objs.ids[o[k]]} ({objs.layers[o[k]]}); "
                f"it must be farther than {d:,.0f} m"
            )
        return out

    return len(subj), found(subj, s, objs.ids[o], dist, "m", messages, geometries)


def _count(rule: Rule, ctx: Context) -> tuple[int, Found]:
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
        return 1, _NONE
    layer = ",".join(dict.fromkeys(s.layer for s in rule.subject))
    message = f"{n} features in {feats.label}; expected {problem}"
    return 1, Found([layer], [None], [None], [float(n)], ["count"], lambda: [message], lambda: [None])


def _key(value: Any) -> Any:
    """Return a hashable key of any JSON value that keeps booleans apart from numbers."""
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    if isinstance(value, dict):  # an object-valued property: compared by content
        return ("object", tuple(sorted((str(k), _key(v)) for k, v in value.items())))
    if hasattr(value, "tolist"):
        return _key(value.tolist())
    return (type(value) is bool, value)


def _bad_values(
    values: list[Any], bad_items: Callable[[list[Any]], list[int]]
) -> tuple[list[int], list[Any]]:
    """Rows with a value outside the domain, and the items at fault in each (lists item by item)."""
    if all(type(v) is str for v in values):  # plain text (the usual case): test each distinct value once
        bad_text = {v for v in set(values) if bad_items([v])}
        text_rows = [i for i, v in enumerate(values) if v in bad_text] if bad_text else []
        return text_rows, [[values[i]] for i in text_rows]
    rows: list[int] = []
    bads: list[Any] = []
    seen: dict[Any, list[int]] = {}  # a field repeats few values: test each once (by value_key)
    for i, value in enumerate(values):
        items = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else [value]
        try:
            key = value_key(value)
            pos = seen.get(key)
            if pos is None:
                pos = seen[key] = bad_items(items)
        except TypeError:  # not hashable: an array, a nested list
            pos = bad_items(items)
        if pos:
            rows.append(i)
            bads.append([items[j] for j in pos])
    return rows, bads


def _attribute_in(rule: Rule, ctx: Context) -> tuple[int, Found]:
    feats = ctx.select(rule.subject)
    name = rule.param("field")
    vocab = rule.param("vocabulary")
    domain_vals = tuple(ctx.plan.vocabularies[vocab]) if vocab else rule.param("values")
    domain = {_key(v) for v in domain_vals}
    label = f"vocabulary {vocab!r}" if vocab else ", ".join(map(repr, domain_vals[:12]))
    allow_null = rule.param("allow_null")

    def bad_items(items: list[Any]) -> list[int]:
        return [j for j, x in enumerate(items) if (not allow_null if is_null(x) else _key(x) not in domain)]

    rows, bads = _bad_values(feats.values(name), bad_items)

    def messages() -> list[str]:
        return [
            f"{feats.ids[i]}: field {name!r} has {', '.join(map(repr, bad))}, not in {label}"
            for i, bad in zip(rows, bads, strict=True)
        ]

    return len(feats), found(
        feats,
        rows,
        None,
        [len(b) for b in bads],
        "count",
        messages,
        lambda: feats.geoms[np.asarray(rows, dtype=np.intp)],
    )


def _unique(rule: Rule, ctx: Context) -> tuple[int, Found]:
    feats = ctx.select(rule.subject)
    name = rule.param("field")
    values = feats.values(name)
    groups: dict[Any, list[int]] = {}
    if all(type(v) is str for v in values):  # text (ids, codes): only repeated values form groups
        seen = Counter(values)
        for i, value in enumerate(values):
            if seen[value] > 1:
                groups.setdefault(value, []).append(i)
    else:
        for i, value in enumerate(values):
            if not (not isinstance(value, (list, tuple)) and is_null(value)):
                groups.setdefault(_key(value), []).append(i)
    rows: list[int] = []
    related: list[str] = []
    sizes: list[int] = []
    for idx in groups.values():
        if len(idx) < 2:
            continue
        for i in idx:
            rows.append(i)
            related.append(str(feats.ids[idx[1] if i == idx[0] else idx[0]]))
            sizes.append(len(idx))

    def messages() -> list[str]:
        out = []
        for idx in groups.values():
            if len(idx) < 2:
                continue
            for i in idx:
                others = [str(feats.ids[j]) for j in idx if j != i]
                out.append(
                    f"{feats.ids[i]}: field {name!r} value {values[i]!r} is shared by {len(idx)} features "
                    f"(also {', '.join(others[:5])}{' ...' if len(others) > 5 else ''})"
                )
        return out

    return len(feats), found(
        feats, rows, related, sizes, "count", messages, lambda: feats.geoms[np.asarray(rows, dtype=np.intp)]
    )


def _valid_geometry(rule: Rule, ctx: Context) -> tuple[int, Found]:

    feats = ctx.select(rule.subject)
    g = feats.geoms
    missing = shapely.is_missing(g)
    empty = ~missing & shapely.is_empty(g)
    invalid = ~missing & ~empty & ~feats.valid()
    reasons = dict(zip(np.flatnonzero(invalid), shapely.is_valid_reason(g[invalid]), strict=True))
    bad = np.flatnonzero(missing | empty | invalid)
    whys: list[str] = []
    shown: list[Any] = []
    for i in bad:
        show = g[i] if not missing[i] else None
        if missing[i]:
            why = "has no geometry"
        elif empty[i]:
            why = "has an empty geometry"
        else:
            why = f"has an invalid geometry: {reasons[i]}"
            m = _LOCATION.search(reasons[i])
            show = shapely.Point(float(m.group(1)), float(m.group(2))) if m else g[i]
        whys.append(f"{feats.ids[i]} {why}")
        shown.append(show)
    return len(feats), found(feats, bad, None, np.ones(len(bad)), "count", lambda: whys, lambda: shown)


#: No violations.
_NONE = Found([], [], [], [], [], lambda: [], lambda: [])


#: Rule kind -> its implementation.
IMPLEMENTATIONS: dict[str, Callable[[Rule, Context], tuple[int, Found]]] = {
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
