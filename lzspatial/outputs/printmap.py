"""The printed structure map (空间结构规划图): one sheet, A4 to A0, as PDF, SVG or PNG.

:func:`print_map` draws the plan in its metric CRS (EPSG:4550 for Liaozhong), so distances
and areas on paper are true, at a round ratio scale chosen to fit the paper. The sheet
carries a neat line with coordinate ticks and a kilometre grid, a title block (图名, plan id,
source, date, 编制单位, 图号, scale, CRS), a north arrow, a scale bar, the full legend grouped
and ordered as on the web map (it shrinks or takes more columns, never gets cut off), the
schematic disclaimer and the back-translation note, an inset locating the district in
Shenyang, and labels placed by priority (structure, key towns, towns, parks, context): a
label that would overlap one already placed (as measured by the renderer) is left out.

Styles come from :mod:`lzspatial.outputs.style`, wording from :mod:`lzspatial.plan.labels`:
the same as the web map's. Drawing uses matplotlib's object API with fixed settings and
metadata (:mod:`lzspatial.outputs.paper`), so the same plan gives the same bytes.

Examples
--------
>>> from lzspatial.plan import load_plan
>>> fig = render_map(load_plan(), paper="A4", landscape=False)
>>> [round(v * 25.4) for v in fig.get_size_inches()]
[210, 297]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from lzspatial.errors import InputError
from lzspatial.outputs.cartography import (
    LabelPlacer,
    draw_class,
    fit_extent,
    mpl_style,
    nice_step,
    north_arrow,
    scale_bar,
    swatch,
)
from lzspatial.outputs.paper import (
    MM,
    Sheet,
    check_dpi,
    drawing,
    font_families,
    output_format,
    paper_mm,
    save_figure,
)
from lzspatial.outputs.style import DRAW_RANK, LEGEND_RANK, STYLES, class_labels, class_of, style_for
from lzspatial.plan.digest import is_plan_file
from lzspatial.plan.labels import (
    BACK_TRANSLATION_NOTE,
    LANGS,
    SCHEMATIC_LABEL,
    SCHEMATIC_NOTE,
)
from lzspatial.plan.model import Plan, require_plan

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PRINT_NAME", "print_map", "render_map"]

#: File name of the printed map written by ``lzspatial build``.
PRINT_NAME = "structure.pdf"

#: Label priority (lower first): structure > key towns > towns > parks > context.
_PRIORITY = {"centers": 0, "core": 0, "zones": 0, "key": 1, "seat": 1, "towns": 2, "parks": 3, "context": 4}


@dataclass(frozen=True)
class _Box:
    """A box on the sheet in millimetres from the lower-left corner."""

    x: float
    y: float
    w: float
    h: float

    def fig_rect(self, W: float, H: float) -> tuple[float, float, float, float]:
        return (self.x / W, self.y / H, self.w / W, self.h / H)


@dataclass
class _Legend:
    heading: str
    items: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)  # kind, style, label


# ---------------------------------------------------------------- layout


def _layout(W: float, H: float, landscape: bool) -> tuple[_Box, _Box, float]:
    """Return the map frame, the side (or bottom) panel, and the size factor *k*."""
    k = min(W, H) / 297.0
    m = 10.0 * k  # sheet margin
    tick = 9.0 * k  # room for tick labels
    gap = 6.0 * k
    if landscape:
        pw = 0.33 * W
        frame = _Box(m + tick, m + tick, W - 2 * m - pw - gap - 2 * tick, H - 2 * m - 2 * tick)
        panel = _Box(W - m - pw, m, pw, H - 2 * m)
    else:
        ph = 0.30 * H
        frame = _Box(m + tick, m + ph + gap + tick, W - 2 * m - 2 * tick, H - 2 * m - ph - gap - 2 * tick)
        panel = _Box(m, m, W - 2 * m, ph)
    return frame, panel, k


# ---------------------------------------------------------------- the map frame


def _classes(plan: Plan, name: str, frame: Any) -> list[tuple[str, bool, list[Any], str]]:
    """(class, schematic, geometries, kind) of a layer, in the palette's order (as the web map)."""
    element = plan.element(name)
    props = frame.drop(columns=frame.geometry.name).to_dict("records")
    classes = [class_of(element, p) for p in props]
    sch = [p.get("geometry_basis") == "schematic" for p in props]
    groups: dict[tuple[str, bool], list[Any]] = {}
    for cls, s, geom in zip(classes, sch, frame.geometry.values, strict=True):
        if geom is not None and not geom.is_empty:
            groups.setdefault((cls, s), []).append(geom)
    order = {c: i for i, c in enumerate(STYLES.get(element, {}))}
    out = []
    for cls, s in sorted(groups, key=lambda key: (order.get(key[0], len(order)), key[1])):
        geoms = groups[(cls, s)]
        t = geoms[0].geom_type
        kind = "pt" if "Point" in t else "ln" if "LineString" in t else "pg"
        out.append((cls, s, geoms, kind))
    return out


