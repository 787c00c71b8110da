"""The plan in PostGIS against a real server (tests/pgserver.py): round trip, build, snapshot, bad input."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import shapely

from tests.conftest import LAYERS, run_cli
from tests.pgserver import PASSWORD

pytestmark = pytest.mark.slow  # each test talks to the session's server (about 2 s to start)

SCHEMA = "liaozhong_2023"


@pytest.fixture(scope="module")
def exported(pg_server):
    """The default plan exported with the CLI into SCHEMA; returns the plan DSN."""
    dsn = pg_server.url(schema=SCHEMA)
    res = run_cli("export", LAYERS, "--format", "postgis", "--dsn", pg_server.dsn, "--schema", SCHEMA)
    assert res.returncode == 0, res.stderr
    assert f"{SCHEMA}.zones" in res.stdout and PASSWORD not in res.stdout + res.stderr
    return dsn


def _copy_schema(pg_server, name: str) -> str:
    """A fresh schema *name* holding the default plan (for tests that break it)."""
    from lzspatial import load_plan
    from lzspatial.outputs.postgis import export_postgis

    export_postgis(load_plan(LAYERS), pg_server.dsn, schema=name)
    return pg_server.url(schema=name)


def test_round_trip_every_layer_equal(exported, default_plan):
    from lzspatial import load_plan

    plan = load_plan(exported)
    assert plan.layer_names == default_plan.layer_names
    assert PASSWORD not in plan.label and SCHEMA in plan.label
    for name in default_plan.layer_names:
        a, b = default_plan[name], plan[name]
        assert list(a.columns) == list(b.columns), name
        pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        assert (a.geometry.geom_type.to_numpy() == b.geometry.geom_type.to_numpy()).all()
        for ga, gb in zip(a.geometry, b.geometry, strict=True):
            assert shapely.equals_exact(ga, gb, tolerance=1e-9), name


def test_tables_keys_constraints_indexes_and_styles(exported, pg_server):
    with psycopg.connect(pg_server.dsn) as con:
        srid, gtype = con.execute(
            "SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'zones'",
            (SCHEMA,),
        ).fetchone()
        assert (srid, gtype) == (4490, "POLYGON")
        assert (
            con.execute(f"SELECT pg_get_indexdef('{SCHEMA}.zones_geom_gist'::regclass)")
            .fetchone()[0]
            .count("gist")
        )
        pk = con.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            (f"{SCHEMA}.towns",),
        ).fetchone()[0]
        assert pk == "PRIMARY KEY (id)"
        tags = con.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'tags'",
            (f"{SCHEMA}.towns",),
        ).fetchone()[0]
        assert tags == "text[]"
        keys = [r[0] for r in con.execute(f"SELECT key FROM {SCHEMA}.plan_meta ORDER BY key")]
        assert {"plan.toml", "rules.toml", "siting.toml"} <= set(keys)
        assert con.execute(f"SELECT value FROM {SCHEMA}.plan_meta WHERE key = 'plan.toml'").fetchone()[0] == (
            LAYERS / "plan.toml"
        ).read_text(encoding="utf-8")
        styles = con.execute(
            "SELECT f_table_name, f_geometry_column, useasdefault, styleqml::text FROM public.layer_styles "
            "WHERE f_table_schema = %s AND f_table_catalog = current_database() ORDER BY f_table_name",
            (SCHEMA,),
        ).fetchall()
        assert len(styles) == 12 and all(s[1] == "geom" and s[2] for s in styles)
        assert "<renderer-v2" in dict((s[0], s[3]) for s in styles)["zones"]
        # the database itself refuses what the plan refuses: a vocabulary violation, a bad basis
        for sql in (
            f"UPDATE {SCHEMA}.parks SET status = 'casino'",
            f"UPDATE {SCHEMA}.towns SET geometry_basis = 'guessed'",
            f"UPDATE {SCHEMA}.towns SET tags = ARRAY['nope']",
            f"UPDATE {SCHEMA}.zones SET geom = ST_SetSRID(ST_MakePoint(122.7, 41.5), 4490)",
        ):
            with pytest.raises(psycopg.errors.Error):
                with con.transaction():
                    con.execute(sql)


def test_reexport_replaces_in_one_transaction(pg_server):
    from lzspatial import load_plan
    from lzspatial.store.postgis import write_plan

    dsn = _copy_schema(pg_server, "reexport")
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("UPDATE reexport.zones SET name_en = 'Edited' WHERE id = 'zone-east'")
    plan = load_plan(LAYERS)
    # a failure half way (a style that is not XML fails only after every table was rewritten)
    with pytest.warns(UserWarning, match="styles not stored"):
        write_plan(plan, dsn, styles={"zones": "<not xml"})
    # styles are a savepoint: the tables were still replaced
    assert load_plan(dsn)["zones"].set_index("id").loc["zone-east", "name_en"] != "Edited"
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("UPDATE reexport.zones SET name_en = 'Edited' WHERE id = 'zone-east'")
        # a view on a layer makes the DROP fail after other tables were dropped and rewritten
        con.execute("CREATE VIEW public.keep_zones AS SELECT id FROM reexport.zones")
    try:
        res = run_cli("export", LAYERS, "--format", "postgis", "--dsn", dsn)
        assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
        assert "nothing changed" in res.stderr and PASSWORD not in res.stderr
        assert load_plan(dsn)["zones"].set_index("id").loc["zone-east", "name_en"] == "Edited"
    finally:
        with psycopg.connect(pg_server.dsn, autocommit=True) as con:
            con.execute("DROP VIEW public.keep_zones")


def test_export_refuses_a_schema_it_did_not_write(pg_server):
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("CREATE SCHEMA foreign_data; CREATE TABLE foreign_data.zones (x int)")
    res = run_cli("export", LAYERS, "--format", "postgis", "--dsn", pg_server.url(schema="foreign_data"))
    assert res.returncode == 2 and "foreign_data.zones exists and was not written by lzspatial" in res.stderr
    with psycopg.connect(pg_server.dsn) as con:
        assert (
            con.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                "'foreign_data' AND table_name = 'zones'"
            ).fetchone()[0]
            == 1
        )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_from_the_database_gives_the_same_bytes(exported, tmp_path):
    a, b = tmp_path / "from_folder", tmp_path / "from_db"
    ra = run_cli("build", LAYERS, "--out", a)
    rb = run_cli("build", exported, "--out", b)
    assert ra.returncode in (0, 1) and rb.returncode == ra.returncode, rb.stderr
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb) and len(fa) > 5
    different = [name for name in fa if fa[name] != fb[name]]
    assert different == []
    everything = b"".join(fb.values()).decode("utf-8", "replace") + rb.stdout + rb.stderr
    assert PASSWORD not in everything


@pytest.mark.parametrize("cmd", [["validate"], ["info", "--json"], ["check"], ["map", "--out", "m.html"]])
def test_plan_commands_take_a_dsn(exported, cmd, tmp_path):
    res = run_cli(cmd[0], exported, *cmd[1:], cwd=tmp_path)
    ref = run_cli(cmd[0], LAYERS, *cmd[1:], cwd=tmp_path)
    assert res.returncode == ref.returncode, res.stderr
    assert PASSWORD not in res.stdout + res.stderr
    if cmd[0] == "validate":
        assert res.stdout.startswith("postgresql://lzadmin@") and "valid (" in res.stdout
    if cmd[0] in ("info", "check"):
        assert res.stdout == ref.stdout


def test_diff_compares_a_folder_with_a_schema(exported, pg_server):
    same = run_cli("diff", LAYERS, exported, "--format", "json")
    assert same.returncode == 0, same.stderr  # the exported schema is the folder's plan
    assert PASSWORD not in same.stdout + same.stderr
    edited = _copy_schema(pg_server, "diff_edit")
    import psycopg

    with psycopg.connect(pg_server.dsn) as conn:
        conn.execute("UPDATE diff_edit.parks SET status = 'planned' WHERE id = 'park-devzone'")
    changed = run_cli("diff", exported, edited, "--format", "json", "--no-check")
    assert changed.returncode == 1, changed.stderr
    assert "park-devzone" in changed.stdout and "status" in changed.stdout


def test_build_sees_one_snapshot_while_another_connection_edits(pg_server, monkeypatch, tmp_path):
    """Another connection commits an edit of a zone and a town (one transaction) after `build`
    has read zones and before it reads towns: the build shows neither edit (never the town
    without the zone); the next build shows both."""
    from lzspatial.store import postgis

    dsn = _copy_schema(pg_server, "snapshot")
    edit = (
        "UPDATE snapshot.zones SET name_en = 'Edited zone', geom = ST_Buffer(geom, -0.001) "
        "WHERE id = 'zone-east'; UPDATE snapshot.towns SET name_en = 'Edited town' WHERE rank = 'seat'"
    )
    done = threading.Event()
    real = postgis._read_layer

    def read_then_edit(cur, d, table, *args):
        layer = real(cur, d, table, *args)
        if table == "zones" and not done.is_set():  # zones read; the other writer commits now

            def writer():
                with psycopg.connect(pg_server.dsn) as con, con.transaction():
                    for statement in edit.split("; "):
                        con.execute(statement)
                done.set()

            t = threading.Thread(target=writer)
            t.start()
            t.join(30)
            assert done.is_set()  # row edits do not wait for the reader
        return layer

    def names(out):
        return {
            layer: {
                f["properties"]["name_en"]
                for f in json.loads(
                    (out / "exports" / "geojson" / f"{layer}.geojson").read_text(encoding="utf-8")
                )["features"]
            }
            for layer in ("zones", "towns")
        }

    monkeypatch.setattr(postgis, "_read_layer", read_then_edit)
    first = run_cli("build", dsn, "--out", tmp_path / "first")
    monkeypatch.setattr(postgis, "_read_layer", real)
    second = run_cli("build", dsn, "--out", tmp_path / "second")
    assert first.returncode in (0, 1) and second.returncode in (0, 1), first.stderr + second.stderr
    old, new = names(tmp_path / "first"), names(tmp_path / "second")
    assert done.is_set()
    assert "Edited zone" not in old["zones"] and "Edited town" not in old["towns"]
    assert "Edited zone" in new["zones"] and "Edited town" in new["towns"]


def test_reexport_waits_for_a_reader(pg_server, monkeypatch):
    """A re-export (which drops tables) never lands inside a read: it waits on the reader's lock,
    the read sees the old plan whole, and the export lands after it."""
    import time

    from lzspatial import load_plan
    from lzspatial.store import postgis

    dsn = _copy_schema(pg_server, "rewrite")
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute("UPDATE rewrite.zones SET name_en = 'Before' WHERE id = 'zone-east'")
    folder_plan = load_plan(LAYERS)
    real = postgis._read_layer
    errors: list[BaseException] = []
    waited: list[bool] = []
    exporter_thread: list[threading.Thread] = []

    def exporter():
        try:
            postgis.write_plan(folder_plan, dsn)
        except BaseException as err:  # reported below
            errors.append(err)

    def read_slowly(cur, d, table, *args):
        layer = real(cur, d, table, *args)
        if table == "zones" and not exporter_thread:
            exporter_thread.append(threading.Thread(target=exporter, daemon=True))
            exporter_thread[0].start()
            with psycopg.connect(pg_server.dsn, autocommit=True) as con:
                for _ in range(300):  # until the exporter waits for a lock the reader holds
                    row = con.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    ).fetchone()
                    if row[0]:
                        waited.append(True)
                        break
                    time.sleep(0.05)
        return layer

    monkeypatch.setattr(postgis, "_read_layer", read_slowly)
    old = load_plan(dsn)
    monkeypatch.setattr(postgis, "_read_layer", real)
    assert waited, "the exporter never waited for the reader"
    assert "Before" in set(old["zones"]["name_en"]) and len(old["towns"]) == 20
    exporter_thread[0].join(60)
    assert not errors
    assert "Before" not in set(load_plan(dsn)["zones"]["name_en"])


@pytest.mark.parametrize(
    ("sql", "expect"),
    [
        (
            "ALTER TABLE {s}.zones DROP COLUMN functions",
            "{s}.zones: feature 'zone-",
        ),
        (
            "ALTER TABLE {s}.zones ALTER COLUMN geom TYPE geometry(Geometry, 4490); "
            "ALTER TABLE {s}.zones DROP CONSTRAINT zones_geom_check; "
            "UPDATE {s}.zones SET geom = ST_SetSRID(ST_MakePoint(122.8, 41.5), 4490) WHERE id = 'zone-east'",
            "{s}.zones: feature 'zone-east': field 'geometry': geometry type 'Point' is not allowed",
        ),
        (
            "ALTER TABLE {s}.parks DROP CONSTRAINT parks_status_check; "
            "UPDATE {s}.parks SET status = 'casino' WHERE id = (SELECT min(id) FROM {s}.parks)",
            "field 'status': 'casino' is not allowed",
        ),
        (
            "ALTER TABLE {s}.zones DROP CONSTRAINT zones_functions_check; "
            "UPDATE {s}.zones SET functions = ARRAY['bogus'] WHERE id = 'zone-east'",
            "{s}.zones: feature 'zone-east': field 'functions': 'bogus' is not allowed",
        ),
        (
            "ALTER TABLE {s}.parks DROP CONSTRAINT parks_geometry_basis_check; "
            "UPDATE {s}.parks SET geometry_basis = 'guessed' WHERE id = (SELECT min(id) FROM {s}.parks)",
            "{s}.parks: feature 'park-",
        ),
        ("DROP TABLE {s}.water", "{s}.water: table not found"),
        ("DROP TABLE {s}.plan_meta", "schema '{s}' holds no lzspatial plan"),
    ],
    ids=[
        "missing-column",
        "wrong-geometry-type",
        "vocabulary",
        "list-vocabulary",
        "basis",
        "no-table",
        "no-meta",
    ],
)
def test_bad_tables_are_one_line_naming_schema_table_id_field(pg_server, sql, expect, request):
    schema = "bad_" + request.node.callspec.id.replace("-", "_")
    dsn = _copy_schema(pg_server, schema)
    with psycopg.connect(pg_server.dsn, autocommit=True) as con:
        con.execute(sql.format(s=schema))
    res = run_cli("build", dsn, "--out", request.getfixturevalue("tmp_path") / "out")
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert expect.format(s=schema) in res.stderr
    if "feature" in expect:
        assert "field '" in res.stderr
    assert PASSWORD not in res.stderr + res.stdout
    assert not (request.getfixturevalue("tmp_path") / "out").exists()


@pytest.mark.parametrize("case", ["wrong-password", "unreachable", "no-database"])
def test_connection_failures_are_one_line_without_the_password(pg_server, case, tmp_path):
    if case == "wrong-password":
        dsn = pg_server.dsn.replace(PASSWORD, "Wrong-pw-9x")
        secret = "Wrong-pw-9x"
    elif case == "unreachable":
        dsn = pg_server.dsn.replace(f":{pg_server.port}/", ":1/")
        secret = PASSWORD
    else:
        dsn = pg_server.dsn.rsplit("/", 1)[0] + "/no_such_db"
        secret = PASSWORD
    for args in (["validate", dsn + "?schema=x"], ["export", "--format", "postgis", "--dsn", dsn]):
        res = run_cli(*args, cwd=tmp_path)
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1 and "cannot connect" in res.stderr
        assert secret not in res.stderr + res.stdout and PASSWORD not in res.stderr


def test_credentials_from_pgpassword_and_pgpass(exported, pg_server, tmp_path):
    import os

    bare = exported.replace(f":{PASSWORD}@", "@")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    res = run_cli("validate", bare, env={**env, "PGPASSWORD": PASSWORD, "HOME": str(tmp_path)})
    assert res.returncode == 0 and "valid" in res.stdout and PASSWORD not in res.stdout + res.stderr
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:lzadmin:{PASSWORD}\n")
    pgpass.chmod(0o600)
    res = run_cli("info", "--json", bare, env={**env, "HOME": str(tmp_path)})
    assert res.returncode == 0 and json.loads(res.stdout)["plan"] and PASSWORD not in res.stderr
    res = run_cli("validate", bare, env={**env, "HOME": str(tmp_path / "none"), "PGPASSFILE": "/nonexistent"})
    assert res.returncode == 2 and res.stderr.count("\n") == 1
