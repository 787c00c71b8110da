r"""The compliance report (合规性审查) as an A4 PDF, drawn with matplotlib.

Page 1 holds the report's metadata (report number, date, plan id, version and SHA-256 of
the plan files, data basis, industry, sign-off fields 审查单位 / 经办人 / 审核人) and a summary
table of every site (name, verdict, zone, control lines hit, main reason). Then each site
gets one page: a site map in the plan's metric CRS whose legend names the features it shows,
where the site lies (a point) or the hectares and share it takes from each zone and control
line (a polygon, 用地红线), the key distances, and the verdict citing each rule with its basis.
Every page carries "第 n 页 / 共 N 页", the report number and the schematic-data note.

Why matplotlib and not an HTML-to-PDF engine: the map is drawn with matplotlib already (one
dependency, one palette, one font handling), no browser or system libraries are needed
(WeasyPrint needs Pango; Chromium is not on every machine), and the output is deterministic:
the same input and date give the same bytes. The cost is layout by hand: text is wrapped
with measured widths, and long rule bases are cut (the HTML report carries them in full).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point
>>> from lzspatial.plan import load_plan
>>> from lzspatial.screening.engine import screen
>>> plan = load_plan()
>>> sites = gpd.GeoDataFrame({"name": ["A"]}, geometry=[Point(122.95, 41.55)], crs=4326)
>>> res = screen(sites, plan, "trade_logistics")
>>> pdf = render_report_pdf(res, plan, "trade_logistics", date="2024-01-01")
>>> pdf[:5], pdf.count(b"/Type /Page\\n") + pdf.count(b"/Type /Page ")
(b'%PDF-', 2)
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial import __version__
from lzspatial._util.atomic import write_bytes
from lzspatial.errors import InputError
from lzspatial.outputs.cartography import draw_class, mpl_style, nice_scale, north_arrow, scale_bar, swatch
from lzspatial.outputs.paper import MM, Sheet, drawing, font_families, pdf_bytes
from lzspatial.outputs.report import DISTANCES, SITE_MAP_LAYERS, SITE_MAP_SPAN, feature_names, site_name
from lzspatial.outputs.style import class_of, style_for, verdict_colour
from lzspatial.plan.digest import plan_checksum
from lzspatial.plan.labels import BACK_TRANSLATION_NOTE, ELEMENT_LABELS, class_label, verdict_label
from lzspatial.rules.siting import load_siting, parse_industry
from lzspatial.screening.engine import answer_basis

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lzspatial.plan import Plan

__all__ = ["render_report_pdf", "write_report_pdf"]

W, H = 210.0, 297.0  # A4 portrait, mm
M = 15.0  # margins, mm
_CONTROL = (
    ("in_eco_red_line", "eco_red_line"),
    ("in_basic_farmland", "basic_farmland"),
    ("in_urban_development_boundary", "urban_development_boundary"),
)


def _pt_mm(pt: float) -> float:
    return pt / 72 * 25.4


@dataclass
class _Page:
    """One A4 page: a figure with a full-page axes in millimetres, and a cursor."""

    fig: Figure
    ax: Axes
    sheet: Sheet
    y: float = H - M

    def text(self, x: float, text: str, size: float = 8, width: float | None = None, **kw: Any) -> float:
        """Write *text* at (x, cursor), wrapped to *width* mm; move the cursor down; return lines."""
        lines = self.sheet.wrap(text, width, size) if width else [text]
        for line in lines:
            self.ax.text(x, self.y, line, fontsize=size, va="top", ha="left", **kw)
            self.y -= _pt_mm(size) * 1.4
        return len(lines)


def _new_page(families: list[str], lang: str) -> _Page:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(W * MM, H * MM), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")
    return _Page(fig, ax, Sheet(fig, canvas.get_renderer(), lang, families, 1.0))


def _table(
    page: _Page, x: float, widths: Sequence[float], rows: list[list[str]], size: float = 7, head: bool = True
) -> None:
    """Draw a ruled table at the cursor: cells wrapped to their column widths."""
    lh = _pt_mm(size) * 1.35
    ax = page.ax
    total = sum(widths)
    ax.plot([x, x + total], [page.y, page.y], color="#444", lw=0.8)
    for r, row in enumerate(rows):
        cells = [page.sheet.wrap(str(c), w - 2, size) or [""] for c, w in zip(row, widths, strict=True)]
        n = max(len(c) for c in cells)
        top = page.y
        if r == 0 and head:
            ax.add_patch(_rect(x, top - n * lh - 1.6, total, n * lh + 1.6, "#eeeeee"))
        cx = x
        for lines, w in zip(cells, widths, strict=True):
            for i, line in enumerate(lines):
                ax.text(cx + 1, top - 0.8 - i * lh, line, fontsize=size, va="top", ha="left")
            cx += w
        page.y = top - n * lh - 1.6
        ax.plot([x, x + total], [page.y, page.y], color="#444" if r == 0 and head else "#bbb", lw=0.5)


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="none", zorder=0)


def _str(value: Any, missing: str = "—") -> str:
    """Return *value* as text; *missing* for None, NaN or an empty string."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or str(value).strip() == "":
        return missing
    return str(value)


