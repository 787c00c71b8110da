"""Plan-level deltas: areas per zone and control line, zone moves, land that changed zone, rules, sites.

Areas and overlaps are measured in the plan's metric CRS (EPSG:4550). A town's
zone is the first zone (plan order) covering it; a park's zone is the zone
holding the largest part of it; both as :func:`lzspatial.screening.screen`
assigns zones to points and parcels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial.diff.checks import sided
from lzspatial.diff.compare import metric_array, normalise
from lzspatial.diff.model import (
    AreaRow,
    FieldChange,
    KindArea,
    RuleChange,
    RuleDelta,
    SiteChange,
    SiteDelta,
    Transfer,
    ViolationChange,
    ZoneMove,
)
from lzspatial.plan.labels import label_zh
from lzspatial.plan.model import Plan

if TYPE_CHECKING:
    from lzspatial.rules.report import CheckReport

__all__ = [
    "AREA_ELEMENTS",
    "SITE_FIELDS",
    "ZONED_ELEMENTS",
    "area_rows",
    "manifest_changes",
    "plan_zones",
    "rule_delta",
    "site_delta",
    "transfers",
    "zone_moves",
]

#: Elements whose area per feature is compared.
AREA_ELEMENTS = ("core", "zones", "control_lines")
#: Elements whose features' zone is compared.
ZONED_ELEMENTS = ("towns", "parks")
#: Screening columns compared per site (those the screen produced).
SITE_FIELDS = (
    "zone_id",
    "in_core",
    "park_id",
    "in_eco_red_line",
    "in_basic_farmland",
    "in_urban_development_boundary",
    "verdict",
    "verdict_rules",
)
#: Pieces of land smaller than this (m²) are numerical noise, not a transfer.
_MIN_TRANSFER_M2 = 1.0


def _layers_of(plan: Plan, element: str) -> list[str]:
    return [n for n in plan.layer_names if plan.element(n) == element]


def _r(v: float, nd: int) -> float:
    r = round(float(v), nd)
    return 0.0 if r == 0 else r


def area_rows(a: Plan, b: Plan) -> tuple[list[AreaRow], list[KindArea]]:
    """Area (ha) of every core, zone and control-line feature in A and B, and control lines by kind."""
    rows: list[AreaRow] = []
    kinds: dict[str, list[float]] = {}
    for element in AREA_ELEMENTS:
        names = _layers_of(a, element) + [n for n in _layers_of(b, element) if n not in a]
        for name in names:
            info: dict[str, list[Any]] = {}  # id -> [area A, area B, bases, zh, en, kind]
            for side, plan in ((0, a), (1, b)):
                if name not in plan or plan.element(name) != element:
                    continue
                frame = plan.layer(name, metric=True)
                areas = (shapely.area(np.asarray(frame.geometry.array)) / 1e4).tolist()
                ids = frame["id"].astype(str).tolist()
                zh = frame["name_zh"].astype(str).tolist()
                en = frame["name_en"].astype(str).tolist()
                kind = (
                    frame["kind"].to_numpy(dtype=object).tolist()
                    if "kind" in frame.columns
                    else [None] * len(frame)
                )
                basis = frame["geometry_basis"].astype(str).tolist()
                for fid, area, k, bs, z, e in zip(ids, areas, kind, basis, zh, en, strict=True):
                    rec = info.get(fid)
                    if rec is None:
                        rec = info[fid] = [0.0, 0.0, set(), z, e, None]
                    rec[side] = area
                    rec[5] = None if k is None else str(k)
                    rec[2].add(bs)
            for fid, (aa, ab, bases, zh_name, en_name, kind_name) in info.items():
                rows.append(
                    AreaRow(
                        name,
                        element,
                        fid,
                        zh_name,
                        en_name,
                        kind_name,
                        _r(aa, 4),
                        _r(ab, 4),
                        _r(ab - aa, 4),
                        _r((ab - aa) / aa * 100, 2) if aa > 0 else None,
                        "schematic" in bases,
                    )
                )
                if element == "control_lines" and kind_name is not None:
                    tot = kinds.setdefault(kind_name, [0.0, 0.0])
                    tot[0] += aa
                    tot[1] += ab
    by_kind = [
        KindArea(
            k, label_zh("control_lines", k, {}), _kind_en(k), _r(v[0], 4), _r(v[1], 4), _r(v[1] - v[0], 4)
        )
        for k, v in kinds.items()
    ]
    return rows, by_kind


def _kind_en(kind: str) -> str:
    from lzspatial.plan.labels import CONTROL_LINE_LABELS

    return CONTROL_LINE_LABELS.get(kind, (kind, kind))[1]


#: A plan's zones: ids, Chinese names and metric geometries (plan order).
Zones = tuple[list[str], list[str], np.ndarray]


def plan_zones(plan: Plan) -> Zones:
    """Return the zones of *plan* in plan order: ids, Chinese names and geometries in the metric CRS."""
    ids: list[str] = []
    names: list[str] = []
    geoms: list[Any] = []
    for name in _layers_of(plan, "zones"):
        frame = plan.layer(name, metric=True)
        ids += frame["id"].astype(str).tolist()
        names += frame["name_zh"].astype(str).tolist()
        geoms += np.asarray(frame.geometry.array).tolist()
    return ids, names, np.asarray(geoms, dtype=object)


def _assign(
    zones: np.ndarray, geoms: np.ndarray, known: dict[tuple[int, int], float] | None = None
) -> tuple[np.ndarray, dict[tuple[int, int], float]]:
    """Zone position per geometry (-1 = none): first covering zone for points, largest overlap else.

    Also returns the overlap area of every (geometry, zone) pair of polygons and lines. *known*
    gives such areas already measured (the same geometry and zone on the other side of a diff).
    """
    out = np.full(len(geoms), -1, dtype=np.int64)
    if not len(geoms) or not len(zones):
        return out, {}
    tree = shapely.STRtree(zones)
    qi, zi = tree.query(geoms, predicate="intersects")
    if not qi.size:
        return out, {}
    is_point = shapely.get_type_id(geoms[qi]) == 0
    score = np.where(is_point, 1.0, 0.0)
    poly = np.flatnonzero(~is_point)
    if len(poly):
        pairs = list(zip(qi[poly].tolist(), zi[poly].tolist(), strict=True))
        got = [known.get(pair) for pair in pairs] if known else [None] * len(pairs)
        todo = np.array([v is None for v in got], dtype=bool)
        if todo.any():
            got_arr = np.array([np.nan if v is None else v for v in got])
            got_arr[todo] = shapely.area(shapely.intersection(geoms[qi[poly[todo]]], zones[zi[poly[todo]]]))
            score[poly] = got_arr
        else:
            score[poly] = got
    keys = zip(qi[poly].tolist(), zi[poly].tolist(), strict=True)
    areas = dict(zip(keys, score[poly].tolist(), strict=True))
    order = np.lexsort((zi, -score, qi))  # per geometry: largest score, then plan order
    qi, zi, score = qi[order], zi[order], score[order]
    first = np.r_[True, qi[1:] != qi[:-1]]
    ok = first & (score > 0)
    out[qi[ok]] = zi[ok]
    return out, areas


def _same_zones(za_ids: list[str], za: np.ndarray, zb_ids: list[str], zb: np.ndarray) -> dict[int, int]:
    """B zone position -> A zone position, for zones with one id on each side and the same geometry."""
    pos_a: dict[str, int] = {}
    for i, z in enumerate(za_ids):
        pos_a[z] = -1 if z in pos_a else i
    pos_b: dict[str, int] = {}
    for j, z in enumerate(zb_ids):
        pos_b[z] = -1 if z in pos_b else j
    pairs = [(j, pos_a[z]) for z, j in pos_b.items() if j >= 0 and pos_a.get(z, -1) >= 0]
    if not pairs:
        return {}
    jb, ia = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    same = shapely.equals_exact(za[ia], zb[jb], tolerance=0.0)
    return dict(zip(jb[same].tolist(), ia[same].tolist(), strict=True))


def zone_moves(a: Plan, b: Plan, zones: tuple[Zones, Zones] | None = None) -> list[ZoneMove]:
    """Towns and parks (matched by id) whose zone in A differs from their zone in B.

    *zones*: :func:`plan_zones` of A and B, when the caller has them.
    """
    (za_ids, za_names, za), (zb_ids, zb_names, zb) = zones or (plan_zones(a), plan_zones(b))
    out: list[ZoneMove] = []
    zone_map: dict[int, int] | None = None
    for element in ZONED_ELEMENTS:
        for name in _layers_of(a, element):
            if name not in b or b.element(name) != element:
                continue
            fa, fb = a.layer(name, metric=True), b.layer(name, metric=True)
            ia, ib = fa["id"].astype(str).tolist(), fb["id"].astype(str).tolist()
            where_b = {fid: i for i, fid in enumerate(ib)}
            pa = np.array([i for i, fid in enumerate(ia) if fid in where_b], dtype=np.int64)
            pb = np.array([where_b[ia[i]] for i in pa], dtype=np.int64)
            if not pa.size:
                continue
            geoms_a, geoms_b = np.asarray(fa.geometry.array)[pa], np.asarray(fb.geometry.array)[pb]
            ga, areas_a = _assign(za, geoms_a)
            # a town or park and a zone that are the same on both sides overlap by the same area
            same = np.flatnonzero(shapely.equals_exact(geoms_a, geoms_b, tolerance=0.0))
            if zone_map is None:
                zone_map = _same_zones(za_ids, za, zb_ids, zb)
            same_set = set(same.tolist())
            zone_back = {i: j for j, i in zone_map.items()}  # A zone -> the same zone in B
            known = {}
            for (pos, za_pos), area in areas_a.items():
                zb_pos = zone_back.get(za_pos)
                if zb_pos is not None and pos in same_set:
                    known[(pos, zb_pos)] = area
            gb, _ = _assign(zb, geoms_b, known)
            zone_a = [za_ids[i] if i >= 0 else None for i in ga]
            zone_b = [zb_ids[i] if i >= 0 else None for i in gb]
            zh_b, en_b = fb["name_zh"].to_numpy(dtype=object), fb["name_en"].to_numpy(dtype=object)
            basis_a = fa["geometry_basis"].to_numpy(dtype=object)[pa]
            basis_b = fb["geometry_basis"].to_numpy(dtype=object)[pb]
            for k in np.flatnonzero(np.array(zone_a, dtype=object) != np.array(zone_b, dtype=object)):
                out.append(
                    ZoneMove(
                        name,
                        ia[pa[k]],
                        str(zh_b[pb[k]]),
                        str(en_b[pb[k]]),
                        zone_a[k],
                        zone_b[k],
                        za_names[ga[k]] if ga[k] >= 0 else None,
                        zb_names[gb[k]] if gb[k] >= 0 else None,
                        "schematic" in (basis_a[k], basis_b[k]),
                    )
                )
    return out


def transfers(
    a: Plan, b: Plan, changed_zone_ids: set[str], zones: tuple[Zones, Zones] | None = None
) -> list[Transfer]:
    """Land in zone X in A and in zone Y (or no zone) in B, for the zones whose geometry changed.

    Land in an unchanged zone is in that zone on both sides, so only pieces that
    touch a changed zone (or a zone added or removed) can have changed hands.
    *zones*: :func:`plan_zones` of A and B, when the caller has them.
    """
    (za_ids, za_names, za), (zb_ids, zb_names, zb) = zones or (plan_zones(a), plan_zones(b))
    if not changed_zone_ids:
        return []
    ca = np.array([i for i, z in enumerate(za_ids) if z in changed_zone_ids], dtype=np.int64)
    cb = np.array([i for i, z in enumerate(zb_ids) if z in changed_zone_ids], dtype=np.int64)
    pieces: dict[tuple[str | None, str | None], list[Any]] = {}
    names: dict[str | None, str | None] = {None: None}
    names.update(zip(za_ids, za_names, strict=True))
    names.update(zip(zb_ids, zb_names, strict=True))
    if len(za) and len(zb):
        tree = shapely.STRtree(zb)
        pairs: set[tuple[int, int]] = set()
        if ca.size:
            qi, zi = tree.query(za[ca], predicate="intersects")
            pairs.update(zip(ca[qi].tolist(), zi.tolist(), strict=True))
        if cb.size:
            tree_a = shapely.STRtree(za)
            qi, zi = tree_a.query(zb[cb], predicate="intersects")
            pairs.update(zip(zi.tolist(), cb[qi].tolist(), strict=True))
        for i, j in sorted(pairs):
            if za_ids[i] == zb_ids[j]:
                continue
            piece = shapely.intersection(za[i], zb[j])
            pieces.setdefault((za_ids[i], zb_ids[j]), []).append(piece)
    for own, others, pos, ids, key in ((za, zb, ca, za_ids, 0), (zb, za, cb, zb_ids, 1)):
        if not pos.size:
            continue
        rest_tree = shapely.STRtree(others) if len(others) else None
        for i in pos.tolist():
            rest = _outside(own[i], others, rest_tree)
            pieces.setdefault((ids[i], None) if key == 0 else (None, ids[i]), []).append(rest)
    out: list[Transfer] = []
    for (from_id, to_id), geoms in pieces.items():
        geom = shapely.union_all(np.asarray(geoms, dtype=object))
        geom = _polygonal(geom)
        if geom is None or geom.area < _MIN_TRANSFER_M2:
            continue
        wgs = metric_array(np.array([geom], dtype=object), a.metric_crs, inverse=True)[0]
        out.append(Transfer(from_id, to_id, names[from_id], names[to_id], _r(geom.area / 1e4, 4), wgs))
    out.sort(key=lambda t: (-t.area_ha, str(t.zone_a), str(t.zone_b)))
    return out


def _outside(geom: Any, others: np.ndarray, tree: Any) -> Any:
    """Return the part of *geom* covered by none of *others* (only the ones it meets are unioned)."""
    if tree is None:
        return geom
    near = others[tree.query(geom, predicate="intersects")]
    return shapely.difference(geom, shapely.union_all(near)) if len(near) else geom


def _polygonal(geom: Any) -> Any:
    """Keep only the polygons of an intersection (drop touching lines and points)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(np.asarray(parts, dtype=object)) if parts else None


