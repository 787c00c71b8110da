"""Compliance reports (合规性审查): one printable, offline HTML page for screened sites.

:func:`render_report` takes the output of :func:`lzspatial.screening.screen`
(with an industry) and returns one self-contained HTML document: no scripts,
no external URLs, inline CSS and inline SVG maps. Each site gets a section
with a small map of the site over the plan (zones, core, control lines,
parks, axes, railway, towns), a table of the area taken from each zone and
control line (polygons) or what the point lies in, the key distances, and the
verdict with each cited rule, its outcome and its ``basis``. Each map has a
compact legend, and each section closes with the plan's source and the
schematic disclaimer (so every printed page carries them); the page ends
with them too. Headings are bilingual;
every text taken from data is escaped. The same input gives the same bytes.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> from lzspatial.screening.engine import screen
>>> from lzspatial.plan import load_plan
>>> plan = load_plan()
>>> res = screen(gpd.GeoDataFrame({"name": ["<b>A</b>"]}, geometry=[Point(122.72, 41.51)], crs=4326),
...              plan, "trade_logistics")
>>> html = render_report(res, plan, "trade_logistics")
>>> "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial import __version__
from lzspatial._util.atomic import write_text
from lzspatial._util.text import esc
from lzspatial.errors import InputError
from lzspatial.outputs.style import class_of, style_for, verdict_colour
from lzspatial.plan.labels import CONTROL_LINE_LABELS, ELEMENT_LABELS, class_label, verdict_label
from lzspatial.rules.siting import load_siting, parse_industry
from lzspatial.screening.engine import answer_basis

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = [
    "DISTANCES",
    "SITE_MAP_LAYERS",
    "SITE_MAP_SPAN",
    "feature_names",
    "render_report",
    "site_name",
    "source_text",
    "write_report",
]

_W, _H = 360, 300  # map size, px
SITE_MAP_SPAN = 6000.0  # m; smallest extent shown around a site
SITE_MAP_LAYERS = ("control_lines", "zones", "core", "parks", "transport", "axes", "towns", "centers")
_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;
max-width:60em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #444;margin-top:2em}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.3em 0;font-size:.9em}td,th{border:1px solid #bbb;padding:.2em .5em;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;padding:.2em .7em;color:#fff;font-weight:bold;border-radius:3px}
.rule{margin:.5em 0 .8em;padding-left:.8em;border-left:3px solid #999}
blockquote{margin:.3em 0;color:#444;font-style:italic}.small{font-size:.85em;color:#555}
.map{border:1px solid #999}.site{page-break-inside:avoid}
.legend{font-size:.8em;margin:.2em 0 .6em;max-width:40em}
.legend span{display:inline-block;margin:0 .9em .2em 0}
.legend svg{vertical-align:middle;margin-right:.3em}.srcnote{border-top:1px solid #ccc;padding-top:.3em}
@media print{.site{page-break-before:always}body{margin:0}}
"""


def site_name(row: Any, label: Any) -> str:
    """Return a site's name: its first non-empty name column, else ``#<row label>``."""
    for col in ("name", "name_zh", "name_en", "名称", "site", "id"):
        if col in row and isinstance(row[col], str) and row[col].strip():
            return row[col]
    return f"#{label}"


def feature_names(plan: Plan) -> dict[str, tuple[str, str]]:
    """Feature id -> (name_zh, name_en) over the plan."""
    out: dict[str, tuple[str, str]] = {}
    for name in plan.layer_names:
        f = plan[name]
        for fid, zh, en in zip(f["id"], f["name_zh"], f["name_en"], strict=True):
            out[str(fid)] = (str(zh), str(en))
    return out


# ---------------------------------------------------------------- SVG map


def _path(geom: Any, tx: Any) -> str:
    """SVG path data of a (multi)polygon or (multi)line in map pixels."""
    parts = []
    for part in shapely.get_parts(geom):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xy = tx(np.asarray(ring.coords)[:, :2])
            if len(xy) < 2:
                continue
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            parts.append(f"M{pts}" + ("Z" if part.geom_type == "Polygon" else ""))
    return "".join(parts)