def _lines_hit(row: Any) -> list[str]:
    return [
        class_label("control_lines", kind, {}, None)["zh"] for col, kind in _CONTROL if bool(row.get(col))
    ]


def _reasons(row: Any) -> list[str]:
    return [r for r in str(row.get("verdict_reasons_zh") or "").split(" | ") if r and r != "None"]


def _main_reason(row: Any) -> str:
    """Return the reason of the verdict: the first one in the verdict's own wording, else the first."""
    reasons = _reasons(row)
    mark = f"[{verdict_label(row.get('verdict'))[0].replace('符合', '') or '符合'}"
    for r in reasons:
        if r.startswith(mark) or (row.get("verdict") == "pass" and r.startswith("[符合")):
            return r
    return reasons[0] if reasons else "—"


# ---------------------------------------------------------------- page 1


def _front(
    page: _Page, results: Any, plan: Plan, industry: str, meta: dict[str, str], names: dict[str, Any]
) -> list[_Page]:
    """Draw the metadata and the summary table; return the pages used (the table may run on)."""
    page.text(M, "选址合规性审查报告", 16)
    page.text(M, "Siting compliance report", 9, color="#555")
    page.y -= 2
    rows = [[k, v] for k, v in meta.items()]
    _table(page, M, (34, W - 2 * M - 34), rows, size=7.2, head=False)
    page.y -= 5
    page.text(M, "场地汇总 / Summary of sites", 10)
    page.y -= 1
    widths = (8, 44, 18, 34, 30, W - 2 * M - 134)
    head = ["#", "场地 Site", "结论", "分区 Zone", "管控线 Control lines", "主要原因 Main reason"]
    pages = [page]
    _table(page, M, widths, [head], size=7)
    for i, (label, row) in enumerate(results.iterrows(), 1):
        if page.y < M + 30:
            page = _new_page(page.sheet.families, page.sheet.lang)
            pages.append(page)
            _table(page, M, widths, [head], size=7)
        zone = _str(row.get("zone_name_zh"), "核心区" if row.get("in_core") else "区外 / outside")
        if row.get("in_core") and zone != "核心区":
            zone += "（核心区）"
        lines = "、".join(_lines_hit(row)) or "—"
        verdict = verdict_label(row.get("verdict"))[0]
        _table(
            page,
            M,
            widths,
            [[str(i), site_name(row, label), verdict, zone, lines, _main_reason(row)]],
            6.8,
            False,
        )
        page.ax.add_patch(
            _rect(M + widths[0] + widths[1], page.y, 1.2, 4, verdict_colour(row.get("verdict")))
        )
    return pages


# ---------------------------------------------------------------- site pages


