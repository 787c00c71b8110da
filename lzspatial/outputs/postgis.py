"""``lzspatial export --format postgis``: the plan into a PostGIS schema, with the QGIS styles.

The tables are written by :func:`lzspatial.store.postgis.write_plan`; this module adds the
styles: the same QML as the GeoPackage export (:func:`lzspatial.outputs.qgis.layer_qml`),
stored in ``public.layer_styles`` so QGIS opens each table styled.
"""

from __future__ import annotations

from lzspatial.crs import parse_crs
from lzspatial.errors import CRSError
from lzspatial.outputs.qgis import layer_qml
from lzspatial.plan.model import Plan, require_plan
from lzspatial.store.postgis import SRID, write_plan

__all__ = ["export_postgis"]


def export_postgis(plan: Plan, dsn: str, *, schema: str | None = None, crs: str | None = None) -> list[str]:
    """Write *plan* into the PostGIS schema of *dsn* (replacing its plan) with QGIS styles.

    Parameters
    ----------
    plan : Plan
        The loaded plan.
    dsn : str
        ``postgresql://…``; credentials also from ``PGPASSWORD``, ``~/.pgpass``, ``PG*``.
    schema : str, optional
        The schema; default the DSN's ``?schema=``, else ``public``.
    crs : str, optional
        Only ``EPSG:4490`` (the storage CRS; the default).

    Returns
    -------
    list of str
        ``schema.table`` of each table written.
    """
    plan = require_plan(plan, "export_postgis")
    if crs is not None and parse_crs(crs) != f"EPSG:{SRID}":
        raise CRSError(f"`crs='{crs}'`: the postgis format stores EPSG:{SRID} (CGCS2000 lon/lat); omit --crs")
    styles = {
        name: layer_qml(
            plan.element(name),
            geom_type=plan[name].geometry.geom_type.iloc[0],
            vocabularies=plan.vocabularies,
        )
        for name in plan.layer_names
    }
    return write_plan(plan, dsn, schema=schema, styles=styles)
