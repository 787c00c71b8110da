"""Map furniture for matplotlib: plan styles as artists, ratio scales, scale bar, north arrow, labels.

Shared by the printed structure map and the report's site maps. Geometries are in the
plan's metric CRS; the axes are in metres with an equal aspect, so a ratio scale holds
when the axes' size on paper and their extent are set by :func:`fit_extent`.

Examples
--------
>>> nice_scale(61_000, 0.25)  # 61 km on 250 mm of paper
250000
>>> nice_scale(62_600, 0.25)  # 1:250,400 needed: the next round scale
300000
>>> nice_step(82_000)  # about six parts of a 1-2-5 length
20000.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

__all__ = [
    "LabelPlacer",
    "draw_class",
    "fit_extent",
    "mpl_style",
    "nice_scale",
    "nice_step",
    "north_arrow",
    "scale_bar",
    "swatch",
]

_NICE = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5)
_MARKERS = {"circle": "o", "square": "s", "star": "*", "diamond": "D"}
#: Leaflet pixels to printed points.
PX_PT = 0.6


def nice_scale(ground_m: float, paper_m: float) -> int:
    """Return the smallest round scale denominator at which *ground_m* fits in *paper_m*."""
    need = ground_m / paper_m
    exp = 10 ** math.floor(math.log10(need))
    for mult in (*_NICE, 10.0):
        if mult * exp >= need - 1e-9:
            return int(round(mult * exp))
    raise AssertionError("unreachable")  # pragma: no cover


def nice_step(span: float, target: int = 6) -> float:
    """Return a 1-2-5 step that cuts *span* into about *target* parts (or fewer)."""
    raw = span / target
    exp = 10 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 5.0, 10.0):
        if mult * exp >= raw:
            return mult * exp
    return 10 * exp  # pragma: no cover


def fit_extent(
    bounds: Sequence[float], frame_mm: tuple[float, float], pad: float = 0.04
) -> tuple[int, tuple[float, float, float, float]]:
    """Return the round scale at which *bounds* (padded) fit a frame, and the frame's extent.

    The extent is centred on *bounds* and has the frame's proportions, so 1 mm on paper is
    exactly ``scale`` mm on the ground.
    """
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    w, h = frame_mm
    scale = max(nice_scale(dx, w / 1000), nice_scale(dy, h / 1000))
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hw, hh = w / 1000 * scale / 2, h / 1000 * scale / 2
    return scale, (cx - hw, cy - hh, cx + hw, cy + hh)


# ---------------------------------------------------------------- styles as artists


def _rgba(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, float(alpha))


def mpl_style(st: dict[str, Any], k: float = 1.0) -> dict[str, Any]:
    """Translate a palette style (:func:`lzspatial.outputs.style.style_for`) to matplotlib terms.

    *k* scales line widths and marker sizes (1 on A3).
    """
    width = max(float(st.get("weight", 1.5)) * PX_PT * k, 0.3)
    return {
        "edge": _rgba(st["color"], 0.95),
        "face": _rgba(st["fill"], float(st.get("fill_opacity", 0.3))),
        "solid": _rgba(st["fill"], 0.0 if st.get("hollow") else 0.95),
        "width": width,
        "dash": (0, (4.0, 2.5)) if st.get("dash") else "solid",
        "hatch": "////" if st.get("hatch") else None,
        "marker": _MARKERS.get(str(st.get("marker", "circle")), "o"),
        "size": max(float(st.get("radius", 5)) * 1.2 * k, 2.0),
    }


def _poly_path(geoms: Iterable[Any]) -> Any:
    from matplotlib.path import Path as MplPath

    verts, codes = [], []
    for geom in geoms:
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 3:
                    continue
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _lines(geoms: Iterable[Any]) -> list[np.ndarray]:
    out = []
    for geom in geoms:
        for part in shapely.get_parts(geom):
            if "LineString" in part.geom_type:
                out.append(np.asarray(part.coords)[:, :2])
    return out


def draw_class(
    ax: Axes, geoms: Sequence[Any], st: dict[str, Any], *, arrows: bool = False, z: float = 1
) -> None:
    """Draw geometries of one style class (polygons, lines or points) on *ax*.

    *st* comes from :func:`mpl_style`. With *arrows*, each line ends in an arrowhead. Patches are
    added as artists: the caller sets the extent, so matplotlib need not compute data limits.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch, PathPatch

    geoms = [g for g in geoms if g is not None and not g.is_empty]
    polys = [g for g in geoms if "Polygon" in g.geom_type]
    lines = _lines(g for g in geoms if "LineString" in g.geom_type)
    points = [g for g in geoms if "Point" in g.geom_type]
    path = _poly_path(polys)
    if path is not None:
        ax.add_artist(
            PathPatch(path, facecolor=st["face"], edgecolor="none", linewidth=0, zorder=z, hatch=None)
        )
        if st["hatch"]:
            ax.add_artist(
                PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=st["edge"][:3] + (0.55,),
                    linewidth=0,
                    zorder=z,
                    hatch=st["hatch"],
                )
            )
        ax.add_artist(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=st["edge"],
                linewidth=st["width"],
                linestyle=st["dash"],
                zorder=z,
            )
        )
    if lines:
        ax.add_collection(
            LineCollection(
                lines, colors=[st["edge"]], linewidths=st["width"], linestyles=st["dash"], zorder=z
            )
        )
        if arrows:
            for xy in lines:
                if len(xy) >= 2:
                    ax.add_artist(
                        FancyArrowPatch(
                            tuple(xy[-2]),
                            tuple(xy[-1]),
                            arrowstyle=f"-|>,head_length={st['width'] * 1.6},head_width={st['width'] * 1.1}",
                            color=st["edge"],
                            linewidth=0,
                            zorder=z,
                            shrinkA=0,
                            shrinkB=0,
                        )
                    )
    if points:
        xy = shapely.get_coordinates(points)
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            linestyle="none",
            marker=st["marker"],
            markersize=st["size"],
            markerfacecolor=st["solid"],
            markeredgecolor=st["edge"],
            markeredgewidth=min(st["width"], 1.2),
            zorder=z + 0.5,
        )


