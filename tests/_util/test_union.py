"""The union helper: the same point set as shapely.union_all, for any mix of geometries."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from lzspatial._util.union import union

_box = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 12), st.integers(1, 12)).map(
    lambda t: shapely.box(t[0], t[1], t[0] + t[2], t[1] + t[3])
)
_line = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)).map(
    lambda t: shapely.LineString([(t[0], t[1]), (t[2] + 0.5, t[3])])
)


def _same_set(got, want):
    assert got.is_valid
    assert shapely.symmetric_difference(got, want).area < 1e-9 * max(want.area, 1.0)
    assert abs(got.length - want.length) < 1e-9 * max(want.length, 1.0)


@given(st.lists(_box, max_size=30))
@settings(max_examples=150, deadline=None)
def test_polygons_overlapping_touching_or_apart_give_the_union_all_answer(boxes):
    got, want = union(np.array(boxes, dtype=object)), shapely.union_all(boxes)
    assert got.is_empty == want.is_empty
    _same_set(got, want)


@given(st.lists(_box, min_size=1, max_size=10), st.lists(_line, min_size=1, max_size=10))
@settings(max_examples=60, deadline=None)
def test_mixed_lines_and_polygons_give_the_union_all_answer(boxes, lines):
    geoms = np.array(boxes + lines, dtype=object)
    got, want = union(geoms), shapely.union_all(geoms)
    _same_set(got, want)
    assert shapely.equals(got, want)


def test_nothing_and_missing_geometries():
    assert union(np.array([], dtype=object)).is_empty
    assert union(np.array([None, None], dtype=object)).is_empty
    one = shapely.box(0, 0, 2, 2)
    assert shapely.equals(union(np.array([None, one], dtype=object)), one)


def test_separate_parcels_stay_separate_parts():
    boxes = [shapely.box(3 * i, 0, 3 * i + 1, 1) for i in range(50)]
    got = union(np.array(boxes, dtype=object))
    assert shapely.get_num_geometries(got) == 50
    assert abs(got.area - 50.0) < 1e-9
