"""``lzspatial import``: bring a layer edited in QGIS or ArcGIS back into a plan folder.

Only click and the standard library are imported at module level.
"""

from __future__ import annotations

from pathlib import Path

import click

from lzspatial.cli.options import crs_option, load

__all__ = ["import_cmd"]


_HELP = (
    "Bring an edited layer (GeoPackage, Shapefile, File Geodatabase, GeoJSON) back into a plan.\n\n"
    "Ids are kept; GIS columns (fid, OBJECTID, Shape_Length...) are dropped; list fields are "
    "restored; features added, removed, moved and re-attributed are listed. New or moved geometry "
    "needs --basis and --source. The whole plan is validated before the layer file is replaced; "
    "SRC is never modified."
)


@click.command("import", help=_HELP)
@click.argument("src", type=click.Path(path_type=Path))
@click.option(
    "--into",
    "plan_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The plan folder to update (its layer file is replaced after the whole plan validates).",
)
@click.option("--layer", default=None, metavar="NAME", help="Plan layer (default: the source layer's name).")
@click.option(
    "--map-fields",
    default=None,
    metavar="A=B,...",
    help="Source column A holds plan field B (e.g. 名称=name_zh).",
)
@crs_option("CRS of SRC when it states none (it is reprojected to the plan's EPSG:4326)")
@click.option(
    "--basis",
    type=click.Choice(("sourced", "derived", "schematic")),
    default=None,
    help="geometry_basis of new and moved features (required when there are any).",
)
@click.option("--source", default=None, metavar="TEXT", help="source (citation) of new and moved features.")
@click.option("--dry-run", is_flag=True, help="Report the changes; write nothing.")
def import_cmd(
    src: Path,
    plan_dir: Path,
    layer: str | None,
    map_fields: str | None,
    crs: str | None,
    basis: str | None,
    source: str | None,
    dry_run: bool,
) -> None:
    """Bring an edited layer back into a plan (see ``_HELP``)."""
    from lzspatial._util.text import term_safe
    from lzspatial.outputs.plan_import import import_layer

    plan = load(plan_dir)
    report = import_layer(
        plan,
        src,
        layer=layer,
        map_fields=map_fields,
        crs=crs,
        basis=basis,
        source=source,
        dry_run=dry_run,
    )
    for line in report.lines():
        click.echo(term_safe(line))
    if report.written is not None:
        click.echo(term_safe(f"wrote {report.written}"))
