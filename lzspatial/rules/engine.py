"""The rule engine: check a plan against a rule set.

:func:`check_plan` evaluates every rule of a :class:`~lzspatial.rules.RuleSet`
on the plan's layers in the metric CRS (EPSG:4550) and returns a
:class:`CheckReport`. Spatial kinds are vectorised with shapely 2 array
functions and STRtree queries, so a project layer of many thousand features
is checked in well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lzspatial._util.pause import gc_paused
from lzspatial.errors import RuleError
from lzspatial.plan.model import require_plan
from lzspatial.rules.context import Context, Found
from lzspatial.rules.kinds import IMPLEMENTATIONS
from lzspatial.rules.report import SUMMARY_COLUMNS, VIOLATION_COLUMNS, CheckReport
from lzspatial.rules.ruleset import RuleSet, load_rules, parse_rules

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan

__all__ = ["SUMMARY_COLUMNS", "VIOLATION_COLUMNS", "CheckReport", "check_plan", "validate_rules"]


def _validate(ruleset: Any, plan: Any, ctx: Context) -> None:
    ruleset.validate_for(ctx.fields, {k: tuple(v) for k, v in plan.vocabularies.items()})
    ids: set[str] = set()
    for name in ctx.fields:
        frame = ctx.frame(name)
        if ruleset.exceptions:  # exceptions must name existing features
            ids.update(map(str, frame["id"] if "id" in frame.columns else frame.index))
    for i, exc in enumerate(ruleset.exceptions, 1):
        for key, fid in (("feature", exc.feature), ("related", exc.related)):
            if fid is not None and str(fid) not in ids:
                raise RuleError(
                    f"{ruleset.source}: [[exceptions]] #{i} (rule {exc.rule!r}): key {key!r}: no feature "
                    f"has the id {fid!r}; an accepted exception must name an existing feature"
                )


def validate_rules(plan: Any, rules: Any = None) -> Any:
    """Load the rules of *plan* (or *rules*) and check them against its layers, without running them.

    Returns the ``RuleSet``; raises ``RuleError`` naming the file, rule and key.
    """
    ruleset = _resolve_rules(plan, rules)
    _validate(ruleset, plan, Context(plan, {}))
    return ruleset


def check_plan(
    plan: Plan,
    rules: Any = None,
    *,
    extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> CheckReport:
    """Check a plan against a rule set.

    Parameters
    ----------
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan`).
    rules : None, path-like, dict or RuleSet
        ``None`` for the plan folder's ``rules.toml``; a rule file; parsed
        TOML (a dict); or a :class:`~lzspatial.rules.RuleSet`.
    extra_layers : mapping of str to GeoDataFrame, optional
        More layers rules may select by name (for example ``"projects"``),
        in any CRS. Feature ids come from an ``id`` column, else the index.

    Returns
    -------
    CheckReport

    Raises
    ------
    RuleError
        The rules are malformed or name unknown layers or fields.
    InputError
        An extra layer has no CRS or clashes with a plan layer.

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> report = check_plan(load_plan())
    >>> report.has_errors
    False
    >>> sorted(set(report.summary["status"]))
    ['pass']
    """
    plan = require_plan(plan, "check_plan")
    ruleset = _resolve_rules(plan, rules)
    with gc_paused():  # the check makes and keeps many geometries: no collector passes over them
        ctx = Context(plan, extra_layers or {})
        _validate(ruleset, plan, ctx)
        results: list[Found] = []
        checked: list[int] = []
        for rule in ruleset.rules:
            n, found = IMPLEMENTATIONS[rule.kind](rule, ctx)
            checked.append(n)
            results.append(found)
        accepted = [
            _accepted(rule.id, found, ruleset) for rule, found in zip(ruleset.rules, results, strict=True)
        ]
        return CheckReport.from_found(
            results, accepted, ruleset, checked, plan_id=plan.id, metric_crs=ctx.crs
        )


def _resolve_rules(plan: Plan, rules: Any) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, Mapping):
        return parse_rules(rules)
    if rules is None:
        path = plan.path / "rules.toml"
        if not path.exists():
            raise RuleError(
                f"{plan.path}: the plan folder has no rules.toml; pass a rule file (`rules='FILE'`)"
            )
        return load_rules(path)
    return load_rules(rules)


def _accepted(rule_id: str, found: Found, ruleset: RuleSet) -> list[str | None]:
    """Per violation of one rule: the reason of the first accepted exception covering it, else None."""
    out: list[str | None] = [None] * len(found)
    excs = [exc for exc in ruleset.exceptions if exc.rule == rule_id]
    if not excs or not len(found):
        return out
    for k, (fid, rid) in enumerate(zip(found.feature_ids, found.related_ids, strict=True)):
        for exc in excs:
            if exc.matches(rule_id, fid, rid):
                out[k] = exc.reason
                break
    return out
