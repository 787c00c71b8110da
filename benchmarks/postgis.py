"""Benchmark: screening 10⁶ sites kept in PostGIS: lzspatial vs. the same screening in SQL.

Both engines start from the same table of points (EPSG:4490) in a throwaway PostgreSQL 15 +
PostGIS 3 server (tests/pgserver.py: initdb in a temp folder, loopback port) and end with a
results table in the same database:

- **lzspatial**: ``screen_table(sites, plan, out=…)`` — the sites read through a server-side
  cursor in chunks, screened in Python (``screen_xy``, 2 threads), the results COPYed back
  with every site column (``lzspatial screen postgresql://…?table=sites --out …``).
- **PostGIS SQL**: ``CREATE TABLE … AS SELECT`` with ``ST_Contains`` (zone, core, park,
  control lines), KNN ``<->`` ``LIMIT 1`` laterals (six nearest-feature distances) and
  ``ST_DWithin`` (within 2 km of a railway), on EPSG:4550 copies of the plan layers with GiST
  indexes (built once, timed as setup).

Runs are interleaved (lzspatial, SQL, lzspatial, SQL…), the same number each; the table reports
median and min. Answers are compared on every site (ids and flags equal; distances within 1 mm).

Run: ``python benchmarks/postgis.py [N] [REPEAT]`` (default 1,000,000 and 3). Needs the Debian
package postgresql-15-postgis-3 and ``pip install -e '.[postgis]'``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 3
NEAR_RAIL_M = 2000.0

_NEAREST = {  # column stem -> (metric table, filter)
    "axis": ("axes", "true"),
    "center": ("centers", "true"),
    "town": ("towns", "true"),
    "key_town": ("towns", "rank = 'key'"),
    "railway": ("transport", "kind = 'railway'"),
    "logistics": ("parks", "kind = ANY(ARRAY['{logistics}'])"),
}


def sql_screen(kinds_logistics: list[str]) -> str:
    near = []
    cols = []
    for i, (stem, (table, where)) in enumerate(_NEAREST.items()):
        where = where.format(logistics="','".join(kinds_logistics))
        near.append(
            f"LEFT JOIN LATERAL (SELECT t.id, ST_Distance(t.geom, s.g) AS d FROM m.{table} t WHERE {where} "
            f"ORDER BY t.geom <-> s.g LIMIT 1) n{i} ON true"
        )
        cols.append(f"n{i}.d AS dist_{stem}_m, n{i}.id AS nearest_{stem}_id")
    flags = [
        f"EXISTS (SELECT 1 FROM m.control_lines c WHERE c.kind = '{k}' AND ST_Contains(c.geom, s.g)) "
        f"AS in_{k}"
        for k in ("eco_red_line", "basic_farmland", "urban_development_boundary")
    ]
    return f"""
CREATE TABLE bench.sql_screened AS
WITH s AS (SELECT site_id, geom, ST_Transform(geom, 4550) AS g FROM bench.sites)
SELECT s.site_id, s.geom,
  (SELECT z.id FROM m.zones z WHERE ST_Contains(z.geom, s.g) ORDER BY z.id LIMIT 1) AS zone_id,
  EXISTS (SELECT 1 FROM m.core c WHERE ST_Contains(c.geom, s.g)) AS in_core,
  (SELECT p.id FROM m.parks p WHERE ST_Contains(p.geom, s.g) ORDER BY p.id LIMIT 1) AS park_id,
  {", ".join(flags)},
  {", ".join(cols)},
  EXISTS (SELECT 1 FROM m.transport r WHERE r.kind = 'railway' AND ST_DWithin(r.geom, s.g, {NEAR_RAIL_M}))
    AS near_railway