def rule_delta(ra: CheckReport, rb: CheckReport) -> RuleDelta:
    """Compare the rule checks of A and B (:class:`lzspatial.diff.checks.RuleChecks`)."""
    sa = {r.rule_id: r for r in ra.summary.itertuples()}
    sb = {r.rule_id: r for r in rb.summary.itertuples()}
    delta = RuleDelta(
        failing_a=sum(r.status == "fail" for r in sa.values()),
        failing_b=sum(r.status == "fail" for r in sb.values()),
        rules_a=len(sa),
        rules_b=len(sb),
    )
    for rid in list(sa) + [r for r in sb if r not in sa]:
        x, y = sa.get(rid), sb.get(rid)
        ref = y if y is not None else x
        assert ref is not None
        st_a = None if x is None else str(x.status)
        st_b = None if y is None else str(y.status)
        n_a = 0 if x is None else int(x.violated)
        n_b = 0 if y is None else int(y.violated)
        if st_a == st_b and n_a == n_b:
            continue
        rc = RuleChange(rid, str(ref.severity), str(ref.title_zh), str(ref.title_en), st_a, st_b, n_a, n_b)
        if st_b == "fail" and st_a != "fail":
            delta.newly_failing.append(rc)
        elif st_a == "fail" and st_b != "fail":
            delta.newly_passing.append(rc)
        else:
            delta.other.append(rc)
    va, vb = _violations(ra.violation_keys()), _violations(rb.violation_keys())
    for key, (unit, m) in va.items():
        if key not in vb:
            delta.violations_removed.append(ViolationChange(*key, unit, m, None))
        elif vb[key][1] != m:
            delta.measures_moved.append(ViolationChange(*key, unit, m, vb[key][1]))
    for key, (unit, m) in vb.items():
        if key not in va:
            delta.violations_added.append(ViolationChange(*key, unit, None, m))
    return delta


