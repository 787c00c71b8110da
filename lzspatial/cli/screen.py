"""The ``screen``, ``report`` and ``indicators`` commands (imported lazily by the CLI).

Only click and the standard library are imported at module level; the heavy
work lives in :mod:`lzspatial.screening`, :mod:`lzspatial.sites`,
:mod:`lzspatial.report` and :mod:`lzspatial.indicators`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from lzspatial._util.guard import check_outputs
from lzspatial.cli.options import PATH_OR_DSN, crs_option, load, plan_dir_argument, plan_option

__all__ = ["indicators", "report", "screen"]

#: Largest number of sites drawn on a --map.
MAP_LIMIT = 100_000
#: Largest number of sites in one report.
REPORT_LIMIT = 500
#: Show a progress bar from this many sites on.
PROGRESS_FROM = 200_000


def _site_options(f: Any) -> Any:
    opts = [
        plan_option,
        crs_option("CRS of the coordinates (default EPSG:4326)"),
        click.option("--lon", default=None, metavar="COL", help="CSV longitude column (default: detected)."),
        click.option("--lat", default=None, metavar="COL", help="CSV latitude column (default: detected)."),
        click.option(
            "--x", "x_col", default=None, metavar="COL", help="CSV easting column (projected --crs)."
        ),
        click.option(
            "--y", "y_col", default=None, metavar="COL", help="CSV northing column (projected --crs)."
        ),
        click.option("--layer", default=None, help="Layer of a multi-layer GeoPackage."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _echo(text: str, err: bool = False) -> None:
    from lzspatial._util.text import term_safe

    click.echo(term_safe(text), err=err)


@click.command()
@click.argument("sites", type=PATH_OR_DSN)
@_site_options
@click.option("--industry", default=None, help="Industry chain (key or label) for a siting verdict.")
@click.option(
    "--out",
    "out",
    type=PATH_OR_DSN,
    default=None,
    help="Results file: .csv, .geojson, .gpkg or .parquet (GeoParquet: snappy, row groups of "
    "250,000 rows); or postgresql://…?table=NAME.",
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write a results map (HTML): the plan plus the sites, coloured by verdict.",
)
@click.option("--skip-invalid", is_flag=True, help="Write bad rows to a rejects file and go on.")
@click.option(
    "--rejects",
    type=click.Path(path_type=Path),
    default=None,
    help="Rejects file (CSV); default OUT.rejects.csv, or SITES-stem.rejects.csv here.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: screen a folder or glob of GeoParquet/CSV files on a Dask cluster into a folder "
    "of GeoParquet files (--out); needs the extra lzspatial[dask].",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="dask: connect to a running scheduler (tcp://host:8786) instead of starting a local cluster.",
)
@click.option(
    "--workers", type=int, default=None, help="dask: worker processes of the local cluster (default 2)."
)
@click.option(
    "--threads-per-worker",
    type=int,
    default=1,
    show_default=True,
    help="dask: threads per worker process of the local cluster.",
)
def screen(
    sites: Path,
    plan_dir: Path | None,
    crs: str | None,
    lon: str | None,
    lat: str | None,
    x_col: str | None,
    y_col: str | None,
    layer: str | None,
    industry: str | None,
    out: Path | None,
    map_path: Path | None,
    skip_invalid: bool,
    rejects: Path | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    threads_per_worker: int,
) -> None:
    """Screen candidate sites against the plan: zone, core, park, control lines, distances, verdict.

    SITES is a CSV (lon/lat, or x/y with --crs), GeoJSON, GeoPackage, GeoParquet or 国土TXT file.
    CSV input is streamed in chunks of 250,000 rows (read, screened and written on their own
    threads), so memory stays bounded for any number of rows; a GeoParquet --out gets one
    row group per chunk, snappy-compressed. Bad rows stop the run with their line numbers,
    unless --skip-invalid.

    SITES may be a PostGIS table, postgresql://…/DB?table=NAME (read in chunks through a
    server-side cursor); --out postgresql://…/DB?table=NAME then writes the results to a table.

    With --engine dask, SITES is a folder or glob of GeoParquet or CSV files (one partition
    each) and --out a folder that receives one GeoParquet file per partition.
    """
    if isinstance(sites, str) or isinstance(out, str):
        _screen_database(
            sites,
            out,
            plan_dir,
            industry,
            {
                "--crs": crs,
                "--lon": lon,
                "--lat": lat,
                "--x": x_col,
                "--y": y_col,
                "--layer": layer,
                "--map": map_path,
                "--skip-invalid": skip_invalid or None,
                "--rejects": rejects,
            },
        )
        return
    from lzspatial.errors import InputError

    if engine == "dask":
        _screen_dask(
            str(sites),
            plan_dir,
            crs,
            {"lon": lon, "lat": lat, "x": x_col, "y": y_col},
            industry,
            out,
            map_path,
            skip_invalid,
            scheduler,
            workers,
            threads_per_worker,
        )
        return
    for flag, value in (("--scheduler", scheduler), ("--workers", workers)):
        if value is not None:
            raise InputError(f"{flag} applies to --engine dask only")
    _one_malloc_arena()
    from lzspatial.rules.siting import parse_industry
    from lzspatial.screening.sites import FORMATS, ResultWriter

    fmt = FORMATS.get(sites.suffix.lower())
    if fmt is None:
        raise InputError(f"{sites}: unknown input format {sites.suffix!r}; use one of {', '.join(FORMATS)}")
    _check_input(sites)
    from lzspatial.screening.sites import check_layer_option

    check_layer_option(sites, layer)
    rejects = rejects or (
        out.with_name(out.stem + ".rejects.csv") if out else Path(sites.stem + ".rejects.csv")
    )
    plan = load(plan_dir)
    check_outputs({"--out": out, "--map": map_path, "--rejects": rejects if skip_invalid else None})
    if industry is not None:
        industry = parse_industry(plan, industry)
    writer = ResultWriter(out) if out is not None else None
    names = {"lon": lon, "lat": lat, "x": x_col, "y": y_col}
    try:
        if fmt == "csv" and map_path is None:
            summary, rows = _screen_csv(sites, plan, industry, crs, names, writer, skip_invalid)
        else:
            summary, rows, frame = _screen_file(
                sites, plan, industry, crs, names, layer, writer, skip_invalid
            )
            if map_path is not None:
                _write_map(plan, frame, map_path)
        if rows.bad and not skip_invalid:
            rows.raise_if_bad()
        if not summary.sites and not rows.bad:
            raise InputError(f"{sites}: no sites (the file has {_nothing(sites)})")
        if writer is not None:
            writer.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if rows.bad:
        _write_rejects(rows, rejects)
        _echo(f"lzspatial: {len(rows.bad)} bad row(s) skipped; written to {rejects}", err=True)
    _print_summary(summary, out)


def _one_malloc_arena() -> None:
    """Have glibc's malloc serve every thread of this process from one arena (``M_ARENA_MAX``).

    The CSV stream reads, screens and writes on their own threads; glibc gives each new thread
    an arena of its own (up to 8 per core) and keeps what is freed in it for that arena, so the
    same work held about 150 MB more (10^7 rows: 630 MB peak against 480 MB), for no speed.
    Not done when ``MALLOC_ARENA_MAX`` is set, nor where the C library has no ``mallopt``.
    """
    import os

    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library symbols, or not glibc
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mallopt(-8, 1)  # M_ARENA_MAX (malloc.h)


def _screen_database(
    sites: Any, out: Any, plan_dir: Any, industry: str | None, others: dict[str, Any]
) -> None:
    """``screen postgresql://…?table=SITES [--out postgresql://…?table=RESULTS]``."""
    if not isinstance(sites, str) or (out is not None and not isinstance(out, str)):
        raise click.UsageError(
            "a PostGIS site table writes its results to a table: SITES and --out are both postgresql://…"
        )
    given = [k for k, v in others.items() if v is not None]
    if given:
        raise click.UsageError(f"{given[0]} is for site files; a PostGIS table carries its own CRS")
    from lzspatial.rules.siting import parse_industry
    from lzspatial.screening.pg import screen_table
    from lzspatial.store.pg import parse_dsn

    plan = load(plan_dir)
    if industry is not None:
        industry = parse_industry(plan, industry)
    with _progress(None) as bar:
        task = bar.add_task("screen", total=None) if bar is not None else None
        summary = screen_table(
            sites,
            plan,
            industry=industry,
            out=out,
            progress=(lambda k: bar.advance(task, k)) if bar is not None else None,
        )
    _print_summary(summary, parse_dsn(out).shown if out is not None else None)


