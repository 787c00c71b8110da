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


def test_outside_part_equals_the_difference_with_the_whole_union():
    """The 'within' measure overlays each feature with the parts it meets only: same set as the union."""
    import numpy as np
    import shapely
    from hypothesis import given
    from hypothesis import strategies as st

    from lzspatial.rules import kinds

    box = st.tuples(st.floats(0, 90), st.floats(0, 90), st.floats(1, 30), st.floats(1, 30))

    @given(st.lists(box, min_size=1, max_size=12), st.lists(box, min_size=1, max_size=6))
    def check(parts, subjects):
        p = np.array([shapely.box(x, y, x + w, y + h) for x, y, w, h in parts], dtype=object)
        g = np.array([shapely.box(x, y, x + w, y + h).buffer(0.5) for x, y, w, h in subjects], dtype=object)
        ours = kinds._outside(g, p)
        whole = shapely.difference(g, shapely.union_all(p))
        assert np.allclose(shapely.area(ours), shapely.area(whole), rtol=1e-9, atol=1e-9)
        assert np.all(shapely.area(shapely.symmetric_difference(ours, whole)) < 1e-9)

    check()
