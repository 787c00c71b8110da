"""The ``lzspatial diff`` command (imports only click at top level)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lzspatial.cli.options import PATH_OR_DSN, crs_option, load

if TYPE_CHECKING:
    from lzspatial.diff.model import PlanDiff, Version
    from lzspatial.plan import Plan

__all__ = ["diff"]

_FORMATS = ("table", "json", "geojson", "html")


@contextlib.contextmanager
def _side(spec: str, side: str) -> Iterator[tuple[Plan, Version]]:
    """Load side *side* (A or B): a plan folder, or a git revision REV:PATH unpacked for the block."""
    from lzspatial.diff.git import is_revision, revision_folder
    from lzspatial.diff.model import Version
    from lzspatial.errors import LzSpatialError, SchemaError

    dsn = spec.lower().startswith(("postgresql://", "postgres://"))
    if dsn or not is_revision(spec):
        try:  # a plan folder, or a plan schema in PostGIS
            plan = load(PATH_OR_DSN.convert(spec, None, None))
        except LzSpatialError as err:
            raise _named(err, side, None, spec) from err
        yield plan, Version(plan.label if dsn else spec, plan.id)  # a DSN is named without its password
        return
    with revision_folder(spec, side=side) as (folder, rev):
        try:
            plan = load(folder)
        except (LzSpatialError, SchemaError) as err:
            raise _named(err, side, folder, spec) from err
        yield plan, Version(spec, plan.id, rev)


def _named(err: Exception, side: str, folder: Path | None, spec: str) -> Exception:
    """Return the error again, naming the side and (for a revision) REV:PATH, not the temp folder."""
    from lzspatial.errors import SchemaError

    def fix(text: str) -> str:
        if folder is not None:
            base = spec if spec.endswith((":", "/")) else spec + "/"
            text = text.replace(str(folder) + "/", base).replace(str(folder), spec)
        return f"{side}: {text}"

    if isinstance(err, SchemaError):
        return SchemaError(fix(str(err)), [fix(p) for p in err.problems])
    return type(err)(fix(str(err)))


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option(
    "--tolerance-m",
    type=click.FloatRange(min=0, max=1e7),
    default=0.0,
    show_default=True,
    help="Metres (EPSG:4550): a geometry within this Hausdorff distance of its old version is unchanged.",
)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Sites to screen against both.",
)
@click.option(
    "--industry", default=None, help="Industry chain the sites are screened for (adds the verdict)."
)
@crs_option("CRS of the sites file")
@click.option(
    "--check/--no-check", default=True, show_default=True, help="Compare the rule checks of A and B."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="table",
    show_default=True,
    help="table: terminal; json: the documented schema (docs/diff.md); geojson: the change "
    "geometries; html: the review map.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of the terminal; - is stdout. html needs a file.",
)
def diff(
    a: str,
    b: str,
    tolerance_m: float,
    sites_file: Path | None,
    industry: str | None,
    crs: str | None,
    check: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Compare two versions of a plan: A (old) and B (new).

    A and B are plan folders, git revisions of a plan folder (REV:PATH, such as
    HEAD~1:layers, read with git from the repository of the current folder, no checkout),
    or plan schemas in PostGIS (postgresql://…?schema=NAME).

    Exit code 0 when nothing changed, 1 when something did (as git diff --exit-code),
    2 for bad input.
    """
    from lzspatial._util.atomic import write_text
    from lzspatial._util.guard import check_outputs
    from lzspatial._util.pause import gc_paused
    from lzspatial._util.text import term_safe

    if out is not None and str(out) == "-":
        out = None
    if fmt == "html" and out is None:
        raise click.UsageError("--format html writes a file: give --out FILE.html")
    check_outputs({"--out": out}, inputs=[sites_file] if sites_file else [])
    sites = None
    if sites_file is not None:
        from lzspatial.screening.sites import read_sites

        sites, _ = read_sites(sites_file, crs=crs)
    from lzspatial.diff.checks import RuleChecks

    with contextlib.ExitStack() as stack:
        plan_a, va = stack.enter_context(_side(a, "A"))
        checks = RuleChecks() if check else None
        if checks is not None:  # A's rule check runs on a worker thread while B loads
            # on an error or Ctrl-C: exit at once (the worker is a daemon thread), B's check not begun
            stack.callback(checks.close, wait=False)
            checks.start("A", plan_a)
        plan_b, vb = stack.enter_context(_side(b, "B"))
        if checks is not None:
            checks.start("B", plan_b)
        from lzspatial.diff.api import diff_plans

        result = diff_plans(
            plan_a,
            plan_b,
            tolerance_m=tolerance_m,
            check=check,
            sites=sites,
            industry=industry,
            versions=(va, vb),
            checks=checks,
        )
    with gc_paused():  # the diff's many kept objects: no collector passes while writing it out
        text = _render(result, fmt, out, plan_a, plan_b)
    if out is not None:
        write_text(out, text or "")
        c = result.counts()
        click.echo(
            term_safe(
                f"wrote {out}: {c['added']} added, {c['removed']} removed, {c['geometry']} geometry, "
                f"{c['attributes']} attribute, {c['basis']} basis change(s)"
            )
        )
    elif text is not None:
        from lzspatial._util.text import json_term_safe

        click.echo(json_term_safe(text) if fmt != "table" else text, nl=False)
    raise SystemExit(1 if result.changed else 0)


def _render(result: PlanDiff, fmt: str, out: Path | None, plan_a: Plan, plan_b: Plan) -> str | None:
    """Return the diff as text in *fmt* (None: a table printed on the terminal already)."""
    import io

    from rich.console import Console

    text: str | None
    if fmt == "table":
        buffer = io.StringIO() if out else None
        console = Console(
            file=buffer,
            width=140 if out else None,
            highlight=False,
            no_color=bool(out),
            force_terminal=False if out else None,
        )
        from lzspatial.diff.table import print_diff

        print_diff(result, console, max_rows=10**9 if out else 200)
        text = buffer.getvalue() if buffer else None
    elif fmt == "json":
        text = result.to_json()
    elif fmt == "geojson":
        from lzspatial.diff.geojson import diff_geojson

        text = diff_geojson(result)
    else:
        from lzspatial.diff.render import render_review_map

        text = render_review_map(result, plan_a, plan_b)
    return text
