"""A domain-free grid index for exact point-in-polygon and nearest-segment queries.

A grid of up to 256 x 256 cells over an extent. For each polygon every cell is
inside, outside or crossed by the boundary (exact: the boundary segments are
intersected with the cells, slightly enlarged); for each line layer every
cell keeps the segments that can be nearest to some point of it, pruned from
32 x 32-cell blocks down to single cells with the triangle inequality
(a segment whose distance from the cell centre exceeds the best distance plus
the cell diameter can be nearest to no point of the cell). The answers are
exact; the grid only decides which exact computations are needed.

It knows nothing of plans: :mod:`lzspatial.screening.plan_index` builds one per plan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["POLY_MARGIN", "Grid", "PolyLayer", "SegLayer", "split_children"]

POLY_MARGIN = 250.0
_EPS = 1e-3  # m; slack for rounding in cell assignment and pruning
_GRID_CELLS = 256
_LEVELS = 5
#: Cells with several candidate segments are split into _SUB x _SUB sub-cells, each tightened again.
_SUB = 4
_SPLIT_MAX = 4
#: Cells crossed by a polygon's boundary are split into _POLY_SUB x _POLY_SUB sub-cells, classified again.
_POLY_SUB = 8


def _segments(geoms: Any) -> tuple[np.ndarray, np.ndarray]:
    """Explode geometries into 2-point segments: (n, 4) ax, ay, bx, by and the owner index.

    Polygons contribute their rings; points contribute zero-length segments.
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    geoms = arr
    polys = np.isin(shapely.get_type_id(geoms), (3, 6))
    lines = np.where(polys, shapely.boundary(geoms), geoms)
    parts, owner = shapely.get_parts(lines, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    is_pt = shapely.get_type_id(parts) == 0
    same = part[1:] == part[:-1]
    seg = np.column_stack([coords[:-1], coords[1:]])[same]
    seg_owner = owner[part[:-1][same]]
    pts = np.flatnonzero(is_pt[part])
    seg = np.vstack([seg, np.column_stack([coords[pts], coords[pts]])])
    seg_owner = np.concatenate([seg_owner, owner[part[pts]]])
    order = np.argsort(seg_owner, kind="stable")
    return seg[order], seg_owner[order].astype(np.int32)


def _seg_dist(px: np.ndarray, py: np.ndarray, seg: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Exact distance from points to segments ``seg[pick]``: the GEOS formula (``Distance::pointToSegment``).

    *seg* holds the segments column-wise, shape (4, nseg): ax, ay, bx, by.
    """
    return _pt_seg(px, py, seg[0][pick], seg[1][pick], seg[2][pick], seg[3][pick])


def _pt_seg(px: Any, py: Any, ax: Any, ay: Any, bx: Any, by: Any) -> np.ndarray:
    """Exact distance from points (px, py) to segments (a, b), the GEOS formula."""
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ((px - ax) * dx + (py - ay) * dy) / len2
        perp = np.abs(((ay - py) * dx - (ax - px) * dy) / len2) * np.sqrt(len2)
    end_b = r >= 1
    ex, ey = np.where(end_b, bx, ax), np.where(end_b, by, ay)
    end = np.sqrt((px - ex) ** 2 + (py - ey) ** 2)
    return np.where((len2 == 0) | (r <= 0) | end_b, end, perp)


def _seg_d2(px: np.ndarray, py: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Squared distance by clamped projection (for ranking candidates)."""
    ux, uy = px - s[..., 0], py - s[..., 1]
    dx, dy, il2 = s[..., 4], s[..., 5], s[..., 6]
    t = np.clip((ux * dx + uy * dy) * il2, 0.0, 1.0)
    ex, ey = ux - t * dx, uy - t * dy
    return ex * ex + ey * ey


def _classify_boxes(g: Any, cx: np.ndarray, cy: np.ndarray, half: float) -> np.ndarray:
    """Status of square boxes (centres, half side) for polygon *g*: 0 outside, 1 inside, 2 crossed.

    A box that no boundary segment meets lies wholly on the side of its centre.
    """
    out = shapely.intersects_xy(g, cx, cy).astype(np.int8)
    seg, _ = _segments([g])
    s, b = _pairs(seg, cx, cy, half)  # every (segment, box) pair that may meet, and a few more
    if s.size:
        ub, inv = np.unique(b, return_inverse=True)
        boxes = shapely.box(cx[ub] - half, cy[ub] - half, cx[ub] + half, cy[ub] + half)
        lines = np.asarray(shapely.linestrings(seg.reshape(-1, 2, 2)), dtype=object)
        hit = shapely.intersects(boxes[inv.reshape(-1)], lines[s])
        out[ub[np.unique(inv.reshape(-1)[hit])]] = 2
    return out


def _crossed(seg: np.ndarray, cx: np.ndarray, cy: np.ndarray, half: float) -> np.ndarray:
    """Which square boxes (centres *cx*, *cy*, half side *half*) some segment may meet, as a mask.

    Every box a segment meets, and a few it comes within rounding of (see :func:`_pairs`).
    """
    out = np.zeros(cx.size, dtype=bool)
    out[_pairs(seg, cx, cy, half)[1]] = True
    return out


def _pairs(seg: np.ndarray, cx: np.ndarray, cy: np.ndarray, half: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (segment, box) index pairs that may meet: all that do, and a few within rounding.

    The boxes (centres *cx*, *cy*, half side *half*) lie on a lattice, their size less the
    slack. Each segment is matched, column by column of the lattice, to the boxes its run
    through that column can reach (with a box to spare either side), and a pair is kept
    unless their bounding boxes are apart or all four corners of the box lie on one side of
    the segment's line, clear of it by more than rounding (the separating axes of a segment
    and a box).
    """
    none = np.zeros(0, dtype=np.int64)
    if not cx.size or not seg.size:
        return none, none
    step = 2 * (half - _EPS)  # the lattice spacing
    ox, oy = cx.min(), cy.min()
    ki = np.rint((cx - ox) / step).astype(np.int64)
    kj = np.rint((cy - oy) / step).astype(np.int64)
    width, height = int(ki.max()) + 3, int(kj.max()) + 3
    key = np.full(width * height, -1, dtype=np.int64)
    key[(kj + 1) * width + ki + 1] = np.arange(cx.size)
    ax, ay, bx, by = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    minx, maxx = np.minimum(ax, bx), np.maximum(ax, bx)
    miny, maxy = np.minimum(ay, by), np.maximum(ay, by)

    def lattice(v: np.ndarray, o: float, lo: bool, size: int) -> np.ndarray:
        k = np.floor((v - o) / step) - 1 if lo else np.ceil((v - o) / step) + 1
        return np.clip(k, -1, size - 2).astype(np.int64)

    # (segment, column) pairs, then the rows the segment can reach in that column
    i0, i1 = lattice(minx, ox, True, width), lattice(maxx, ox, False, width)
    ni = i1 - i0 + 1
    s = np.repeat(np.arange(seg.shape[0]), ni)
    col = i0[s] + np.arange(s.size) - np.repeat(np.cumsum(ni) - ni, ni)
    xa = np.maximum(ox + col * step - half - step, minx[s])
    xb = np.minimum(ox + col * step + half + step, maxx[s])
    keep = xa <= xb
    s, col, xa, xb = s[keep], col[keep], xa[keep], xb[keep]
    dx, dy = bx[s] - ax[s], by[s] - ay[s]
    with np.errstate(divide="ignore", invalid="ignore"):
        ya = np.where(dx == 0, miny[s], ay[s] + (xa - ax[s]) * (dy / dx))
        yb = np.where(dx == 0, maxy[s], ay[s] + (xb - ax[s]) * (dy / dx))
    j0 = lattice(np.maximum(np.minimum(ya, yb), miny[s]), oy, True, height)
    j1 = lattice(np.minimum(np.maximum(ya, yb), maxy[s]), oy, False, height)
    nj = np.maximum(j1 - j0 + 1, 0)
    t = np.repeat(np.arange(s.size), nj)
    row = j0[t] + np.arange(t.size) - np.repeat(np.cumsum(nj) - nj, nj)
    b = key[(row + 1) * width + col[t] + 1]
    found = b >= 0
    s, b = s[t[found]], b[found]
    x0, x1, y0, y1 = cx[b] - half, cx[b] + half, cy[b] - half, cy[b] + half
    sax, say, sbx, sby = ax[s], ay[s], bx[s], by[s]
    dx, dy = sbx - sax, sby - say
    pad = 1e-9 * (np.abs(dx) + np.abs(dy) + 4 * half + 1.0)  # metres: far above rounding
    meet = (maxx[s] + pad >= x0) & (minx[s] - pad <= x1) & (maxy[s] + pad >= y0) & (miny[s] - pad <= y1)
    tol = pad * (np.abs(dx) + np.abs(dy) + 1.0)  # the same, as a cross product
    side = [dx * (py - say) - dy * (px - sax) for px, py in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    apart = np.logical_and.reduce([c > tol for c in side]) | np.logical_and.reduce([c < -tol for c in side])
    keep = meet & ~apart
    return s[keep], b[keep]


class Grid:
    """A regular grid of cells over the plan (row-major flat cell ids)."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        minx, miny, maxx, maxy = bounds
        margin = max(10_000.0, 0.1 * max(maxx - minx, maxy - miny))
        minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
        self.size = max(maxx - minx, maxy - miny) / _GRID_CELLS
        block = 2**_LEVELS
        self.cx = int(np.ceil((maxx - minx) / (self.size * block)))
        self.cy = int(np.ceil((maxy - miny) / (self.size * block)))
        self.nx, self.ny = self.cx * block, self.cy * block
        self.x0, self.y0 = minx, miny

    def cell(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell id per point, -1 outside the grid (or NaN)."""
        with np.errstate(invalid="ignore"):
            i = np.floor((x - self.x0) / self.size)
            j = np.floor((y - self.y0) / self.size)
        ok = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        return np.where(ok, j * self.nx + i, -1).astype(np.int64)

    def cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
        """Return :meth:`cell` (as ``intp``) and whether every point lies in the grid.

        The same float operations as :meth:`cell`, done in place, with no masking when the
        extremes show every point inside.
        """
        i = np.subtract(x, self.x0)
        i /= self.size
        np.floor(i, out=i)
        j = np.subtract(y, self.y0)
        j /= self.size
        np.floor(j, out=j)
        if not (i.size and i.min() >= 0 and i.max() < self.nx and j.min() >= 0 and j.max() < self.ny):
            return self.cell(x, y).astype(np.intp), False
        j *= self.nx
        j += i
        return j.astype(np.intp), True

    def ij(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row indices clipped into the grid."""
        i = np.clip(np.floor((x - self.x0) / self.size), 0, self.nx - 1).astype(np.int64)
        j = np.clip(np.floor((y - self.y0) / self.size), 0, self.ny - 1).astype(np.int64)
        return i, j

    def centers(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell centre coordinates, flat row-major."""
        i = np.arange(self.nx)
        j = np.arange(self.ny)
        return (
            np.tile(self.x0 + (i + 0.5) * self.size, self.ny),
            np.repeat(self.y0 + (j + 0.5) * self.size, self.nx),
        )


# ---------------------------------------------------------------- polygons: point in / area of


class PolyLayer:
    """Polygons with per-cell status: 0 outside, 1 inside, 2 crossed by the boundary."""

    def __init__(self, geoms: list[Any], grid: Grid, split: bool = True) -> None:
        """Index *geoms* on *grid*; with *split*, also the sub-cells :meth:`first_cover` reads."""
        self.geoms = np.empty(len(geoms), dtype=object)
        self.geoms[:] = geoms
        self.grid = grid
        k = len(geoms)
        self.status = np.zeros((k, grid.ny * grid.nx), dtype=np.int8)
        self.bounds = shapely.bounds(self.geoms) if k else np.zeros((0, 4))
        for n, g in enumerate(self.geoms):
            shapely.prepare(g)
            shapely.intersects_xy(g, 0.0, 0.0)  # build the prepared locator before threads share it
            self.status[n] = self._classify(g)
        self.value = self._first(self.status)
        self._sat: np.ndarray | None = None
        self._piece_cache: dict[int, dict[int, Any]] = {}
        self._split(split)

    @staticmethod
    def _first(status: np.ndarray) -> np.ndarray:
        """Per box: the first polygon whose status is 1 before any is 2, -2 if one is 2 first, else -1."""
        k, size = status.shape
        if not k:
            return np.full(size, -1, dtype=np.intp)
        nz = status != 0
        first = nz.argmax(axis=0)
        hit = status[first, np.arange(size)] == 1
        return np.where(nz.any(axis=0), np.where(hit, first, -2), -1).astype(np.intp)

    def _classify(self, g: Any) -> np.ndarray:

        grid = self.grid
        out = np.zeros(grid.ny * grid.nx, dtype=np.int8)
        minx, miny, maxx, maxy = g.bounds
        i0, j0 = grid.ij(np.array([minx - _EPS]), np.array([miny - _EPS]))
        i1, j1 = grid.ij(np.array([maxx + _EPS]), np.array([maxy + _EPS]))
        ii, jj = np.meshgrid(np.arange(i0[0], i1[0] + 1), np.arange(j0[0], j1[0] + 1))
        ids = (jj * grid.nx + ii).ravel()
        cx = grid.x0 + (ids % grid.nx + 0.5) * grid.size
        cy = grid.y0 + (ids // grid.nx + 0.5) * grid.size
        out[ids] = _classify_boxes(g, cx, cy, grid.size / 2 + _EPS)
        return out

    def _split(self, split: bool) -> None:
        """Split the cells that need an exact test into sub-cells, and classify those.

        Each polygon crossing such a cell classifies its sub-cells as :meth:`_classify` does its
        cells: crossed where a boundary segment meets the sub-cell enlarged by the same slack
        (:func:`_crossed`), else inside or outside as its centre is; the other polygons keep
        the cell's status. Only points in sub-cells still crossed are tested exactly.
        """
        g = self.grid
        self.split = split
        cells = np.flatnonzero(self.value == -2) if split else np.zeros(0, dtype=np.intp)
        self.sub_rank = np.full(self.value.size, -1, dtype=np.intp)
        self.sub_rank[cells] = np.arange(cells.size)
        self.sub_x0 = g.x0 + (cells % g.nx) * g.size  # lower-left corners of the split cells
        self.sub_y0 = g.y0 + (cells // g.nx) * g.size
        self.sub_size = g.size / _POLY_SUB
        per = _POLY_SUB * _POLY_SUB
        box = np.arange(cells.size * per)
        rank = box // per
        cx = self.sub_x0[rank] + (box % _POLY_SUB + 0.5) * self.sub_size
        cy = self.sub_y0[rank] + ((box % per) // _POLY_SUB + 0.5) * self.sub_size
        status = self.status[:, cells[rank]]
        for n, geom in enumerate(self.geoms):
            crossed = np.flatnonzero(status[n] == 2)
            if not crossed.size:
                continue
            status[n, crossed] = shapely.intersects_xy(geom, cx[crossed], cy[crossed]).astype(np.int8)
            seg, _ = _segments([geom])
            hit = _crossed(seg, cx[crossed], cy[crossed], self.sub_size / 2 + _EPS)
            status[n, crossed[hit]] = 2
        self.sub_value = self._first(status)

    def first_cover(self, x: np.ndarray, y: np.ndarray, cell: np.ndarray, every: bool = False) -> np.ndarray:
        """Index of the first polygon covering each point (boundary included), -1 if none.

        *every* says that no cell is -1 (every point lies in the grid).
        """
        out = self.value[cell] if every else np.where(cell >= 0, self.value[np.maximum(cell, 0)], -1)
        todo = np.flatnonzero(out == -2)
        tx, ty = x[todo], y[todo]
        if todo.size and self.split:  # the sub-cell of each point of a split cell
            rank = self.sub_rank[cell[todo]]
            si = np.subtract(tx, self.sub_x0[rank])
            si /= self.sub_size
            np.floor(si, out=si)
            np.clip(si, 0, _POLY_SUB - 1, out=si)
            sj = np.subtract(ty, self.sub_y0[rank])
            sj /= self.sub_size
            np.floor(sj, out=sj)
            np.clip(sj, 0, _POLY_SUB - 1, out=sj)
            sj *= _POLY_SUB
            sj += si
            sub = self.sub_value[rank * (_POLY_SUB * _POLY_SUB) + sj.astype(np.intp)]
            out[todo] = sub
            keep = np.flatnonzero(sub == -2)
            todo, tx, ty = todo[keep], tx[keep], ty[keep]
        if todo.size:
            out[todo] = -1
            free = np.ones(todo.size, dtype=bool)
            for n, g in enumerate(self.geoms):
                minx, miny, maxx, maxy = self.bounds[n]
                sel = np.flatnonzero(free & (tx >= minx) & (tx <= maxx) & (ty >= miny) & (ty <= maxy))
                if sel.size:
                    hit = sel[shapely.intersects_xy(g, tx[sel], ty[sel])]
                    out[todo[hit]] = n
                    free[hit] = False
        return out

    def covered(
        self, x: np.ndarray, y: np.ndarray, cell: np.ndarray, every: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the points some polygon covers, and :meth:`first_cover` there.

        Only points in cells that some polygon reaches are looked at.
        """
        value = self.value[cell] if every else np.where(cell >= 0, self.value[np.maximum(cell, 0)], -1)
        near = np.flatnonzero(value != -1)
        first = self.first_cover(x[near], y[near], cell[near], True)
        hit = np.flatnonzero(first >= 0)
        return near[hit], first[hit]

    def _tables(self) -> np.ndarray:
        """Summed-area tables of inside and outside cells, shape (k, 2, ny+1, nx+1)."""
        if self._sat is None:
            g = self.grid
            k = len(self.geoms)
            st = self.status.reshape(k, g.ny, g.nx)
            sat = np.zeros((k, 2, g.ny + 1, g.nx + 1), dtype=np.int32)
            sat[:, 0, 1:, 1:] = (st == 1).cumsum(1).cumsum(2)
            sat[:, 1, 1:, 1:] = (st == 0).cumsum(1).cumsum(2)
            self._sat = sat
        return self._sat

    def areas(self, geoms: np.ndarray, bounds: np.ndarray, area: np.ndarray) -> np.ndarray:
        """Area (m²) of each polygon site inside each polygon: shape (n, k)."""
        k = len(self.geoms)
        out = np.zeros((len(geoms), k))
        if not k or not len(geoms):
            return out
        sat = self._tables()
        i0, j0 = self.grid.ij(bounds[:, 0] - _EPS, bounds[:, 1] - _EPS)
        i1, j1 = self.grid.ij(bounds[:, 2] + _EPS, bounds[:, 3] + _EPS)
        ncell = (i1 - i0 + 1) * (j1 - j0 + 1)
        for n, g in enumerate(self.geoms):
            minx, miny, maxx, maxy = self.bounds[n]
            near = np.flatnonzero(
                (bounds[:, 2] >= minx)
                & (bounds[:, 0] <= maxx)
                & (bounds[:, 3] >= miny)
                & (bounds[:, 1] <= maxy)
            )
            if not near.size:
                continue
            s = sat[n]
            a0, b0, a1, b1 = i0[near], j0[near], i1[near], j1[near]
            cnt = s[:, b1 + 1, a1 + 1] - s[:, b0, a1 + 1] - s[:, b1 + 1, a0] + s[:, b0, a0]
            full = near[cnt[0] == ncell[near]]
            out[full, n] = area[full]
            mixed = near[(cnt[0] != ncell[near]) & (cnt[1] != ncell[near])]
            if not mixed.size:
                continue
            small = (i1[mixed] - i0[mixed] <= 1) & (j1[mixed] - j0[mixed] <= 1)
            big = mixed[~small]
            if big.size:
                out[big, n] = shapely.area(shapely.intersection(geoms[big], g))
            mixed = mixed[small]
            if mixed.size:
                out[mixed, n] = self._by_cells(n, geoms, mixed, i0, j0, i1, j1)
        return out

    def _by_cells(
        self,
        n: int,
        geoms: np.ndarray,
        sites: np.ndarray,
        i0: np.ndarray,
        j0: np.ndarray,
        i1: np.ndarray,
        j1: np.ndarray,
    ) -> np.ndarray:
        """Return the areas of sites spanning at most 2 x 2 cells.

        Each is the sum over its cells of the site cut by the cell (inside
        cells) or by the polygon's piece in the cell (boundary cells).
        """
        grid = self.grid
        pair_site, pair_cell = [], []
        for di, dj in ((0, 0), (1, 0), (0, 1), (1, 1)):
            ok = (i0[sites] + di <= i1[sites]) & (j0[sites] + dj <= j1[sites])
            pair_site.append(np.flatnonzero(ok))
            pair_cell.append((j0[sites][ok] + dj) * grid.nx + i0[sites][ok] + di)
        ps, pc = np.concatenate(pair_site), np.concatenate(pair_cell)
        status = self.status[n, pc]
        keep = status > 0
        ps, pc, status = ps[keep], pc[keep], status[keep]
        cutters = np.empty(pc.size, dtype=object)
        inside = status == 1
        cutters[inside] = self._boxes(pc[inside])
        edge = np.flatnonzero(~inside)
        if edge.size:
            cutters[edge] = self._pieces(n, pc[edge])
        taken = shapely.area(shapely.intersection(geoms[sites[ps]], cutters))
        return np.bincount(ps, weights=taken, minlength=sites.size)

    def _boxes(self, cells: np.ndarray) -> np.ndarray:

        g = self.grid
        x0 = g.x0 + (cells % g.nx) * g.size
        y0 = g.y0 + (cells // g.nx) * g.size
        return shapely.box(x0, y0, x0 + g.size, y0 + g.size)

    def _pieces(self, n: int, cells: np.ndarray) -> np.ndarray:
        """Return the part of polygon *n* in each boundary cell (cached)."""
        cache = self._piece_cache.setdefault(n, {})
        todo = np.unique(cells[[c not in cache for c in cells.tolist()]])
        if todo.size:
            for c, piece in zip(
                todo.tolist(), shapely.intersection(self.geoms[n], self._boxes(todo)), strict=True
            ):
                cache[c] = piece
        out = np.empty(cells.size, dtype=object)
        out[:] = [cache[c] for c in cells.tolist()]
        return out


# ---------------------------------------------------------------- nearest feature


class SegLayer:
    """Nearest-feature index: the features' segments plus per-cell candidate lists (CSR)."""

    sub_single: np.ndarray  # per sub-cell: the one candidate (a key, see _modes), or -1

    def __init__(self, frame: Any, grid: Grid, polys: PolyLayer | None = None) -> None:

        self.ids = np.asarray(frame["id"], dtype=object)
        self.geoms = np.asarray(frame.geometry.values, dtype=object)
        self.grid = grid
        self.polys = polys
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None
        self._poly_csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if self.tree is None:
            return
        seg, self.owner = _segments(self.geoms)
        dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
        len2 = dx * dx + dy * dy
        il2 = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 0)
        self.cols = np.ascontiguousarray(seg.T)
        self.pack = np.column_stack([seg, dx, dy, il2])
        self.seg_geoms = np.where(
            len2 > 0,
            np.asarray(shapely.linestrings(seg.reshape(-1, 2, 2)), dtype=object),
            np.asarray(shapely.points(seg[:, :2]), dtype=object),
        )
        self.offsets, self.counts, self.values = self._tighten(*self._build(0.0))
        # per cell: the one candidate segment, or -1 where a cell keeps several (or none)
        self.single = np.where(
            self.counts == 1, self.values[np.minimum(self.offsets, self.values.size - 1)], -1
        ).astype(np.intp)  # index arrays are intp: numpy gathers fastest with them
        self.values = self.values.astype(np.intp)
        self.owner = self.owner.astype(np.intp)
        # per segment, column-wise: what the point-segment formula reads (computed once)
        self.ax, self.ay, self.bx, self.by = (np.ascontiguousarray(seg[:, k]) for k in range(4))
        self.dx, self.dy, self.len2 = dx, dy, len2
        self.root_len2 = np.sqrt(len2)
        self.points_only = bool((len2 == 0).all())
        self._split()
        self._modes()

    def _modes(self) -> None:
        """Key each settled cell and sub-cell by how the point-segment formula runs all over it.

        A key is a segment index plus a block: generic (0), perpendicular (1), or the segment's
        end A (2) or B (3). Where the projection parameter ``r`` of the GEOS formula is, for
        every point of the box (enlarged by the slack), below 0 (or the segment is a point),
        above 1, or inside (0, 1), with a margin, the formula takes one branch everywhere: the
        distance to that end, or the perpendicular distance, computed with the same float
        operations as :meth:`_dist`. Layers of points keep plain segment indices.
        """
        n = self.ax.size
        self.key_owner = np.tile(self.owner, 4)
        self.key_seg = np.tile(np.arange(n, dtype=np.intp), 4)
        self.key_mode = np.repeat(np.arange(4, dtype=np.int8), n)
        if self.points_only:
            self.bulk = -1
            return
        g = self.grid
        self.key_vx = np.concatenate([self.ax, self.ax, self.ax, self.bx])
        self.key_vy = np.concatenate([self.ay, self.ay, self.ay, self.by])
        self.key_ax, self.key_ay = np.tile(self.ax, 4), np.tile(self.ay, 4)
        self.key_dx, self.key_dy = np.tile(self.dx, 4), np.tile(self.dy, 4)
        self.key_len2, self.key_root = np.tile(self.len2, 4), np.tile(self.root_len2, 4)
        cells = np.arange(self.single.size)
        self.single = self._keyed(self.single, self.cell_x0[cells], self.cell_y0[cells], g.size)
        box = np.arange(self.sub_single.size)
        per = _SUB * _SUB
        parent = np.flatnonzero(self.sub_rank >= 0)[np.argsort(self.sub_rank[self.sub_rank >= 0])]
        bx0 = self.cell_x0[parent[box // per]] + (box % _SUB) * self.sub_size
        by0 = self.cell_y0[parent[box // per]] + ((box % per) // _SUB) * self.sub_size
        self.sub_single = self._keyed(self.sub_single, bx0, by0, self.sub_size)
        mode = self.key_mode[self.single[self.single >= 0]]
        # the branch most cells take is computed for all points, the others where they apply
        self.bulk = 1 if (mode == 1).sum() > (mode >= 2).sum() else 2

    def _keyed(self, seg: np.ndarray, x0: np.ndarray, y0: np.ndarray, size: float) -> np.ndarray:
        """Return the keys of boxes settled on segment *seg* (lower-left *x0*, *y0*; -1 kept)."""
        out = seg.copy()
        box = np.flatnonzero(seg >= 0)
        s = seg[box]
        bx0, by0 = x0[box] - 4 * _EPS, y0[box] - 4 * _EPS
        bx1, by1 = bx0 + size + 8 * _EPS, by0 + size + 8 * _EPS
        ax, ay, dx, dy, len2 = self.ax[s], self.ay[s], self.dx[s], self.dy[s], self.len2[s]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = [
                ((cx - ax) * dx + (cy - ay) * dy) / len2
                for cx, cy in ((bx0, by0), (bx1, by0), (bx0, by1), (bx1, by1))
            ]
        lo, hi = np.minimum.reduce(r), np.maximum.reduce(r)
        block = np.where(
            (len2 == 0) | (hi <= -1e-6),
            2,
            np.where(lo >= 1 + 1e-6, 3, np.where((lo >= 1e-6) & (hi <= 1 - 1e-6), 1, 0)),
        )
        out[box] = s + block * self.ax.size
        return out

    def _split(self) -> None:
        """Split each cell with several candidates into sub-cells and tighten their lists.

        A sub-cell inherits its cell's candidates and keeps those :meth:`_tighten` cannot rule
        out for the sub-cell (the same exact bounds, on a smaller box): most points of such a
        cell then find one candidate in their sub-cell. Cells with more than
        :data:`_SPLIT_MAX` candidates (along dense lines, where splitting settles few points
        and costs most) are not split, nor those with more than 2 or 3 where the sub-cells'
        lists would outgrow twice the grid (bounding the build).
        """
        g = self.grid
        cap = _SPLIT_MAX  # fewer if the sub-cells' lists would outgrow twice the grid
        while (
            cap > 2
            and _SUB * _SUB * self.counts[(self.counts > 1) & (self.counts <= cap)].sum() > 2 * g.nx * g.ny
        ):
            cap -= 1
        multi = np.flatnonzero((self.counts > 1) & (self.counts <= cap))
        self.sub_rank = np.full(self.counts.size, -1, dtype=np.intp)
        self.sub_rank[multi] = np.arange(multi.size)
        self.cell_x0 = g.x0 + (np.arange(self.counts.size) % g.nx) * g.size
        self.cell_y0 = g.y0 + (np.arange(self.counts.size) // g.nx) * g.size
        self.sub_size = g.size / _SUB
        per = _SUB * _SUB
        box = np.arange(multi.size * per)
        parent = multi[box // per]
        si, sj = box % _SUB, (box % per) // _SUB
        bx0 = self.cell_x0[parent] + si * self.sub_size
        by0 = self.cell_y0[parent] + sj * self.sub_size
        cnt = self.counts[parent]
        off = np.cumsum(cnt) - cnt
        first = np.repeat(off, cnt)
        vals = self.values[np.repeat(self.offsets[parent], cnt) + np.arange(int(cnt.sum())) - first]
        off, cnt, vals = self._tighten(off, cnt, vals, (bx0, by0, self.sub_size), bounds_only=True)
        off, cnt, vals = self._tighten(off, cnt, vals, (bx0, by0, self.sub_size))
        self.sub_single = np.where(cnt == 1, vals[np.minimum(off, max(vals.size - 1, 0))], -1).astype(np.intp)
        # one list of lists for the points still unsettled: the cells' lists, then the sub-cells'
        self.sub_offsets, self.sub_counts = off + self.values.size, cnt
        self.all_values = np.concatenate([self.values, vals]).astype(np.intp)

    def _build(self, margin: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate segments per cell for sites of radius <= *margin*, as CSR (offsets, counts, values)."""
        g = self.grid
        nseg = self.cols.shape[1]
        roots = g.cx * g.cy
        cell = np.repeat(np.arange(roots, dtype=np.int64), nseg)
        segi = np.tile(np.arange(nseg, dtype=np.int64), roots)
        ci, cj = cell % g.cx, cell // g.cx  # cell coordinates at the current level
        for level in range(_LEVELS + 1):
            size = g.size * 2 ** (_LEVELS - level)
            d = _seg_dist(g.x0 + (ci + 0.5) * size, g.y0 + (cj + 0.5) * size, self.cols, segi)
            starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
            grp = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, cell.size]))
            dmin = np.minimum.reduceat(d, starts)
            keep = d <= dmin[grp] + size * np.sqrt(2.0) + 2 * margin + 4 * _EPS
            cell, segi, ci, cj = cell[keep], segi[keep], ci[keep], cj[keep]
            if level < _LEVELS:
                cell, segi, ci, cj = split_children(cell, segi, ci, cj)
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        flat = (cj * g.nx + ci)[starts]  # row-major fine cell id of each group
        offsets = np.zeros(g.nx * g.ny, dtype=np.int64)
        counts = np.zeros(g.nx * g.ny, dtype=np.int64)
        offsets[flat] = starts
        counts[flat] = np.diff(np.r_[starts, cell.size])
        return offsets, counts, segi.astype(np.int32)

    def _tighten(
        self,
        offsets: np.ndarray,
        counts: np.ndarray,
        values: np.ndarray,
        boxes: tuple[np.ndarray, np.ndarray, float] | None = None,
        bounds_only: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Drop candidates that no point of their cell can have as nearest: exact per-cell bounds.

        A segment *s* can be nearest to a point of a cell only if its least distance to the
        cell is at most the greatest distance from the cell to some other candidate *t*
        (which is reached at a corner, the distance to a segment being convex). Cells are
        enlarged by the slack used everywhere else, so points rounded into a neighbouring cell
        stay covered. Only cells with several candidates are looked at.

        *boxes* gives other cells than the grid's: their lower-left corners and their size.
        With *bounds_only*, only the first test is made (it is linear in the candidates).
        """
        g = self.grid
        multi = np.flatnonzero(counts > 1)
        if not multi.size:
            return offsets, counts, values
        cnt = counts[multi]
        cell = np.repeat(multi, cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        pos = np.repeat(offsets[multi], cnt) + np.arange(cell.size) - first
        seg = values[pos].astype(np.int64)
        if boxes is None:
            x0 = g.x0 + (cell % g.nx) * g.size - 4 * _EPS
            y0 = g.y0 + (cell // g.nx) * g.size - 4 * _EPS
            x1, y1 = x0 + g.size + 8 * _EPS, y0 + g.size + 8 * _EPS
        else:
            x0 = boxes[0][cell] - 4 * _EPS
            y0 = boxes[1][cell] - 4 * _EPS
            x1, y1 = x0 + boxes[2] + 8 * _EPS, y0 + boxes[2] + 8 * _EPS
        ax, ay, bx, by = self.cols[0][seg], self.cols[1][seg], self.cols[2][seg], self.cols[3][seg]
        corners = [_pt_seg(cx, cy, ax, ay, bx, by) for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        far = np.maximum.reduce(corners)
        near = np.minimum.reduce(corners)
        for px, py in ((ax, ay), (bx, by)):  # the segment's ends to the box
            ex = np.maximum(np.maximum(x0 - px, px - x1), 0.0)
            ey = np.maximum(np.maximum(y0 - py, py - y1), 0.0)
            near = np.minimum(near, np.sqrt(ex * ex + ey * ey))
        # a segment crossing the box is at distance 0 (Liang-Barsky clipping)
        dx, dy = bx - ax, by - ay
        with np.errstate(divide="ignore", invalid="ignore"):
            tx0, tx1 = (x0 - ax) / dx, (x1 - ax) / dx
            ty0, ty1 = (y0 - ay) / dy, (y1 - ay) / dy
        inx = (ax >= x0) & (ax <= x1)
        iny = (ay >= y0) & (ay <= y1)
        lo_x = np.where(dx == 0, np.where(inx, -np.inf, np.inf), np.minimum(tx0, tx1))
        hi_x = np.where(dx == 0, np.where(inx, np.inf, -np.inf), np.maximum(tx0, tx1))
        lo_y = np.where(dy == 0, np.where(iny, -np.inf, np.inf), np.minimum(ty0, ty1))
        hi_y = np.where(dy == 0, np.where(iny, np.inf, -np.inf), np.maximum(ty0, ty1))
        lo = np.maximum(np.maximum(lo_x, lo_y), 0.0)
        hi = np.minimum(np.minimum(hi_x, hi_y), 1.0)
        near = np.where(lo <= hi, 0.0, near)
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        grp = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, cell.size]))
        bound = np.minimum.reduceat(far, starts)[grp]
        gone = near > bound + 4 * _EPS
        if bounds_only:
            return self._drop(offsets, counts, values, pos[gone])
        # a cell whose remaining candidates are segments of one feature that all reach their
        # nearest point at one shared vertex, for every point of the cell, is settled by any of
        # them (the distance is the distance to that vertex, computed alike from each)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = [
                ((cx - ax) * dx + (cy - ay) * dy) / (dx * dx + dy * dy)
                for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))
            ]
            side = np.where(
                np.maximum.reduce(r) <= -1e-6, 0, np.where(np.minimum.reduce(r) >= 1 + 1e-6, 1, -1)
            )
        vx, vy = np.where(side == 1, bx, ax), np.where(side == 1, by, ay)
        own = self.owner[seg]
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        lens = np.diff(np.r_[starts, cell.size])
        rep = lens[grp]  # all ordered pairs (i, j) of candidates of one cell
        pi = np.repeat(np.arange(cell.size), rep)
        pj = starts[grp[pi]] + np.arange(pi.size) - np.repeat(np.cumsum(rep) - rep, rep)
        # a segment whose nearest point is, all over the cell, a vertex lying on another segment
        # of the same feature (one that does not itself end there for the whole cell) is never
        # nearer than that segment
        on_j = ((ax[pj] == vx[pi]) & (ay[pj] == vy[pi])) | ((bx[pj] == vx[pi]) & (by[pj] == vy[pi]))
        hit = (side[pi] >= 0) & (side[pj] < 0) & ~gone[pj] & (own[pi] == own[pj]) & on_j
        gone[pi[hit]] = True
        # where two segments are measured perpendicularly from one side all over the cell, both
        # distances are affine there: one nearer at all four corners is nearer everywhere
        cross = [dx * (cy - ay) - dy * (cx - ax) for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        with np.errstate(invalid="ignore"):
            affine = (
                (np.minimum.reduce(r) > 1e-6)
                & (np.maximum.reduce(r) < 1 - 1e-6)
                & ((np.minimum.reduce(cross) > 0) | (np.maximum.reduce(cross) < 0))
            )
        below = np.logical_and.reduce([c[pj] + 4 * _EPS < c[pi] for c in corners])
        hit = affine[pi] & affine[pj] & ~gone[pj] & below
        gone[pi[hit]] = True
        # where two candidates are measured from one of their points all over the cell (a point
        # feature, or a segment's end), the difference of the squared distances is affine: one
        # nearer at all four corners is nearer everywhere
        pointlike = (side >= 0) | ((dx == 0) & (dy == 0))
        hit = pointlike[pi] & pointlike[pj] & ~gone[pj] & below
        gone[pi[hit]] = True
        live = np.flatnonzero(~gone)
        lead = np.full(starts.size, -1, dtype=np.int64)  # first remaining entry of each cell
        lead[grp[live[::-1]]] = live[::-1]
        ref = lead[grp]
        odd = ~gone & ((side < 0) | (vx != vx[ref]) | (vy != vy[ref]) | (own != own[ref]))
        unsettled = np.zeros(starts.size, dtype=bool)
        unsettled[grp[odd]] = True
        gone |= ~unsettled[grp] & (np.arange(cell.size) != ref)
        return self._drop(offsets, counts, values, pos[gone])

    @staticmethod
    def _drop(
        offsets: np.ndarray, counts: np.ndarray, values: np.ndarray, gone: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the CSR lists without the entries at positions *gone*."""
        drop = np.zeros(values.size, dtype=bool)
        drop[gone] = True
        if not drop.any():
            return offsets, counts, values
        nz = np.flatnonzero(counts)  # the cell of each CSR entry (entries are grouped, not sorted, by cell)
        cz = counts[nz]
        entry_cell = np.empty(values.size, dtype=np.int64)
        entry_cell[
            np.repeat(offsets[nz], cz) + np.arange(int(cz.sum())) - np.repeat(np.cumsum(cz) - cz, cz)
        ] = np.repeat(nz, cz)
        kept = np.flatnonzero(~drop)
        kept = kept[np.argsort(entry_cell[kept], kind="stable")]  # row-major, candidate order kept
        new_counts = np.bincount(entry_cell[kept], minlength=counts.size).astype(counts.dtype)
        new_offsets = (np.cumsum(new_counts) - new_counts).astype(offsets.dtype)
        return new_offsets, new_counts, values[kept]

    def nearest_xy(
        self, x: np.ndarray, y: np.ndarray, cell: np.ndarray, every: bool | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distance to and index of the nearest feature for each point.

        *every* says that no cell is -1, as in :meth:`PolyLayer.first_cover` (None: find out).
        """
        if self.tree is None:
            return np.full(x.size, np.nan), np.full(x.size, -1, dtype=np.intp)
        if every is None:
            every = bool((cell >= 0).all())
        ok = cell >= 0 if not every else None
        c = cell if ok is None else np.where(ok, cell, 0)
        best = self.single[c]  # settled wherever a cell has one candidate
        multi = np.flatnonzero(best < 0)
        if ok is not None:
            multi = multi[ok[multi]]
            best[~ok] = 0
        if multi.size:  # the sub-cell of each point of a cell with several candidates
            cm = c[multi]
            rank = self.sub_rank[cm]
            split = bool((rank >= 0).all())
            if not split:  # the points of cells not split look through their cell's list
                whole = np.flatnonzero(rank < 0)
                cm_whole, multi_whole = cm[whole], multi[whole]
                part = np.flatnonzero(rank >= 0)
                cm, multi, rank = cm[part], multi[part], rank[part]
            si = np.subtract(x[multi], self.cell_x0[cm])
            si /= self.sub_size
            np.floor(si, out=si)
            np.clip(si, 0, _SUB - 1, out=si)
            sj = np.subtract(y[multi], self.cell_y0[cm])
            sj /= self.sub_size
            np.floor(sj, out=sj)
            np.clip(sj, 0, _SUB - 1, out=sj)
            sj *= _SUB
            sj += si
            box = rank * (_SUB * _SUB) + sj.astype(np.intp)
            sbest = self.sub_single[box]
            best[multi] = sbest
            still = np.flatnonzero(sbest < 0)
            multi, box = multi[still], box[still]
            cnt, off = self.sub_counts[box], self.sub_offsets[box]
            if not split:
                multi = np.concatenate([multi_whole, multi])
                cnt = np.concatenate([self.counts[cm_whole], cnt])
                off = np.concatenate([self.offsets[cm_whole], off])
        if multi.size:
            hist = np.bincount(cnt)
            lo = 1
            for k in (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, hist.size):
                if k <= lo or not hist[lo + 1 : k + 1].any():
                    lo = max(lo, k)
                    continue
                sel = np.flatnonzero((cnt > lo) & (cnt <= k)) if lo > 1 or k < hist.size - 1 else None
                lo = k
                sub = multi if sel is None else multi[sel]
                ci = cnt if sel is None else cnt[sel]
                of = off if sel is None else off[sel]
                cand = self.all_values[of[:, None] + np.minimum(np.arange(int(ci.max())), ci[:, None] - 1)]
                d2 = _seg_d2(x[sub, None], y[sub, None], self.pack[cand])
                best[sub] = cand[np.arange(sub.size), d2.argmin(axis=1)]
        dist = self._dist(x, y, best) if self.points_only else self._dist_keys(x, y, best)
        feat = self.key_owner[best]
        if ok is not None:  # points outside the grid: GEOS
            out = np.flatnonzero(~ok)
            dist[out], feat[out] = self.geos(np.asarray(shapely.points(x[out], y[out]), dtype=object))
        if self.polys is not None:
            pos, poly = self.polys.covered(x, y, cell, every)
            dist[pos], feat[pos] = 0.0, poly
        return dist, feat

    def _dist_keys(self, x: np.ndarray, y: np.ndarray, key: np.ndarray) -> np.ndarray:
        """:meth:`_dist` for keyed points (see :meth:`_modes`): each through its branch alone.

        The branch most boxes take (:attr:`bulk`) is computed for every point and replaced
        where a point's key says otherwise; the results are bit-identical to :meth:`_dist`.
        """
        mode = self.key_mode[key]
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self._end(x, y, key) if self.bulk == 2 else self._perp(x, y, key)
        other = np.flatnonzero(mode < 2) if self.bulk == 2 else np.flatnonzero(mode != 1)
        if other.size:
            ko, xo, yo, mo = key[other], x[other], y[other], mode[other]
            second = np.flatnonzero(mo == 1) if self.bulk == 2 else np.flatnonzero(mo >= 2)
            if second.size:
                k2, x2, y2 = ko[second], xo[second], yo[second]
                out[other[second]] = self._perp(x2, y2, k2) if self.bulk == 2 else self._end(x2, y2, k2)
            generic = np.flatnonzero(mo == 0)
            if generic.size:
                out[other[generic]] = self._dist(xo[generic], yo[generic], self.key_seg[ko[generic]])
        return out

    def _end(self, x: np.ndarray, y: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Distance to the end a key names (as :meth:`_dist` computes it)."""
        ux = np.subtract(x, self.key_vx[key])
        uy = np.subtract(y, self.key_vy[key])
        out = np.multiply(ux, ux)
        uy *= uy
        out += uy
        return np.sqrt(out, out=out)

    def _perp(self, x: np.ndarray, y: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Perpendicular distance to the line of a key's segment (as :meth:`_dist` computes it)."""
        ux = np.subtract(x, self.key_ax[key])
        uy = np.subtract(y, self.key_ay[key])
        perp = np.multiply(ux, self.key_dy[key])
        uy *= self.key_dx[key]
        perp -= uy
        perp /= self.key_len2[key]
        np.abs(perp, out=perp)
        perp *= self.key_root[key]
        return perp

    def _dist(self, x: np.ndarray, y: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Exact distance from each point to segment ``best``: :func:`_pt_seg` with fewer temporaries.

        The same float operations as :func:`_pt_seg` (``(ay - py) * dx - (ax - px) * dy`` is
        ``uy * dx - ux * dy`` negated, exactly), so the results are bit-identical.
        """
        ux = np.subtract(x, self.ax[best])
        uy = np.subtract(y, self.ay[best])
        if self.points_only:
            out = np.multiply(ux, ux)
            uy *= uy
            out += uy
            return np.sqrt(out, out=out)
        dx, dy, len2 = self.dx[best], self.dy[best], self.len2[best]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.multiply(ux, dx)
            r += uy * dy
            r /= len2
            perp = np.multiply(ux, dy)
            dx *= uy  # dx is spent: uy * dx
            perp -= dx
            perp /= len2
            np.abs(perp, out=perp)
            perp *= self.root_len2[best]
        at_a = np.flatnonzero((r <= 0) | (len2 == 0))
        if at_a.size:
            ex, ey = ux[at_a], uy[at_a]
            perp[at_a] = np.sqrt(ex * ex + ey * ey)
        at_b = np.flatnonzero(r >= 1)
        if at_b.size:
            bb = best[at_b]
            ex, ey = x[at_b] - self.bx[bb], y[at_b] - self.by[bb]
            perp[at_b] = np.sqrt(ex * ex + ey * ey)
        return perp

    def nearest_geoms(
        self,
        geoms: np.ndarray,
        bounds: np.ndarray,
        area: np.ndarray,
        taken: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distance to and index of the nearest feature for each polygon site.

        Candidate segments come from the grid (sites up to :data:`POLY_MARGIN`
        in radius; larger ones use the STRtree), pruned with the triangle
        inequality; each remaining (site, segment) pair is measured by GEOS.
        For polygon features, *taken* may give the sites' overlap areas with
        them (n, k).
        """
        n = len(geoms)
        if self.tree is None or not n:
            return np.full(n, np.nan), np.full(n, -1, dtype=np.int32)
        if self._poly_csr is None:
            self._poly_csr = self._build(POLY_MARGIN)
        off, cnt, vals = self._poly_csr
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
        rad = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 2
        cell = self.grid.cell(cx, cy)
        small = np.flatnonzero((rad <= POLY_MARGIN) & (cell >= 0))
        dist, feat = np.full(n, np.nan), np.full(n, -1, dtype=np.int32)
        if small.size:
            c = cnt[cell[small]]
            site = np.repeat(small, c)
            first = np.repeat(np.cumsum(c) - c, c)
            seg = vals[np.repeat(off[cell[small]], c) + np.arange(site.size) - first]
            # keep the segments that can be nearest to some point of the site (triangle inequality)
            dc = _seg_dist(cx[site], cy[site], self.cols, seg)
            starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]])
            grp = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, site.size]))
            keep = dc <= np.minimum.reduceat(dc, starts)[grp] + 2 * rad[site] + 4 * _EPS
            site, seg = site[keep], seg[keep]
            d = shapely.distance(geoms[site], self.seg_geoms[seg])
            starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]])
            grp = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, site.size]))
            dmin = np.minimum.reduceat(d, starts)
            pos = np.where(d == dmin[grp], np.arange(d.size), d.size)
            won = np.minimum.reduceat(pos, starts)  # first (lowest segment, so lowest feature) at the min
            dist[site[starts]], feat[site[starts]] = dmin, self.owner[seg[won]]
        rest = np.setdiff1d(np.arange(n), small, assume_unique=True)
        if rest.size:
            dist[rest], feat[rest] = self.geos(geoms[rest])
        if self.polys is not None:
            over_area = self.polys.areas(geoms, bounds, area) if taken is None else taken
            hit = (over_area > 0).any(axis=1)
            over = np.where(hit, (over_area > 0).argmax(axis=1), -1)
            touch = np.where(dist == 0, feat, np.iinfo(np.int32).max)
            feat = np.where(hit, np.minimum(over, touch), feat).astype(np.int32)
            dist = np.where(hit, 0.0, dist)
        return dist, feat

    def geos(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact GEOS nearest for any geometries; ties go to the lowest feature index."""
        dist = np.full(len(geoms), np.nan)
        feat = np.full(len(geoms), -1, dtype=np.int32)
        if self.tree is None or not len(geoms):
            return dist, feat
        (src, tgt), d = self.tree.query_nearest(geoms, return_distance=True, all_matches=True)
        order = np.lexsort((tgt, src))
        src, tgt, d = src[order], tgt[order], d[order]
        first = np.r_[True, src[1:] != src[:-1]]
        dist[src[first]], feat[src[first]] = d[first], tgt[first]
        return dist, feat


def split_children(
    cell: np.ndarray,
    segi: np.ndarray,
    ci: np.ndarray,
    cj: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Give each cell's candidate list to its four children, keeping groups contiguous and sorted."""
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    lens = np.diff(np.r_[starts, cell.size])
    grp = np.repeat(np.arange(starts.size), lens)
    off = np.arange(cell.size) - starts[grp]
    out = [np.empty(4 * cell.size, dtype=np.int64) for _ in range(4)]
    for q in range(4):
        pos = 4 * starts[grp] + q * lens[grp] + off
        out[0][pos] = cell * 4 + q
        out[1][pos] = segi
        out[2][pos] = ci * 2 + (q & 1)
        out[3][pos] = cj * 2 + (q >> 1)
    return out[0], out[1], out[2], out[3]