def _screen_dask(
    sites: str,
    plan_dir: Path | None,
    crs: str | None,
    names: dict[str, Any],
    industry: str | None,
    out: Path | None,
    map_path: Path | None,
    skip_invalid: bool,
    scheduler: str | None,
    workers: int | None,
    threads_per_worker: int,
) -> None:
    """Run ``screen --engine dask``: files in, a folder of GeoParquet partitions out."""
    from lzspatial.errors import InputError
    from lzspatial.screening.dask import require_dask

    require_dask()
    if out is None:
        raise InputError("--engine dask writes a folder of GeoParquet files: give it with --out FOLDER")
    if map_path is not None or skip_invalid:
        raise InputError("--engine dask takes neither --map nor --skip-invalid (bad rows stop the job)")
    if scheduler is not None and workers is not None:
        raise InputError("give --scheduler (a running cluster) or --workers (a local one), not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    from lzspatial.rules.siting import parse_industry
    from lzspatial.screening.dask import expand_sources, screen_files
    from lzspatial.screening.stream import StreamSummary

    files, _ = expand_sources(sites)
    check_outputs({"--out": out}, inputs=files, folders=["--out"])
    plan = load(plan_dir)
    if industry is not None:
        industry = parse_industry(plan, industry)
    res = screen_files(
        sites,
        out,
        plan,
        industry,
        scheduler=scheduler,
        workers=workers,
        threads_per_worker=threads_per_worker,
        crs=crs,
        **names,
    )
    summary = StreamSummary(sites=res["sites"], counts=res["counts"])
    _print_summary(summary, out)


def _check_input(path: Path) -> None:
    """Refuse a missing input file with a one-line InputError."""
    from lzspatial.errors import InputError
    from lzspatial.io.limits import check_regular

    check_regular(path, InputError)


def _nothing(path: Path) -> str:
    """Return what an input with no sites holds, for the error message."""
    from lzspatial.screening.sites import FORMATS

    fmt = FORMATS.get(path.suffix.lower())
    return "a header but no rows" if fmt == "csv" else "no features" if fmt == "geojson" else "no rows"


def _progress(total: int | None) -> Any:
    """Return a rich progress bar on stderr for long runs (a no-op context otherwise)."""
    import contextlib

    if total is not None and total < PROGRESS_FROM:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


def _shows_progress() -> bool:
    """Whether :func:`_progress` draws a bar (stderr is a terminal, as rich sees it)."""
    from rich.console import Console

    return Console(stderr=True).is_terminal


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            n += block.count(b"\n")
    return max(n - 1, 0)


def _screen_csv(
    sites: Path,
    plan: Any,
    industry: str | None,
    crs: str | None,
    names: dict[str, Any],
    writer: Any,
    skip_invalid: bool,
) -> tuple[Any, Any]:
    """Stream a CSV through :func:`lzspatial.screening.stream.screen_csv`, with a progress bar."""
    from lzspatial.screening.stream import screen_csv

    # the bar's total costs a pass over the file: only for a bar that shows (stderr a terminal)
    total = _count_lines(sites) if sites.stat().st_size > 8 << 20 and _shows_progress() else None
    with _progress(total) as bar:
        task = bar.add_task("screen", total=total) if bar is not None else None
        return screen_csv(
            sites,
            plan,
            industry=industry,
            crs=crs,
            writer=writer,
            skip_invalid=skip_invalid,
            progress=(lambda k: bar.advance(task, k)) if bar is not None else None,
            **names,
        )


def _screen_file(
    sites: Path,
    plan: Any,
    industry: str | None,
    crs: str | None,
    names: dict[str, Any],
    layer: str | None,
    writer: Any,
    skip_invalid: bool,
) -> tuple[Any, Any, Any]:
    """Read a whole file, screen it, write it."""
    from lzspatial.screening.engine import screen as screen_sites
    from lzspatial.screening.sites import RowLog, read_sites

    gdf, rejects = read_sites(sites, crs=crs, skip_invalid=skip_invalid, layer=layer, **names)
    rows = RowLog(sites, _what(sites))
    rows.bad = [(int(r), str(p)) for r, p in zip(rejects.index, rejects["problem"], strict=True)]
    rows.frames = [rejects.drop(columns=["problem"])]
    from lzspatial.screening.stream import check_site_columns

    check_site_columns(gdf, plan, industry, sites)
    with _progress(len(gdf)) as bar:
        task = bar.add_task("screen", total=len(gdf)) if bar is not None else None
        out = screen_sites(
            gdf, plan, industry, progress=(lambda k: bar.advance(task, k)) if bar is not None else None
        )
    from lzspatial.screening.stream import StreamSummary, tally

    summary = StreamSummary()
    tally(summary, out)
    if writer is not None:
        writer.write(out)
    return summary, rows, out


def _what(path: Path) -> str:
    from lzspatial.screening.sites import FORMATS

    fmt = FORMATS.get(path.suffix.lower())
    return {"csv": "line", "geojson": "feature", "gktxt": "parcel"}.get(fmt or "", "row")


#: Summary labels of sites in no zone: in the core, or outside every zone and the core.


def _write_rejects(rows: Any, path: Path) -> None:
    from lzspatial._util.atomic import write_bytes
    from lzspatial.io.csv import CSV_ENCODING, guard_frame

    frame = guard_frame(rows.rejects().reset_index())
    write_bytes(path, frame.to_csv(index=False, lineterminator="\n").encode(CSV_ENCODING))


def _print_summary(summary: Any, out: Path | str | None) -> None:
    from lzspatial.plan.labels import verdict_label

    _echo(f"screened {summary.sites:,} site(s)" + (f"; results in {out}" if out else ""))
    for col, title in (("zone_id", "by zone"), ("verdict", "by verdict")):
        if col in summary.counts:
            items = sorted(summary.counts[col].items())
            if col == "verdict":  # the wording of the map legend and the report
                items = [(f"{verdict_label(k)[0]} {k}", v) for k, v in items]
            parts = ", ".join(f"{k}: {v:,}" for k, v in items)
            _echo(f"  {title}: {parts}")


def _write_map(plan: Any, frame: Any, path: Path) -> None:
    from lzspatial.errors import InputError

    if len(frame) > MAP_LIMIT:
        raise InputError(
            f"--map: {len(frame):,} sites is too many for a web map (limit {MAP_LIMIT:,}); "
            "screen a subset for the map"
        )
    from lzspatial.outputs.webmap import build_map, save_map

    m = build_map(plan, sites=frame.to_crs("EPSG:4326"))
    save_map(m, path)


@click.command()
@click.argument("sites", type=click.Path(path_type=Path))
@_site_options
@click.option("--industry", required=True, help="Industry chain (key or label) the sites are for.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The report: .html, or .pdf (A4, page numbers); - writes the HTML to stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"], case_sensitive=False),
    default=None,
    help="Report format (default: from the suffix of --out; html otherwise).",
)
@click.option("--report-no", default=None, help="PDF: report number (default: plan id, industry, checksum).")
@click.option("--date", default=None, help="PDF: report date (default: SOURCE_DATE_EPOCH, else today).")
def report(
    sites: Path,
    plan_dir: Path | None,
    crs: str | None,
    lon: str | None,
    lat: str | None,
    x_col: str | None,
    y_col: str | None,
    layer: str | None,
    industry: str,
    out: Path,
    fmt: str | None,
    report_no: str | None,
    date: str | None,
) -> None:
    """Write a printable compliance report (合规性审查), one section per site, as HTML or PDF.

    The PDF starts with a summary of every site and the report's metadata and sign-off
    fields, then gives each site one A4 page.
    """
    from lzspatial.errors import InputError
    from lzspatial.outputs.report import render_report, write_report
    from lzspatial.rules.siting import parse_industry
    from lzspatial.screening.engine import screen as screen_sites
    from lzspatial.screening.sites import read_sites

    _check_input(sites)
    fmt = (fmt or ("pdf" if out.suffix.lower() == ".pdf" else "html")).lower()
    plan = load(plan_dir)
    check_outputs({"--out": out})
    industry = parse_industry(plan, industry)
    gdf, _ = read_sites(sites, crs=crs, lon=lon, lat=lat, x=x_col, y=y_col, layer=layer)
    if len(gdf) > REPORT_LIMIT:
        raise InputError(
            f"{sites}: {len(gdf):,} sites; a report takes at most {REPORT_LIMIT} "
            "(use `lzspatial screen` for bulk screening)"
        )
    results = screen_sites(gdf, plan, industry)
    if fmt == "pdf":
        from lzspatial.outputs.report_pdf import render_report_pdf, write_report_pdf

        if str(out) == "-":
            raise InputError("--out -: a PDF report is written to a file, not to stdout")
        write_report_pdf(render_report_pdf(results, plan, industry, report_no=report_no, date=date), out)
        _echo(f"wrote a report on {len(results)} site(s) to {out}")
        return
    html = render_report(results, plan, industry)
    if str(out) == "-":
        click.echo(html, nl=False)
        return
    write_report(html, out)
    _echo(f"wrote a report on {len(results)} site(s) to {out}")


