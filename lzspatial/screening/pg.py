"""Screening sites kept in a PostGIS table, results written back to a table.

``lzspatial screen "postgresql://…/db?table=sites" --out "postgresql://…/db?table=sites_screened"``
runs :func:`screen_table`: the sites are read in chunks through a server-side cursor in one
REPEATABLE READ, read-only transaction (memory stays bounded), each chunk is screened with
:func:`~lzspatial.screening.engine.screen_xy` (points) or
:func:`~lzspatial.screening.engine.screen` (polygons), and the results are copied (COPY) into
the output table: every column of the site table as it is, then the screening columns.

The output table is created in one transaction and committed at the end: a failure leaves the
table it replaces (if any) as it was. Only a table lzspatial wrote is replaced (its comment says
so); the input table never is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lzspatial.errors import InputError
from lzspatial.plan.model import Plan, require_plan
from lzspatial.screening.engine import screen, screen_xy
from lzspatial.screening.stream import StreamSummary, tally
from lzspatial.store.pg import Dsn, connect, db_error, parse_dsn, require_psycopg

__all__ = ["TABLE_CHUNK", "screen_table"]

#: Sites per chunk read from the server-side cursor.
TABLE_CHUNK = 200_000
#: The comment that marks a results table (only such a table is ever replaced).
_MARK = "lzspatial screening results"
#: Point SRIDs screen_xy takes as they are (others are transformed to EPSG:4326 by the server).
_DIRECT = {4326: "EPSG:4326", 4490: "EPSG:4490", 4550: "EPSG:4550", 4529: "EPSG:4529"}


def _sql() -> Any:
    require_psycopg()
    from psycopg import sql

    return sql


def _table_dsn(value: str, what: str) -> Dsn:
    d = parse_dsn(value)
    if d.table is None:
        raise InputError(f"{d.shown}: {what}: name the table with ?table=NAME (or ?table=schema.name)")
    return d


def _geometry(cur: Any, d: Dsn) -> tuple[str, int, str]:
    cur.execute(
        "SELECT f_geometry_column, srid, type FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s ORDER BY f_geometry_column",
        (d.schema, d.table),
    )
    rows = cur.fetchall()
    if not rows:
        cur.execute("SELECT to_regclass(%s)", (f'"{d.schema}"."{d.table}"',))
        found = cur.fetchone()
        if found is None or found[0] is None:
            raise InputError(f"{d.shown}: table {d.label(d.table)} not found")
        raise InputError(f"{d.label(d.table)}: field 'geometry': the table has no geometry column")
    name, srid, gtype = rows[0]
    return str(name), int(srid), str(gtype).upper()


def _site_columns(cur: Any, d: Dsn) -> list[tuple[str, str]]:
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (f'"{d.schema}"."{d.table}"',),
    )
    return [(str(n), str(t)) for n, t in cur.fetchall()]


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    return "text"


class _Out:
    """The results table: created on the first chunk, filled by COPY, committed by :meth:`close`."""

    def __init__(self, d: Dsn, source: Dsn) -> None:
        if (d.schema, d.table) == (source.schema, source.table) and d.conninfo == source.conninfo:
            raise InputError(f"{d.shown}: the output table is the input table; name another ?table=")
        self.d = d
        self.conn = connect(d)
        self.cur = self.conn.cursor()
        self.started = False
        self.columns: list[str] = []

    def start(self, site_cols: list[tuple[str, str]], res: pd.DataFrame) -> None:
        sql = _sql()
        d, cur = self.d, self.cur
        taken = {n for n, _ in site_cols}
        clash = [c for c in res.columns if c in taken]
        if clash:
            raise InputError(
                f"{self.d.label(self.d.table)}: the site table has a column {clash[0]!r} that "
                "screening adds; rename it or select the other columns into a view"
            )
        cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (f'"{d.schema}"."{d.table}"',))
        found = cur.fetchone()
        cur.execute("SELECT to_regclass(%s)", (f'"{d.schema}"."{d.table}"',))
        exists = cur.fetchone()
        if exists is not None and exists[0] is not None and (found is None or found[0] != _MARK):
            raise InputError(
                f"{d.shown}: table {d.label(d.table)} exists and does not hold lzspatial screening "
                "results; not replaced: name another ?table="
            )
        cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(d.schema)))
        cur.execute(
            sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(d.schema), sql.Identifier(d.table))
        )
        cols = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in site_cols]
        cols += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_sql_type(res[c]))) for c in res.columns]
        cur.execute(
            sql.SQL("CREATE TABLE {}.{} ({})").format(
                sql.Identifier(d.schema), sql.Identifier(d.table), sql.SQL(", ").join(cols)
            )
        )
        cur.execute(
            sql.SQL("COMMENT ON TABLE {}.{} IS {}").format(
                sql.Identifier(d.schema), sql.Identifier(d.table), sql.Literal(_MARK)
            )
        )
        self.columns = [*(n for n, _ in site_cols), *res.columns]
        self.started = True

    def write(self, site_rows: list[tuple[Any, ...]], res: pd.DataFrame) -> None:
        """COPY one chunk: the site columns (their text forms) and the results, as CSV made by Arrow.

        In PostgreSQL's CSV format an unquoted empty field is NULL and ``""`` an empty string;
        Arrow quotes every string and writes nulls (and NaN) as empty fields.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        sql = _sql()
        arrays = [pa.array([r[i] for r in site_rows], pa.string()) for i in range(len(site_rows[0]))]
        for c in res.columns:
            col = res[c]
            if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object:
                arrays.append(pa.array(col.astype(object).where(col.notna(), None).tolist(), pa.string()))
            else:
                arrays.append(pa.array(col.to_numpy(), from_pandas=True))
        table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(include_header=False))
        target = sql.SQL("COPY {}.{} ({}) FROM STDIN (FORMAT csv)").format(
            sql.Identifier(self.d.schema),
            sql.Identifier(self.d.table),
            sql.SQL(", ").join(sql.Identifier(c) for c in self.columns),
        )
        with self.cur.copy(target) as copy:
            copy.write(sink.getvalue().to_pybytes())

    def close(self, geom: str) -> None:
        sql = _sql()
        self.cur.execute(
            sql.SQL("CREATE INDEX ON {}.{} USING GIST ({})").format(
                sql.Identifier(self.d.schema), sql.Identifier(self.d.table), sql.Identifier(geom)
            )
        )
        self.conn.commit()
        self.conn.close()

    def abort(self) -> None:
        self.conn.rollback()
        self.conn.close()


