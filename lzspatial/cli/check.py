"""The ``lzspatial check`` command (imports only click at top level)."""

from __future__ import annotations

from pathlib import Path

import click

from lzspatial.cli.options import load, plan_dir_argument

__all__ = ["check"]


@click.command()
@plan_dir_argument
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Rule file to use instead of the plan folder's rules.toml.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "geojson"]),
    default="table",
    show_default=True,
    help="table: rich, grouped by severity; json: summary and violations; "
    "geojson: violations as RFC 7946 GeoJSON.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the output to this file (atomically) instead of the terminal; - is stdout.",
)
def check(plan_dir: Path | None, rules_file: Path | None, fmt: str, out: Path | None) -> None:
    """Check a plan against its rules.

    Exit code 0 when no error-severity violation is found, 1 when any is,
    2 for bad input (plan, rules or options).
    """
    import io

    from rich.console import Console

    from lzspatial._util.atomic import write_text
    from lzspatial._util.guard import check_outputs
    from lzspatial._util.text import term_safe
    from lzspatial.rules.engine import check_plan

    plan = load(plan_dir)
    check_outputs({"--out": out}, inputs=[rules_file] if rules_file else [])
    report = check_plan(plan, rules_file)
    if out is not None and str(out) == "-":
        out = None
    if fmt == "table":
        buffer = io.StringIO() if out else None
        console = Console(
            file=buffer,
            width=140 if out else None,
            highlight=False,
            no_color=bool(out),
            force_terminal=False if out else None,
        )
        report.print_table(console, max_rows=10**9 if out else 200, more_hint="use --format json")
        text = buffer.getvalue() if buffer else None
    else:
        text = report.to_json() if fmt == "json" else report.to_geojson()
    if out is not None:
        write_text(out, text or "")
        t = report.totals()
        click.echo(
            term_safe(
                f"wrote {out}: {t['error']} error(s), {t['warning']} warning(s), "
                f"{t['info']} info, {t['accepted']} accepted"
            )
        )
    elif text is not None:
        click.echo(text, nl=False)  # JSON text: control characters are already \u-escaped
    if report.has_errors:
        raise SystemExit(1)