def _draw_plan(sheet: Sheet, ax: Axes, plan: Plan, frames: dict[str, Any]) -> list[_Legend]:
    """Draw every layer (web map order, bottom first) and return the legend groups (legend order)."""
    legend: dict[str, _Legend] = {}
    names = sorted(frames, key=lambda n: DRAW_RANK.get(plan.element(n), 5.5))
    for z, name in enumerate(names, start=1):
        element, frame = plan.element(name), frames[name]
        titles = plan.titles(name)
        classes = [class_of(element, p) for p in frame.drop(columns=frame.geometry.name).to_dict("records")]
        legend_labels = class_labels(frame, element, classes, plan.vocabularies, titles)
        group = legend.setdefault(name, _Legend(sheet.t(titles)))
        for cls, sch, geoms, kind in _classes(plan, name, frame):
            st = mpl_style(style_for(element, cls, schematic=sch), sheet.k)
            draw_class(ax, geoms, st, arrows=element == "axes", z=z)
            label = legend_labels[cls]
            text = sheet.t((label["zh"], label["en"]))
            if sch:
                text += (
                    sheet.t(("（示意）", " (schematic)"))
                    if sheet.lang != "both"
                    else f" ({SCHEMATIC_LABEL[0]})"
                )
            group.items.append((kind, st, text))
    return [legend[n] for n in sorted(legend, key=lambda n: LEGEND_RANK.get(plan.element(n), 5.5))]


