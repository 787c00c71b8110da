"""Rule files: the shipped rule set, validation, and malformed rules (exit 2 with a clear message)."""

from __future__ import annotations

import copy
import re
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lzspatial.errors import LzSpatialError, RuleError
from lzspatial.rules.ruleset import KINDS, load_rules, parse_rules
from tests.conftest import LAYERS

RULES = LAYERS / "rules.toml"


def base_rule(**overrides):
    rule = {
        "id": "r1",
        "title_zh": "标题",
        "title_en": "Title",
        "severity": "error",
        "kind": "must_be_within_distance",
        "subject": {"layer": "parks"},
        "objects": {"layer": "transport", "where": "kind == 'railway'"},
        "distance_m": 1000,
        "basis": "practice",
    }
    rule.update(overrides)
    return {k: v for k, v in rule.items() if v is not None}


def test_shipped_rules_load_and_cover_every_kind():
    rs = load_rules(RULES)
    assert len(rs.rules) >= 30
    assert {r.kind for r in rs.rules} == set(KINDS)
    assert len({r.id for r in rs.rules}) == len(rs.rules)


@pytest.mark.parametrize("rule", load_rules(RULES).rules, ids=lambda r: r.id)
def test_every_shipped_rule_cites_a_basis(rule):
    assert rule.title_zh.strip() and rule.title_en.strip()
    basis = rule.basis
    assert len(basis) > 30
    assert basis.startswith("Text:") or "practice" in basis.lower() or "Text:" in basis


def test_accepted_exceptions_have_reasons():
    rs = load_rules(RULES)
    # the default rules accept no exception since issue 12 (the digital park polygon went); any
    # exception added later must give a reason and name an existing rule
    for exc in rs.exceptions:
        assert len(exc.reason) > 20
        assert exc.rule in {r.id for r in rs.rules}


def test_parse_defaults_and_selection_lists():
    data = {
        "rules": [
            base_rule(
                kind="must_be_within",
                distance_m=None,
                objects=[{"layer": "zones"}, {"layer": "core", "where": "id != 'x'"}],
            )
        ]
    }
    rule = parse_rules(data).rules[0]
    assert rule.param("tolerance_m") == 0.0
    assert [s.label for s in rule.objects] == ["zones", "core where id != 'x'"]
    assert [s.key for s in rule.objects] == ["objects[0]", "objects[1]"]


# -- malformed rules: the library ------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kind": "must_be_nice"},
            "rule 'r1': key 'kind': unknown kind 'must_be_nice'; use one of: must_be_within",
        ),
        (
            {"distance_m": None},
            "rule 'r1': key 'distance_m' is missing; kind 'must_be_within_distance' needs it",
        ),
        ({"distance_m": -5}, "rule 'r1': key 'distance_m' must be a number of metres >= 0, got -5"),
        ({"distance_m": "5 km"}, "rule 'r1': key 'distance_m' must be a number of metres >= 0, got '5 km'"),
        ({"distance_m": True}, "key 'distance_m' must be a number"),
        ({"severity": "fatal"}, "rule 'r1': key 'severity': 'fatal' is not one of error, warning, info"),
        ({"basis": None}, "rule 'r1': key 'basis' is missing"),
        ({"tolerance_m": 3}, "rule 'r1': key 'tolerance_m' is not used by kind 'must_be_within_distance'"),
        ({"subject": None}, "rule 'r1': key 'subject' is missing"),
        ({"subject": []}, "rule 'r1': key 'subject' is an empty list"),
        ({"subject": {"layer": "parks", "filter": "x"}}, "key 'subject.filter' is unknown"),
        (
            {"subject": {"layer": "parks", "where": "kind = 'x'"}},
            "rule 'r1': key 'subject.where': bad filter \"kind = 'x'\": unexpected character '='",
        ),
        (
            {"subject": {"layer": "parks", "where": "__import__('os')"}},
            "rule 'r1': key 'subject.where': bad filter \"__import__('os')\"",
        ),
        (
            {"objects": [{"layer": "zones"}, {"layer": "core", "where": "("}]},
            "key 'objects[1].where': bad filter",
        ),
        ({"id": "Bad Id"}, "key 'id' must be a slug"),
    ],
)
def test_malformed_rule_messages(overrides, message):
    with pytest.raises(RuleError) as err:
        parse_rules({"rules": [base_rule(**overrides)]}, source="my.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("my.toml: ")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"kind": "count", "distance_m": None, "objects": None},
            "kind 'count' needs 'exact', 'min' or 'max'",
        ),
        ({"kind": "count", "distance_m": None, "objects": None, "exact": 1, "min": 0}, "cannot be combined"),
        ({"kind": "count", "distance_m": None, "objects": None, "min": 5, "max": 2}, "'min' (5) is larger"),
        ({"kind": "count", "distance_m": None, "objects": None, "exact": 1.5}, "must be a whole number >= 0"),
        (
            {"kind": "must_contain", "distance_m": None, "min_count": -1},
            "'min_count' must be a whole number >= 0",
        ),
        (
            {"kind": "must_not_overlap", "distance_m": None, "objects": None, "tolerance_m2": -1},
            "'tolerance_m2' must be a number of square metres >= 0, got -1",
        ),
        ({"kind": "must_not_have_gaps", "distance_m": None, "objects": None}, "key 'container' is missing"),
        (
            {"kind": "attribute_in", "distance_m": None, "objects": None, "field": "kind"},
            "exactly one of 'values'",
        ),
        (
            {"kind": "attribute_in", "distance_m": None, "objects": None, "field": "kind", "values": []},
            "'values' must be a non-empty list",
        ),
        ({"kind": "unique", "distance_m": None, "objects": None}, "key 'field' is missing"),
    ],
)
def test_kind_parameters(rule, message):
    with pytest.raises(RuleError, match=re.escape(message)):
        parse_rules({"rules": [base_rule(**rule)]})


