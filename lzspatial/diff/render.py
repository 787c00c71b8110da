"""The review map of a diff: one self-contained, offline HTML page.

A and B side by side, their panning and zooming synchronised; the changes drawn
over them (added green, removed red, the old outline grey and the new one blue,
arrows from old to new, land that changed zone purple); a list of changes that
zooms both maps to a change when clicked; and the plan-level deltas as tables.

Leaflet is inlined (:mod:`lzspatial.outputs.webmap.leaflet`), styles come from the
one palette, and the data sits in one ``<script type="application/json">``
escaped by :func:`~lzspatial.outputs.webmap.payload.script_json`. The page's own
script puts every data text into the page through ``textContent``. The same diff
gives the same bytes.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from lzspatial._util.text import esc
from lzspatial.diff.model import FeatureChange, PlanDiff
from lzspatial.diff.wording import SCHEMATIC_MARK, change_text, label, measure_text, value_text
from lzspatial.io import geometry_to_geojson
from lzspatial.outputs.style import DRAW_RANK, EXTRA_STYLES, class_of
from lzspatial.outputs.webmap.leaflet import check_inlinable, house_css, leaflet_css, leaflet_js
from lzspatial.outputs.webmap.payload import leaflet_style, script_json
from lzspatial.plan.labels import DIFF_LABELS, field_label
from lzspatial.plan.model import Plan

__all__ = ["render_review_map"]

_ASSETS = Path(__file__).resolve().parent / "assets"
#: Padding (degrees) around a point change when zooming to it.
_POINT_PAD = 0.01


#: Changes whose feature moved less than this (m) get no arrow (the outlines show them).
ARROW_FROM_M = 100.0


def _moved(c: FeatureChange) -> float:
    m = c.measures
    return float(m.get("moved_m") or m.get("centroid_moved_m") or m.get("hausdorff_m") or 0.0)


class _Styles:
    """A table of Leaflet styles, each stored once; features refer to them by index."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._keys: dict[str, int] = {}
        self._made: dict[tuple[str, str, bool, str], int] = {}

    def index(self, style: dict[str, Any]) -> int:
        key = json.dumps(style, sort_keys=True)
        if key not in self._keys:
            self._keys[key] = len(self.items)
            self.items.append(style)
        return self._keys[key]

    def of(self, element: str, cls: str, schematic: bool, kind: str) -> int:
        """Return ``index(leaflet_style(element, cls, schematic, kind))`` (a style depends on these only)."""
        key = (element, cls, schematic, kind)
        if key not in self._made:
            self._made[key] = self.index(leaflet_style(element, cls, schematic, kind))
        return self._made[key]