def _site_map(
    page: _Page, rect_mm: tuple[float, float, float, float], plan: Plan, site: Any, frames: dict
) -> list:
    """Draw the site map; return legend entries (kind, style, label) of what it shows."""
    x, y, w, h = rect_mm
    ax = page.fig.add_axes((x / W, y / H, w / W, h / H))
    ax.set_xticks([])
    ax.set_yticks([])
    minx, miny, maxx, maxy = site.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span = max(SITE_MAP_SPAN, 3 * (maxx - minx), 3 * (maxy - miny) * w / h)
    scale = nice_scale(span, w / 1000)
    hw, hh = w / 1000 * scale / 2, h / 1000 * scale / 2
    box = (cx - hw, cy - hh, cx + hw, cy + hh)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_facecolor("#fafafa")
    view = shapely.box(*box)
    legend: list[tuple[str, dict[str, Any], str]] = []
    seen: set[str] = set()
    for z, name in enumerate(SITE_MAP_LAYERS, 1):
        f = frames.get(name)
        if f is None or not len(f):
            continue
        element = plan.element(name)
        props = f.drop(columns="geometry").to_dict("records")
        for p, geom in zip(props, f.geometry.values, strict=True):
            if geom is None or not geom.intersects(view):
                continue
            cls = class_of(element, p)
            st = mpl_style(style_for(element, cls, schematic=p.get("geometry_basis") == "schematic"), 0.8)
            draw_class(ax, [geom], st, arrows=element == "axes", z=z)
            if element in ("zones", "parks", "towns", "centers", "core", "axes"):
                label = f"{ELEMENT_LABELS.get(element, (name, name))[0]}：{p.get('name_zh', '')}"
            else:
                lab = class_label(element, cls, plan.vocabularies, plan.titles(name))
                label = lab["zh"]
            if label not in seen:
                seen.add(label)
                t = geom.geom_type
                kind = "pt" if "Point" in t else "ln" if "Line" in t else "pg"
                legend.append((kind, st, label))
    site_st = {
        "edge": (0, 0, 0, 1),
        "face": (0, 0, 0, 0.25),
        "solid": (0, 0, 0, 1),
        "width": 1.8,
        "dash": "solid",
        "hatch": None,
        "marker": "o",
        "size": 7.0,
    }
    draw_class(ax, [site], site_st, z=50)
    legend.append(("pt" if site.geom_type == "Point" else "pg", site_st, "场地 / Site"))
    north_arrow(ax, 0.93, 0.96, 0.1, text="北", fontsize=7)
    scale_bar(ax, 0.04, 0.05, scale, 25, fontsize=6, ratio=f"1:{scale:,}")
    return legend


def _legend(page: _Page, x: float, width: float, entries: list) -> None:
    page.text(x, "图例 / Legend", 8)
    lh = _pt_mm(6.8) * 1.5
    for kind, st, label in entries[:22]:
        swatch(page.ax, x, page.y - lh * 0.8, 6, lh * 0.6, kind, st)
        lines = page.sheet.wrap(label, width - 8, 6.6)
        for line in lines[:2]:
            page.ax.text(x + 8, page.y - lh * 0.5, line, fontsize=6.6, va="center", ha="left")
            page.y -= lh
    page.text(x, "虚线 / 空心 = 示意性几何", 6.2, color="#555")


def _yes(value: Any, basis: str | None) -> str:
    """是/否, marked （示意数据） when the answer rests on schematic geometry (it cannot be firm)."""
    return ("是" if value else "否") + ("（示意数据）" if basis == "schematic" else "")


