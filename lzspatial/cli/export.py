"""``lzspatial export``: the plan's layers as GeoJSON, GeoPackage, CSV or 国土TXT.

Only click and the standard library are imported at module level; the
export machinery (geopandas, pyogrio) is imported when the command runs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from lzspatial.cli.options import cli_message, crs_option, load, plan_dir_argument
from lzspatial.outputs.formats import (
    DATABASE_FORMATS,
    DESCRIPTIONS,
    ENCODINGS,
    FORMAT_CRS,
    FORMATS,
    NEWLINES,
)

__all__ = ["export"]


_HELP = "Export the plan's layers for GIS software and land submissions.\n\n\b\n" + "\n".join(
    f"{name:<8} {text}" for name, text in {**DESCRIPTIONS, **DATABASE_FORMATS}.items()
)


@click.command("export", help=_HELP)
@plan_dir_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*FORMATS, *DATABASE_FORMATS), case_sensitive=False),
    default="geojson",
    show_default=True,
    help="Output format.",
)
@crs_option(
    "Output CRS (default EPSG:4326; gktxt is always EPSG:4529; a bare code such as 4550 works)",
    tuple(dict.fromkeys(c for f in FORMATS for c in FORMAT_CRS[f])),
)
@click.option(
    "--layers",
    default=None,
    metavar="A,B",
    help="Comma-separated layer names (default: every layer the format holds).",
)
@click.option(
    "--precision",
    type=int,
    default=None,
    metavar="N",
    help="Decimals of coordinates (default 6 for degrees, 3 for metres).",
)
@click.option(
    "--date",
    default=None,
    metavar="YYYY-MM-DD",
    help="gktxt: 数据产生日期 (default SOURCE_DATE_EPOCH, else the plan's source date).",
)
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS, case_sensitive=False),
    default=None,
    help="gktxt, shp: text encoding (default utf-8; gbk for ArcGIS 10.x and older 国土 systems).",
)
@click.option("--zip", "zipped", is_flag=True, help="shp: one <layer>.zip per layer.")
@click.option("--producer", default=None, metavar="TEXT", help="gktxt: 数据产生单位 (default lzspatial).")
@click.option(
    "--newline",
    type=click.Choice(tuple(NEWLINES), case_sensitive=False),
    default=None,
    help="gktxt: line ends (default crlf with --encoding gbk, else lf).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (created if missing); not for postgis.",
)
@click.option(
    "--dsn",
    default=None,
    metavar="postgresql://…",
    help="postgis: the database (password from PGPASSWORD or ~/.pgpass rather than the URI).",
)
@click.option(
    "--schema", default=None, metavar="NAME", help="postgis: the schema (default ?schema= or public)."
)
def export(
    plan_dir: Path | None,
    fmt: str,
    crs: str | None,
    layers: str | None,
    precision: int | None,
    date: str | None,
    encoding: str | None,
    zipped: bool,
    producer: str | None,
    newline: str | None,
    out_dir: Path | None,
    dsn: str | None,
    schema: str | None,
) -> None:
    """Export the plan's layers for GIS software and land submissions (see ``_HELP``)."""
    from lzspatial._util.text import term_safe
    from lzspatial.outputs.export import export_plan

    if fmt.lower() in DATABASE_FORMATS:
        _export_database(plan_dir, fmt.lower(), crs, dsn, schema, out_dir, layers)
        return
    if out_dir is None:
        raise click.UsageError("Missing option '--out'.")
    if dsn is not None or schema is not None:
        raise click.UsageError("--dsn and --schema are for --format postgis; files go to --out.")
    plan = load(plan_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = export_plan(
            plan,
            out_dir,
            fmt=fmt.lower(),
            crs=crs,
            layers=layers,
            precision=precision,
            date=date,
            encoding=encoding.lower() if encoding else None,
            zipped=zipped,
            producer=producer,
            newline=newline.lower() if newline else None,
        )
    shown = [w for w in caught if issubclass(w.category, (UserWarning, RuntimeWarning))]
    for message in dict.fromkeys(str(w.message) for w in shown):
        click.echo(term_safe(f"lzspatial: warning: {cli_message(message)}"), err=True)
    total = 0
    for path in written:
        size = path.stat().st_size
        total += size
        click.echo(term_safe(f"{path}  ({size:,} bytes)"))
    click.echo(term_safe(f"wrote {len(written)} file(s), {total:,} bytes, into {out_dir}"))


def _export_database(
    plan_dir: Path | None,
    fmt: str,
    crs: str | None,
    dsn: str | None,
    schema: str | None,
    out_dir: Path | None,
    layers: str | None,
) -> None:
    """``--format postgis``: write the plan into the schema of ``--dsn``."""
    from lzspatial._util.text import term_safe

    if dsn is None:
        raise click.UsageError(f"--format {fmt} needs --dsn postgresql://[user@]host[:port]/dbname.")
    if out_dir is not None or layers is not None:
        raise click.UsageError(f"--format {fmt} writes every layer into --dsn; drop --out and --layers.")
    from lzspatial.store.pg import parse_dsn

    shown = parse_dsn(dsn).shown  # also refuses a DSN that is not postgresql://
    plan = load(plan_dir)
    from lzspatial.outputs.postgis import export_postgis

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables = export_postgis(plan, dsn, schema=schema, crs=crs)
    for w in caught:
        if issubclass(w.category, UserWarning):
            click.echo(term_safe(f"lzspatial: warning: {w.message}"), err=True)
    for table in tables:
        click.echo(term_safe(table))
    click.echo(term_safe(f"wrote {len(tables)} table(s) into {shown}"))
