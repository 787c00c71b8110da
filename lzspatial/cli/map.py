"""The ``lzspatial map`` command (imports only click at top level)."""

from __future__ import annotations

from pathlib import Path

import click

from lzspatial.cli.options import load, plan_dir_argument
from lzspatial.outputs.webmap.basemaps import BASEMAPS
from lzspatial.plan.labels import LANGS

__all__ = ["DEFAULT_OUT", "map_cmd"]

#: Where ``lzspatial map`` writes without ``--out`` (the file ``lzspatial build`` writes too).
DEFAULT_OUT = Path("maps") / "structure.html"


@click.command("map")
@plan_dir_argument
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"HTML file to write (atomically; - is stdout)  [default: {DEFAULT_OUT}, folder created if missing]",
)
@click.option(
    "--basemap",
    type=click.Choice(BASEMAPS),
    default="none",
    show_default=True,
    help="Tiles under the plan. none: no network at all. tianditu: key from LZSPATIAL_TIANDITU_KEY "
    "(visible in the HTML). gaode: layers are shifted to GCJ-02 to line up.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="zh",
    show_default=True,
    help="Initial language of labels, legend, popups and panels (both: Chinese and English); "
    "the 中/EN switch in the page changes it.",
)
@click.option(
    "--check/--no-check",
    "with_check",
    default=True,
    show_default=True,
    help="Run the plan's rule check and show its violations as a layer.",
)
def map_cmd(plan_dir: Path | None, out: Path | None, basemap: str, lang: str, with_check: bool) -> None:
    """Write the structure map of a plan as one self-contained HTML file.

    The page works offline (Leaflet and all tools are inlined); with
    --basemap none it makes no network request at all. The same inputs
    give a byte-identical file.
    """
    import warnings

    from lzspatial._util.guard import check_outputs
    from lzspatial._util.text import term_safe
    from lzspatial.outputs.webmap import build_map, save_map

    plan = load(plan_dir)
    check_outputs({"--out": out if out is not None else DEFAULT_OUT})
    violations = None
    if with_check:
        from lzspatial.rules.engine import check_plan

        violations = check_plan(plan).violations
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = build_map(plan, basemap=basemap, lang=lang, violations=violations)
    for w in caught:
        click.echo(term_safe(f"lzspatial: warning: {w.message}"), err=True)
    if out is not None and str(out) == "-":
        from lzspatial.outputs.webmap import render_html

        click.echo(render_html(m), nl=False)
        return
    if out is None:
        out = DEFAULT_OUT
        out.parent.mkdir(parents=True, exist_ok=True)
    path = save_map(m, out)
    size = path.stat().st_size
    shown = "" if violations is None else f", {len(violations)} violation(s)"
    click.echo(term_safe(f"wrote {path} ({size / 1024:,.0f} KB; basemap {basemap}, lang {lang}{shown})"))