def _violations(frame: Any) -> dict[tuple[str, str | None, str | None], tuple[str, float | None]]:
    """(rule, feature, related) -> (unit, measure to 0.01) of each violation (the last of a repeated key)."""

    def key(v: Any) -> Any:
        return v if v is None or type(v) is str else normalise(v)

    def text(v: Any) -> str:
        return v if type(v) is str else str(v)

    def measure(m: Any) -> float | None:
        m = normalise(m) if type(m) is not float else (None if m != m else m)
        return None if m is None else _r(m, 2)

    rules, fids, rids, units, ms = (
        frame[c].tolist() for c in ("rule_id", "feature_id", "related_id", "unit", "measure")
    )
    text_only, nullable = {str}, {str, type(None)}
    if (
        set(map(type, rules)) <= text_only
        and set(map(type, units)) <= text_only
        and set(map(type, fids)) <= nullable
        and set(map(type, rids)) <= nullable
        and set(map(type, ms)) <= {float}
    ):  # the usual columns: the same as below without a call per value
        rounded = [None if m != m else (round(m, 2) or 0.0) for m in ms]
        return dict(zip(zip(rules, fids, rids, strict=True), zip(units, rounded, strict=True), strict=True))
    keys = zip(map(text, rules), map(key, fids), map(key, rids), strict=True)
    return dict(zip(keys, zip(map(text, units), map(measure, ms), strict=True), strict=True))