@click.command()
@plan_dir_argument
@click.option(
    "--projects",
    type=click.Path(path_type=Path),
    default=None,
    help="Projects file (points with status, industry, investment_rmb): progress against targets.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@crs_option("CRS of the projects' coordinates (default EPSG:4326)")
@click.option(
    "--cumulative/--no-cumulative",
    default=True,
    show_default=True,
    help="Count an operating project also as landed and signed, a landed one as signed "
    "(resumed projects count as resumed only); --no-cumulative counts each status alone.",
)
def indicators(
    plan_dir: Path | None, projects: Path | None, fmt: str, crs: str | None, cumulative: bool
) -> None:
    """Plan indicators: areas, towns and parks per zone, axes, and project progress against the targets."""
    from lzspatial.screening.indicators import format_csv, format_json, format_table
    from lzspatial.screening.indicators import indicators as compute

    plan = load(plan_dir)
    data = compute(plan, projects, crs=crs, cumulative=cumulative)
    from lzspatial._util.text import json_term_safe, term_safe_lines

    if fmt == "json":  # the same JSON value, with bidi and separator characters \u-escaped
        sys.stdout.write(json_term_safe(format_json(data)))
    elif fmt == "csv":
        text = format_csv(data)
        sys.stdout.write(term_safe_lines(text) if sys.stdout.isatty() else text)
    else:
        format_table(data)
