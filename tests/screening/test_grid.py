"""The grid index on its own: the fast paths give what the plain ones give."""

from __future__ import annotations

import numpy as np
import pytest

from lzspatial.plan import load_plan
from lzspatial.screening.plan_index import plan_index
from tests.conftest import LAYERS


@pytest.fixture(scope="module")
def idx():
    return plan_index(load_plan(LAYERS))


def _inside(idx, n, seed):
    g = idx.grid
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(g.x0, g.x0 + g.nx * g.size, n),
        rng.uniform(g.y0, g.y0 + g.ny * g.size, n),
    )


def test_cells_match_cell_inside_and_out(idx):
    g = idx.grid
    x, y = _inside(idx, 5000, 1)
    x[:3] = [g.x0, g.x0 + g.nx * g.size - 1e-6, g.x0 + 0.5 * g.size]  # edges of the grid
    cell, every = g.cells(x, y)
    assert every and cell.dtype == np.intp
    np.testing.assert_array_equal(cell, g.cell(x, y))
    for bad in (g.x0 - 1.0, g.x0 + g.nx * g.size, np.nan):
        xb = x.copy()
        xb[7] = bad
        cell, every = g.cells(xb, y)
        assert not every and cell[7] == -1
        np.testing.assert_array_equal(cell, g.cell(xb, y))
    cell, every = g.cells(x[:0], y[:0])
    assert cell.size == 0


def test_every_gives_what_masking_gives(idx):
    x, y = _inside(idx, 20_000, 2)
    cell = idx.grid.cell(x, y)
    for layer in [*idx.layers.values(), *idx.kind_layers.values()]:
        np.testing.assert_array_equal(layer.first_cover(x, y, cell, True), layer.first_cover(x, y, cell))
    for near in idx.near.values():
        d1, f1 = near.nearest_xy(x, y, cell, True)
        d0, f0 = near.nearest_xy(x, y, cell, False)
        np.testing.assert_array_equal(f1, f0)
        np.testing.assert_array_equal(d1.view(np.int64), d0.view(np.int64))


def test_sub_cells_settle_most_points_and_keep_answers(idx):
    import shapely

    x, y = _inside(idx, 30_000, 3)
    cell = idx.grid.cell(x, y)
    for name, near in idx.near.items():
        if near.tree is None:
            continue
        multi = near.counts[cell] > 1
        assert multi.any(), name
        # every multi cell is split, and fewer of its sub-cells keep several candidates
        assert near.sub_counts.size == (near.sub_rank >= 0).sum() * 16
        assert (near.sub_rank >= 0).sum() == ((near.counts > 1) & (near.counts <= 4)).sum()
        assert (near.sub_counts > 1).mean() < 0.5, name
        assert (near.sub_counts >= 1).all()
        dist, feat = near.nearest_xy(x[multi], y[multi], cell[multi], True)
        ref = shapely.distance(shapely.points(x[multi], y[multi])[:, None], near.geoms[None, :])
        np.testing.assert_allclose(dist, ref.min(axis=1), rtol=0, atol=1e-9)
        assert (ref[np.arange(feat.size), feat] == ref.min(axis=1)).all()


def test_split_polygon_cells_give_the_unsplit_answer(idx):
    import shapely

    from lzspatial.screening.grid import PolyLayer

    x, y = _inside(idx, 40_000, 4)
    for layer in [*idx.kind_layers.values(), idx.layers["zones"], idx.layers["core"]]:
        # points on the boundary too: vertices and midpoints of edges
        ring = shapely.get_coordinates(shapely.boundary(layer.geoms))
        mid = (ring[1:] + ring[:-1]) / 2
        px = np.concatenate([x, ring[:, 0], mid[:, 0]])
        py = np.concatenate([y, ring[:, 1], mid[:, 1]])
        cell = idx.grid.cell(px, py)
        whole = PolyLayer(list(layer.geoms), idx.grid, split=False)
        assert layer.split and not whole.split
        assert (layer.sub_value == -2).mean() < 0.25  # most sub-cells are settled
        np.testing.assert_array_equal(layer.first_cover(px, py, cell), whole.first_cover(px, py, cell))