def _ticks(sheet: Sheet, ax: Axes, extent: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = extent
    step = nice_step(max(x1 - x0, y1 - y0), 8)
    ax.set_xticks([v for v in _range(x0, x1, step)])
    ax.set_yticks([v for v in _range(y0, y1, step)])
    ax.set_xticklabels([f"{v / 1000:g}" for v in ax.get_xticks()])
    ax.set_yticklabels([f"{v / 1000:g}" for v in ax.get_yticks()], rotation=90, va="center")
    ax.tick_params(
        direction="out",
        length=2.5 * sheet.k,
        width=0.5,
        labelsize=sheet.fs(5.5),
        pad=1.5,
        top=True,
        right=True,
        labeltop=True,
        labelright=True,
    )
    for lab in ax.get_yticklabels(which="both"):
        lab.set_rotation(90)
    ax.grid(True, color="#9e9e9e", linewidth=0.25, linestyle=(0, (1, 2)))
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_linewidth(1.0 * sheet.k)


def _range(lo: float, hi: float, step: float) -> list[float]:
    import math

    first = math.ceil(lo / step) * step
    n = int((hi - first) // step) + 1
    return [first + i * step for i in range(n) if first + i * step < hi]


def _label_text(sheet: Sheet, props: dict[str, Any]) -> str:
    """Return a feature's map label: its name in the sheet's language (both: Chinese over English)."""
    if sheet.lang == "both":
        return "\n".join(sheet.one(v) for v in (props.get("name_zh", ""), props.get("name_en", "")))
    return sheet.t((props.get("name_zh", ""), props.get("name_en", "")))


def _labels(sheet: Sheet, ax: Axes, plan: Plan, frames: dict[str, Any], placer: LabelPlacer) -> None:
    """Place the labels by priority; lower-priority labels that would overlap are left out."""
    placer.halo = 1.8 * sheet.k
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    jobs: list[tuple[int, int, str, float, float, str, dict[str, Any]]] = []  # prio, seq, how, x, y, text, kw
    for name, frame in frames.items():
        element = plan.element(name)
        for i, (props, geom) in enumerate(
            zip(
                frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry.values, strict=True
            )
        ):
            text = _label_text(sheet, props)
            if not text.strip() or geom is None or geom.is_empty:
                continue
            st = style_for(element, class_of(element, props))
            if element in ("centers", "towns"):
                rank = str(props.get("rank", ""))
                prio = (
                    _PRIORITY["centers"] if element == "centers" else _PRIORITY.get(rank, _PRIORITY["towns"])
                )
                size = 8.0 if element == "centers" else 7.0 if rank in ("key", "seat") else 6.3
                kw = {"fontsize": sheet.fs(size), "color": "#111"}
                off = float(st["radius"]) * 0.75 + 1.5
                jobs.append((prio, i, f"pt:{off}", geom.x, geom.y, text, kw))
                placer.block_point(geom.x, geom.y, float(st["radius"]) * 1.2 * sheet.k)
            elif element in ("core", "zones"):
                pt = shapely.point_on_surface(geom.intersection(view))
                colour = st["color"]
                kw = {
                    "fontsize": sheet.fs(9.5 if element == "zones" else 8.5),
                    "color": colour,
                    "fontstyle": "italic" if element == "zones" else "normal",
                    "alpha": 0.9,
                }
                jobs.append((_PRIORITY[element], i, "area", pt.x, pt.y, text, kw))
            elif element == "parks":
                c = geom.centroid
                kw = {"fontsize": sheet.fs(5.6), "color": st["color"]}
                jobs.append((_PRIORITY["parks"], i, "pt:3", c.x, c.y, text, kw))
            elif element in ("context", "places") and not (
                element == "places" and props.get("kind") != "city"
            ):
                part = geom.intersection(view)
                if part.is_empty:
                    continue
                pt = part if part.geom_type == "Point" else shapely.point_on_surface(part)
                kw = {"fontsize": sheet.fs(7), "color": "#757575"}
                jobs.append(
                    (
                        _PRIORITY["context"],
                        i,
                        "area" if element == "context" else "pt:4",
                        pt.x,
                        pt.y,
                        text,
                        kw,
                    )
                )
    pos = {
        _label_text(sheet, p): g.intersection(view)
        for n in ("core", "zones")
        if n in frames
        for p, g in zip(
            frames[n].drop(columns="geometry").to_dict("records"), frames[n].geometry, strict=True
        )
    }
    for _, _, how, x, y, text, kw in sorted(jobs, key=lambda j: (j[0], j[1], j[5])):
        kw = {**kw, "zorder": 40}
        if how == "area" and pos.get(text) is not None:
            placer.area_in(pos[text], text, **kw)
        elif how == "area":
            placer.area(x, y, text, **kw)
        else:
            placer.point(x, y, text, float(how.split(":")[1]) * sheet.k, **kw)


# ---------------------------------------------------------------- the panel


def _title_block(sheet: Sheet, ax: Axes, box: _Box, rows: list[tuple[str, str]], title: str) -> float:
    """Draw the title and the title block from the top of *box*; return the y (mm) below them."""
    y = box.y + box.h
    size = sheet.fs(12)
    for line in sheet.wrap(title, box.w, size):
        ax.text(box.x, y, line, ha="left", va="top", fontsize=size)
        y -= size * 1.35 / 72 * 25.4
    y -= 2.0 * sheet.k
    fs = sheet.fs(6.8)
    lh = fs * 1.45 / 72 * 25.4
    label_w = max(sheet.width_mm(k, fs) for k, _ in rows) + 3 * sheet.k
    top = y
    ax.plot([box.x, box.x + box.w], [y, y], color="#222", lw=0.8)
    for key, value in rows:
        lines = sheet.wrap(value, box.w - label_w - 2 * sheet.k, fs) or [""]
        yy = y - 1.0 * sheet.k
        ax.text(box.x + 1.0 * sheet.k, yy, key, ha="left", va="top", fontsize=fs)
        for line in lines:
            ax.text(box.x + label_w, yy, line, ha="left", va="top", fontsize=fs)
            yy -= lh
        y = yy - 1.0 * sheet.k
        ax.plot([box.x, box.x + box.w], [y, y], color="#888", lw=0.4)
    ax.plot([box.x, box.x + box.w], [y, y], color="#222", lw=0.8)
    ax.plot([box.x + label_w - 1.5 * sheet.k] * 2, [top, y], color="#888", lw=0.4)
    ax.plot([box.x, box.x], [top, y], color="#222", lw=0.8)
    ax.plot([box.x + box.w] * 2, [top, y], color="#222", lw=0.8)
    return y


def _notes(sheet: Sheet, ax: Axes, box: _Box, notes: list[str]) -> float:
    """Draw the numbered notes at the bottom of *box*; return the y (mm) of their top."""
    fs = sheet.fs(5.8)
    lh = fs * 1.4 / 72 * 25.4
    head = sheet.t(("说明", "Notes"))
    lines: list[str] = []
    for i, note in enumerate(notes, 1):
        wrapped = sheet.wrap(f"{i}. {note}", box.w, fs)
        lines += wrapped
    y = box.y + lh * len(lines)
    yy = y
    for line in lines:
        ax.text(box.x, yy, line, ha="left", va="top", fontsize=fs, color="#333")
        yy -= lh
    ax.text(box.x, y + 0.6 * sheet.k, head, ha="left", va="bottom", fontsize=sheet.fs(7))
    return y + lh * 1.4


def _legend(sheet: Sheet, ax: Axes, box: _Box, groups: list[_Legend], note: str) -> None:
    """Draw the legend in *box*: in as few columns as fit, shrinking the font until it fits whole."""
    head = sheet.t(("图例", "Legend"))
    for base in (7.0, 6.5, 6.0, 5.5, 5.0, 4.5, 4.0, 3.5):
        fs = max(base * sheet.k, 3.5)
        lh = fs * 1.6 / 72 * 25.4
        sw = 6.5 * sheet.k
        heights = [lh * (1 + len(g.items)) + lh * 0.35 for g in groups]
        widths = [
            max(
                [sheet.width_mm(g.heading, fs)]
                + [sw + 1.5 * sheet.k + sheet.width_mm(t, fs) for *_, t in g.items]
            )
            for g in groups
        ]
        avail = box.h - lh * 1.8 - lh * 1.2  # the head and the schematic note
        for ncol in range(1, 5):
            cols = _split(heights, ncol, avail)
            if cols is None:
                continue
            colw = [max(widths[i] for i in col) for col in cols]
            gapw = 4 * sheet.k
            if sum(colw) + gapw * (len(cols) - 1) <= box.w:
                _draw_legend(sheet, ax, box, groups, cols, colw, fs, lh, sw, head, note)
                return
    raise InputError("the legend does not fit on this paper; use a larger `paper=`")  # pragma: no cover


def _split(heights: list[float], ncol: int, avail: float) -> list[list[int]] | None:
    """Split groups (kept whole, in order) into at most *ncol* columns no taller than *avail*."""
    cols: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if h > avail:
            return None
        if used + h > avail:
            if len(cols) == ncol:
                return None
            cols.append([])
            used = 0.0
        cols[-1].append(i)
        used += h
    return cols


def _draw_legend(
    sheet: Sheet,
    ax: Axes,
    box: _Box,
    groups: list[_Legend],
    cols: list[list[int]],
    colw: list[float],
    fs: float,
    lh: float,
    sw: float,
    head: str,
    note: str,
) -> None:
    top = box.y + box.h
    ax.text(box.x, top, head, ha="left", va="top", fontsize=sheet.fs(9))
    x = box.x
    bottom = top
    for col, w in zip(cols, colw, strict=True):
        y = top - lh * 1.8
        for gi in col:
            g = groups[gi]
            ax.text(x, y, g.heading, ha="left", va="top", fontsize=fs)
            y -= lh
            for kind, st, text in g.items:
                sh = lh * 0.55
                swatch(ax, x, y - lh * 0.5 - sh / 2, sw, sh, kind, st)
                ax.text(x + sw + 1.5 * sheet.k, y - lh * 0.5, text, ha="left", va="center", fontsize=fs)
                y -= lh
            y -= lh * 0.35
        bottom = min(bottom, y)
        x += w + 4 * sheet.k
    ax.text(box.x, bottom - lh * 0.2, note, ha="left", va="top", fontsize=fs, color="#444")


def _inset(
    sheet: Sheet,
    fig: Figure,
    rect: tuple[float, float, float, float],
    plan: Plan,
    frames: dict[str, Any],
    extent: Any,
) -> None:
    """Draw the inset locator: Shenyang's districts and neighbours, the district, the city centre."""
    from matplotlib.patches import Rectangle

    ax = fig.add_axes(rect)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    shapes = []
    for name in ("context", "boundary", "places"):
        if name not in frames:
            continue
        element, frame = plan.element(name), frames[name]
        if element == "places":
            frame = frame[frame["kind"] == "city_centre"]
        for cls, sch, geoms, _ in _classes(plan, name, frame):
            st = mpl_style(style_for(element, cls, schematic=sch), sheet.k * 0.6)
            if element == "boundary":
                st = {**st, "face": (0.78, 0.16, 0.16, 0.85), "edge": (0.72, 0.11, 0.11, 1.0)}
            draw_class(ax, geoms, st, z=2 if element == "boundary" else 1)
            shapes += geoms
    if not shapes:
        return
    halo = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}
    b = shapely.union_all([shapely.envelope(g) for g in shapes]).bounds
    pad = 0.06 * max(b[2] - b[0], b[3] - b[1])
    ax.set_xlim(b[0] - pad, b[2] + pad)
    ax.set_ylim(b[1] - pad, b[3] + pad)
    ax.set_aspect("equal", adjustable="box")
    x0, y0, x1, y1 = extent
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#1565c0", lw=0.8, ls="--", zorder=3))
    fs = sheet.fs(6)
    if "places" in frames:
        centre = frames["places"][frames["places"]["kind"] == "city_centre"]
        for zh, en, g in zip(centre["name_zh"], centre["name_en"], centre.geometry, strict=True):
            ax.annotate(
                sheet.t((f"{zh}市中心", str(en))),
                (g.x, g.y),
                xytext=(0, 5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=fs,
                color="#b71c1c",
                bbox=halo,
                zorder=5,
            )
    if "boundary" in frames:
        c = shapely.point_on_surface(frames["boundary"].geometry.values[0])
        ax.annotate(
            sheet.t((plan.manifest.plan.get("district_zh", "辽中区")[-3:], "Liaozhong")),
            (c.x, c.y),
            xytext=(-8, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=fs,
            bbox=halo,
            zorder=5,
        )
    ax.set_title(sheet.t(("位置示意图", "Location")), fontsize=sheet.fs(7), loc="left", pad=2)


# ---------------------------------------------------------------- the sheet


def _names_statement(plan: Plan, lang: str) -> list[tuple[str, str]]:
    """Return the ``[names]`` statement of the manifest (a string, a {zh, en} table or statement_zh/_en)."""
    names = plan.manifest.raw.get("names")
    if not isinstance(names, dict):
        return []
    st = names.get("statement")
    if isinstance(st, dict):
        return [(str(st.get("zh", st.get("en", ""))), str(st.get("en", st.get("zh", ""))))]
    if isinstance(st, str):
        return [(st, st)]
    zh, en = names.get("statement_zh"), names.get("statement_en")
    if isinstance(zh, str) or isinstance(en, str):
        return [(str(zh or en), str(en or zh))]
    return []


def render_map(
    plan: Plan,
    *,
    paper: str = "A3",
    landscape: bool = True,
    lang: str = "zh",
    title: str | None = None,
    organisation: str | None = None,
    sheet: str | None = None,
    date: str | None = None,
) -> Figure:
    """Draw the structure map sheet and return the matplotlib figure (see :func:`print_map`)."""
    plan = require_plan(plan, "render_map")
    if lang not in LANGS:
        raise InputError(f"`lang={lang!r}` is not a language; use one of {', '.join(LANGS)}")
    paper_mm(paper, landscape=landscape)
    families, lang = font_families(lang)
    with drawing(families):
        return _render(plan, paper, landscape, lang, families, title, organisation, sheet, date)


def _render(
    plan: Plan,
    paper: str,
    landscape: bool,
    lang: str,
    families: list[str],
    title: str | None,
    organisation: str | None,
    sheet: str | None,
    date: str | None,
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    W, H = paper_mm(paper, landscape=landscape)
    fig = Figure(figsize=(W * MM, H * MM), dpi=72)
    canvas = FigureCanvasAgg(fig)
    s = Sheet(fig, canvas.get_renderer(), lang, families, min(W, H) / 297.0)
    frame_box, panel, k = _layout(W, H, landscape)
    frames = {n: plan.layer(n, metric=True) for n in plan.layer_names}
    bounds = frames["boundary"].total_bounds
    scale, extent = fit_extent(bounds, (frame_box.w, frame_box.h))

    ax = fig.add_axes(frame_box.fig_rect(W, H))
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor("white")
    groups = _draw_plan(s, ax, plan, frames)
    import pyproj

    crs_name = f"{pyproj.CRS(plan.metric_crs).name} ({plan.metric_crs})"
    _ticks(s, ax, extent)
    ratio = f"1:{scale:,}"
    north_arrow(ax, 0.955, 0.975, 0.06, text=s.t(("北", "N")), fontsize=s.fs(9))
    scale_bar(ax, 0.03, 0.03, scale, 50 * k, fontsize=s.fs(6.5), ratio=ratio)
    fig.draw_without_rendering()  # text extents are final from here on (nothing is rasterised)
    placer = LabelPlacer(ax, s.renderer)
    _block_furniture(ax, placer)
    _labels(s, ax, plan, frames, placer)

    pax = fig.add_axes(panel.fig_rect(W, H))
    pax.set_xlim(panel.x, panel.x + panel.w)
    pax.set_ylim(panel.y, panel.y + panel.h)
    pax.axis("off")
    src = plan.source
    rows = [
        (s.t(("规划编号", "Plan id")), plan.id),
        (
            s.t(("资料来源", "Source")),
            s.one(  # one citation: the source's own words, with Chinese or Latin punctuation
                f"{src.get('publisher', '')}，{src.get('date', '')}：“{src.get('title', '')}”"
                if lang == "zh"
                else f'{src.get("publisher", "")}, {src.get("date", "")}: "{src.get("title", "")}"'
            ),
        ),
        (s.t(("日期", "Date")), s.one(str(date or src.get("date", "")))),
        (
            s.t(("编制单位", "Prepared by")),
            s.one(organisation) if organisation else _organisation(s, plan),
        ),
        (s.t(("图号", "Sheet")), s.one(sheet or f"{plan.id}-01")),
        (
            s.t(("比例尺", "Scale")),
            f"{ratio} ({paper.upper()} {s.t(('横向', 'landscape') if landscape else ('纵向', 'portrait'))})",
        ),
        (s.t(("坐标系", "CRS")), f"{crs_name}; " + s.t(("格网单位 km", "grid in km"))),
    ]
    heading = s.one(title) if title else s.t((plan.title_zh, plan.title_en))
    notes = [s.t((plan.disclaimer.get("zh", ""), plan.disclaimer.get("en", ""))), s.t(BACK_TRANSLATION_NOTE)]
    notes += [s.t(pair) for pair in _names_statement(plan, lang)]
    _panel(s, fig, pax, panel, (W, H), landscape, heading, rows, notes, groups, plan, frames, extent)
    # the sheet border (neat line of the whole sheet)
    from matplotlib.patches import Rectangle

    m = 6.0 * k
    fig.add_artist(
        Rectangle(
            (m / W, m / H),
            1 - 2 * m / W,
            1 - 2 * m / H,
            transform=fig.transFigure,
            fill=False,
            lw=1.2,
            ec="#222",
        )
    )
    return fig


def _organisation(s: Sheet, plan: Plan) -> str:
    p = plan.manifest.plan
    zh, en = p.get("organisation_zh"), p.get("organisation_en")
    if not zh and not en:
        return s.t(("未注明", "not stated"))
    return s.t((str(zh or en), str(en or zh)))


def _block_furniture(ax: Axes, placer: LabelPlacer) -> None:
    """Keep labels off the north arrow, the scale bar and the grid note (what the axes drew so far)."""
    from matplotlib.patches import Polygon, Rectangle

    r = placer.renderer
    for artist in [*ax.patches, *ax.texts]:
        if (
            artist.get_transform() == ax.transAxes
            and isinstance(artist, (Polygon, Rectangle))
            or artist in ax.texts
        ):
            box = artist.get_window_extent(r)
            if box.width > 0 and box.height > 0 and box.overlaps(ax.bbox):
                placer.block(box.padded(2))


def _panel(
    s: Sheet,
    fig: Figure,
    pax: Axes,
    panel: _Box,
    size: tuple[float, float],
    landscape: bool,
    heading: str,
    rows: list[tuple[str, str]],
    notes: list[str],
    groups: list[_Legend],
    plan: Plan,
    frames: dict[str, Any],
    extent: Any,
) -> None:
    W, H = size
    note = s.t(SCHEMATIC_NOTE)
    gap = 5 * s.k
    if landscape:
        below_title = _title_block(s, pax, panel, rows, heading)
        notes_top = _notes(s, pax, panel, notes)
        inset_h = min(0.25 * panel.h, panel.w * 0.62)
        inset = _Box(panel.x, notes_top + gap, panel.w * 0.62, inset_h)
        _legend(
            s,
            pax,
            _Box(
                panel.x,
                inset.y + inset.h + gap + 4 * s.k,
                panel.w,
                below_title - gap - (inset.y + inset.h + gap + 4 * s.k),
            ),
            groups,
            note,
        )
    else:
        a = _Box(panel.x, panel.y, panel.w * 0.36, panel.h)
        below_title = _title_block(s, pax, a, rows, heading)
        _notes(s, pax, _Box(a.x, a.y, a.w, below_title - a.y), notes)
        inset = _Box(panel.x + panel.w * 0.78, panel.y, panel.w * 0.22, panel.h * 0.8)
        _legend(s, pax, _Box(a.x + a.w + gap, panel.y, inset.x - a.x - a.w - 2 * gap, panel.h), groups, note)
    _inset(s, fig, inset.fig_rect(W, H), plan, frames, extent)


def print_map(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    paper: str = "A3",
    landscape: bool = True,
    dpi: int = 200,
    fmt: str | None = None,
    lang: str = "zh",
    title: str | None = None,
    organisation: str | None = None,
    sheet: str | None = None,
    date: str | None = None,
) -> Path:
    """Print the structure map of *plan* to a PDF, SVG or PNG sheet.

    Parameters
    ----------
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    path : path-like
        The file to write (atomically); its suffix gives the format unless *fmt* is given.
    paper : {"A4", "A3", "A2", "A1", "A0"}
        ISO paper size; the ratio scale is chosen for it.
    landscape : bool
        Landscape (legend beside the map) or portrait (legend below it).
    dpi : int
        Resolution of PNG output (50 to 600); vector formats ignore it.
    fmt : {"pdf", "svg", "png"}, optional
        Output format (default: from the suffix of *path*).
    lang : {"zh", "en", "both"}
        Language of labels. Without a CJK font, English (with one warning).
    title, organisation, sheet, date : str, optional
        Override the 图名 (default: the plan's title), the 编制单位 (default: the manifest's
        ``[plan] organisation_zh``/``organisation_en``), the 图号 (default ``<plan id>-01``) and
        the date (default: the source's date, so that output stays reproducible).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    plan = require_plan(plan, "print_map")
    fmt = output_format(path, fmt)
    dpi = check_dpi(dpi)
    paper_mm(paper, landscape=landscape)
    if lang not in LANGS:
        raise InputError(f"`lang={lang!r}` is not a language; use one of {', '.join(LANGS)}")
    target = Path(path)
    if target.exists() and not target.is_file():
        raise InputError(f"{target}: is not a regular file; name a file to write")
    if is_plan_file(plan, target):
        raise InputError(
            f"{target}: is a file of the plan; the map would overwrite its input. Choose another file"
        )
    families, lang = font_families(lang)
    with drawing(families):
        fig = _render(plan, paper, landscape, lang, families, title, organisation, sheet, date)
        return save_figure(fig, target, fmt, dpi)
