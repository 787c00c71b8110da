"""``diff_plans``: compare two loaded plans."""

from __future__ import annotations

import math
from typing import Any

from lzspatial._util.pause import gc_paused
from lzspatial.diff.checks import RuleChecks
from lzspatial.diff.compare import compare_layers
from lzspatial.diff.deltas import (
    area_rows,
    manifest_changes,
    plan_zones,
    rule_delta,
    site_delta,
    transfers,
    zone_moves,
)
from lzspatial.diff.model import PlanDiff, RuleDelta, Version
from lzspatial.errors import InputError
from lzspatial.plan.model import Plan, require_plan

__all__ = ["diff_plans"]


def diff_plans(
    a: Plan,
    b: Plan,
    *,
    tolerance_m: float = 0.0,
    check: bool = True,
    sites: Any = None,
    industry: str | None = None,
    versions: tuple[Version, Version] | None = None,
    checks: RuleChecks | None = None,
) -> PlanDiff:
    """Compare two versions of a plan: features, areas, zones, the rule check and screened sites.

    Parameters
    ----------
    a, b : Plan
        The old (A) and new (B) version (:func:`lzspatial.load_plan`; for a git
        revision, load the folder of :func:`lzspatial.diff.revision_folder`).
    tolerance_m : float
        A geometry whose Hausdorff distance to its old version is at most this
        (metres, in the metric CRS) counts as unchanged: vertex jitter from editing tools.
    check : bool
        Run the rule check of each version (its own ``rules.toml``) and compare them.
    sites : GeoDataFrame, optional
        Sites (:func:`lzspatial.read_sites`) screened against both versions.
    industry : str, optional
        The industry chain the sites are screened for (adds the verdict).
    versions : (Version, Version), optional
        How to name the two sides in the outputs (default: the plan folders).
    checks : RuleChecks, optional
        The rule checks of A and B, already started (``lzspatial diff`` starts A's while
        it loads B). Without it, and with *check*, both are started here; either way they
        run on a worker thread while the features are compared.

    Returns
    -------
    PlanDiff
        ``.changed`` tells whether anything differs; ``.to_json()`` gives the
        documented JSON (``docs/diff.md``).

    Raises
    ------
    InputError
        A negative or non-finite tolerance, or bad sites.
    RuleError
        A malformed ``rules.toml`` or ``siting.toml`` (the message names the side).

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> plan = load_plan()
    >>> d = diff_plans(plan, plan)
    >>> d.changed, d.counts()["added"]
    (False, 0)
    """
    a = require_plan(a, "diff_plans")
    b = require_plan(b, "diff_plans")
    if not isinstance(tolerance_m, (int, float)) or not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise InputError(f"tolerance_m: {tolerance_m!r} is not a distance; use a number of metres >= 0")
    with gc_paused():  # hundreds of thousands of geometries made and kept: no collector passes
        if checks is not None or not check:
            return _diff(a, b, float(tolerance_m), checks if check else None, sites, industry, versions)
        with RuleChecks() as own:
            own.start("A", a)
            own.start("B", b)
            return _diff(a, b, float(tolerance_m), own, sites, industry, versions)


def _diff(
    a: Plan,
    b: Plan,
    tolerance_m: float,
    checks: RuleChecks | None,
    sites: Any,
    industry: str | None,
    versions: tuple[Version, Version] | None,
) -> PlanDiff:
    va, vb = versions or (Version(a.label, a.id), Version(b.label, b.id))
    layers, features = compare_layers(a, b, float(tolerance_m))
    areas, by_kind = area_rows(a, b)
    changed_zones = {
        c.id for c in features if c.element == "zones" and (c.geometry_changed or c.status != "changed")
    }
    zones = (plan_zones(a), plan_zones(b))
    moves = zone_moves(a, b, zones)
    moved_land = transfers(a, b, changed_zones, zones)
    rules: RuleDelta | None = None
    note: str | None = "rule check not run"
    if checks is not None:  # a rule file's error comes before a site's, as in a serial run
        reports, note = checks.reports()
        rules = None if reports is None else rule_delta(*reports)
    site_changes = None if sites is None else site_delta(a, b, sites, industry)
    return PlanDiff(
        a=va,
        b=vb,
        tolerance_m=float(tolerance_m),
        metric_crs=a.metric_crs,
        layers=layers,
        features=features,
        manifest=manifest_changes(a, b),
        areas=areas,
        area_by_kind=by_kind,
        zone_moves=moves,
        transfers=moved_land,
        rules=rules,
        rules_note=note,
        sites=site_changes,
    )