def screen_table(
    sites: str,
    plan: Plan,
    *,
    industry: str | None = None,
    out: str | None = None,
    chunksize: int = TABLE_CHUNK,
    progress: Callable[[int], Any] | None = None,
) -> StreamSummary:
    """Screen the sites of a PostGIS table, optionally writing the results into another table.

    Parameters
    ----------
    sites : str
        ``postgresql://…/db?table=NAME`` (or ``?table=schema.name``): a table (or view) with one
        geometry column of points or polygons, in any SRID PostGIS knows.
    plan : Plan
        The loaded plan.
    industry : str, optional
        An industry chain key (already parsed): adds the verdict columns.
    out : str, optional
        ``postgresql://…/db?table=NAME``: the results table (every site column, then the
        screening columns), created or replaced in one transaction.
    chunksize : int
        Rows per fetch from the server-side cursor.
    progress : callable, optional
        Called with the number of sites of each chunk.

    Returns
    -------
    StreamSummary
        The counts per zone and per verdict.

    Raises
    ------
    InputError
        The server cannot be reached, the table is missing or has no geometry column, a site
        has no geometry (the message names the table, the row's first column and the field), or
        the output is the input or a table lzspatial did not write.
    """
    psycopg = require_psycopg()

    plan = require_plan(plan, "screen_table")
    src = _table_dsn(sites, "sites")
    dst = _table_dsn(out, "--out") if out is not None else None
    sql = _sql()
    summary = StreamSummary()
    label = src.label(src.table)
    with connect(src) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        writer = _Out(dst, src) if dst is not None else None
        try:
            with conn.transaction():
                with conn.cursor() as cur:
                    geom, srid, gtype = _geometry(cur, src)
                    site_cols = _site_columns(cur, src)
                points = gtype == "POINT"
                g = sql.Identifier(geom)
                if points and srid in _DIRECT:
                    xy = sql.SQL("ST_X({g}), ST_Y({g})").format(g=g)
                    crs = _DIRECT[srid]
                elif points:
                    xy = sql.SQL("ST_X(ST_Transform({g}, 4326)), ST_Y(ST_Transform({g}, 4326))").format(g=g)
                    crs = "EPSG:4326"
                else:
                    xy = sql.SQL("ST_AsBinary({g}), ST_SRID({g})").format(g=g)
                    crs = ""
                query = sql.SQL("SELECT {}, {} FROM {}.{}").format(
                    sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(n)) for n, _ in site_cols),
                    xy,
                    sql.Identifier(src.schema),
                    sql.Identifier(src.table),
                )
                ncol = len(site_cols)
                key = site_cols[0][0]
                with conn.cursor(name="lzspatial_sites") as cur:
                    cur.itersize = chunksize
                    cur.execute(query)
                    while rows := cur.fetchmany(chunksize):
                        res = _screen_rows(rows, ncol, points, crs, plan, industry, label, key, geom)
                        tally(summary, res)
                        if writer is not None:
                            if not writer.started:
                                writer.start(site_cols, res)
                            writer.write([r[:ncol] for r in rows], res)
                        if progress is not None:
                            progress(len(rows))
            if not summary.sites:
                raise InputError(f"{label}: no sites (the table has no rows)")
            if writer is not None:
                writer.close(geom)
        except psycopg.Error as err:
            if writer is not None:
                writer.abort()
            raise db_error(src, f"screening {label}", err) from None
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
    return summary


def _screen_rows(
    rows: list[tuple[Any, ...]],
    ncol: int,
    points: bool,
    crs: str,
    plan: Plan,
    industry: str | None,
    label: str,
    key: str,
    geom: str,
) -> pd.DataFrame:
    """Screen one chunk of rows (site columns as text, then x, y or WKB, SRID)."""
    a = [r[ncol] for r in rows]
    missing = [i for i, v in enumerate(a) if v is None]
    if missing:
        raise InputError(
            f"{label}: row {key}={rows[missing[0]][0]!r}: field {geom!r}: the geometry is missing "
            f"({len(missing)} such row(s) in this chunk); screen only rows with a geometry (a view)"
        )
    if points:
        x = np.fromiter(a, dtype=np.float64, count=len(rows))
        y = np.fromiter((r[ncol + 1] for r in rows), dtype=np.float64, count=len(rows))
        return screen_xy(x, y, plan, crs=crs, industry=industry)
    import geopandas as gpd
    import shapely

    geoms = shapely.from_wkb([bytes(v) for v in a])
    srid = rows[0][ncol + 1]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=f"EPSG:{srid}")
    res = screen(frame, plan, industry)
    return pd.DataFrame(res.drop(columns=res.geometry.name)).reset_index(drop=True)