def _svg(plan: Plan, site: Any, frames: dict[str, Any]) -> str:
    """Return a small inline SVG map of *site* (metric geometry) over the plan, and its legend."""
    minx, miny, maxx, maxy = site.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span = max(SITE_MAP_SPAN, 3 * (maxx - minx), 3 * (maxy - miny) * _W / _H)
    sx = _W / span
    half_w, half_h = span / 2, span * _H / _W / 2
    box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def tx(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - box[0]) * sx, (box[3] - xy[:, 1]) * sx])

    out = [
        f'<svg class="map" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img"><title>{esc("site map / 场地位置图")}</title>',
        '<defs><pattern id="h" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#555" '
        'stroke-width="1"/></pattern></defs>',
        f'<rect width="{_W}" height="{_H}" fill="#fafafa"/>',
    ]
    shown: dict[tuple[str, Any], tuple[str, dict[str, Any]]] = {}
    for name in SITE_MAP_LAYERS:
        f = frames.get(name)
        if f is None or not len(f):
            continue
        for (_, props), geom in zip(f.drop(columns="geometry").iterrows(), f.geometry, strict=True):
            clip = shapely.clip_by_rect(geom, *box)
            if clip.is_empty:
                continue
            cls = class_of(name, props.to_dict())
            st = style_for(name, cls, schematic=props.get("geometry_basis") == "schematic")
            key = ("zones", props.get("id")) if name == "zones" else (name, cls)
            shown.setdefault(key, (name, st))
            dash = f' stroke-dasharray="{esc(st.get("dash"))}"' if st.get("dash") else ""
            if clip.geom_type in ("Point", "MultiPoint"):
                for p in shapely.get_parts(clip):
                    ((x, y),) = tx(np.array([[p.x, p.y]]))
                    fill = "none" if st.get("hollow") else esc(st["fill"])
                    out.append(
                        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{min(st["radius"], 6)}" fill="{fill}" '
                        f'stroke="{esc(st["color"])}" stroke-width="1.5"/>'
                    )
                continue
            poly = "Polygon" in clip.geom_type
            fill = "url(#h)" if poly and st.get("hatch") else esc(st["fill"]) if poly else "none"
            op = f' fill-opacity="{st["fill_opacity"]}"' if poly and not st.get("hatch") else ""
            width = min(float(st["weight"]), 3.0)
            out.append(
                f'<path d="{_path(clip, tx)}" fill="{fill}"{op} stroke="{esc(st["color"])}" '
                f'stroke-width="{width}"{dash} fill-rule="evenodd"/>'
            )
    if site.geom_type == "Point":
        ((x, y),) = tx(np.array([[site.x, site.y]]))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#000" stroke="#fff" stroke-width="2"/>')
    else:
        out.append(
            f'<path d="{_path(site, tx)}" fill="#000" fill-opacity="0.25" stroke="#000" '
            'stroke-width="2.5" fill-rule="evenodd"/>'
        )
    bar = 10 ** np.floor(np.log10(span / 4))
    out.append(
        f'<g font-size="10"><line x1="10" y1="{_H - 12}" x2="{10 + bar * sx:.1f}" y2="{_H - 12}" '
        f'stroke="#000" stroke-width="2"/><text x="10" y="{_H - 16}">{bar / 1000:g} km</text>'
        f'<text x="{_W - 14}" y="16">N</text><path d="M{_W - 10},30 L{_W - 14},20 L{_W - 18},30Z"/></g>'
    )
    out.append("</svg>")
    return "".join(out) + _legend(plan, shown, site.geom_type == "Point", feature_names(plan))


def _swatch(name: str, st: dict[str, Any]) -> str:
    """Return a 22 x 12 px legend swatch in the map's style."""
    dash = f' stroke-dasharray="{esc(st.get("dash"))}"' if st.get("dash") else ""
    stroke = f'stroke="{esc(st["color"])}"'
    if name in ("towns", "centers"):
        fill = "none" if st.get("hollow") else esc(st["fill"])
        shape = f'<circle cx="11" cy="6" r="4" fill="{fill}" {stroke} stroke-width="1.5"/>'
    elif name in ("axes", "transport"):
        width = min(float(st["weight"]), 3.0)
        shape = f'<line x1="1" y1="6" x2="21" y2="6" {stroke} stroke-width="{width}"{dash}/>'
    else:
        fill = "url(#h)" if st.get("hatch") else esc(st["fill"])
        op = "" if st.get("hatch") else f' fill-opacity="{st["fill_opacity"]}"'
        shape = (
            f'<rect x="1" y="1" width="20" height="10" fill="{fill}"{op} {stroke} stroke-width="1.5"{dash}/>'
        )
    return f'<svg width="22" height="12" viewBox="0 0 22 12" aria-hidden="true">{shape}</svg>'


