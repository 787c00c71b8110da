"""Options shared by the commands, and the one place a plan path becomes a :class:`Plan`.

Imports only click and light registries at top level, so ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lzspatial.crs.names import INPUT_CRS, describe

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = ["FLAGS", "crs_option", "load", "plan_dir_argument", "plan_option"]

#: ``[PLAN_DIR]``: the plan folder argument of the plan commands.
plan_dir_argument = click.argument(
    "plan_dir", required=False, type=click.Path(path_type=Path), metavar="[PLAN_DIR]"
)

#: ``--plan PATH``: the plan folder option of the commands whose argument is a sites file.
plan_option = click.option(
    "--plan",
    "plan_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Plan folder (default: the Liaozhong 2023 plan).",
)

#: Library parameter names -> the CLI flag a user types (messages name parameters; see main()).
FLAGS = {
    "crs": "--crs",
    "fmt": "--format",
    "layers": "--layers",
    "precision": "--precision",
    "date": "--date",
    "encoding": "--encoding",
    "basemap": "--basemap",
    "lang": "--lang",
    "industry": "--industry",
    "rules": "--rules",
    "out_dir": "--out",
}


def crs_option(what: str, allowed: tuple[str, ...] = INPUT_CRS, **kwargs: Any) -> Any:
    """Return a ``--crs`` option whose help lists *allowed* (from the CRS registry)."""
    return click.option("--crs", default=None, metavar="CRS", help=f"{what}: {describe(allowed)}.", **kwargs)


def load(plan_dir: Path | None) -> Plan:
    """Load and validate the plan at *plan_dir* (the default plan when None)."""
    from lzspatial.plan import load_plan

    return load_plan(plan_dir)
