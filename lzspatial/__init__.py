"""lzspatial: spatial-structure planning for Liaozhong District and plans like it.

The names a notebook needs are re-exported here and imported lazily, so that
``import lzspatial`` (and the CLI's ``--help``) stays fast.

Examples
--------
>>> import lzspatial
>>> plan = lzspatial.load_plan()
>>> plan.id
'liaozhong-2023'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_plan": "lzspatial.plan",
    "Plan": "lzspatial.plan",
    "default_plan_dir": "lzspatial.plan",
    "check_plan": "lzspatial.rules.engine",
    "CheckReport": "lzspatial.rules.engine",
    "load_rules": "lzspatial.rules.ruleset",
    "build_map": "lzspatial.outputs.webmap",
    "save_map": "lzspatial.outputs.webmap",
    "export_plan": "lzspatial.outputs.export",
    "import_layer": "lzspatial.outputs.plan_import",
    "print_map": "lzspatial.outputs.printmap",
    "read_gktxt": "lzspatial.io.gktxt",
    "write_gktxt": "lzspatial.io.gktxt",
    "screen": "lzspatial.screening.engine",
    "screen_iter": "lzspatial.screening.stream",
    "screen_file": "lzspatial.screening.stream",
    "screen_dask": "lzspatial.screening.dask",
    "read_sites": "lzspatial.screening.sites",
    "indicators": "lzspatial.screening.indicators",
    "diff_plans": "lzspatial.diff",
    "LzSpatialError": "lzspatial.errors",
    "SchemaError": "lzspatial.errors",
    "InputError": "lzspatial.errors",
    "RuleError": "lzspatial.errors",
    "CRSError": "lzspatial.errors",
    "PlanFileError": "lzspatial.errors",
    "OutputError": "lzspatial.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lzspatial' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
