"""siting.toml: the shipped siting rules load, malformed files are clear errors, a missing file too.

Moved from the former ``test_screening.py``.
"""

from __future__ import annotations

import pytest

from lzspatial.errors import RuleError
from lzspatial.plan import load_plan
from lzspatial.rules.siting import load_siting
from lzspatial.screening import engine as screening
from tests.conftest import LAYERS


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


def test_default_siting_file_loads(plan):
    siting = load_siting(plan)
    assert len({r.id for r in siting.rules}) == len(siting.rules) >= 8
    for r in siting.rules:
        assert r.basis.strip() and r.title_zh.strip() and r.title_en.strip()


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: t.replace('verdict = "conditional"', 'verdict = "maybe"', 1), r"key 'verdict'.*'maybe'"),
        (lambda t: t.replace('when = "outside"', 'when = "near"', 1), r"key 'when'"),
        (
            lambda t: t.replace('park_kinds = ["bonded_zone"]', 'park_kinds = ["harbour"]'),
            r"siting-bonded-in-bonded-zone.*key 'park_kinds'.*'harbour'",
        ),
        (
            lambda t: t.replace('industries = ["agriculture"]', 'industries = ["farming"]'),
            r"key 'industries'.*'farming'",
        ),
        (
            lambda t: t.replace('title_en = "Construction must avoid permanent basic farmland"\n', ""),
            r"siting-basic-farmland.*key 'title_en'",
        ),
        (lambda t: t.replace('id = "siting-agriculture"', 'id = "siting-in-district"'), r"duplicate rule id"),
        (lambda t: t + "\n[[rules]]\nid = 'x'\nbogus = 1\n", r"unknown key 'bogus'"),
        (lambda t: t.replace("[settings]", "[settings]\nspeed = 3"), r"settings: unknown key 'speed'"),
        (
            lambda t: t.replace("inside_min_share_pct = 99.0", "inside_min_share_pct = 150"),
            r"inside_min_share_pct",
        ),
        (lambda t: t + "\n[[rules\n", r"TOML syntax error"),
    ],
)
def test_malformed_siting_file(plan_copy, edit, match):
    path = plan_copy / "siting.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RuleError, match=match):
        load_siting(load_plan(plan_copy))


def test_missing_siting_file(plan_copy):
    (plan_copy / "siting.toml").unlink()
    p = load_plan(plan_copy)
    assert len(screening.screen_xy([122.7], [41.5], plan=p)) == 1  # no industry: no rules needed
    with pytest.raises(RuleError, match="siting file not found"):
        screening.screen_xy([122.7], [41.5], plan=p, industry="agriculture")