def _legend(
    plan: Plan, shown: dict[tuple[str, Any], tuple[str, dict[str, Any]]], point: bool, names: Any
) -> str:
    """Return the compact bilingual legend of what a site map shows."""
    items = []
    for (name, cls), (element, st) in shown.items():
        if name == "zones":
            zh, en = names.get(str(cls), (str(cls), str(cls)))
            label = f"分区 {zh} / Zone: {en}"
        else:
            element = plan.element(name)
            generic = ELEMENT_LABELS.get(element, (name, name))
            if element in ("control_lines", "transport"):
                lab = class_label(element, str(cls), plan.vocabularies, generic)
                generic = (lab["zh"], lab["en"])
            label = f"{generic[0]} / {generic[1]}"
        items.append(f"<span>{_swatch(element, st)}{esc(label)}</span>")
    site = (
        '<circle cx="11" cy="6" r="5" fill="#000" stroke="#fff" stroke-width="2"/>'
        if point
        else '<rect x="1" y="1" width="20" height="10" fill="#000" fill-opacity="0.25" '
        'stroke="#000" stroke-width="2"/>'
    )
    items.append(
        f'<span><svg width="22" height="12" viewBox="0 0 22 12" aria-hidden="true">{site}</svg>'
        "场地 / Site</span>"
    )
    items.append(f"<span>{esc('虚线 = 示意性绘制 / dashed = drawn schematically')}</span>")
    return f'<div class="legend">图例 / Legend: {"".join(items)}</div>'


# ---------------------------------------------------------------- sections


def _areas_table(row: Any, plan: Plan, names: dict[str, tuple[str, str]], frames: dict[str, Any]) -> str:
    head = "<tr><th>要素 / Feature</th><th>面积 / Area (ha)</th><th>占场地 / Share of site (%)</th></tr>"
    body = []
    for layer in ("core", "zones", "control_lines"):
        for fid in frames[layer]["id"]:
            area = row.get(f"area_ha__{fid}")
            if area is None or not np.isfinite(area) or area <= 0:
                continue
            zh, en = names.get(str(fid), (fid, fid))
            body.append(
                f"<tr><td>{esc(zh)} / {esc(en)}</td><td class=n>{area:,.4f}</td>"
                f"<td class=n>{row.get(f'share_pct__{fid}', np.nan):.2f}</td></tr>"
            )
    total = row.get("site_area_ha")
    cap = f"<p>场地面积 / Site area: {total:,.4f} ha</p>" if total is not None and np.isfinite(total) else ""
    if not body:
        body.append("<tr><td colspan=3>无 / none</td></tr>")
    return f"{cap}<table>{head}{''.join(body)}</table>"


def _inside_table(row: Any, names: dict[str, tuple[str, str]], basis: dict[str, str]) -> str:
    def named(fid: Any, answer: str) -> str:
        if fid is None or (isinstance(fid, float) and np.isnan(fid)):
            return "—" + _schematic(basis, answer)
        zh, en = names.get(str(fid), (str(fid), str(fid)))
        return f"{esc(zh)} / {esc(en)}{_schematic(basis, answer)}"

    def yes(value: Any, answer: str) -> str:
        zh, en = ("是", "yes") if bool(value) else ("否", "no")
        if basis.get(answer) == "schematic":  # the data cannot support a firm answer either way
            return f"{zh}（示意数据） / {en} (schematic data)"
        return f"{zh} / {en}"

    rows = [("分区 / Zone", named(row.get("zone_id"), "zone"))]
    rows.append(("核心区 / In the core", yes(row.get("in_core"), "core")))
    rows.append(("园区 / Park", named(row.get("park_id"), "park")))
    for kind, (zh, en) in CONTROL_LINE_LABELS.items():
        rows.append((f"{zh} / {en}", yes(row.get(f"in_{kind}"), f"in_{kind}")))
    return "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _schematic(basis: dict[str, str], answer: str) -> str:
    return "（示意数据 / schematic data）" if basis.get(answer) == "schematic" else ""


#: Distances a report lists: key of the screen columns (dist_KEY_m, nearest_KEY_id), zh, en.
DISTANCES = (
    ("axis", "发展轴", "development axis"),
    ("center", "中心", "center"),
    ("town", "乡镇", "town"),
    ("key_town", "文中点名的镇", "town named in the plan text"),
    ("railway", "铁路", "railway"),
    ("logistics", "物流节点", "logistics node"),
)


def _distances_table(row: Any, names: dict[str, tuple[str, str]]) -> str:
    body = []
    for key, zh, en in DISTANCES:
        d = row.get(f"dist_{key}_m")
        fid = row.get(f"nearest_{key}_id")
        if d is None or not np.isfinite(d):
            continue
        nz, ne = names.get(str(fid), (str(fid), str(fid)))
        body.append(f"<tr><td>{zh} / {en}</td><td>{esc(nz)} / {esc(ne)}</td><td class=n>{d:,.0f}</td></tr>")
    return (
        "<table><tr><th>最近的 / Nearest</th><th>要素 / Feature</th><th>距离 / Distance (m)</th></tr>"
        + "".join(body)
        + "</table>"
    )


