"""Options shared by the commands, and the one place a plan path becomes a :class:`Plan`.

Imports only click and light registries at top level, so ``--help`` stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lzspatial.crs.names import INPUT_CRS, describe

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = [
    "FLAGS",
    "PATH_OR_DSN",
    "PathOrDsn",
    "cli_message",
    "crs_option",
    "load",
    "plan_dir_argument",
    "plan_option",
]


class PathOrDsn(click.ParamType):
    """A path, or a ``postgresql://`` URI kept as the string it is (a Path would fold its ``//``)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return a DSN unchanged, anything else as a Path."""
        if isinstance(value, str) and value.lower().startswith(("postgresql://", "postgres://")):
            return value
        return Path(value) if not isinstance(value, Path) else value


#: A path or a ``postgresql://…`` URI (a plan schema, a sites table).
PATH_OR_DSN = PathOrDsn()

#: ``[PLAN_DIR]``: the plan folder (or ``postgresql://…?schema=NAME``) argument of the plan commands.
plan_dir_argument = click.argument("plan_dir", required=False, type=PATH_OR_DSN, metavar="[PLAN_DIR]")

#: ``--plan PATH``: the plan folder option of the commands whose argument is a sites file.
plan_option = click.option(
    "--plan",
    "plan_dir",
    type=PATH_OR_DSN,
    default=None,
    help="Plan folder, or postgresql://…?schema=NAME (default: the Liaozhong 2023 plan).",
)

#: Library parameter names -> the CLI flag a user types. Library messages name parameters in
#: backticks (```crs='EPSG:4550'```, ```layer=```); :func:`cli_message` turns them into flags.
FLAGS = {
    "crs": "--crs",
    "fmt": "--format",
    "layers": "--layers",
    "layer": "--layer",
    "precision": "--precision",
    "date": "--date",
    "encoding": "--encoding",
    "basemap": "--basemap",
    "lang": "--lang",
    "industry": "--industry",
    "rules": "--rules",
    "lon": "--lon",
    "lat": "--lat",
    "x": "--x",
    "y": "--y",
    "skip_invalid": "--skip-invalid",
    "paper": "--paper",
    "dpi": "--dpi",
    "organisation": "--organisation",
    "sheet": "--sheet",
    "title": "--title",
    "zipped": "--zip",
    "producer": "--producer",
    "newline": "--newline",
    "map_fields": "--map-fields",
    "basis": "--basis",
    "source": "--source",
}
_PARAM = re.compile(r"`(" + "|".join(sorted(FLAGS, key=len, reverse=True)) + r")=('[^'`]*'|[^`]+)?`")


def cli_message(text: str) -> str:
    """Rewrite the parameter names in a library message as the CLI's flags.

    Examples
    --------
    >>> cli_message("use `crs='EPSG:4529'`; pick one with `layer=`; pass `skip_invalid=True`")
    'use --crs EPSG:4529; pick one with --layer; pass --skip-invalid'
    >>> cli_message("x=5, y=7: name it with `lon=`/`lat=`")
    'x=5, y=7: name it with --lon/--lat'
    """

    def flag(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if value is None or value in ("True", "False") and name == "skip_invalid":
            return FLAGS[name]
        value = value[1:-1] if value.startswith("'") and len(value) > 1 else value
        return f"{FLAGS[name]} {value or repr('')}"

    return _PARAM.sub(flag, text)


def crs_option(what: str, allowed: tuple[str, ...] = INPUT_CRS, **kwargs: Any) -> Any:
    """Return a ``--crs`` option whose help lists *allowed* (from the CRS registry)."""
    return click.option("--crs", default=None, metavar="CRS", help=f"{what}: {describe(allowed)}.", **kwargs)


def load(plan_dir: Path | str | None) -> Plan:
    """Load and validate the plan at *plan_dir* (the default plan when None; a DSN reads PostGIS)."""
    from lzspatial.plan import load_plan

    return load_plan(plan_dir)
