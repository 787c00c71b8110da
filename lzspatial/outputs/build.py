"""``lzspatial build``: the main job on one plan.

Validates the plan, runs its rule check, renders the structure map and writes
the GeoJSON and GeoPackage exports, all into one folder:

- ``structure.html``: the web map (self-contained, offline);
- ``structure.pdf``: the printed map, A3 landscape (:func:`lzspatial.outputs.printmap.print_map`);
- ``check.json`` and ``violations.geojson``: the rule check;
- ``exports/geojson/*.geojson`` (RFC 7946), ``exports/<plan id>.gpkg`` (with QGIS styles and the
  QGIS project inside) and ``exports/<plan id>.qgz`` (the QGIS project beside it);
- ``summary.json``: the plan summary, the check totals and the list of files.

Every file is written atomically (temp file + rename), so an interrupted run
leaves each output either as it was or fully replaced; temp files left by an
interrupted run are removed at the start of the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lzspatial._util.atomic import clean_stale_temps, staged_folder, write_text
from lzspatial._util.guard import check_output
from lzspatial.errors import OutputError
from lzspatial.outputs.export import export_plan
from lzspatial.outputs.printmap import PRINT_NAME, print_map
from lzspatial.outputs.webmap import build_map, save_map
from lzspatial.plan.model import Plan, require_plan
from lzspatial.rules.engine import check_plan

__all__ = ["MAP_NAME", "BuildResult", "build_plan"]

#: File name of the structure map inside the output folder.
MAP_NAME = "structure.html"


def _prepare_out(out_dir: Path, plan: Plan) -> None:
    check_output(out_dir, folder=True, inputs=[plan.path])  # never into, over or around the plan
    # every folder the build writes into must be usable before anything is written
    for folder in (out_dir, out_dir / "exports", out_dir / "exports" / "geojson"):
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder}: output path exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot create output folder: {err.strerror or err}") from err
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: output folder is not writable")
    clean_stale_temps(out_dir)


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_plan` wrote, and the rule check's totals."""

    #: Every file written, in the order written (``summary.json`` last).
    files: list[Path]
    #: Violations by severity, plus ``accepted`` (as in ``summary.json``'s ``check``).
    totals: dict[str, int]

    @property
    def has_errors(self) -> bool:
        """Whether the check found an error-severity violation."""
        return bool(self.totals.get("error", 0))


def build_plan(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    echo: Callable[[str], None] = lambda s: None,
) -> BuildResult:
    """Check, map and export a plan into *out_dir*.

    Parameters
    ----------
    plan : Plan
        The loaded plan (:func:`lzspatial.load_plan` validates it).
    out_dir : path-like
        The output folder; created if missing.
    echo : callable
        Receives one progress line per step.

    Returns
    -------
    BuildResult
        The files written and the check totals.
    """
    plan = require_plan(plan, "build_plan")
    out = Path(out_dir)
    _prepare_out(out, plan)
    with staged_folder(out) as stage:  # every file is written before the first is replaced
        written, totals = _build_into(plan, stage, echo, shown=out)
    return BuildResult([out / p.relative_to(stage) for p in written], totals)


def _build_into(
    plan: Plan, out: Path, echo: Callable[[str], None], *, shown: Path
) -> tuple[list[Path], dict[str, int]]:
    """Write every output of :func:`build_plan` into *out* (a staging folder shown as *shown*)."""
    written: list[Path] = []
    report = check_plan(plan)
    written.append(write_text(out / "check.json", report.to_json()))
    written.append(write_text(out / "violations.geojson", report.to_geojson()))
    totals = report.totals()
    echo(
        f"check: {totals.get('error', 0)} error(s), {totals.get('warning', 0)} warning(s), "
        f"{totals.get('accepted', 0)} accepted"
    )

    m = build_map(plan, lang="zh", violations=report.violations)  # Chinese first; 中/EN in the page
    written.append(save_map(m, out / MAP_NAME))
    echo(f"map: {shown / MAP_NAME}")
    written.append(print_map(plan, out / PRINT_NAME, paper="A3", landscape=True))
    echo(f"print: {shown / PRINT_NAME}")

    written += export_plan(plan, out / "exports" / "geojson", fmt="geojson")
    written += export_plan(plan, out / "exports", fmt="qgis")  # the GeoPackage and the .qgz opening it
    echo(f"exports: {shown / 'exports'}")

    info = plan.info()
    summary = {
        "plan": info.pop("plan"),
        "source": info.pop("source"),
        **info,
        "check": totals,
        "files": sorted(str(p.relative_to(out)) for p in [*written, out / "summary.json"]),
    }
    written.append(write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n"))
    return written, dict(totals)