class _Raw:
    """A geometry's GeoJSON text, put into the page's JSON as it is (see :class:`_Geoms`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Geoms:
    """The GeoJSON of the page's geometries, each distinct geometry written once.

    B repeats most of A's features, and a changed feature's old outline is drawn twice:
    geometries with the same WKB (same type and coordinates) have the same text. With
    *raw*, geometries become :class:`_Raw` (spliced into the page's JSON text by
    :func:`_dumps_raw`); else plain JSON values (``json.loads`` of the text).
    """

    def __init__(self, raw: bool) -> None:
        self.raw = raw
        self._texts: dict[bytes, _Raw] = {}

    def many(self, geoms: Any) -> list[Any]:
        geoms = np.asarray(geoms, dtype=object)
        keys = shapely.to_wkb(geoms).tolist() if len(geoms) else []
        out = []
        for g, key in zip(geoms.tolist(), keys, strict=True):
            raw = self._texts.get(key)
            if raw is None:
                text = geometry_to_geojson(g)
                if "nan" in text or "inf" in text:  # not JSON: json.loads says so, as before
                    json.loads(text)
                raw = self._texts[key] = _Raw(text)
            out.append(raw if self.raw else json.loads(raw.text))
        return out

    def one(self, geom: Any) -> Any:
        return self.many([geom])[0]


def _dumps_raw(value: Any) -> str:
    """Return ``json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))``.

    Each :class:`_Raw` is written as its text: the same bytes as its ``json.loads`` value would
    give, as GeoJSON text from :func:`~lzspatial.io.geometry_to_geojson` is compact JSON whose
    numbers read back and print as written.
    """
    raws: list[str] = []
    token = secrets.token_hex(8)

    def mark(obj: Any) -> str:
        if not isinstance(obj, _Raw):
            raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
        raws.append(obj.text)
        return f"{token}:{len(raws) - 1}"

    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=mark)
    return re.sub(f'"{token}:([0-9]+)"', lambda m: raws[int(m.group(1))], text)


def _kind(geom: Any) -> str:
    t = geom.geom_type
    return "pt" if "Point" in t else "ln" if "LineString" in t else "pg"


def _layers(plan: Plan, styles: _Styles, geoms: _Geoms) -> list[dict[str, Any]]:
    out = []
    names = sorted(
        plan.layer_names, key=lambda n: (DRAW_RANK.get(plan.element(n), 5.5), plan.layer_names.index(n))
    )
    for name in names:
        element = plan.element(name)
        frame = plan[name]
        cols = [c for c in frame.columns if c != "geometry"]
        shapes = np.asarray(frame.geometry.values, dtype=object)
        drawn = np.flatnonzero(~(shapely.is_missing(shapes) | shapely.is_empty(shapes)))
        values = [frame[c].to_numpy(dtype=object)[drawn].tolist() for c in cols]
        rows = (dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True))
        feats = []
        for props, geom, gtext in zip(rows, shapes[drawn], geoms.many(shapes[drawn]), strict=True):
            schematic = props.get("geometry_basis") == "schematic"
            st = styles.of(element, class_of(element, props), schematic, _kind(geom))
            text = f"{props.get('name_zh') or ''} {props.get('name_en') or ''}".strip()
            if schematic:
                text += f" ({SCHEMATIC_MARK})"
            feats.append([st, gtext, text])
        zh, en = plan.titles(name)
        out.append({"id": name, "title": f"{zh} {en}", "f": feats})
    return out


def _bbox(c: FeatureChange) -> list[list[float]]:
    geoms = [g for g in (c.geom_a, c.geom_b) if g is not None]
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    if x1 - x0 < _POINT_PAD and y1 - y0 < _POINT_PAD:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        x0, x1, y0, y1 = cx - _POINT_PAD, cx + _POINT_PAD, cy - _POINT_PAD, cy + _POINT_PAD
    return [[round(y0, 6), round(x0, 6)], [round(y1, 6), round(x1, 6)]]


def _change(i: int, c: FeatureChange, styles: _Styles, geoms: _Geoms) -> dict[str, Any]:
    def st(cls: str, geom: Any) -> int:
        return styles.of("changes", cls, False, _kind(geom))

    _geom = geoms.one

    rec: dict[str, Any] = {
        "i": i,
        "status": c.status,
        "badge": label(c.status),
        "name": f"{c.name_zh} {c.name_en}".strip(),
        "where": f"{c.layer} · {c.id}",
        "text": change_text(c),
        "measure": measure_text(c),
        "sch": SCHEMATIC_MARK if c.schematic else "",
        "basis": (
            None
            if c.basis_change is None
            else f"{label('basis_up' if c.basis_change == 'up' else 'basis_down')}: "
            f"{value_text(c.basis_a)} → {value_text(c.basis_b)}"
        ),
        "bbox": _bbox(c),
        "a": None,
        "b": None,
        "arrow": None,
    }
    if c.status == "added":
        rec["b"] = [st("added", c.geom_b), _geom(c.geom_b)]
    elif c.status == "removed":
        rec["a"] = [st("removed", c.geom_a), _geom(c.geom_a)]
    elif c.geometry_changed:
        rec["a"] = [st("before", c.geom_a), _geom(c.geom_a)]
        rec["b"] = [st("after", c.geom_b), _geom(c.geom_b)]
        rec["ghost"] = [st("before", c.geom_a), _geom(c.geom_a)]
        if c.anchor_a and c.anchor_b and _moved(c) >= ARROW_FROM_M:
            rec["arrow"] = [[c.anchor_a[1], c.anchor_a[0]], [c.anchor_b[1], c.anchor_b[0]]]
    return rec


def _colour(cls: str) -> str:
    return str(EXTRA_STYLES["changes"][cls]["color"])


def _fmt(v: float | None, sign: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:+,.2f}" if sign else f"{v:,.2f}"


def _deltas(diff: PlanDiff) -> list[dict[str, Any]]:
    """Return the plan-level tables: a title, a header row and rows of display strings each."""
    tables = []
    areas = [r for r in diff.areas if r.delta_ha != 0] or diff.areas
    tables.append(
        {
            "title": f"{label('areas')} (ha, {diff.metric_crs})",
            "head": [label("feature"), "A", "B", "Δ ha", "Δ %"],
            "rows": [
                [
                    r.name_zh + (f" ({SCHEMATIC_MARK})" if r.schematic else ""),
                    _fmt(r.area_a_ha),
                    _fmt(r.area_b_ha),
                    _fmt(r.delta_ha, True),
                    _fmt(r.delta_pct, True),
                ]
                for r in areas
            ]
            + [
                [f"Σ {k.name_zh}", _fmt(k.area_a_ha), _fmt(k.area_b_ha), _fmt(k.delta_ha, True), ""]
                for k in diff.area_by_kind
            ],
        }
    )
    if diff.transfers:
        tables.append(
            {
                "title": label("transfer"),
                "head": [label("zone_a"), label("zone_b"), "ha"],
                "rows": [
                    [t.zone_a_zh or label("no_zone"), t.zone_b_zh or label("no_zone"), _fmt(t.area_ha)]
                    for t in diff.transfers
                ],
            }
        )
    if diff.zone_moves:
        tables.append(
            {
                "title": label("zone_moves"),
                "head": [label("feature"), label("zone_a"), label("zone_b")],
                "rows": [
                    [m.name_zh, m.zone_a_zh or label("no_zone"), m.zone_b_zh or label("no_zone")]
                    for m in diff.zone_moves
                ],
            }
        )
    r = diff.rules
    if r is not None:
        rows = []
        for key in ("newly_failing", "newly_passing"):
            rows += [
                [label(key), rc.rule_id, rc.title_zh, f"{rc.violated_a} → {rc.violated_b}"]
                for rc in getattr(r, key)
            ]
        rows += [["", rc.rule_id, rc.title_zh, f"{rc.violated_a} → {rc.violated_b}"] for rc in r.other]
        rows += [
            [
                label("measure_moved"),
                v.rule_id,
                f"{v.feature_id} / {value_text(v.related_id)}",
                f"{value_text(v.measure_a)} → {value_text(v.measure_b)} {v.unit}",
            ]
            for v in r.measures_moved
        ]
        tables.append(
            {
                "title": f"{label('rules')}: A {r.failing_a}/{r.rules_a}, B {r.failing_b}/{r.rules_b}",
                "head": [label("change"), DIFF_LABELS["rules"][0], "", "A → B"],
                "rows": rows or [[label("no_change"), "", "", ""]],
            }
        )
    if diff.sites is not None:
        tables.append(
            {
                "title": f"{label('sites')}: {len(diff.sites.changed)} / {diff.sites.sites}",
                "head": [label("site"), label("change")],
                "rows": [
                    [
                        s.label,
                        "; ".join(
                            f"{field_label(fc.field)[0]}: {value_text(fc.old)} → {value_text(fc.new)}"
                            for fc in s.changes
                        ),
                    ]
                    for s in diff.sites.changed
                ],
            }
        )
    return tables


def _side(v: Any) -> str:
    if v.revision:
        return f"{v.revision['spec']} ({v.revision['commit'][:10]})"
    return str(v.label)


def _bounds(a: Plan, b: Plan) -> list[list[float]]:
    geoms = []
    for plan in (a, b):
        if "boundary" in plan:
            geoms += list(plan["boundary"].geometry.values)
        else:
            for n in plan.layer_names:
                geoms += list(plan[n].geometry.values)
    x0, y0, x1, y1 = shapely.total_bounds([g for g in geoms if g is not None])
    return [[round(y0, 6), round(x0, 6)], [round(y1, 6), round(x1, 6)]]


def payload(diff: PlanDiff, a: Plan, b: Plan) -> dict[str, Any]:
    """Return the data of the review map (plain JSON values)."""
    return _payload(diff, a, b, _Geoms(raw=False))


def _payload(diff: PlanDiff, a: Plan, b: Plan, geoms: _Geoms) -> dict[str, Any]:
    styles = _Styles()
    changes = [_change(i, c, styles, geoms) for i, c in enumerate(diff.features)]
    transfers = [
        [
            styles.of("changes", "transfer", False, "pg"),
            geoms.one(t.geometry),
            f"{t.zone_a_zh or label('no_zone')} → {t.zone_b_zh or label('no_zone')}: {t.area_ha:,.2f} ha",
        ]
        for t in diff.transfers
    ]
    c = diff.counts()
    return {
        "title": f"{label('title')} · {diff.a.plan_id} → {diff.b.plan_id}",
        "a": f"A: {_side(diff.a)}",
        "b": f"B: {_side(diff.b)}",
        "summary": (
            f"{label('added')} {c['added']} · {label('removed')} {c['removed']} · {label('geometry')} "
            f"{c['geometry']} · {label('attribute')} {c['attributes']} · {label('basis')} {c['basis']}; "
            f"{label('tolerance')} {diff.tolerance_m:g} m"
        ),
        "note": f"{SCHEMATIC_MARK}: {DIFF_LABELS['schematic_note'][0]} / {DIFF_LABELS['schematic_note'][1]}",
        "disclaimer": str(b.disclaimer.get("zh", "")),
        "labels": {k: label(k) for k in ("changes", "deltas", "plan_a", "plan_b", "no_change")},
        "keys": [
            [label("added"), _colour("added")],
            [label("removed"), _colour("removed")],
            [f"A {label('geometry')}", _colour("before")],
            [f"B {label('geometry')}", _colour("after")],
            [label("transfer"), _colour("transfer")],
        ],
        "arrow": leaflet_style("changes", "arrow", False, "ln"),
        "bounds": _bounds(a, b),
        "layersA": _layers(a, styles, geoms),
        "layersB": _layers(b, styles, geoms),
        "changes": changes,
        "transfers": transfers,
        "deltas": _deltas(diff),
        "styles": styles.items,
    }


def render_review_map(diff: PlanDiff, a: Plan, b: Plan) -> str:
    """Return the review map of *diff* (A = *a*, B = *b*, the plans it was computed from) as HTML.

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> from lzspatial.diff import diff_plans
    >>> p = load_plan()
    >>> html = render_review_map(diff_plans(p, p, check=False), p, p)
    >>> "<script src" in html, html.count('id="lzdiff-data"')
    (False, 1)
    """
    data = script_json(_dumps_raw(_payload(diff, a, b, _Geoms(raw=True))))
    css = house_css()
    ours_css = check_inlinable("lzdiff.css", (_ASSETS / "lzdiff.css").read_text(encoding="utf-8"))
    ours_js = check_inlinable("lzdiff.js", (_ASSETS / "lzdiff.js").read_text(encoding="utf-8"))
    arrow = EXTRA_STYLES["changes"]["arrow"]["color"]
    title = esc(f"{DIFF_LABELS['title'][0]} {DIFF_LABELS['title'][1]}: {_side(diff.a)} → {_side(diff.b)}")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"<style>\n{leaflet_css()}\n</style>\n<style>\n{css}</style>\n<style>\n{ours_css}</style>\n"
        f"<script>\n{leaflet_js()}\n</script>\n"
        "</head>\n<body>\n"
        '<svg class="lzd-defs" width="0" height="0" aria-hidden="true"><defs>'
        '<marker id="lzd-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{esc(arrow)}"></path></marker>'
        "</defs></svg>\n"
        '<header id="lzd-head"></header>\n'
        '<main id="lzd-main"><div class="lzd-pane"><div id="lzd-map-a" class="lzd-map"></div>'
        '<div class="lzd-side-label" id="lzd-label-a"></div></div>'
        '<div class="lzd-pane"><div id="lzd-map-b" class="lzd-map"></div>'
        '<div class="lzd-side-label" id="lzd-label-b"></div></div>'
        '<aside id="lzd-aside"></aside></main>\n'
        f'<script type="application/json" id="lzdiff-data">{data}</script>\n'
        f"<script>\n{ours_js}</script>\n"
        "</body>\n</html>\n"
    )
