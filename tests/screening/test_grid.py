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
        assert near.sub_counts.size == (near.counts > 1).sum() * 16
        assert (near.sub_counts > 1).mean() < 0.5, name
        assert (near.sub_counts >= 1).all()
        dist, feat = near.nearest_xy(x[multi], y[multi], cell[multi], True)
        ref = shapely.distance(shapely.points(x[multi], y[multi])[:, None], near.geoms[None, :])
        np.testing.assert_allclose(dist, ref.min(axis=1), rtol=0, atol=1e-9)
        assert (ref[np.arange(feat.size), feat] == ref.min(axis=1)).all()
