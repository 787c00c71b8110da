"""Siting rules: which industry chains go in which zones, parks and control lines.

The rules are plan data, kept in ``siting.toml`` beside the plan's
``plan.toml`` (the default plan's is ``layers/siting.toml``; its header
documents the format). This module loads and validates that file and turns
the per-site "inside the rule's target?" answers of
:func:`lzspatial.screening.screen` into a verdict.

Verdict logic
-------------
A rule *fires* when a site lies inside its target (``when = "inside"``, for
example the ecological red line) or outside it (``when = "outside"``, for
example the bonded zone for bonded warehousing). The verdict is ``fail`` if a
``fail`` rule fires, else ``conditional`` if a ``conditional`` rule fires,
else ``pass``. The cited rules are the fired ones, worst first; a passing
site cites the placement rules (``when = "outside"``) it satisfies. A polygon
site is inside a target when at least ``inside_min_share_pct`` of its area
lies in it, and takes land from it when the overlap reaches
``overlap_min_m2`` (``[settings]``).

Examples
--------
>>> from lzspatial.plan import load_plan
>>> siting = load_siting(load_plan())
>>> [r.id for r in siting.rules_for("bonded_warehousing_processing")][-1]
'siting-bonded-in-bonded-zone'
>>> decide(siting.rules_for("agriculture"), [{"siting-in-district": True,
...     "siting-eco-red-line": False, "siting-basic-farmland": True,
...     "siting-agriculture": True}])[0][0]
'fail'
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from lzspatial._util.toml import read_toml
from lzspatial.errors import InputError, RuleError
from lzspatial.plan.labels import CONTROL_LINE_LABELS, VERDICTS, verdict_label
from lzspatial.plan.schema import weakest_basis

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = [
    "CONTROL_LINE_LABELS",
    "SITING_FILE",
    "VERDICTS",
    "Siting",
    "SitingRule",
    "Target",
    "decide",
    "load_siting",
    "parse_industry",
    "reason",
    "target_geometry",
]

#: Name of the siting file inside a plan folder.
SITING_FILE = "siting.toml"
_RULE_KEYS = {
    "id",
    "title_zh",
    "title_en",
    "basis",
    "basis_source",
    "note",
    "industries",
    "except",
    "target",
    "when",
    "verdict",
}
_TARGET_KEYS = {"zone_functions", "park_kinds", "control_lines", "core", "district"}
_SETTINGS = {"inside_min_share_pct": (99.0, 0.0, 100.0), "overlap_min_m2": (1.0, 0.0, float("inf"))}


@dataclass(frozen=True)
class Target:
    """The area a rule talks about: the union of the named plan parts."""

    zone_functions: tuple[str, ...] = ()
    park_kinds: tuple[str, ...] = ()
    control_lines: tuple[str, ...] = ()
    core: bool = False
    district: bool = False

    def labels(self, plan: Plan) -> tuple[str, str]:
        """Return a (zh, en) description such as ``('综合保税区', 'the comprehensive bonded zone')``."""
        vocab = plan.vocabularies
        zh: list[str] = []
        en: list[str] = []
        for fn in self.zone_functions:
            lab = vocab.get("functional_areas", {}).get(fn, {})
            zh.append(lab.get("zh", fn))
            en.append(f"the {lab.get('en', fn)}")
        for kind in self.park_kinds:
            lab = vocab.get("park_kinds", {}).get(kind, {})
            zh.append(lab.get("zh", kind))
            en.append(f"a {lab.get('en', kind)}")
        for kind in self.control_lines:
            z, e = CONTROL_LINE_LABELS[kind]
            zh.append(z)
            en.append(("" if kind == "basic_farmland" else "the ") + e[0].lower() + e[1:])
        if self.core:
            zh.append("核心区")
            en.append("the core")
        if self.district:
            zh.append("辽中区" if plan.id.startswith("liaozhong") else "规划范围")
            en.append("the district")
        if len(en) > 1:
            en = [", ".join(en[:-1]) + " or " + en[-1]]
        return "、".join(zh), en[0]


@dataclass(frozen=True)
class SitingRule:
    """One siting rule of ``siting.toml``."""

    id: str
    title_zh: str
    title_en: str
    basis: str
    basis_source: str
    industries: tuple[str, ...]
    target: Target
    when: str
    verdict: str
    note: str = ""
    exempt: tuple[str, ...] = ()

    def applies_to(self, industry: str) -> bool:
        """Whether the rule applies to *industry*."""
        if "*" in self.industries:
            return industry not in self.exempt
        return industry in self.industries


@dataclass(frozen=True)
class Siting:
    """The validated content of a siting file."""

    path: Path
    rules: tuple[SitingRule, ...]
    inside_min_share_pct: float = 99.0
    overlap_min_m2: float = 1.0

    def rules_for(self, industry: str) -> list[SitingRule]:
        """Return the rules that apply to *industry*, in file order."""
        return [r for r in self.rules if r.applies_to(industry)]

    def rule(self, rule_id: str) -> SitingRule:
        """Return the rule with id *rule_id*."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def load_siting(plan: Plan, path: str | os.PathLike[str] | None = None) -> Siting:
    """Load and validate the siting rules of *plan*.

    Parameters
    ----------
    plan : Plan
        The plan whose vocabularies the rules must use.
    path : str or path-like, optional
        The siting file; default ``siting.toml`` in the plan folder.

    Raises
    ------
    RuleError
        The file is missing, unreadable or malformed; the message names the
        file, the rule and the key.
    """
    fpath = Path(path) if path is not None else Path(plan.path) / SITING_FILE
    if not fpath.exists():
        raise RuleError(
            f"{fpath}: siting file not found; a plan needs {SITING_FILE} beside plan.toml "
            "to give verdicts (copy layers/siting.toml and adapt it)"
        )
    doc = read_toml(fpath, RuleError)
    unknown = sorted(set(doc) - {"settings", "rules"})
    if unknown:
        raise RuleError(f"{fpath}: unknown top-level key {unknown[0]!r}; allowed: settings, rules")
    settings = _settings(doc.get("settings", {}), fpath)
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{fpath}: key 'rules': expected one or more [[rules]] tables")
    rules: list[SitingRule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _rule(raw, i, fpath, plan)
        if rule.id in seen:
            raise RuleError(f"{fpath}: rules[{i}]: key 'id': duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        rules.append(rule)
    return Siting(fpath, tuple(rules), **settings)


def _settings(raw: Any, fpath: Path) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise RuleError(f"{fpath}: key 'settings': expected a table")
    out = {}
    for key in raw:
        if key not in _SETTINGS:
            raise RuleError(f"{fpath}: settings: unknown key {key!r}; allowed: {', '.join(_SETTINGS)}")
    for key, (default, lo, hi) in _SETTINGS.items():
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise RuleError(
                f"{fpath}: settings: key {key!r}: expected a number in [{lo}, {hi}], got {value!r}"
            )
        out[key] = float(value)
    return out


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise RuleError(f"{where}: key {key!r}: expected a non-empty string, got {value!r}")
    return value


def _names(raw: Any, key: str, where: str, allowed: Sequence[str], *, star: bool = False) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise RuleError(f"{where}: key {key!r}: expected a list of strings, got {raw!r}")
    for v in raw:
        if not (star and v == "*") and v not in allowed:
            raise RuleError(
                f"{where}: key {key!r}: unknown value {v!r}; allowed: {', '.join(allowed)}"
                + (" or '*'" if star else "")
            )
    return tuple(raw)


def _rule(raw: Any, i: int, fpath: Path, plan: Plan) -> SitingRule:
    where = f"{fpath}: rules[{i}]"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a table")
    if isinstance(raw.get("id"), str):
        where += f" (id {raw['id']!r})"
    for key in raw:
        if key not in _RULE_KEYS:
            raise RuleError(f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(_RULE_KEYS))}")
    chains = list(plan.vocabularies.get("industry_chains", {}))
    industries = _names(raw.get("industries"), "industries", where, chains, star=True)
    if not industries:
        raise RuleError(f"{where}: key 'industries': name at least one industry chain or '*'")
    exempt = _names(raw.get("except", []), "except", where, chains)
    if exempt and "*" not in industries:
        raise RuleError(f"{where}: key 'except': only allowed with industries = ['*']")
    when, verdict = raw.get("when"), raw.get("verdict")
    if when not in ("inside", "outside"):
        raise RuleError(f"{where}: key 'when': expected 'inside' or 'outside', got {when!r}")
    if verdict not in ("fail", "conditional"):
        raise RuleError(f"{where}: key 'verdict': expected 'fail' or 'conditional', got {verdict!r}")
    return SitingRule(
        id=_text(raw, "id", where),
        title_zh=_text(raw, "title_zh", where),
        title_en=_text(raw, "title_en", where),
        basis=_text(raw, "basis", where),
        basis_source=_text(raw, "basis_source", where),
        note=_text(raw, "note", where, required=False),
        industries=industries,
        exempt=exempt,
        target=_target(raw.get("target"), where, plan),
        when=when,
        verdict=verdict,
    )


def _target(raw: Any, where: str, plan: Plan) -> Target:
    where += ": target"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a [rules.target] table, got {raw!r}")
    for key in raw:
        if key not in _TARGET_KEYS:
            raise RuleError(f"{where}: unknown key {key!r}; allowed: {', '.join(sorted(_TARGET_KEYS))}")
    for key in ("core", "district"):
        if not isinstance(raw.get(key, False), bool):
            raise RuleError(f"{where}: key {key!r}: expected true or false, got {raw[key]!r}")
    vocab = plan.vocabularies
    target = Target(
        zone_functions=_names(
            raw.get("zone_functions", []), "zone_functions", where, list(vocab.get("functional_areas", {}))
        ),
        park_kinds=_names(raw.get("park_kinds", []), "park_kinds", where, list(vocab.get("park_kinds", {}))),
        control_lines=_names(raw.get("control_lines", []), "control_lines", where, list(CONTROL_LINE_LABELS)),
        core=raw.get("core", False),
        district=raw.get("district", False),
    )
    if target == Target():
        raise RuleError(
            f"{where}: empty target; name zone_functions, park_kinds, control_lines, core or district"
        )
    return target


def parse_industry(plan: Plan, industry: str) -> str:
    """Return the chain key for *industry* (a key or its Chinese/English label).

    Raises
    ------
    InputError
        If it is not in the plan's ``industry_chains`` vocabulary.

    Examples
    --------
    >>> from lzspatial.plan import load_plan
    >>> parse_industry(load_plan(), "保税仓储加工")
    'bonded_warehousing_processing'
    """
    chains = plan.vocabularies.get("industry_chains", {})
    key = str(industry).strip()
    if key in chains:
        return key
    for name, labels in chains.items():
        if key in (labels.get("zh"), labels.get("en")) or key.lower() == name.lower():
            return name
    raise InputError(f"unknown industry {industry!r}; the plan's industry chains are: {', '.join(chains)}")


def _target_features(plan: Plan, target: Target) -> list[Any]:
    """Return the features (metric frames) named by *target*: zones, parks, control lines, core, district."""
    frames: list[Any] = []
    if target.zone_functions and "zones" in plan:
        z = plan.layer("zones", metric=True)
        frames.append(z[[bool(set(fns or ()) & set(target.zone_functions)) for fns in z["functions"]]])
    for layer, kinds in (("parks", target.park_kinds), ("control_lines", target.control_lines)):
        if kinds and layer in plan:
            f = plan.layer(layer, metric=True)
            frames.append(f[f["kind"].isin(kinds)])
    if target.core and "core" in plan:
        frames.append(plan.layer("core", metric=True))
    if target.district:
        frames.append(plan.layer("boundary", metric=True))
    return frames


def target_geometry(plan: Plan, target: Target) -> Any:
    """Return the union of the plan parts named by *target*, in the metric CRS (or None if empty)."""
    parts = [g for f in _target_features(plan, target) for g in f.geometry]
    parts = [g for g in parts if g is not None and not g.is_empty]
    return shapely.union_all(parts) if parts else None


def target_basis(plan: Plan, target: Target) -> str:
    """Return the weakest ``geometry_basis`` of the features named by *target* (``schematic`` …).

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> plan = load_plan()
    >>> target_basis(plan, Target(control_lines=("basic_farmland",)))
    'schematic'
    """
    return weakest_basis(v for f in _target_features(plan, target) for v in f["geometry_basis"]) or "sourced"


def decide(
    rules: Sequence[SitingRule],
    inside: Sequence[Mapping[str, bool]],
) -> tuple[list[str], list[list[SitingRule]], list[list[bool]]]:
    """Turn "is the site inside each rule's target?" into verdicts.

    Parameters
    ----------
    rules : sequence of SitingRule
        The rules that apply to the industry.
    inside : sequence of mappings
        One mapping per site (or per distinct combination): rule id -> inside.

    Returns
    -------
    verdicts : list of str
        ``pass``, ``conditional`` or ``fail`` per entry.
    cited : list of list of SitingRule
        The rules cited per entry: the fired ones, worst first; for a pass,
        the placement rules satisfied.
    fired : list of list of bool
        Whether each cited rule fired.
    """
    verdicts, cited, fired = [], [], []
    for row in inside:
        hits = [r for r in rules if bool(row[r.id]) == (r.when == "inside")]
        if hits:
            worst = "fail" if any(r.verdict == "fail" for r in hits) else "conditional"
            hits.sort(key=lambda r: r.verdict != "fail")
            verdicts.append(worst)
            cited.append(hits)
            fired.append([True] * len(hits))
        else:
            ok = [r for r in rules if r.when == "outside" and not r.target.district]
            verdicts.append("pass")
            cited.append(ok)
            fired.append([False] * len(ok))
    return verdicts, cited, fired


def reason(rule: SitingRule, fired: bool, plan: Plan) -> tuple[str, str]:
    """Return the (zh, en) reason for *rule* as applied to a site."""
    zh_t, en_t = rule.target.labels(plan)
    if rule.when == "inside":
        state_en = f"the site lies in {en_t}" if fired else f"the site avoids {en_t}"
        state_zh = f"场地位于{zh_t}内" if fired else f"场地避让了{zh_t}"
    else:
        state_en = f"the site is not inside {en_t}" if fired else f"the site is inside {en_t}"
        state_zh = f"场地不在{zh_t}内" if fired else f"场地位于{zh_t}内"
    tag = verdict_label(rule.verdict if fired else "pass")[0]
    tag_en = rule.verdict if fired else "pass"
    zh, en = f"[{tag}] {rule.title_zh}：{state_zh}", f"[{tag_en}] {rule.title_en}: {state_en}"
    if target_basis(plan, rule.target) == "schematic":  # the answer is as strong as its geometry
        zh, en = zh + "（示意数据）", en + " (schematic data)"
    return zh, en
