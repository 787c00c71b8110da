"""GeoJSON parsing: limits that hold whatever the host has configured; the strict and the fast parse."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lzspatial.errors import InputError
from lzspatial.io.geojson import (
    MAX_JSON_DEPTH,
    parse_json_file,
    parse_json_text,
    parse_json_text_unchecked_numbers,
    read_json_text,
)


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


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=4), c, max_size=4),
    max_leaves=25,
)


@given(value=_values)
def test_unchecked_parse_reads_what_the_strict_parse_reads(value):
    text = json.dumps(value, allow_nan=True)
    try:
        strict = parse_json_text(text, "x.geojson")
    except InputError:
        return  # infinities: the unchecked parse may read them (its callers prove numbers finite)
    unchecked = parse_json_text_unchecked_numbers(text)
    assert unchecked == strict
    assert json.dumps(unchecked) == json.dumps(strict)  # the same types too (1 is not 1.0)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_unchecked_parse_refuses_non_finite_literals(literal):
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_json_text_unchecked_numbers(f"[1, {literal}]")


def test_unchecked_parse_keeps_numbers_and_duplicates_as_json_reads_them():
    """What its callers must prove absent (the strict parse refuses each)."""
    assert parse_json_text_unchecked_numbers('{"a": 1, "a": 2}') == {"a": 2}
    assert parse_json_text_unchecked_numbers("[1e400]") == [float("inf")]
    for text in ('{"a": 1, "a": 2}', "[1e400]", "[123456789012345678901]"):
        with pytest.raises(InputError):
            parse_json_text(text, "x.geojson")


def test_unchecked_parse_refuses_whatever_nesting_the_strict_parse_refuses():
    refused = []
    for depth in range(MAX_JSON_DEPTH - 30, MAX_JSON_DEPTH + 5):
        text = '{"a": ' * depth + "1" + "}" * depth
        try:
            parse_json_text(text, "x.geojson")
        except InputError as err:
            assert "nested too deeply" in str(err)
            refused.append(depth)
            with pytest.raises(RecursionError):
                parse_json_text_unchecked_numbers(text)
    assert refused, "the sweep reaches the limit"


def test_read_json_text_names_the_file(tmp_path):
    path = tmp_path / "layer.geojson"
    path.write_bytes(b"\xef\xbb\xbf{}")
    with pytest.raises(InputError, match="^shown.geojson: starts with a UTF-8 byte-order mark"):
        read_json_text(path, label="shown.geojson")
    path.write_bytes(b'{"a": "\xb5"}')
    with pytest.raises(InputError, match="line 1: bytes are not UTF-8"):
        read_json_text(path)
    path.write_text('{"a": "b"}', encoding="utf-8")
    assert read_json_text(path) == '{"a": "b"}'