def _site_page(
    page: _Page, n: int, label: Any, row: Any, site: Any, plan: Plan, frames: dict, names: dict, siting: Any
) -> None:
    verdict = row.get("verdict")
    zh, en = verdict_label(verdict)
    answers = answer_basis(plan)
    page.text(M, f"场地 {n}：{site_name(row, label)}", 12)
    page.ax.add_patch(_rect(W - M - 40, page.y + 1, 40, 7, verdict_colour(verdict)))
    page.ax.text(
        W - M - 20, page.y + 4.5, f"{zh} / {en}", color="white", fontsize=9, ha="center", va="center"
    )
    page.y -= 2
    top = page.y
    entries = _site_map(page, (M, top - 92, 110, 92), plan, site, frames)
    page.y = top
    _legend(page, M + 114, W - 2 * M - 114, entries)
    page.y = top - 97
    poly = site.geom_type != "Point"
    half = (W - 2 * M - 6) / 2
    y0 = page.y
    if poly:
        page.text(M, f"占用面积 / Area taken（场地 {row.get('site_area_ha', float('nan')):,.2f} ha）", 8.5)
        rows = [["要素 Feature", "面积 ha", "占比 %"]]
        for layer in ("core", "zones", "control_lines"):
            for fid in frames[layer]["id"] if layer in frames else []:
                area = row.get(f"area_ha__{fid}")
                if area is not None and np.isfinite(area) and area > 0:
                    share = row.get(f"share_pct__{fid}", float("nan"))
                    rows.append([names.get(str(fid), (fid,))[0], f"{area:,.2f}", f"{share:.1f}"])
        if len(rows) == 1:
            rows.append(["无 / none", "", ""])
        _table(page, M, (half - 36, 18, 18), rows, 6.8)
    else:
        page.text(M, "所在位置 / Location", 8.5)
        rows = [
            [
                "分区 Zone",
                _str(row.get("zone_name_zh"), "核心区" if row.get("in_core") else "区外 / outside"),
            ],
            ["核心区 Core", _yes(row.get("in_core"), answers.get("core"))],
            ["园区 Park", _str(row.get("park_name_zh"))],
        ] + [
            [class_label("control_lines", k, {}, None)["zh"], _yes(row.get(c), answers.get(c))]
            for c, k in _CONTROL
        ]
        _table(page, M, (38, half - 38), rows, 6.8, head=False)
    left_end = page.y
    page.y = y0
    page.text(M + half + 6, "关键距离 / Key distances", 8.5)
    rows = [["最近的", "要素", "距离 m"]]
    for key, dzh, _ in DISTANCES:
        d = row.get(f"dist_{key}_m")
        if d is not None and np.isfinite(d):
            rows.append([dzh, names.get(str(row.get(f"nearest_{key}_id")), ("—",))[0], f"{d:,.0f}"])
    _table(page, M + half + 6, (20, half - 40, 20), rows, 6.8)
    page.y = min(page.y, left_end) - 5
    page.text(M, "结论与依据 / Verdict and the rules it cites", 8.5)
    ids = [r for r in str(row.get("verdict_rules") or "").split(";") if r]
    reasons = _reasons(row)
    for i, rid in enumerate(ids):
        if page.y < M + 22:
            page.text(M, "……（其余规则见 HTML 报告 / more rules in the HTML report）", 6.5, color="#555")
            break
        rule = siting.rule(rid)
        page.text(M, f"{rule.id}：{rule.title_zh}", 7.4, width=W - 2 * M)
        if i < len(reasons):
            page.text(M + 3, reasons[i], 7, width=W - 2 * M - 3)
        basis = page.sheet.wrap(f"依据 Basis：“{rule.basis}”（{rule.basis_source}）", W - 2 * M - 3, 6.3)
        for j, line in enumerate(basis[:3]):
            page.text(M + 3, line + (" …" if j == 2 and len(basis) > 3 else ""), 6.3, color="#555")
        page.y -= 1.2


def _footer(page: _Page, n: int, total: int, report_no: str) -> None:
    ax = page.ax
    ax.plot([M, W - M], [M - 3, M - 3], color="#999", lw=0.4)
    ax.text(W / 2, M - 5, f"第 {n} 页 / 共 {total} 页", fontsize=7, ha="center", va="top")
    ax.text(M, M - 5, f"报告编号 {report_no}", fontsize=6, ha="left", va="top", color="#555")
    ax.text(W - M, M - 5, "示意性数据，非官方规划或测绘成果", fontsize=6, ha="right", va="top", color="#555")


