"""The safe filter grammar: parsing, semantics, errors, and no code execution."""

from __future__ import annotations

import builtins
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lzspatial.errors import LzSpatialError, RuleError
from lzspatial.rules.filters import MAX_DEPTH, MAX_LENGTH, parse_filter

ROWS = {
    "kind": ["bonded_zone", "timber_port", None, "bonded_zone"],
    "tags": [["industrial_strong_town"], [], ["small_city_target", "central_town"], None],
    "area": [3.5, 10, math.nan, 0],
    "open": [True, False, True, False],
    "name": ["Jinhai park", "Timber port", "x", "it's"],
}


def ev(text):
    return parse_filter(text).evaluate(ROWS, 4).tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind == 'bonded_zone'", [True, False, False, True]),
        ('kind == "bonded_zone"', [True, False, False, True]),
        ("kind != 'bonded_zone'", [False, True, True, False]),
        ("kind == null", [False, False, True, False]),
        ("kind != None", [True, True, False, True]),
        ("tags contains 'industrial_strong_town'", [True, False, False, False]),
        (
            "tags contains 'central_town' or tags contains 'industrial_strong_town'",
            [True, False, True, False],
        ),
        ("name contains 'park'", [True, False, False, False]),
        ("area < 5", [True, False, False, True]),
        ("area <= 10", [True, True, False, True]),
        ("area > 3.5", [False, True, False, False]),
        ("area >= 0", [True, True, False, True]),
        ("area == null", [False, False, True, False]),
        ("area == 10", [False, True, False, False]),
        ("area == 1e1", [False, True, False, False]),
        ("area < -1", [False, False, False, False]),
        ("open == true", [True, False, True, False]),
        ("open == True", [True, False, True, False]),
        ("open == 1", [False, False, False, False]),  # booleans are not numbers
        ("name >= 'T'", [False, True, True, True]),
        ("kind in ['timber_port', 'customs_station']", [False, True, False, False]),
        ("kind in []", [False, False, False, False]),
        ("kind not in ['timber_port',]", [True, False, True, True]),
        ("not kind == 'timber_port'", [True, False, True, True]),
        ("not not open == true", [True, False, True, False]),
        ("kind == 'bonded_zone' and area < 1 or open == true", [True, False, True, True]),
        ("kind == 'bonded_zone' and (area < 1 or open == true)", [True, False, False, True]),
        ("name == 'it\\'s'", [False, False, False, True]),
        ('name == "it\'s"', [False, False, False, True]),
    ],
)
def test_semantics(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize("text", ["kind == 1", "kind < 5", "area == 'ten'", "area >= '1'"])
def test_text_compared_with_number_is_a_rule_error(text):
    # a silent "matches nothing" would hide a rule-writing mistake (code > 210115100 on a text code)
    with pytest.raises(RuleError, match=r"field '(kind|area)' holds .* (quote the value|unquote the number)"):
        ev(text)


def test_and_binds_tighter_than_or():
    assert ev("open == false or kind == 'bonded_zone' and area > 1") == [True, True, False, True]


def test_fields_are_collected():
    f = parse_filter("kind == 'a' or (tags contains 'b' and not area < 2)")
    assert f.fields == frozenset({"kind", "tags", "area"})


def test_matches_one_feature():
    f = parse_filter("kind in ['a', 'b'] and rank != 'seat'")
    assert f.matches({"kind": "a", "rank": "key"})
    assert not f.matches({"kind": "a", "rank": "seat"})
    assert not f.matches({"rank": "key"})  # missing field is null


def test_works_on_a_dataframe():
    import pandas as pd

    frame = pd.DataFrame(ROWS)
    assert parse_filter("area > 1").evaluate(frame).tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    ("text", "pos", "fragment"),
    [
        ("kind = 'a'", 5, "use '=='"),
        ("kind ==", 7, "expected a value"),
        ("kind == bonded_zone", 8, "quote strings"),
        ("(kind == 'a'", 12, "expected ')'"),
        ("kind == 'a' kind", 12, "expected 'and', 'or' or the end"),
        ("kind in ('a')", 8, "expected '['"),
        ("kind in ['a' 'b']", 13, "expected ',' or ']'"),
        ("kind not == 'a'", 9, "expected 'in' after 'not'"),
        ("'a' == kind", 0, "expected a field name"),
        ("kind == 'a", 8, "not closed"),
        ("kind == 'a\\n'", 10, "unknown escape"),
        ("area < true", 5, "needs a number or a string"),
        ("kind == 1e999", 8, "not finite"),
        ("kind == 'a' && area > 1", 12, "unexpected character '&'"),
        ("and", 0, "expected a field name"),
    ],
)
def test_syntax_errors_name_rule_key_and_position(text, pos, fragment):
    with pytest.raises(RuleError) as err:
        parse_filter(text, rule_id="my-rule", key="subject.where", source="rules.toml")
    msg = str(err.value)
    assert msg.startswith("rules.toml: rule 'my-rule': key 'subject.where': bad filter")
    assert fragment in msg
    assert msg.endswith(f"at position {pos}")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('echo pwned')",
        "kind == __import__('os')",
        "open('/etc/passwd')",
        "kind == 'a'; import os",
        "lambda: 1",
        "kind.__class__ == 'x'",
        "[x for x in ()]",
        "kind == eval('1')",
    ],
)
def test_code_is_never_executed(text, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile must never be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    with pytest.raises(RuleError, match="bad filter"):
        parse_filter(text, rule_id="r")


def test_import_message_is_specific():
    with pytest.raises(RuleError, match=r"after field '__import__', got '\(' at position 10"):
        parse_filter("__import__('os')", rule_id="r")


def test_empty_and_non_string():
    with pytest.raises(RuleError, match="filter is empty"):
        parse_filter("   ")
    with pytest.raises(RuleError, match="must be a string, got 3"):
        parse_filter(3)  # type: ignore[arg-type]


def test_limits():
    with pytest.raises(RuleError, match=f"the limit is {MAX_LENGTH}"):
        parse_filter("kind == 'a' or " * 200 + "kind == 'b'")
    with pytest.raises(RuleError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_filter("(" * (MAX_DEPTH + 5) + "a == 1" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(RuleError, match="nested more than"):
        parse_filter("not " * (MAX_DEPTH + 5) + "a == 1")
    parse_filter("(" * (MAX_DEPTH - 1) + "a == 1" + ")" * (MAX_DEPTH - 1))  # just inside the limit


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab_ ()[]'\",=!<>0.9-notandorincontains\\")), max_size=60))
def test_fuzz_only_rule_errors(text):
    """Any text either parses or raises RuleError; nothing else escapes."""
    try:
        f = parse_filter(text)
    except RuleError:
        return
    try:
        f.evaluate({name: [None, "a", 1] for name in f.fields}, 3)
    except RuleError:
        pass  # text compared with a number


@settings(deadline=None)
@given(
    st.lists(st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "c"])), min_size=1, max_size=8),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
    st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b"])),
)
def test_comparisons_match_python(values, op, lit):
    """Comparisons agree with Python's where the types match; text against a number is an error."""
    import operator

    fn = {
        "==": operator.eq,
        "!=": operator.ne,
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
    }[op]
    lit_text = repr(lit)
    flt = parse_filter(f"v {op} {lit_text}")
    if any(type(v) is not type(lit) for v in values):
        with pytest.raises(RuleError, match="holds"):
            flt.evaluate({"v": values}, len(values))
        return
    got = flt.evaluate({"v": values}, len(values)).tolist()
    assert got == [fn(v, lit) for v in values]


# ---------------------------------------------------------------- fuzzing (from the former test_hardening.py)


@settings(deadline=None)
@given(text=st.text(max_size=60))
def test_fuzz_filter_grammar(text):
    from lzspatial.rules.filters import parse_filter

    try:
        parse_filter(text, rule_id="fuzz", key="subject.where", source="fuzz.toml")
    except LzSpatialError:
        pass