def swatch(ax: Axes, x: float, y: float, w: float, h: float, kind: str, st: dict[str, Any]) -> None:
    """Draw a legend swatch of *kind* (``pt``, ``ln`` or ``pg``) in the box (x, y, w, h) of *ax*."""
    from matplotlib.patches import Rectangle

    if kind == "pt":
        ax.plot(
            [x + w / 2],
            [y + h / 2],
            linestyle="none",
            marker=st["marker"],
            markersize=min(st["size"], 8.0),
            markerfacecolor=st["solid"],
            markeredgecolor=st["edge"],
            markeredgewidth=min(st["width"], 1.2),
        )
    elif kind == "ln":
        ax.plot(
            [x, x + w],
            [y + h / 2] * 2,
            color=st["edge"],
            linewidth=min(st["width"], 3.0),
            linestyle=st["dash"],
        )
    else:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=st["face"], edgecolor="none", linewidth=0))
        if st["hatch"]:
            ax.add_patch(
                Rectangle((x, y), w, h, facecolor="none", edgecolor=st["edge"][:3] + (0.55,), linewidth=0)
            ).set_hatch(st["hatch"])
        ax.add_patch(
            Rectangle(
                (x, y),
                w,
                h,
                facecolor="none",
                edgecolor=st["edge"],
                linewidth=min(st["width"], 2.0),
                linestyle=st["dash"],
            )
        )


# ---------------------------------------------------------------- furniture


def north_arrow(ax: Axes, x: float, y: float, size: float, *, text: str = "N", fontsize: float = 9) -> None:
    """Draw a north arrow whose tip is at axes fraction (x, y) and whose height is *size* (fraction).

    The map is in a transverse Mercator (Gauss-Krüger) CRS near its central meridian, so grid
    north is true north within a fraction of a degree.
    """
    from matplotlib.patches import Polygon

    h = size
    w = size * 0.45 * ax.bbox.height / max(ax.bbox.width, 1)
    tr = ax.transAxes
    ax.add_patch(
        Polygon(
            [(x, y), (x - w / 2, y - h), (x, y - h * 0.72)],
            closed=True,
            fc="#222",
            ec="#222",
            lw=0.6,
            transform=tr,
            zorder=30,
        )
    )
    ax.add_patch(
        Polygon(
            [(x, y), (x + w / 2, y - h), (x, y - h * 0.72)],
            closed=True,
            fc="white",
            ec="#222",
            lw=0.6,
            transform=tr,
            zorder=30,
        )
    )
    ax.text(
        x,
        y + size * 0.08,
        text,
        transform=tr,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        zorder=30,
    )


def scale_bar(
    ax: Axes,
    x: float,
    y: float,
    scale: int,
    width_mm: float,
    *,
    fontsize: float = 7,
    ratio: str | None = None,
) -> None:
    """Draw an alternating scale bar at axes fraction (x, y), about *width_mm* long on paper.

    The bar length is a round number of kilometres at *scale*; *ratio* (e.g. ``"1:300,000"``)
    is written above it.
    """
    from matplotlib.patches import Rectangle

    km = nice_step(width_mm / 1000 * scale / 1000, 1)  # one round length of about width_mm
    while km * 1e6 / scale > width_mm * 1.05:
        km /= 2
    n = 4
    seg_m = km * 1000 / n
    x0_data, x1_data = ax.get_xlim()
    y0_data, y1_data = ax.get_ylim()
    frac = seg_m / (x1_data - x0_data)
    hfrac = 0.008 * (x1_data - x0_data) / (y1_data - y0_data) * 1.6
    tr = ax.transAxes
    for i in range(n):
        ax.add_patch(
            Rectangle(
                (x + i * frac, y),
                frac,
                hfrac,
                transform=tr,
                fc="#222" if i % 2 == 0 else "white",
                ec="#222",
                lw=0.5,
                zorder=30,
            )
        )
    for i in (0, n // 2, n):
        value = i * seg_m / 1000
        ax.text(
            x + i * frac,
            y - hfrac * 0.5,
            f"{value:g}",
            transform=tr,
            ha="center",
            va="top",
            fontsize=fontsize,
            zorder=30,
        )
    ax.text(
        x + n * frac + frac * 0.25,
        y - hfrac * 0.5,
        "km",
        transform=tr,
        ha="left",
        va="top",
        fontsize=fontsize,
        zorder=30,
    )
    if ratio:
        ax.text(
            x,
            y + hfrac * 1.6,
            ratio,
            transform=tr,
            ha="left",
            va="bottom",
            fontsize=fontsize * 1.2,
            zorder=30,
        )


# ---------------------------------------------------------------- labels


#: Label positions tried around a point, in order: (dx, dy) signs, ha, va.
_AROUND = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (1, 1, "left", "bottom"),
    (1, -1, "left", "top"),
    (-1, 1, "right", "bottom"),
    (-1, -1, "right", "top"),
)