# ---------------------------------------------------------------- the report


def _meta(
    plan: Plan, industry: str, n: int, report_no: str, date: str, signoff: dict[str, str], siting: Any
) -> dict[str, str]:
    chain = plan.vocabularies.get("industry_chains", {}).get(industry, {})
    src = plan.source
    blank = "＿＿＿＿＿＿＿＿"
    return {
        "报告编号 Report no.": report_no,
        "日期 Date": date,
        "规划 Plan": f"{plan.title_zh}（{plan.id}）",
        "规划版本 Version": f"SHA-256 {plan_checksum(plan)}（plan.toml、图层、规则文件）",
        "数据基础 Data basis": (
            f"{src.get('publisher', '')} {src.get('date', '')}；几何多为示意（见 geometry_basis），"
            f"面积与距离按 {plan.metric_crs} 计算；选址规则 {siting.path.name}；lzspatial {__version__}"
        ),
        "产业链 Industry": f"{chain.get('zh', industry)}（{industry}）；场地数 {n}",
        "审查单位 Reviewing unit": signoff.get("unit") or blank,
        "经办人 Prepared by": signoff.get("handler") or blank,
        "审核人 Checked by": signoff.get("checker") or blank,
        "说明 Notes": f"{plan.disclaimer.get('zh', '')} {BACK_TRANSLATION_NOTE[0]}",
    }


def render_report_pdf(
    results: gpd.GeoDataFrame,
    plan: Plan,
    industry: str,
    *,
    report_no: str | None = None,
    date: str | None = None,
    signoff: dict[str, str] | None = None,
) -> bytes:
    """Render screened sites as an A4 PDF compliance report and return its bytes.

    Parameters
    ----------
    results : geopandas.GeoDataFrame
        Output of :func:`lzspatial.screening.screen` with *industry*.
    plan : Plan
        The plan the sites were screened against.
    industry : str
        The industry chain (key or label).
    report_no : str, optional
        Report number (default: plan id, industry and the first 8 hex digits of the plan checksum).
    date : str, optional
        Report date (default: ``SOURCE_DATE_EPOCH`` if set, else today).
    signoff : dict, optional
        ``unit`` (审查单位), ``handler`` (经办人), ``checker`` (审核人); blank lines when missing.
    """
    key = parse_industry(plan, industry)
    if "verdict" not in results.columns:
        raise InputError("render_report_pdf: the results carry no verdict; screen them with `industry=`")
    if not len(results):
        raise InputError("render_report_pdf: no sites to report")
    siting = load_siting(plan)
    names = feature_names(plan)
    frames = {n: plan.layer(n, metric=True) for n in (*SITE_MAP_LAYERS, "boundary") if n in plan}
    metric = results.to_crs(plan.metric_crs)
    report_no = report_no or f"{plan.id}-{key}-{plan_checksum(plan)[:8]}"
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date() if epoch else _dt.date.today()
        date = when.isoformat()
    families, lang = font_families("zh")
    with drawing(families):
        first = _new_page(families, lang)
        meta = _meta(plan, key, len(results), report_no, date, signoff or {}, siting)
        pages = _front(first, results, plan, key, meta, names)
        for n, ((label, row), geom) in enumerate(
            zip(results.iterrows(), metric.geometry.values, strict=True), 1
        ):
            page = _new_page(families, lang)
            _site_page(page, n, label, row, geom, plan, frames, names, siting)
            pages.append(page)
        for i, page in enumerate(pages, 1):
            _footer(page, i, len(pages), report_no)
        return pdf_bytes([p.fig for p in pages])


def write_report_pdf(pdf: bytes, path: str | os.PathLike[str]) -> Path:
    """Write the PDF report atomically and return its path."""
    return write_bytes(path, pdf)
