"""DSNs and credentials, without a server (fast): parsing, the password-free form, the missing extra."""

from __future__ import annotations

import sys

import pytest

from lzspatial.errors import InputError
from lzspatial.store.pg import is_dsn, parse_dsn, scrub
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://ann:Se%40cret-1@db:5433/gis?schema=plan_a",
        "postgresql://ann@db/gis?password=Se@cret-1&schema=plan_a",
        "postgres://ann:Se%40cret-1@db/gis?schema=plan_a&sslmode=disable",
    ],
)
def test_the_shown_dsn_has_no_password(dsn):
    d = parse_dsn(dsn)
    assert "Se@cret-1" not in d.shown and "Se%40cret-1" not in d.shown
    assert d.schema == "plan_a" and "ann@db" in d.shown and "schema=plan_a" in d.shown
    assert "schema" not in d.conninfo
    assert scrub("FATAL: password Se@cret-1 refused\nDETAIL: x", d) == "FATAL: password *** refused DETAIL: x"


def test_pgpassword_is_scrubbed_too(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "Env-Secret-7")
    d = parse_dsn("postgresql://ann@db/gis")
    assert scrub("boom Env-Secret-7", d) == "boom ***" and d.schema == "public"


@pytest.mark.parametrize(
    "bad", ["postgresql://db/gis?schema=Plan-A", "postgresql://db/gis?table=a.b.c", "layers"]
)
def test_bad_names_are_refused(bad):
    with pytest.raises(InputError):
        parse_dsn(bad)


def test_is_dsn():
    assert is_dsn("POSTGRESQL://x/y") and not is_dsn("postgresql:/x") and not is_dsn(b"postgresql://x")


def test_without_psycopg_one_line_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    res = run_cli("validate", "postgresql://ann:Pw-xyz@127.0.0.1:1/gis?schema=p")
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert "pip install 'lzspatial[postgis]'" in res.stderr and "Pw-xyz" not in res.stderr


def test_export_postgis_needs_a_dsn_and_no_out():
    res = run_cli("export", "--format", "postgis")
    assert res.returncode == 2 and "--dsn" in res.stderr
    res = run_cli("export", "--format", "postgis", "--dsn", "postgresql://a:Pw-xyz@h/d", "--out", "x")
    assert res.returncode == 2 and "drop --out" in res.stderr and "Pw-xyz" not in res.stderr
    res = run_cli("export", "--format", "geojson", "--dsn", "postgresql://h/d", "--out", "x")
    assert res.returncode == 2 and "--format postgis" in res.stderr
