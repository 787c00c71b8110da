"""The diff's JSON text: ``pretty_json`` writes what ``json.dumps(indent=2)`` writes, byte for byte."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lzspatial.diff import diff_plans
from lzspatial.diff.model import pretty_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
    | st.sampled_from(["},\n  {", "\\n", '"', "中文", "\u2028", "\x00", "a\nb"])
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        | st.lists(
            st.dictionaries(st.text(max_size=3), SCALARS, min_size=1, max_size=3), min_size=1, max_size=4
        )
    ),
    max_leaves=30,
)


@given(DOCS)
def test_pretty_json_is_json_dumps(doc):
    assert pretty_json(doc) == json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)


@pytest.mark.parametrize("doc", [{"x": float("nan")}, [float("inf")], {1: "a"}, {"a": [{2: 3}]}, [(1, {})]])
def test_what_json_treats_its_own_way_is_left_to_json(doc):
    from lzspatial.diff.model import _Unusual

    if isinstance(doc, list) and doc and isinstance(doc[0], tuple):  # tuples are lists to both
        assert pretty_json(doc) == json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
        return
    with pytest.raises(_Unusual):
        pretty_json(doc)


def test_diff_json_is_json_dumps(default_plan, plan_copy):
    from lzspatial.plan import load_plan
    from tests.conftest import edit_layer

    def edit(doc):
        doc["features"].pop(0)
        doc["features"][0]["properties"]["name_en"] = "renamed, with },\n  { inside"

    edit_layer(plan_copy, "parks", edit)
    d = diff_plans(default_plan, load_plan(plan_copy))
    text = d.to_json()
    assert text == json.dumps(d.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    assert json.loads(text)["counts"]["removed"] == 1