def _site_label(sites: Any) -> list[str]:
    for col in ("site_id", "id", "name", "name_zh", "name_en"):
        if col in sites.columns:
            return [str(normalise(v)) for v in sites[col]]
    return [str(i) for i in sites.index]


def site_delta(a: Plan, b: Plan, sites: Any, industry: str | None) -> SiteDelta:
    """Screen *sites* against A and B; list the sites whose zone, flags or verdict differ."""
    from lzspatial.errors import LzSpatialError
    from lzspatial.screening.engine import answer_basis, screen

    results = []
    for side, plan in (("A", a), ("B", b)):
        try:
            results.append(screen(sites, plan, industry))
        except LzSpatialError as err:
            raise sided(side, err) from err
    ra, rb = results
    fields = tuple(f for f in SITE_FIELDS if f in ra.columns or f in rb.columns)
    labels = _site_label(sites)
    changed: list[SiteChange] = []
    none = np.full(len(sites), None, dtype=object)
    cols_a = {f: ra[f].to_numpy(dtype=object) if f in ra.columns else none for f in fields}
    cols_b = {f: rb[f].to_numpy(dtype=object) if f in rb.columns else none for f in fields}
    for i, row in enumerate(sites.index):
        diffs = []
        for f in fields:
            x, y = normalise(cols_a[f][i]), normalise(cols_b[f][i])
            if x != y:
                diffs.append(FieldChange(f, x, y))
        if diffs:
            changed.append(SiteChange(str(normalise(row)), labels[i], tuple(diffs)))

    def basis(plan: Plan) -> str | None:
        from lzspatial.plan.schema import weakest_basis

        return weakest_basis(answer_basis(plan).values())

    return SiteDelta(len(sites), industry, fields, changed, basis(a), basis(b))


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k in value:
            _flatten(value[k], f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = value


def manifest_changes(a: Plan, b: Plan) -> list[FieldChange]:
    """Keys of ``plan.toml`` (dotted, layers excluded) whose values differ."""
    fa: dict[str, Any] = {}
    fb: dict[str, Any] = {}
    _flatten({k: v for k, v in a.manifest.raw.items() if k != "layers"}, "", fa)
    _flatten({k: v for k, v in b.manifest.raw.items() if k != "layers"}, "", fb)
    keys = list(fa) + [k for k in fb if k not in fa]
    return [
        FieldChange(k, normalise(fa.get(k)), normalise(fb.get(k))) for k in keys if fa.get(k) != fb.get(k)
    ]
