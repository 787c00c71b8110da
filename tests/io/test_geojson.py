"""GeoJSON parsing: limits that hold whatever the host process has configured."""

from __future__ import annotations

import sys

import pytest

from lzspatial.errors import InputError
from lzspatial.io.geojson import MAX_JSON_DEPTH, parse_json_file


@pytest.mark.parametrize("limit", [None, 100_000])
def test_deep_nesting_is_refused_even_with_a_raised_recursion_limit(tmp_path, limit):
    path = tmp_path / "deep.geojson"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    old = sys.getrecursionlimit()
    if limit:
        sys.setrecursionlimit(limit)  # as a notebook or a test runner may have done
    try:
        with pytest.raises(InputError, match="nested too deeply"):
            parse_json_file(path)
        assert sys.getrecursionlimit() == (limit or old), "the caller's limit is restored"
    finally:
        sys.setrecursionlimit(old)


def test_ordinary_nesting_parses(tmp_path):
    path = tmp_path / "ok.geojson"
    depth = MAX_JSON_DEPTH // 2
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    assert isinstance(parse_json_file(path), list)
