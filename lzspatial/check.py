"""The rule engine: check a plan against a rule set.

:func:`check_plan` evaluates every rule of a :class:`~lzspatial.rules.RuleSet`
on the plan's layers in the metric CRS (EPSG:4550) and returns a
:class:`CheckReport`. Spatial kinds are vectorised with shapely 2 array
functions and STRtree queries, so a project layer of many thousand features
is checked in well under a second.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._check_report import SUMMARY_COLUMNS, VIOLATION_COLUMNS, CheckReport, _num
from .errors import InputError, RuleError
from .rules import RuleSet, Selection, load_rules, parse_rules

if TYPE_CHECKING:
    import geopandas as gpd

    from .plan import Plan
    from .rules import Rule

__all__ = ["SUMMARY_COLUMNS", "VIOLATION_COLUMNS", "CheckReport", "check_plan", "validate_rules"]

_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def _validate(ruleset: Any, plan: Any, ctx: _Context) -> None:
    ruleset.validate_for(ctx.fields, {k: tuple(v) for k, v in plan.vocabularies.items()})
    ids: set[str] = set()
    for name in ctx.fields:
        frame = ctx.frame(name)
        ids.update(map(str, frame["id"] if "id" in frame.columns else frame.index))
    for i, exc in enumerate(ruleset.exceptions, 1):
        for key, fid in (("feature", exc.feature), ("related", exc.related)):
            if fid is not None and str(fid) not in ids:
                raise RuleError(
                    f"{ruleset.source}: [[exceptions]] #{i} (rule {exc.rule!r}): key {key!r}: no feature "
                    f"has the id {fid!r}; an accepted exception must name an existing feature"
                )


def validate_rules(plan: Any, rules: Any = None) -> Any:
    """Load the rules of *plan* (or *rules*) and check them against its layers, without running them.

    Returns the ``RuleSet``; raises ``RuleError`` naming the file, rule and key.
    """
    ruleset = _resolve_rules(plan, rules)
    _validate(ruleset, plan, _Context(plan, {}))
    return ruleset


def check_plan(
    plan: Plan | str | os.PathLike[str] | None,
    rules: Any = None,
    *,
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> CheckReport:
    """Check a plan against a rule set.

    Parameters
    ----------
    plan : Plan, path-like or None
        A loaded plan, or a plan folder to load (``None``: the default plan).
    rules : None, path-like, dict or RuleSet
        ``None`` for the plan folder's ``rules.toml``; a rule file; parsed
        TOML (a dict); or a :class:`~lzspatial.rules.RuleSet`.
    extra_layers : mapping of str to GeoDataFrame, optional
        More layers rules may select by name (for example ``"projects"``),
        in any CRS. Feature ids come from an ``id`` column, else the index.

    Returns
    -------
    CheckReport

    Raises
    ------
    RuleError
        The rules are malformed or name unknown layers or fields.
    InputError
        An extra layer has no CRS or clashes with a plan layer.

    Examples
    --------
    >>> report = check_plan(None)
    >>> report.has_errors
    False
    >>> sorted(set(report.summary["status"]))
    ['pass']
    """
    from .plan import Plan, load_plan

    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    ruleset = _resolve_rules(plan, rules)
    ctx = _Context(plan, extra_layers or {})
    _validate(ruleset, plan, ctx)
    rows: list[dict[str, Any]] = []
    checked: list[int] = []
    for rule in ruleset.rules:
        n, found = _KINDS[rule.kind](rule, ctx)
        checked.append(n)
        for row in found:
            row.update(
                rule_id=rule.id,
                severity=rule.severity,
                title_zh=rule.title_zh,
                title_en=rule.title_en,
                accepted=False,
            )
            rows.append(row)
    _accept(rows, ruleset)
    return CheckReport.build(rows, ruleset, checked, plan_id=plan.id, metric_crs=ctx.crs)


def _resolve_rules(plan: Plan, rules: Any) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, Mapping):
        return parse_rules(rules)
    if rules is None:
        path = plan.path / "rules.toml"
        if not path.is_file():
            raise RuleError(
                f"{plan.path}: the plan folder has no rules.toml; pass a rule file (--rules FILE)"
            )
        return load_rules(path)
    return load_rules(rules)


def _accept(rows: list[dict[str, Any]], ruleset: RuleSet) -> None:
    """Mark the violations that an accepted exception of the rule file covers."""
    by_rule: dict[str, list[Any]] = {}
    for exc in ruleset.exceptions:
        by_rule.setdefault(exc.rule, []).append(exc)
    for row in rows:
        for exc in by_rule.get(row["rule_id"], ()):
            if exc.matches(row["rule_id"], row["feature_id"], row["related_id"]):
                row["accepted"] = True
                row["message"] += f" [accepted: {exc.reason}]"
                break


# -- data access -----------------------------------------------------------------


class _Features:
    """Selected features pooled from one or more layers, geometry in the metric CRS."""

    def __init__(
        self, layers: Any, ids: Any, geoms: Any, frames: list[Any], label: str, rows: Any = None
    ) -> None:
        self.layers, self.ids, self.geoms, self.label = layers, ids, geoms, label
        self._frames, self._rows = frames, rows  # attributes, read only when a rule needs them
        self._spatial: _Features | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def spatial(self) -> _Features:
        """Only features with a non-empty geometry, made valid where invalid."""
        import numpy as np
        import shapely

        if self._spatial is None:
            keep = ~(shapely.is_missing(self.geoms) | shapely.is_empty(self.geoms))
            geoms = self.geoms[keep].copy()
            bad = ~shapely.is_valid(geoms)
            if bad.any():
                geoms[bad] = shapely.make_valid(geoms[bad])
            rows = np.flatnonzero(keep) if self._rows is None else self._rows[keep]
            self._spatial = _Features(
                self.layers[keep], self.ids[keep], geoms, self._frames, self.label, rows
            )
        return self._spatial

    def values(self, field: str) -> list[Any]:
        """Return the values of *field*, one per feature (``None`` where a layer lacks it)."""
        vals: list[Any] = []
        for frame in self._frames:
            vals += frame[field].tolist() if field in frame.columns else [None] * len(frame)
        return vals if self._rows is None else [vals[i] for i in self._rows]

    def same(self, i: Any, other: _Features, j: Any) -> Any:
        """Boolean array: whether pairs (i, j) are the same feature."""
        return (self.layers[i] == other.layers[j]) & (self.ids[i] == other.ids[j])


class _Context:
    def __init__(self, plan: Plan, extra: Mapping[str, gpd.GeoDataFrame]) -> None:
        self.plan = plan
        self.crs = plan.metric_crs
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._selected: dict[tuple[Selection, ...], _Features] = {}
        self.fields: dict[str, set[str]] = {}
        for name in plan.layer_names:
            self.fields[name] = {c for c in plan[name].columns if c != "geometry"}
        for name, gdf in extra.items():
            if name in self.fields:
                raise InputError(f"extra layer {name!r} has the name of a plan layer; rename it")
            if getattr(gdf, "crs", None) is None:
                raise InputError(f"extra layer {name!r} has no CRS; set it, e.g. gdf.set_crs('EPSG:4326')")
            self._frames[name] = gdf.to_crs(self.crs)
            self.fields[name] = {c for c in gdf.columns if c != gdf.geometry.name}

    def frame(self, name: str) -> gpd.GeoDataFrame:
        if name not in self._frames:
            self._frames[name] = self.plan.layer(name, metric=True)
        return self._frames[name]

    def select(self, sels: tuple[Selection, ...]) -> _Features:
        """Return the features of *sels*, pooled (cached: rules often share selections)."""
        import numpy as np

        if sels in self._selected:
            return self._selected[sels]
        layers, ids, geoms, frames = [], [], [], []
        for sel in sels:
            frame = self.frame(sel.layer)
            if sel.where is not None:
                frame = frame[sel.where.evaluate(frame, len(frame))]
            fids = frame["id"].tolist() if "id" in frame.columns else [str(i) for i in frame.index]
            layers += [sel.layer] * len(frame)
            ids += fids
            geoms.append(np.asarray(frame.geometry.values, dtype=object))
            frames.append(frame)
        label = " + ".join(s.label for s in sels)
        feats = _Features(
            np.array(layers, dtype=object),
            np.array(ids, dtype=object),
            np.concatenate(geoms) if geoms else np.empty(0, dtype=object),
            frames,
            label,
        )
        self._selected[sels] = feats
        return feats


# -- helpers -----------------------------------------------------------------------


def _row(
    feats: _Features, i: int, related: Any, measure: float, unit: str, message: str, geom: Any
) -> dict[str, Any]:
    return {
        "layer": feats.layers[i],
        "feature_id": feats.ids[i],
        "related_id": related,
        "measure": float(measure),
        "unit": unit,
        "message": message,
        "geometry": geom,
    }


def _distance_to(container: Any, geoms: Any) -> Any:
    """Distances from *geoms* (outside it) to *container*, via an STRtree of its boundary segments.

    Faster than ``shapely.distance`` against a large polygon: each query visits a few
    segments instead of every vertex.
    """
    import numpy as np
    import shapely

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
    tree = shapely.STRtree(shapely.linestrings(np.concatenate(segs)))
    (idx, _), found = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    dist = np.full(len(geoms), np.nan)
    dist[idx] = found
    return dist


def _tree(geoms: Any) -> Any:
    import shapely

    return shapely.STRtree(geoms)


# -- rule kinds ----------------------------------------------------------------------


def _must_be_within(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np
    import shapely

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
    outside = shapely.difference(g[other], container) if not container.is_empty else g[other]
    measure[other] = np.where(dims[other] == 2, shapely.area(outside), shapely.length(outside))
    shown[other] = np.where(shapely.is_empty(outside), g[other], outside)
    out = []
    for k, i in enumerate(bad):
        unit = "m2" if dims[k] == 2 else "m"
        if dims[k] == 2:
            what = f"has {_num(measure[k], unit)} ({100 * measure[k] / g[k].area:.0f} % of its area)"
        elif dims[k] == 1:
            what = f"has {_num(measure[k], unit)} of its length"
        else:
            what = f"lies {_num(measure[k], unit)}"
        msg = f"{subj.ids[i]} {what} outside {objs.label} (tolerance {tol:g} m)"
        out.append(_row(subj, i, None, measure[k], unit, msg, shown[k]))
    return len(subj), out


def _must_contain(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    need = rule.param("min_count")
    counts = np.zeros(len(subj), dtype=int)
    if len(objs) and len(subj):
        s, o = _tree(objs.geoms).query(subj.geoms, predicate="covers")
        keep = ~subj.same(s, objs, o)
        counts = np.bincount(s[keep], minlength=len(subj))
    out = [
        _row(
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
    import numpy as np
    import shapely

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


def _overlap_rows(subj: _Features, s: Any, objs: _Features, o: Any, tol: float) -> list[dict[str, Any]]:
    import numpy as np

    order = np.lexsort((o, s))
    s, o = s[order], o[order]
    hit, measure, units, geom = _overlap(subj.geoms[s], objs.geoms[o], tol)
    out = []
    for k in np.flatnonzero(hit):
        a, b = subj.ids[s[k]], f"{objs.ids[o[k]]} ({objs.layers[o[k]]})"
        if units[k] == "m2":
            msg = f"{a} overlaps {b} by {_num(measure[k], 'm2')}; tolerance {tol:,.0f} m²"
        elif geom[k].geom_type == "Point":
            pt_first = subj.geoms[s[k]].geom_type == "Point"
            inner, outer = (a, b) if pt_first else (b, a)
            msg = f"{inner} lies {_num(measure[k], 'm')} inside {outer}"
        else:
            msg = f"{a} overlaps {b} along {_num(measure[k], 'm')}"
        out.append(_row(subj, s[k], objs.ids[o[k]], measure[k], units[k], msg, geom[k]))
    return out


def _must_not_overlap(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    subj = ctx.select(rule.subject).spatial()
    if not len(subj):
        return 0, []
    a, b = _tree(subj.geoms).query(subj.geoms, predicate="intersects")
    keep = (a < b) & ~subj.same(a, subj, b)
    return len(subj), _overlap_rows(subj, a[keep], subj, b[keep], rule.param("tolerance_m2"))


def _must_not_overlap_with(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    if not len(subj) or not len(objs):
        return len(subj), []
    o, s = _tree(subj.geoms).query(objs.geoms, predicate="intersects")  # objects prepared
    keep = ~subj.same(s, objs, o)
    return len(subj), _overlap_rows(subj, s[keep], objs, o[keep], rule.param("tolerance_m2"))


def _must_not_have_gaps(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np
    import shapely

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
                    f"gap of {_num(areas[k], 'm2')} in {cont.ids[i]} not covered by {subj.label} "
                    f"(tolerance {tol:,.0f} m²)"
                )
                out.append(_row(cont, i, None, areas[k], "m2", msg, parts[k]))
    return len(cont), out


def _nearest(subj: _Features, idx: Any, objs: _Features) -> tuple[Any, Any]:
    """Nearest object (index or -1) and distance for subject features *idx*, never itself."""
    import numpy as np

    near, dist = np.full(len(idx), -1), np.full(len(idx), np.nan)
    if not len(objs) or not len(idx):
        return near, dist
    exclusive = bool(set(subj.layers[idx]) & set(objs.layers))
    (k, o), d = _tree(objs.geoms).query_nearest(
        subj.geoms[idx], return_distance=True, exclusive=exclusive, all_matches=False
    )
    near[k], dist[k] = o, d
    return near, dist


def _must_be_within_distance(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np
    import shapely

    subj, objs = ctx.select(rule.subject).spatial(), ctx.select(rule.objects).spatial()
    d = rule.param("distance_m")
    ok = np.zeros(len(subj), dtype=bool)
    if len(objs) and len(subj):
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
            f"{subj.ids[i]} is {_num(dist[k], 'm')} from the nearest of {objs.label}"
            f"{f' ({rid})' if rid else ''}; the limit is {d:,.0f} m"
        )
        out.append(_row(subj, i, rid, dist[k], "m", msg, lines[k]))
    return len(subj), out


def _must_be_farther_than(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np
    import shapely

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
        how = "touches or crosses" if touch[k] else f"is {_num(dist[k], 'm')} from"
        msg = (
            f"{subj.ids[s[k]]} {how} {objs.ids[o[k]]} ({objs.layers[o[k]]}); "
            f"it must be farther than {d:,.0f} m"
        )
        out.append(_row(subj, s[k], objs.ids[o[k]], dist[k], "m", msg, geom[k]))
    return len(subj), out


def _count(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
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
    """Return a hashable key that keeps booleans apart from numbers."""
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    if hasattr(value, "tolist"):
        return _key(value.tolist())
    return (type(value) is bool, value)


def _attribute_in(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    from .filters import _is_null

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
        bad = [x for x in items if (not allow_null if _is_null(x) else _key(x) not in domain)]
        if bad:
            msg = f"{feats.ids[i]}: field {name!r} has {', '.join(map(repr, bad))}, not in {label}"
            out.append(_row(feats, i, None, len(bad), "count", msg, feats.geoms[i]))
    return len(feats), out


def _unique(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    from .filters import _is_null

    feats = ctx.select(rule.subject)
    name = rule.param("field")
    groups: dict[Any, list[int]] = {}
    values = feats.values(name)
    for i, value in enumerate(values):
        if not (not isinstance(value, (list, tuple)) and _is_null(value)):
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
            out.append(_row(feats, i, others[0], len(idx), "count", msg, feats.geoms[i]))
    return len(feats), out


def _valid_geometry(rule: Rule, ctx: _Context) -> tuple[int, list[dict[str, Any]]]:
    import numpy as np
    import shapely

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
        out.append(_row(feats, i, None, 1, "count", f"{feats.ids[i]} {why}", shown))
    return len(feats), out


_KINDS = {
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
