"""The plan store: a plan kept in PostGIS, shared by a team and edited in QGIS.

:func:`write_plan` writes a plan into a schema; :func:`read_plan` (what
``lzspatial.load_plan`` calls for a ``postgresql://…?schema=NAME``) reads it back. psycopg 3 is the
``postgis`` extra (``pip install 'lzspatial[postgis]'``).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.store.pg import is_dsn, parse_dsn
    from lzspatial.store.postgis import read_plan, write_plan

_EXPORTS = {
    "is_dsn": "lzspatial.store.pg",
    "parse_dsn": "lzspatial.store.pg",
    "read_plan": "lzspatial.store.postgis",
    "write_plan": "lzspatial.store.postgis",
}
__all__ = ["is_dsn", "parse_dsn", "read_plan", "write_plan"]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
