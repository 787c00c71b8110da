"""The map payload: layers grouped by style, as compact JSON that is safe inside ``<script>``.

Features are grouped by (layer, style class, schematic flag). Every group
carries ONE style (an index into a shared style table), its geometries
(GeoJSON text rounded to 6 decimals, or a flat ``[x, y, ...]`` array for
points) and one row of display strings per feature. There is never a
per-feature style function.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely
from shapely.ops import polylabel

from lzspatial.io import geometry_to_geojson
from lzspatial.outputs.style import (
    DEFAULT_OFF,
    DRAW_RANK,
    EXTRA_STYLES,
    LABELLED,
    LEGEND_RANK,
    STYLES,
    class_labels,
    class_of,
    style_for,
)
from lzspatial.plan.labels import TRANSLATED, class_label, field_label, strip_schematic, value_labels
from lzspatial.rules.report import VIOLATION_COLUMNS

__all__ = [
    "LayerData",
    "leaflet_style",
    "payload_text",
    "plan_layer",
    "script_json",
    "sites_layer",
    "violations_layer",
]

#: Layers with more features than this are drawn on a canvas instead of SVG.
CANVAS_FROM = 2000


@dataclass
class ClassData:
    """One style group: a class of a layer, schematic or not."""

    id: str
    label: dict[str, str]
    style: dict[str, Any]
    schematic: bool
    labelled: int | None
    kind: str  # pt | ln | pg
    geoms: list[Any] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    wgs: list[str] = field(default_factory=list)
    #: Whether ``geoms`` is a flat list of point coordinates (x0, y0, x1, y1, ...).
    flat: bool = False
    #: Map label of each feature ([zh, en]) and, for polygons, its anchor (flat x, y).
    names: list[list[str]] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)


@dataclass
class LayerData:
    """One layer of the map with its columns and style groups."""

    id: str
    title: dict[str, str]
    kind: str  # plan | violations | sites
    columns: list[list[Any]]
    name: tuple[int, int]
    pinyin: int = -1
    arrows: bool = False
    search: bool = True
    classes: list[ClassData] = field(default_factory=list)
    draw_rank: float = 5.5
    legend_rank: float = 5.5
    #: Shown when the map opens.
    on: bool = True


# ---------------------------------------------------------------------------
# values and styles
# ---------------------------------------------------------------------------


def _num(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) >= 1000 else f"{v:.6g}"


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        return bool(pd.isna(v)) if not hasattr(v, "__len__") or isinstance(v, str) else False
    except (TypeError, ValueError):
        return False


def display(v: Any, labels: dict[str, dict[str, str]] | None = None, lang: str = "both") -> str | None:
    """Return the text a popup shows for value *v* (``None`` for a missing value).

    Examples
    --------
    >>> display(["a", "b"])
    'a; b'
    >>> display(1234567.0), display(1234567.891), display(0.000123456789)
    ('1,234,567', '1,234,567.89', '0.000123457')
    >>> display("trade", {"trade": {"zh": "商贸", "en": "trade area"}}, "both")
    '商贸 / trade area'
    """
    if isinstance(v, (list, tuple)) or (
        hasattr(v, "tolist") and not isinstance(v, str) and bool(getattr(v, "ndim", False))
    ):
        items = [display(x, labels, lang) for x in list(v)]
        return "; ".join(i for i in items if i) or None
    if _is_missing(v):
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, bool):
        v = "true" if v else "false"
        lab = (labels or {}).get(v)
        if lab is None:
            return v
        return lab["zh"] if lang == "zh" else lab["en"] if lang == "en" else f"{lab['zh']} / {lab['en']}"
    if isinstance(v, float):
        return _num(v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    text = str(v)
    if labels and text in labels:
        lab = labels[text]
        zh, en = lab.get("zh", text), lab.get("en", text)
        return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"
    return text


def _leaflet_style(st: dict[str, Any], kind: str, *, hollow: bool | None = None) -> dict[str, Any]:
    hollow = st.get("hollow", False) if hollow is None else hollow
    out: dict[str, Any] = {"color": st["color"], "weight": st["weight"], "opacity": 0.95}
    if kind == "ln":
        out.update(fill=False, fillColor=st["fill"], fillOpacity=0)
    elif kind == "pt":
        out.update(
            fill=True,
            fillColor=st["fill"],
            fillOpacity=0 if hollow else 0.9,
            radius=st["radius"],
            marker=st.get("marker", "circle"),
            weight=min(st["weight"], 2.0),
        )
    else:
        out.update(fill=st["fill_opacity"] > 0, fillColor=st["fill"], fillOpacity=st["fill_opacity"])
        if st.get("hatch"):
            out["hatch"] = True
    if st.get("dash"):
        out["dashArray"] = st["dash"]
    return out


def _style(element: str, cls: str, schematic: bool, kind: str) -> dict[str, Any]:
    if element in STYLES or element not in EXTRA_STYLES:
        return _leaflet_style(style_for(element, cls, schematic=schematic), kind)
    st = {"marker": "circle", **EXTRA_STYLES[element][cls], "dash": "2 5" if cls == "accepted" else None}
    return _leaflet_style(st, kind, hollow=element == "violations")


def leaflet_style(element: str, cls: str, schematic: bool, kind: str) -> dict[str, Any]:
    """Return the Leaflet path options of a class as the web map draws it (kind: pt, ln or pg).

    *element* is a plan element or a layer of :data:`~lzspatial.outputs.style.EXTRA_STYLES`.

    Examples
    --------
    >>> leaflet_style("changes", "added", False, "pg")["color"]
    '#00a651'
    """
    return _style(element, cls, schematic, kind)


def _kind(geom: Any) -> str:
    t = geom.geom_type
    return "pt" if t in ("Point", "MultiPoint") else "ln" if "LineString" in t else "pg"


def _coord(x: float, y: float) -> str:
    return f"{x:.6f}, {y:.6f}"


def _round6(v: float) -> str:
    r = round(float(v), 6)
    text = repr(0.0 if r == 0 else r)
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------------------
# grouping
# ---------------------------------------------------------------------------


def _group(
    element: str,
    frame: Any,
    wgs: Any,
    classes: Sequence[str],
    schematic: Sequence[bool],
    rows: list[list[Any]],
    order: Sequence[str],
    label_of: Any,
    names: Sequence[list[str]] | None = None,
) -> list[ClassData]:
    """Group features by (class, schematic) in *order*, then by first appearance."""
    geoms = list(frame.geometry.values)
    wgs_geoms = list(wgs.geometry.values) if wgs is not None else geoms
    keys: dict[tuple[str, bool], list[int]] = {}
    for i, (cls, sch) in enumerate(zip(classes, schematic, strict=True)):
        if geoms[i] is None or geoms[i].is_empty:
            continue
        keys.setdefault((cls, bool(sch)), []).append(i)
    rank = {c: n for n, c in enumerate(order)}
    ordered = sorted(keys, key=lambda k: (rank.get(k[0], len(rank)), k[1]))
    out = []
    for cls, sch in ordered:
        idx = keys[(cls, sch)]
        kind = _kind(geoms[idx[0]])
        cd = ClassData(
            cls,
            label_of(cls),
            _style(element, cls, sch, kind),
            sch,
            LABELLED.get((element, cls), LABELLED.get((element, "*"))),
            kind,
        )
        cd.rows = [rows[i] for i in idx]
        if cd.labelled is not None and names is not None:
            cd.names = [names[i] for i in idx]
            if kind == "pg":
                cd.anchors = [_round6(v) for i in idx for v in _anchor(geoms[i])]
        if all(geoms[i].geom_type == "Point" for i in idx):
            xy = shapely.get_coordinates([geoms[i] for i in idx])
            cd.geoms = [_round6(v) for v in xy.ravel()]
            cd.kind, cd.flat = "pt", True
            if wgs is not None:
                cd.wgs = [_coord(*p) for p in shapely.get_coordinates([wgs_geoms[i] for i in idx])]
        else:
            cd.geoms = [geometry_to_geojson(geoms[i]) for i in idx]
            reps = shapely.point_on_surface([wgs_geoms[i] for i in idx])
            cd.wgs = [_coord(*p) for p in shapely.get_coordinates(reps)]
        out.append(cd)
    return out


def _anchor(geom: Any) -> tuple[float, float]:
    """Where a polygon's label goes: the centre of its largest part's biggest inscribed circle."""
    parts = list(getattr(geom, "geoms", [geom]))
    big = max(parts, key=lambda g: g.area)
    p = polylabel(big, tolerance=max(big.length / 400, 1e-6))
    return p.x, p.y


def _cell(v: Any, labels: dict[str, dict[str, str]] | None) -> Any:
    """Return a popup value in both languages: one string, or ``{"zh", "en"}`` when they differ."""
    zh, en = display(v, labels, "zh"), display(v, labels, "en")
    return zh if zh == en else {"zh": zh, "en": en}


def _rows(frame: Any, columns: Sequence[str], labels: dict[str, Any], lang: str) -> list[list[Any]]:
    """One row of popup values per feature, every value in both languages (*lang* is the initial one).

    An English text field with a Chinese twin (``note`` and ``note_zh``) becomes one value
    ``{"zh": ..., "en": ...}``; its ``zh`` is null where the feature has no Chinese text.
    """
    records = frame[list(columns)].to_dict("list") if columns else {}
    n = len(frame)
    rows = [[_cell(records[c][i], labels.get(c)) for c in columns] for i in range(n)]
    for en_field, zh_field in TRANSLATED.items():
        if en_field not in columns:
            continue
        j = list(columns).index(en_field)
        zh_values = frame[zh_field].tolist() if zh_field in frame.columns else [None] * n
        for row, zh in zip(rows, zh_values, strict=True):
            if row[j] is not None:
                row[j] = {"zh": display(zh), "en": row[j]}
    return rows


def _short_names(frame: Any) -> list[list[str]]:
    """Return the map label of each feature: its names without the schematic marks, [zh, en]."""
    out = []
    blank = [None] * len(frame)
    for zh, en in zip(frame.get("name_zh", blank), frame.get("name_en", blank), strict=True):
        out.append([strip_schematic(str(v)) if not _is_missing(v) else "" for v in (zh, en)])
    return out


def plan_layer(plan: Any, name: str, frame: Any, wgs: Any, lang: str) -> LayerData:
    """Build the map data of plan layer *name*.

    *frame* is in display coordinates, *wgs* the same rows in WGS84 when
    they differ (Gaode), else ``None``.
    """
    element = plan.element(name)
    zh, en = plan.titles(name)
    columns = [c for c in frame.columns if c != frame.geometry.name and c not in TRANSLATED.values()]
    labels = value_labels(element, plan.vocabularies)
    rows = _rows(frame, columns, labels, lang)
    classes = [class_of(element, r) for r in frame[columns].to_dict("records")]
    schematic = [b == "schematic" for b in frame.get("geometry_basis", [None] * len(frame))]
    order = list(STYLES.get(element, {}))
    layer = LayerData(
        id=name,
        title={"zh": zh, "en": en},
        kind="plan",
        columns=[[c, *field_label(c)] for c in columns],
        name=(_index(columns, "name_zh"), _index(columns, "name_en")),
        pinyin=_index(columns, "pinyin"),
        arrows=element == "axes",
        draw_rank=DRAW_RANK.get(element, 5.5),
        legend_rank=LEGEND_RANK.get(element, 5.5),
        on=element not in DEFAULT_OFF,
    )
    names = _short_names(frame)
    legend_labels = class_labels(frame, element, classes, plan.vocabularies, (zh, en))

    def label_of(c: str) -> dict[str, str]:
        return legend_labels.get(c) or {"zh": c, "en": c}

    layer.classes = _group(
        element,
        frame,
        wgs,
        classes,
        schematic,
        rows,
        order,
        label_of,
        names,
    )
    return layer


def _index(columns: Sequence[str], name: str) -> int:
    return list(columns).index(name) if name in columns else -1


def violations_layer(frame: Any, wgs: Any, lang: str) -> LayerData:
    """Build the map data of the rule check's violations (contract columns of ``CheckReport.violations``)."""
    columns = [c for c in VIOLATION_COLUMNS if c in frame.columns]
    labels: dict[str, Any] = {}
    rows = _rows(frame, columns, labels, lang)
    if "measure" in columns:
        j = columns.index("measure")
        units = list(frame["unit"]) if "unit" in frame.columns else [None] * len(frame)
        for row, value, unit in zip(rows, frame["measure"], units, strict=True):
            row[j] = _measure_text(value, unit)
    sev = list(frame["severity"]) if "severity" in frame.columns else ["error"] * len(frame)
    acc = list(frame["accepted"]) if "accepted" in frame.columns else [False] * len(frame)
    classes = ["accepted" if a is True or a == 1 else str(s) for s, a in zip(sev, acc, strict=True)]
    classes = [c if c in EXTRA_STYLES["violations"] else "error" for c in classes]
    hidden = {"title_zh", "title_en", "unit"}
    layer = LayerData(
        id="violations",
        title={"zh": "规则检查问题", "en": "Rule check violations"},
        kind="violations",
        columns=[[c, *field_label(c), 1] if c in hidden else [c, *field_label(c)] for c in columns],
        name=(_index(columns, "title_zh"), _index(columns, "title_en")),
        search=False,
        draw_rank=100,
        legend_rank=-2,
        on="violations" not in DEFAULT_OFF,
    )
    layer.classes = _group(
        "violations",
        frame,
        wgs,
        classes,
        [False] * len(frame),
        rows,
        list(EXTRA_STYLES["violations"]),
        lambda c: class_label("violations", c, {}, None),
    )
    return layer