@dataclass
class LabelPlacer:
    """Place labels by priority, skipping those that would overlap one already placed.

    Extents come from the renderer (the text as it will be drawn), padded by *pad* pixels.
    Obstacles (the north arrow, the scale bar, point symbols) are boxes labels must avoid.
    """

    ax: Axes
    renderer: RendererBase
    pad: float = 1.5
    #: Width (pt) of the white halo drawn under each placed label (0: none).
    halo: float = 0.0
    placed: list[Bbox] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def block(self, box: Bbox) -> None:
        """Add an obstacle (display coordinates)."""
        self.placed.append(box)

    def block_point(self, x: float, y: float, size_pt: float) -> None:
        """Add a point symbol of *size_pt* at data (x, y) as an obstacle."""
        from matplotlib.transforms import Bbox

        px, py = self.ax.transData.transform((x, y))
        r = size_pt / 2 * float(self.renderer.points_to_pixels(1.0))  # type: ignore[arg-type]
        self.placed.append(Bbox.from_extents(px - r, py - r, px + r, py + r))

    def _fits(self, text: Text) -> bool:
        box = text.get_window_extent(self.renderer).padded(self.pad)
        frame = self.ax.bbox
        if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1:
            return False
        if any(box.overlaps(other) for other in self.placed):
            return False
        self.placed.append(box)
        return True

    def point(self, x: float, y: float, text: str, offset_pt: float, **kw: Any) -> bool:
        """Label a point: try eight positions around it; return whether one fitted."""
        for sx, sy, ha, va in _AROUND:
            off = (sx * offset_pt, sy * offset_pt)
            where: dict[str, Any] = {"xytext": off, "textcoords": "offset points"}
            t = self.ax.annotate(text, (x, y), ha=ha, va=va, annotation_clip=False, **where, **kw)
            if self._fits(t):
                if self.halo:
                    self.ax.annotate(
                        text, (x, y), ha=ha, va=va, annotation_clip=False, **where, **self._halo(kw)
                    )
                return True
            t.remove()
        self.skipped.append(text)
        return False

    def area_in(self, geom: Any, text: str, **kw: Any) -> bool:
        """Label an area inside *geom*: its pole of inaccessibility, then points around it."""
        from shapely.ops import polylabel

        parts = sorted(shapely.get_parts(geom), key=lambda g: -g.area)
        if not parts or parts[0].geom_type != "Polygon":
            self.skipped.append(text)
            return False
        main = parts[0]
        c = polylabel(main, tolerance=max(main.length / 500, 1.0))
        x0, y0, x1, y1 = main.bounds
        dx, dy = (x1 - x0) / 6, (y1 - y0) / 6
        tries = [(c.x, c.y)] + [
            (c.x + i * dx, c.y + j * dy) for j in (0, 1, -1) for i in (0, -1, 1) if i or j
        ]
        for x, y in tries:
            if not main.contains(shapely.Point(x, y)):
                continue
            t = self.ax.text(x, y, text, ha="center", va="center", **kw)
            if self._fits(t):
                if self.halo:
                    self.ax.text(x, y, text, ha="center", va="center", **self._halo(kw))
                return True
            t.remove()
        self.skipped.append(text)
        return False

    def _halo(self, kw: dict[str, Any]) -> dict[str, Any]:
        """Return the text properties of a label's halo: a white outline drawn under it.

        The halo is a separate artist (drawn as a path), so the label itself stays real text
        in the PDF's text layer: a path effect on the label would turn it into outlines.
        """
        from matplotlib import patheffects

        stroke = [patheffects.Stroke(linewidth=self.halo, foreground="white")]
        return {**kw, "path_effects": stroke, "zorder": float(kw.get("zorder", 40)) - 0.1, "alpha": 1.0}

    def area(self, x: float, y: float, text: str, **kw: Any) -> bool:
        """Label an area at data (x, y), centred; return whether it fitted."""
        t = self.ax.text(x, y, text, ha="center", va="center", **kw)
        if self._fits(t):
            if self.halo:
                self.ax.text(x, y, text, ha="center", va="center", **self._halo(kw))
            return True
        t.remove()
        self.skipped.append(text)
        return False
