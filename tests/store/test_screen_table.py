"""Screening sites from a PostGIS table, results written back to a table (real server)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest

from tests.conftest import LAYERS, run_cli
from tests.pgserver import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sites_table(pg_server):
    """2,000 points over the district (plus two known ones) in work.sites (EPSG:4490)."""
    rng = np.random.default_rng(18)
    x = np.concatenate([[122.945933, 122.72], rng.uniform(122.45, 123.05, 1998)])
    y = np.concatenate([[41.546229, 41.51], rng.uniform(41.30, 41.80, 1998)])
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("CREATE SCHEMA work")
        con.execute(
            "CREATE TABLE work.sites (site_id int PRIMARY KEY, owner text, geom geometry(Point, 4490))"
        )
        with con.cursor().copy("COPY work.sites (site_id, owner, geom) FROM STDIN") as cp:
            for i, (a, b) in enumerate(zip(x, y, strict=True)):
                point = f"SRID=4490;POINT({float(a)!r} {float(b)!r})"
                cp.write_row((i, f"owner {i}\tx" if i % 7 else None, point))
    return x, y


def test_screen_table_to_table_equals_screen_xy(pg_server, sites_table, default_plan):
    from lzspatial.screening.engine import screen_xy

    x, y = sites_table
    src = pg_server.url(table="work.sites")
    out = pg_server.url(table="work.sites_screened")
    industry = "bonded_warehousing_processing"
    res = run_cli("screen", src, "--plan", LAYERS, "--industry", industry, "--out", out)
    assert res.returncode == 0, res.stderr
    assert "screened 2,000 site(s)" in res.stdout and PASSWORD not in res.stdout + res.stderr
    expect = screen_xy(x, y, default_plan, crs="EPSG:4490", industry=industry)
    with psycopg.connect(pg_server.dsn) as con:
        cur = con.execute("SELECT * FROM work.sites_screened ORDER BY site_id")
        got = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
        assert (
            con.execute(
                "SELECT count(*) FROM pg_indexes "
                "WHERE tablename = 'sites_screened' AND indexdef LIKE '%gist%'"
            ).fetchone()[0]
            == 1
        )
        same_geom = con.execute(
            "SELECT bool_and(ST_Equals(a.geom, b.geom) AND a.owner IS NOT DISTINCT FROM b.owner) "
            "FROM work.sites a JOIN work.sites_screened b USING (site_id)"
        ).fetchone()[0]
    assert same_geom and len(got) == 2000
    assert list(got.columns[:3]) == ["site_id", "owner", "geom"]
    for col in expect.columns:
        e, g = expect[col], got[col]
        if pd.api.types.is_float_dtype(e):
            assert np.allclose(e.to_numpy(float), g.to_numpy(float), equal_nan=True, rtol=0, atol=0), col
        else:
            assert [None if pd.isna(v) else v for v in e.astype(object)] == [
                None if pd.isna(v) else v for v in g.astype(object)
            ], col
    assert got.loc[0, "verdict"] == "pass" and got.loc[1, "verdict"] == "fail"


def test_screen_table_failures_leave_the_old_results(pg_server, sites_table):
    src = pg_server.url(table="work.sites")
    out = pg_server.url(table="work.keep_results")
    assert run_cli("screen", src, "--plan", LAYERS, "--out", out).returncode == 0
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("CREATE TABLE work.broken AS SELECT * FROM work.sites")
        con.execute("UPDATE work.broken SET geom = NULL WHERE site_id = 1500")
    res = run_cli("screen", pg_server.url(table="work.broken"), "--plan", LAYERS, "--out", out)
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "work.broken: row site_id='1500': field 'geom': the geometry is missing" in res.stderr
    # the input is never the output; a table lzspatial did not write is never replaced
    res = run_cli("screen", src, "--plan", LAYERS, "--out", src)
    assert res.returncode == 2 and "the output table is the input table" in res.stderr
    res = run_cli("screen", src, "--plan", LAYERS, "--out", pg_server.url(table="work.broken"))
    assert res.returncode == 2 and "does not hold lzspatial screening results" in res.stderr
    with psycopg.connect(pg_server.dsn) as con:
        assert con.execute("SELECT count(*) FROM work.keep_results").fetchone()[0] == 2000
        assert con.execute("SELECT count(*) FROM work.broken").fetchone()[0] == 2000
    res = run_cli("screen", pg_server.url(table="work.nothing"), "--plan", LAYERS)
    assert res.returncode == 2 and "work.nothing not found" in res.stderr


def test_screen_table_with_the_plan_in_the_database(pg_server, sites_table):
    plan = pg_server.url(schema="screen_plan")
    assert run_cli("export", LAYERS, "--format", "postgis", "--dsn", plan).returncode == 0
    a = run_cli("screen", pg_server.url(table="work.sites"), "--plan", plan)
    b = run_cli("screen", pg_server.url(table="work.sites"), "--plan", LAYERS)
    assert a.returncode == 0 and a.stdout == b.stdout and "by zone" in a.stdout