FROM s
{chr(10).join(near)}
"""


def main() -> None:
    import psycopg

    from lzspatial import load_plan
    from lzspatial.outputs.postgis import export_postgis
    from lzspatial.screening.engine import THREADS
    from lzspatial.screening.pg import screen_table
    from lzspatial.screening.plan_index import LOGISTICS_KINDS
    from tests.pgserver import PgServer, find_bin

    bindir = find_bin()
    if bindir is None:
        sys.exit("postgresql-15-postgis-3 is not installed")
    t0 = time.perf_counter()
    server = PgServer(bindir)
    t_server = time.perf_counter() - t0
    try:
        plan = load_plan()
        t0 = time.perf_counter()
        export_postgis(plan, server.dsn, schema="m_plan")
        with psycopg.connect(server.dsn, autocommit=True) as con:
            con.execute("CREATE SCHEMA m; CREATE SCHEMA bench")
            for name in ("zones", "core", "parks", "control_lines", "axes", "centers", "towns", "transport"):
                con.execute(
                    f"CREATE TABLE m.{name} AS SELECT *, ST_Transform(geom, 4550) AS g4550 FROM m_plan.{name}"
                )
                con.execute(f"ALTER TABLE m.{name} DROP COLUMN geom")
                con.execute(f"ALTER TABLE m.{name} RENAME COLUMN g4550 TO geom")
                con.execute(f"CREATE INDEX ON m.{name} USING GIST (geom)")
                con.execute(f"ANALYZE m.{name}")
        t_plan = time.perf_counter() - t0
        rng = np.random.default_rng(18)
        x = rng.uniform(122.45, 123.05, N)
        y = rng.uniform(41.30, 41.80, N)
        t0 = time.perf_counter()
        with psycopg.connect(server.dsn, autocommit=True) as con:
            con.execute("CREATE TABLE bench.sites (site_id int PRIMARY KEY, geom geometry(Point, 4490))")
            import shapely

            ewkb = shapely.to_wkb(shapely.set_srid(shapely.points(x, y), 4490), hex=True, include_srid=True)
            with con.cursor().copy("COPY bench.sites (site_id, geom) FROM STDIN") as cp:
                for i in range(N):
                    cp.write_row((i, ewkb[i]))
            con.execute("CREATE INDEX ON bench.sites USING GIST (geom)")
            con.execute("ANALYZE bench.sites")
            workers = con.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]
        t_sites = time.perf_counter() - t0
        sql = sql_screen(sorted(LOGISTICS_KINDS))
        src = server.url(table="bench.sites")
        out = server.url(table="bench.lz_screened")

        def run_lz() -> float:
            t = time.perf_counter()
            screen_table(src, plan, out=out)
            return time.perf_counter() - t

        def run_sql() -> float:
            with psycopg.connect(server.dsn, autocommit=True) as con:
                con.execute("DROP TABLE IF EXISTS bench.sql_screened")
                t = time.perf_counter()
                con.execute(sql)
                return time.perf_counter() - t

        times: dict[str, list[float]] = {"lzspatial (cursor + screen_xy + COPY)": [], "PostGIS SQL": []}
        for _ in range(REPEAT):
            times["lzspatial (cursor + screen_xy + COPY)"].append(run_lz())
            times["PostGIS SQL"].append(run_sql())
        # the answers agree on every site
        with psycopg.connect(server.dsn) as con:
            cols = [
                "zone_id",
                "in_core",
                "park_id",
                "in_eco_red_line",
                "in_basic_farmland",
                "in_urban_development_boundary",
            ]
            ids = [f"nearest_{s}_id" for s in _NEAREST]
            dists = [f"dist_{s}_m" for s in _NEAREST]
            diff = con.execute(
                "SELECT count(*) FROM bench.lz_screened a JOIN bench.sql_screened b USING (site_id) WHERE "
                + " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in cols)
                + " OR "
                + " OR ".join(f"abs(a.{d} - b.{d}) > 1e-3" for d in dists)
            ).fetchone()[0]
            tie = con.execute(
                "SELECT count(*) FROM bench.lz_screened a JOIN bench.sql_screened b USING (site_id) WHERE "
                + " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in ids)
            ).fetchone()[0]
            near = con.execute(
                f"SELECT count(*) FROM bench.lz_screened a JOIN bench.sql_screened b USING (site_id) "
                f"WHERE (a.dist_railway_m <= {NEAR_RAIL_M}) IS DISTINCT FROM b.near_railway"
            ).fetchone()[0]
            rows = con.execute("SELECT count(*) FROM bench.lz_screened").fetchone()[0]
        print(f"PostGIS screening benchmark: {N:,} points, {REPEAT} interleaved runs each")
        print(
            f"machine: {os.cpu_count()} CPUs; lzspatial screen_xy threads = {THREADS}; "
            f"PostgreSQL max_parallel_workers_per_gather = {workers}"
        )
        print(
            f"setup (not timed in the runs): server start {t_server:.1f} s; plan export + EPSG:4550 "
            f"copies with GiST {t_plan:.1f} s; {N:,} sites COPY + GiST {t_sites:.1f} s"
        )
        print(f"{'engine':<40} {'median s':>9} {'min s':>9} {'sites/s (median)':>17}")
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"{name:<40} {med:>9.2f} {min(ts):>9.2f} {N / med:>17,.0f}")
        lz, sq = (statistics.median(t) for t in times.values())
        print(f"ratio SQL / lzspatial (median): {sq / lz:.2f}")
        print(
            f"agreement: {rows:,} result rows; {diff} site(s) differ in zone/core/park/control flags or a "
            f"distance by > 1 mm; {tie} differ in a nearest id (ties); "
            f"{near} differ in 'within {NEAR_RAIL_M:.0f} m of a railway' (ST_DWithin vs dist_railway_m)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
