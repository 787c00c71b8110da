"""The palette: one colour per layer kind, and the structure legible with deuteranopia."""

from __future__ import annotations

import importlib.util
from collections import defaultdict

import pytest

from lzspatial.outputs.style import EXTRA_STYLES, STRUCTURE_ELEMENTS, STYLES
from tests.conftest import REPO

#: Smallest CIE76 distance of any two structure classes as a deuteranope sees them.
MIN_DEUTAN_DELTA_E = 7.0


def _palette_cvd():
    spec = importlib.util.spec_from_file_location("palette_cvd", REPO / "scripts" / "palette_cvd.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _drawn_colours(st: dict) -> set[str]:
    out = {st["color"].lower()}
    if "fill" in st and st.get("fill_opacity", 1) > 0:
        out.add(st["fill"].lower())
    return out


def test_no_colour_is_shared_by_two_layer_kinds():
    used: dict[str, set[str]] = defaultdict(set)
    for table in (STYLES, EXTRA_STYLES):
        for element, classes in table.items():
            for st in classes.values():
                for colour in _drawn_colours(st):
                    used[colour].add(element)
    shared = {c: sorted(e) for c, e in used.items() if len(e) > 1}
    assert shared == {}, f"colours used by more than one layer kind: {shared}"


def test_structure_classes_stay_apart_with_deuteranopia():
    cvd = _palette_cvd()
    keys = cvd.key_colours({e: STYLES[e] for e in STRUCTURE_ELEMENTS})
    d, a, b = cvd.minimum(keys)
    assert d >= MIN_DEUTAN_DELTA_E, (d, a, b)


@pytest.mark.parametrize(
    ("a", "b", "deutan"),
    [("#ff0000", "#00ff00", False), ("#ff0000", "#ff0000", True)],
)
def test_delta_e_sanity(a, b, deutan):
    d = _palette_cvd().delta_e(a, b, deutan=deutan)
    assert (d > 50) if a != b else d == 0


def test_deuteranopia_merges_red_and_green_more_than_normal_vision():
    cvd = _palette_cvd()
    assert cvd.delta_e("#d73027", "#1a9850") < cvd.delta_e("#d73027", "#1a9850", deutan=False)
