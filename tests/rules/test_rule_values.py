"""Validation accepts exactly what the rule engine can run."""

from __future__ import annotations

import pytest

from lzspatial.errors import RuleError
from lzspatial.rules.engine import check_plan
from lzspatial.rules.ruleset import parse_rules

from ..conftest import edit_layer

BASE = {
    "id": "r",
    "title_zh": "规则",
    "title_en": "rule",
    "severity": "error",
    "basis": "test",
}


def _rules(**rule):
    return {"rules": [{**BASE, **rule}]}


BAD = {
    "attribute_in_object_value": (
        _rules(kind="attribute_in", subject={"layer": "towns"}, field="kind", values=[{"a": 1}]),
        "item #1 must be a string",
    ),
    "attribute_in_list_value": (
        _rules(kind="attribute_in", subject={"layer": "towns"}, field="kind", values=["a", ["b"]]),
        "item #2 must be a string",
    ),
    "tolerance_m_1e308": (
        _rules(
            kind="must_be_within",
            subject={"layer": "towns"},
            objects={"layer": "boundary"},
            tolerance_m=1e308,
        ),
        "at most 10,000,000 metres",
    ),
    "distance_m_1e300": (
        _rules(
            kind="must_be_within_distance",
            subject={"layer": "towns"},
            objects={"layer": "axes"},
            distance_m=1e300,
        ),
        "at most 10,000,000 metres",
    ),
    "tolerance_m2_huge": (
        _rules(kind="must_not_overlap", subject={"layer": "zones"}, tolerance_m2=1e200),
        "at most",
    ),
    "count_huge": (_rules(kind="count", subject={"layer": "zones"}, min=10**30), "at most"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_rules_the_engine_cannot_run_are_refused(case):
    raw, fragment = BAD[case]
    with pytest.raises(RuleError, match=fragment):
        parse_rules(raw)


def test_unique_and_attribute_in_on_object_valued_properties(plan_copy):
    from lzspatial.plan import load_plan

    def objects(doc):
        for k, f in enumerate(doc["features"]):
            f["properties"]["extra"] = {"a": k % 2, "b": [1, 2]}

    edit_layer(plan_copy, "towns", objects)
    plan = load_plan(plan_copy)
    unique = _rules(kind="unique", subject={"layer": "towns"}, field="extra")
    report = check_plan(plan, unique)
    assert report.totals()["error"] == len(plan["towns"])  # every value is shared
    domain = _rules(kind="attribute_in", subject={"layer": "towns"}, field="extra", values=["x"])
    assert check_plan(plan, domain).totals()["error"] == len(plan["towns"])


def test_a_file_validate_accepts_runs_through_check(plan_copy, tmp_path, capsys):
    from lzspatial.cli import main

    rules = tmp_path / "r.toml"
    rules.write_text(
        "[[rules]]\n"
        'id = "r"\ntitle_zh = "x"\ntitle_en = "x"\nseverity = "error"\nbasis = "b"\n'
        'kind = "must_be_within"\nsubject = { layer = "towns" }\nobjects = { layer = "boundary" }\n'
        "tolerance_m = 1e308\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as info:
        main(["check", str(plan_copy), "--rules", str(rules)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "tolerance_m" in err, err