def test_file_level_problems(tmp_path):
    with pytest.raises(RuleError, match="no \\[\\[rules\\]\\] found"):
        parse_rules({"rules": []})
    with pytest.raises(RuleError, match="unknown top-level key 'rule'"):
        parse_rules({"rule": [base_rule()]})
    with pytest.raises(RuleError, match="duplicate rule id"):
        parse_rules({"rules": [base_rule(), base_rule()]})
    with pytest.raises(RuleError, match="rule file not found"):
        load_rules(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nid = 'x\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"bad\.toml: TOML syntax error"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        ({"rule": "r1", "feature": "f"}, "key 'reason' is missing"),
        ({"rule": "nope", "feature": "f", "reason": "because"}, "no rule has id 'nope'"),
        ({"rule": "r1", "feature": "f", "reason": "because", "why": 1}, "key 'why' is unknown"),
    ],
)
def test_exception_problems(exc, message):
    with pytest.raises(RuleError, match=re.escape(message)):
        parse_rules({"rules": [base_rule()], "exceptions": [exc]})


def test_validate_for_layers_fields_vocabularies():
    fields = {"parks": {"id", "kind"}, "transport": {"id", "kind"}}
    parse_rules({"rules": [base_rule()]}).validate_for(fields)
    with pytest.raises(RuleError, match="key 'objects.layer': unknown layer 'transport'; layers: parks"):
        parse_rules({"rules": [base_rule()]}).validate_for({"parks": {"id"}})
    rs = parse_rules({"rules": [base_rule(subject={"layer": "parks", "where": "knd == 'x'"})]})
    with pytest.raises(RuleError, match="key 'subject.where': unknown field 'knd' of layer 'parks'"):
        rs.validate_for(fields)
    rs = parse_rules({"rules": [base_rule(kind="unique", field="name", distance_m=None, objects=None)]})
    with pytest.raises(RuleError, match="key 'field': unknown field 'name' of layer 'parks'"):
        rs.validate_for(fields)
    rs = parse_rules(
        {
            "rules": [
                base_rule(
                    kind="attribute_in", field="kind", vocabulary="colours", distance_m=None, objects=None
                )
            ]
        }
    )
    with pytest.raises(RuleError, match="key 'vocabulary': unknown vocabulary 'colours'"):
        rs.validate_for(fields, {"park_kinds": ()})


# -- malformed rules: the CLI (exit 2, one line naming rule and key) ------------------------


