"""The ``lzspatial print`` command: the structure map as a printable sheet (click only at top level)."""

from __future__ import annotations

from pathlib import Path

import click

from lzspatial.cli.options import load, plan_dir_argument
from lzspatial.outputs.paper import DPI_RANGE, FORMATS, PAPERS
from lzspatial.plan.labels import LANGS

__all__ = ["DEFAULT_OUT", "print_cmd"]

#: Where ``lzspatial print`` writes without ``--out`` (the file ``lzspatial build`` writes too).
DEFAULT_OUT = Path("maps") / "structure.pdf"


@click.command("print")
@plan_dir_argument
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"File to write: {', '.join('.' + f for f in FORMATS)}  [default: {DEFAULT_OUT}]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default=None,
    help="Output format (default: from the suffix of --out).",
)
@click.option("--paper", default="A3", show_default=True, metavar="SIZE", help=f"Paper: {', '.join(PAPERS)}.")
@click.option("--landscape/--portrait", default=True, show_default=True, help="Orientation of the sheet.")
@click.option(
    "--dpi",
    default="200",
    show_default=True,
    metavar="N",
    help=f"PNG resolution ({DPI_RANGE[0]}-{DPI_RANGE[1]}).",
)
@click.option(
    "--lang", type=click.Choice(LANGS), default="zh", show_default=True, help="Language of labels and legend."
)
@click.option("--title", default=None, help="图名 (default: the plan's title).")
@click.option("--organisation", default=None, help="编制单位 (default: from plan.toml).")
@click.option("--sheet", default=None, help="图号 (default: <plan id>-01).")
@click.option("--date", default=None, help="Date in the title block (default: the source's date).")
def print_cmd(
    plan_dir: Path | None,
    out: Path | None,
    fmt: str | None,
    paper: str,
    landscape: bool,
    dpi: str,
    lang: str,
    title: str | None,
    organisation: str | None,
    sheet: str | None,
    date: str | None,
) -> None:
    """Print the structure map as a PDF, SVG or PNG sheet (A4 to A0) in the plan's metric CRS.

    The sheet has a neat line with coordinate ticks, a title block, a north arrow, a scale
    bar and ratio scale for the paper size, the full legend, the disclaimer and an inset
    locator. The same inputs give a byte-identical file.
    """
    from lzspatial._util.text import term_safe
    from lzspatial.outputs.paper import check_dpi, output_format, paper_mm
    from lzspatial.outputs.printmap import print_map

    target = out if out is not None else DEFAULT_OUT
    fmt = output_format(target, fmt)  # bad input is found before the plan is loaded or anything written
    paper_mm(paper, landscape=landscape)
    resolution = check_dpi(dpi)
    plan = load(plan_dir)
    if out is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    path = print_map(
        plan,
        target,
        fmt=fmt,
        paper=paper,
        landscape=landscape,
        dpi=resolution,
        lang=lang,
        title=title,
        organisation=organisation,
        sheet=sheet,
        date=date,
    )
    size = path.stat().st_size
    orientation = "landscape" if landscape else "portrait"
    click.echo(term_safe(f"wrote {path} ({size / 1024:,.0f} KB; {paper.upper()} {orientation})"))
