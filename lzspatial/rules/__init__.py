"""Rules: the filter grammar, rule sets, the check engine and its kinds, reports, siting.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.rules.engine import check_plan, validate_rules
    from lzspatial.rules.report import SUMMARY_COLUMNS, VIOLATION_COLUMNS, CheckReport
    from lzspatial.rules.ruleset import RuleSet, load_rules, parse_rules
    from lzspatial.rules.siting import Siting, load_siting, parse_industry

_EXPORTS = {
    "CheckReport": "lzspatial.rules.report",
    "RuleSet": "lzspatial.rules.ruleset",
    "SUMMARY_COLUMNS": "lzspatial.rules.report",
    "Siting": "lzspatial.rules.siting",
    "VIOLATION_COLUMNS": "lzspatial.rules.report",
    "check_plan": "lzspatial.rules.engine",
    "load_rules": "lzspatial.rules.ruleset",
    "load_siting": "lzspatial.rules.siting",
    "parse_industry": "lzspatial.rules.siting",
    "parse_rules": "lzspatial.rules.ruleset",
    "validate_rules": "lzspatial.rules.engine",
}
__all__ = [
    "CheckReport",
    "RuleSet",
    "SUMMARY_COLUMNS",
    "Siting",
    "VIOLATION_COLUMNS",
    "check_plan",
    "load_rules",
    "load_siting",
    "parse_industry",
    "parse_rules",
    "validate_rules",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