def _shipped_with(edit):
    data = tomllib.loads(RULES.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    edit(data)
    return data


def _rule(data, rid):
    return next(r for r in data["rules"] if r["id"] == rid)


def _toml(data) -> str:
    """A tiny TOML writer for rule files (strings, numbers, bools, tables, lists)."""
    import json

    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + "}"
        return "[" + ", ".join(val(x) for x in v) + "]"

    out = []
    for key in ("rules", "exceptions"):
        for item in data.get(key, []):
            out.append(f"[[{key}]]")
            out += [f"{k} = {val(v)}" for k, v in item.items()]
            out.append("")
    return "\n".join(out)


CLI_CASES = {
    "unknown kind": (
        lambda d: _rule(d, "zones-no-overlap").update(kind="no_overlaps"),
        "rule 'zones-no-overlap': key 'kind': unknown kind 'no_overlaps'",
    ),
    "unknown layer": (
        lambda d: _rule(d, "parks-avoid-eco-red-line").update(objects={"layer": "redlines"}),
        "rule 'parks-avoid-eco-red-line': key 'objects.layer': unknown layer 'redlines'",
    ),
    "unknown field": (
        lambda d: _rule(d, "key-towns-near-axis").update(
            subject={"layer": "towns", "where": "grade == 'key'"}
        ),
        "rule 'key-towns-near-axis': key 'subject.where': unknown field 'grade' of layer 'towns'",
    ),
    "bad filter": (
        lambda d: _rule(d, "key-towns-near-axis").update(
            subject={"layer": "towns", "where": "rank == 'key' and"}
        ),
        "rule 'key-towns-near-axis': key 'subject.where': bad filter \"rank == 'key' and\": "
        "expected a field name, got the end of the filter at position 17",
    ),
    "import in filter": (
        lambda d: _rule(d, "key-towns-near-axis").update(
            subject={"layer": "towns", "where": "__import__('os').system('touch PWNED')"}
        ),
        "rule 'key-towns-near-axis': key 'subject.where': bad filter",
    ),
    "missing parameter": (
        lambda d: _rule(d, "customs-station-near-railway").pop("distance_m"),
        "rule 'customs-station-near-railway': key 'distance_m' is missing",
    ),
    "negative parameter": (
        lambda d: _rule(d, "zones-core-cover-district").update(tolerance_m2=-10000),
        "rule 'zones-core-cover-district': key 'tolerance_m2' must be a number of square "
        "metres >= 0, got -10000",
    ),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_malformed_rules_exit_2(case, tmp_path, capsys, monkeypatch):
    from lzspatial.cli import main

    edit, message = CLI_CASES[case]
    path = tmp_path / "rules.toml"
    path.write_text(_toml(_shipped_with(edit)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--rules", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "PWNED").exists()


def test_cli_toml_syntax_error_exit_2(tmp_path, capsys):
    from lzspatial.cli import main

    path = tmp_path / "rules.toml"
    path.write_text(
        RULES.read_text(encoding="utf-8").replace("exact = 1\n", "exact = = 1\n", 1), encoding="utf-8"
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--rules", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"{path}: TOML syntax error: Invalid value (at line" in err


def test_toml_writer_round_trips_the_shipped_rules(tmp_path):
    """The helper above writes the shipped rules back unchanged (so the CLI cases test one edit each)."""
    path = tmp_path / "rules.toml"
    path.write_text(_toml(_shipped_with(lambda d: None)), encoding="utf-8")
    assert load_rules(path).rules == load_rules(RULES).rules


# ---------------------------------------------------------------- fuzzing (from the former test_hardening.py)

_toml_value = st.recursive(
    st.integers(-10, 10)
    | st.text(max_size=12)
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda c: st.lists(c, max_size=3),
    max_leaves=6,
)
_rule_strategy = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "title_zh",
            "title_en",
            "severity",
            "kind",
            "subject",
            "objects",
            "container",
            "distance_m",
            "tolerance_m",
            "tolerance_m2",
            "exact",
            "min",
            "max",
            "field",
            "values",
            "basis",
        ]
    ),
    _toml_value
    | st.fixed_dictionaries(
        {"layer": st.sampled_from(["zones", "parks", "nope"]), "where": st.text(max_size=30)}
    ),
    max_size=10,
)


@settings(deadline=None)
@given(rules=st.lists(_rule_strategy, max_size=3))
def test_fuzz_rule_parser(default_plan, rules):
    from lzspatial.rules.engine import check_plan
    from lzspatial.rules.ruleset import parse_rules

    try:
        check_plan(default_plan, parse_rules({"rules": rules}, source="fuzz.toml"))
    except LzSpatialError:
        pass