def test_crossed_finds_every_box_a_segment_meets():
    import shapely

    from lzspatial.screening.grid import _EPS, _crossed

    rng = np.random.default_rng(8)
    size = 44.5
    half = size / 2 + _EPS
    i, j = np.meshgrid(np.arange(60), np.arange(50))
    keep = rng.random(i.size) < 0.7  # a lattice with holes, as the split cells leave
    cx = 500_123.25 + (i.ravel()[keep] + 0.5) * size
    cy = 4_600_321.75 + (j.ravel()[keep] + 0.5) * size
    a = rng.uniform([500_000, 4_600_200], [503_000, 4_602_800], (300, 2))
    b = a + rng.normal(0, 400, (300, 2))
    b[:20, 0] = a[:20, 0]  # vertical
    b[20:40, 1] = a[20:40, 1]  # horizontal
    b[40:50] = a[40:50]  # degenerate
    b[50:60, 0] = cx[:10] + half  # along box edges
    a[50:60, 0] = cx[:10] + half
    seg = np.column_stack([a, b])
    got = _crossed(seg, cx, cy, half)
    boxes = shapely.box(cx - half, cy - half, cx + half, cy + half)
    lines = shapely.linestrings(seg.reshape(-1, 2, 2))
    ref = np.zeros(cx.size, dtype=bool)
    ref[shapely.STRtree(boxes).query(lines, predicate="intersects")[1]] = True
    assert not (ref & ~got).any()  # never misses one
    assert (got & ~ref).sum() <= 0.01 * ref.sum()  # and hardly adds any


def test_keyed_cells_take_the_branch_the_formula_takes(idx):
    x, y = _inside(idx, 60_000, 5)
    cell = idx.grid.cell(x, y)
    seen = set()
    for near in idx.near.values():
        if near.tree is None or near.points_only:
            continue
        key = near.single[cell]
        x1, y1, key = x[key >= 0], y[key >= 0], key[key >= 0]
        seen |= set(np.unique(near.key_mode[key]).tolist())
        got = near._dist_keys(x1, y1, key)
        ref = near._dist(x1, y1, near.key_seg[key])
        np.testing.assert_array_equal(got.view(np.int64), ref.view(np.int64))
        np.testing.assert_array_equal(near.key_owner[key], near.owner[near.key_seg[key]])
    assert seen == {0, 1, 2, 3}  # generic, perpendicular, end A and end B all occur


def test_cell_classes_are_what_geos_says(idx):
    import shapely

    from lzspatial.screening.grid import _classify_boxes, _segments

    g = idx.grid
    half = g.size / 2 + 1e-3
    for layer in [*idx.layers.values(), *idx.kind_layers.values()]:
        for geom in layer.geoms:
            minx, miny, maxx, maxy = geom.bounds
            i = np.arange(int((minx - g.x0) // g.size) - 1, int((maxx - g.x0) // g.size) + 2)
            j = np.arange(int((miny - g.y0) // g.size) - 1, int((maxy - g.y0) // g.size) + 2)
            ii, jj = np.meshgrid(i, j)
            cx, cy = g.x0 + (ii.ravel() + 0.5) * g.size, g.y0 + (jj.ravel() + 0.5) * g.size
            ref = shapely.intersects_xy(geom, cx, cy).astype(np.int8)
            seg, _ = _segments([geom])
            boxes = shapely.box(cx - half, cy - half, cx + half, cy + half)
            lines = shapely.linestrings(seg.reshape(-1, 2, 2))
            ref[np.unique(shapely.STRtree(boxes).query(lines, predicate="intersects")[1])] = 2
            np.testing.assert_array_equal(_classify_boxes(geom, cx, cy, half), ref)
