"""Rules: the filter grammar, rule sets, the check engine and its kinds, reports, siting."""

from lzspatial.rules.engine import check_plan, validate_rules
from lzspatial.rules.report import SUMMARY_COLUMNS, VIOLATION_COLUMNS, CheckReport
from lzspatial.rules.ruleset import RuleSet, load_rules, parse_rules
from lzspatial.rules.siting import Siting, load_siting, parse_industry

__all__ = [
    "SUMMARY_COLUMNS",
    "VIOLATION_COLUMNS",
    "CheckReport",
    "RuleSet",
    "Siting",
    "check_plan",
    "load_rules",
    "load_siting",
    "parse_industry",
    "parse_rules",
    "validate_rules",
]
