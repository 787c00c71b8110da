"""The rule kinds' registry (``lzspatial.rules.ruleset.KINDS``) and their implementations agree.

``KINDS`` says which selections and parameters each kind takes; the implementation table
(``lzspatial.rules.kinds.IMPLEMENTATIONS``: kind name -> function ``(rule, ctx)``) does the
work. Every registered kind has an implementation and no other; each implementation reads
exactly the parameters and selections its registry entry declares.
"""

from __future__ import annotations

import inspect
import re

import pytest

from lzspatial.rules.ruleset import KINDS, Rule, load_rules
from tests.conftest import LAYERS

SELECTIONS = ("subject", "objects", "container")


def implementations() -> dict:
    from lzspatial.rules.kinds import IMPLEMENTATIONS

    return IMPLEMENTATIONS


def test_every_kind_has_exactly_one_implementation():
    impl = implementations()
    assert sorted(impl) == sorted(KINDS)
    assert all(callable(fn) for fn in impl.values())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_implementation_reads_the_declared_parameters_and_selections(kind):
    spec = KINDS[kind]
    source = inspect.getsource(implementations()[kind])
    params = set(re.findall(r"rule\.param\(\s*[\"'](\w+)[\"']\s*\)", source))
    declared = set(spec.required) | {name for name, _ in spec.optional}
    assert params == declared, f"{kind}: reads {sorted(params)}, the registry declares {sorted(declared)}"
    used = {s for s in SELECTIONS if re.search(rf"\brule\.{s}\b", source)}
    assert used == {"subject", *spec.selections}, f"{kind}: uses selections {sorted(used)}"
    assert "rule.params" not in source, f"{kind}: read parameters through rule.param() (defaults apply)"


def test_checking_the_shipped_rules_reads_only_declared_parameters(default_plan, monkeypatch):
    from lzspatial.rules import check_plan

    ruleset = load_rules(LAYERS / "rules.toml")
    assert {r.kind for r in ruleset.rules} == set(KINDS)
    asked: set[tuple[str, str]] = set()
    real = Rule.param

    def recording(self, name):
        asked.add((self.kind, name))
        return real(self, name)

    monkeypatch.setattr(Rule, "param", recording)
    check_plan(default_plan, ruleset)
    undeclared = sorted(
        (kind, name)
        for kind, name in asked
        if name not in KINDS[kind].required and name not in dict(KINDS[kind].optional)
    )
    assert not undeclared, f"parameters read but not in the registry: {undeclared}"
    assert {kind for kind, _ in asked} >= {k for k, spec in KINDS.items() if spec.required or spec.optional}