def _verdict_block(row: Any, plan: Plan, siting: Any) -> str:
    verdict = str(row.get("verdict"))
    (zh, en), colour = verdict_label(verdict), verdict_colour(verdict)
    out = [f'<p><span class="verdict" style="background:{colour}">{esc(zh)} / {esc(en)}</span></p>']
    ids = [r for r in str(row.get("verdict_rules") or "").split(";") if r]
    reasons_en = str(row.get("verdict_reasons") or "").split(" | ")
    reasons_zh = str(row.get("verdict_reasons_zh") or "").split(" | ")
    for i, rid in enumerate(ids):
        rule = siting.rule(rid)
        note = f'<div class="small">{esc(rule.note)}</div>' if rule.note else ""
        out.append(
            f'<div class="rule"><b>{esc(rule.id)}</b>: {esc(rule.title_zh)} / {esc(rule.title_en)}<br>'
            f"{esc(reasons_zh[i] if i < len(reasons_zh) else '')}<br>"
            f"{esc(reasons_en[i] if i < len(reasons_en) else '')}"
            f"<blockquote>依据 / Basis: “{esc(rule.basis)}”</blockquote>"
            f'<div class="small">来源 / Source: {esc(rule.basis_source)}</div>{note}</div>'
        )
    if not ids:
        out.append(f"<p>{esc(row.get('verdict_reasons_zh'))}<br>{esc(row.get('verdict_reasons'))}</p>")
    return "".join(out)


def source_text(plan: Plan) -> str:
    """Return the plan's source as one line: title, publisher, date."""
    src = plan.source
    return f"{src.get('title', '')}. {src.get('publisher', '')}, {src.get('date', '')}."


def _source_note(plan: Plan) -> str:
    """Return the per-section footer: the plan's source and the schematic disclaimer."""
    disc = plan.disclaimer
    return (
        f'<p class="small srcnote">来源 / Source: {esc(source_text(plan))}<br>'
        f"{esc(disc.get('zh', ''))}<br>{esc(disc.get('en', ''))}</p>"
    )


def render_report(results: gpd.GeoDataFrame, plan: Plan, industry: str) -> str:
    """Render screened sites as one printable, self-contained HTML report.

    Parameters
    ----------
    results : geopandas.GeoDataFrame
        Output of :func:`lzspatial.screening.screen` with *industry*.
    plan : Plan
        The plan the sites were screened against.
    industry : str
        The industry chain (key or label).

    Returns
    -------
    str
        The HTML document.
    """
    key = parse_industry(plan, industry)
    if "verdict" not in results.columns:
        raise InputError("render_report: the results carry no verdict; screen them with industry=...")
    if not len(results):
        raise InputError("render_report: no sites to report")
    siting = load_siting(plan)
    names = feature_names(plan)
    basis = answer_basis(plan)
    frames = {n: plan.layer(n, metric=True) for n in (*SITE_MAP_LAYERS, "boundary") if n in plan}
    if "transport" in frames:
        frames["transport"] = frames["transport"][frames["transport"]["kind"] == "railway"]
    metric = results.to_crs(plan.metric_crs)
    chain = plan.vocabularies.get("industry_chains", {}).get(key, {})
    title_zh, title_en = "选址合规性审查报告", "Siting compliance report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{esc(title_zh)} / {esc(title_en)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title_zh)} / {esc(title_en)}</h1>",
        f"<p>规划 / Plan: {esc(plan.title_zh)}<br>{esc(plan.title_en)}</p>",
        f"<p>产业链 / Industry chain: {esc(chain.get('zh', key))} / {esc(chain.get('en', key))} "
        f"(<code>{esc(key)}</code>); 场地数 / Sites: {len(results)}</p>",
    ]
    for (label, row), geom in zip(results.iterrows(), metric.geometry.values, strict=True):
        poly = geom.geom_type != "Point"
        parts += [
            f'<section class="site"><h2>场地 / Site {esc(site_name(row, label))} '
            f'<span class="small">(row {esc(label)})</span></h2>',
            _svg(plan, geom, frames),
            "<h3>占用面积 / Area taken</h3>" if poly else "<h3>所在位置 / Location</h3>",
            _areas_table(row, plan, names, frames) if poly else "",
            _inside_table(row, names, basis),
            "<h3>关键距离 / Key distances</h3>",
            _distances_table(row, names),
            "<h3>结论 / Verdict</h3>",
            _verdict_block(row, plan, siting),
            _source_note(plan),
            "</section>",
        ]
    parts += [
        "<h2>资料来源与说明 / Source and disclaimer</h2>",
        f"<p>{esc(source_text(plan))}</p>",
        f"<p>{esc(plan.disclaimer.get('zh', ''))}</p><p>{esc(plan.disclaimer.get('en', ''))}</p>",
        f"<p class=small>{esc(f'Siting rules: {siting.path.name}; ')}"
        f"{esc(f'distances and areas in {plan.metric_crs}. ')}"
        f"{esc(f'Generated by lzspatial {__version__}.')}</p>",
        "</body></html>\n",
    ]
    return "\n".join(parts)


def write_report(html: str, path: str | os.PathLike[str]) -> Path:
    """Write the report atomically and return its path."""
    return write_text(path, html)