def _measure_text(value: Any, unit: Any) -> str | None:
    if _is_missing(value):
        return None
    v = float(value)
    u = "" if _is_missing(unit) else str(unit)
    text = f"{v:,.2f}".rstrip("0").rstrip(".") + (f" {u}" if u else "")
    if u == "m2":
        text += f" ({v / 10000:,.2f} ha)"
    return text


def sites_layer(frame: Any, wgs: Any, lang: str, label: str | None, verdicts: list[str]) -> LayerData:
    """Build the map data of screened sites, coloured by *verdicts* (one per row)."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    rows = _rows(frame, columns, value_labels("sites", {}), lang)  # verdicts and data basis in words
    name_idx = columns.index(label) if label is not None else -1
    layer = LayerData(
        id="sites",
        title={"zh": "选址地块", "en": "Sites"},
        kind="sites",
        columns=[[str(c), *field_label(str(c))] for c in columns],
        name=(name_idx, name_idx),
        draw_rank=101,
        legend_rank=-1,
    )
    layer.classes = _group(
        "sites",
        frame,
        wgs,
        verdicts,
        [False] * len(frame),
        rows,
        list(EXTRA_STYLES["sites"]),
        lambda c: class_label("sites", c, {}, None),
    )
    return layer


# ---------------------------------------------------------------------------
# serialisation
# ---------------------------------------------------------------------------


def script_json(text: str) -> str:
    r"""Make JSON text safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\u003c``, ``\u003e`` and ``\u0026`` (so data
    cannot close the script or open a comment), and U+2028/U+2029 are escaped.
    They only occur inside JSON strings, where the escapes mean the same.

    Examples
    --------
    >>> script_json('{"n":"</script>"}')
    '{"n":"\\u003c/script\\u003e"}'
    """
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _class_text(cd: ClassData, style_index: int) -> str:
    head = _dumps(
        {
            "id": cd.id,
            "label": cd.label,
            "s": style_index,
            "sch": cd.schematic,
            "lab": cd.labelled,
            "gk": cd.kind,
        }
    )
    if cd.names:
        head = head[:-1] + ',"lt":' + _dumps(cd.names) + "}"
    if cd.anchors:
        head = head[:-1] + ',"la":[' + ",".join(cd.anchors) + "]}"
    geo = ('"xy":[' if cd.flat else '"g":[') + ",".join(cd.geoms) + "]"
    wgs = ',"w":' + _dumps(cd.wgs) if cd.wgs else ""
    return head[:-1] + "," + geo + ',"p":' + _dumps(cd.rows) + wgs + "}"


def payload_text(meta: dict[str, Any], layers: list[LayerData]) -> str:
    """Return the whole payload as script-safe JSON text.

    *meta* holds ``lang``, ``title``, ``source``, ``disclaimer``, ``shift``,
    ``bounds`` and ``tiles``. Styles are collected into one table, so a
    style appears once however many features use it.
    """
    styles: list[str] = []
    legend = sorted(layers, key=lambda lay: lay.legend_rank)
    draw = sorted(layers, key=lambda lay: lay.draw_rank)
    parts = []
    for lay in legend:
        cls_parts = []
        for cd in lay.classes:
            st = _dumps(cd.style)
            if st not in styles:
                styles.append(st)
            cls_parts.append(_class_text(cd, styles.index(st)))
        head = _dumps(
            {
                "id": lay.id,
                "title": lay.title,
                "kind": lay.kind,
                "cols": lay.columns,
                "name": list(lay.name),
                "py": lay.pinyin,
                "arrows": lay.arrows,
                "search": lay.search,
                "on": lay.on,
            }
        )
        parts.append(head[:-1] + ',"classes":[' + ",".join(cls_parts) + "]}")
    head = _dumps({**meta, "canvasFrom": CANVAS_FROM, "draw": [lay.id for lay in draw]})
    text = head[:-1] + ',"styles":[' + ",".join(styles) + '],"layers":[\n' + ",\n".join(parts) + "]}"
    return script_json(text)
