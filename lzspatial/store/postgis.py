"""A plan in PostGIS: write it (``export --format postgis``), read it (``lzspatial.load_plan`` of a DSN).

The layout a schema holds (``--schema``, default ``public``)::

    <layer>      one table per layer of the manifest (named as the layer): the schema's columns
                 (str -> text, bool -> boolean, list -> text[]; other properties typed from
                 their values, jsonb when mixed), ``lz_order`` (the feature order), and ``geom``
                 in EPSG:4490 (CGCS2000) with a GiST index; ``id`` is the primary key; CHECK
                 constraints hold the vocabularies, patterns, ``geometry_basis``, geometry
                 types and validity, so QGIS refuses an edit the plan would refuse.
    plan_meta    (key, value): the text of plan.toml, rules.toml and siting.toml.

QGIS styles (the same QML as the GeoPackage's) go to ``public.layer_styles``, the table QGIS
reads, one default style per table.

Writing replaces the tables of the schema's plan in one transaction: on any failure the old
content stays. Reading takes one REPEATABLE READ, read-only snapshot of every table, so a plan
edited in QGIS meanwhile is seen either before or after each committed edit, never half of it.
Every feature is checked like a GeoJSON layer; problems name ``schema.table``, the feature id
and the field.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import tomllib
import warnings
import weakref
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from lzspatial._util.guard import protect
from lzspatial.errors import InputError, LzSpatialError, PlanFileError, SchemaError
from lzspatial.plan.layer import RawLayer, check_collection
from lzspatial.plan.manifest import MANIFEST_NAME, read_manifest
from lzspatial.plan.model import Plan, assemble_plan, require_plan
from lzspatial.plan.schema import COMMON_FIELDS, ELEMENTS, FieldSpec
from lzspatial.store.pg import Dsn, connect, db_error, parse_dsn, require_psycopg

if TYPE_CHECKING:
    pass

__all__ = ["GEOM", "ORDER", "PLAN_META", "SRID", "STYLE_DESCRIPTION", "read_plan", "write_plan"]

#: The table of the manifest, rules and siting files.
PLAN_META = "plan_meta"
#: The geometry column of every layer table.
GEOM = "geom"
#: The column that keeps the features in the order of the plan (new rows go last).
ORDER = "lz_order"
#: The storage CRS: CGCS2000 lon/lat (the plan's coordinates, unchanged).
SRID = 4490
#: SRIDs accepted when reading (lon/lat; taken as the plan's coordinates unchanged).
_LONLAT = (4490, 4326)
#: Files kept in ``plan_meta`` (the manifest first).
_META_FILES = (MANIFEST_NAME, "rules.toml", "siting.toml")
_FORMAT = "lzspatial-postgis 1"
#: Marks the rows of ``public.layer_styles`` that lzspatial wrote (replaced on re-export).
STYLE_DESCRIPTION = "lzspatial default style: the web map's colours; schematic = dashed/hollow"
_SQL_TYPES = {
    "str": "text",
    "bool": "boolean",
    "list": "text[]",
    "int": "bigint",
    "float": "double precision",
}
#: public.layer_styles as QGIS creates it (QgsPostgresUtils::createStylesTable).
_LAYER_STYLES_DDL = (
    "CREATE TABLE IF NOT EXISTS public.layer_styles(id SERIAL PRIMARY KEY, f_table_catalog varchar, "
    "f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, styleName text, "
    "styleQML xml, styleSLD xml, useAsDefault boolean, description text, "
    "owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, "
    "type varchar, r_raster_column varchar)"
)


def _sql() -> Any:
    require_psycopg()
    from psycopg import sql

    return sql


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------


def _fields(plan: Plan, name: str) -> list[FieldSpec]:
    return [*COMMON_FIELDS, *ELEMENTS[plan.element(name)].fields]


def _extra_type(values: list[Any]) -> str:
    """Return the SQL type of a property outside the schema, from its values (jsonb when mixed)."""
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if all(isinstance(v, str) for v in vals):
        return "text"
    if all(isinstance(v, bool) for v in vals):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "bigint"
    if all(isinstance(v, float) for v in vals):
        return "double precision"
    if all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in vals):
        return "text[]"
    return "jsonb"


def _checks(f: FieldSpec, vocabs: Mapping[str, Any]) -> list[Any]:
    """CHECK expressions of one schema field (vocabulary, pattern, non-empty)."""
    sql = _sql()
    col = sql.Identifier(f.name)
    out = []
    if f.vocab is not None:
        allowed = list(f.vocab) if isinstance(f.vocab, tuple) else list(vocabs.get(f.vocab, {}))
        arr = sql.SQL("ARRAY[{}]::text[]").format(sql.SQL(", ").join(sql.Literal(v) for v in allowed))
        if f.type == "list":
            out.append(sql.SQL("{} <@ {}").format(col, arr))
        else:
            out.append(sql.SQL("{} = ANY ({})").format(col, arr))
    if f.pattern and f.type == "str":
        out.append(sql.SQL("{} ~ {}").format(col, sql.Literal(f"^(?:{f.pattern.strip('^$')})$")))
    if f.type == "str" and f.required and f.vocab is None and not f.pattern:
        out.append(sql.SQL("btrim({}) <> ''").format(col))
    return out


def _plain(value: Any) -> Any:
    """Return a frame cell as a Python value for COPY (NaN -> None; numpy scalars -> Python)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, str)):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _table_ddl(plan: Plan, name: str, schema: str) -> tuple[Any, list[str], list[str], list[Any]]:
    """Return (CREATE TABLE, columns, SQL types, rows) of layer *name*."""
    sql = _sql()
    frame = plan[name]
    geom_col = frame.geometry.name
    fields = _fields(plan, name)
    known = {f.name for f in fields}
    extras = [c for c in frame.columns if c != geom_col and c not in known]
    cols: list[Any] = []
    names: list[str] = []
    types: list[str] = []
    for f in fields:
        parts = [sql.Identifier(f.name), sql.SQL(_SQL_TYPES[f.type])]
        if f.name == "id":
            parts.append(sql.SQL("PRIMARY KEY"))
        elif f.required:
            parts.append(sql.SQL("NOT NULL"))
        for check in _checks(f, plan.vocabularies):
            parts.append(sql.SQL("CHECK ({})").format(check))
        cols.append(sql.SQL(" ").join(parts))
        names.append(f.name)
        types.append(_SQL_TYPES[f.type])
    values = {c: [_plain(v) for v in frame[c].tolist()] for c in frame.columns if c != geom_col}
    for c in extras:
        t = _extra_type(values[c])
        cols.append(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)))
        names.append(c)
        types.append(t)
    gtypes = sorted(set(frame.geometry.geom_type))
    allowed = ELEMENTS[plan.element(name)].geom_types
    gcol = gtypes[0] if len(gtypes) == 1 else "Geometry"
    cols.append(
        sql.SQL("{} bigint GENERATED BY DEFAULT AS IDENTITY (START WITH {})").format(
            sql.Identifier(ORDER), sql.Literal(len(frame) + 1)
        )
    )
    cols.append(
        sql.SQL(
            "{g} geometry({t}, {srid}) NOT NULL CHECK (GeometryType({g}) = ANY ({a})) CHECK (ST_IsValid({g}))"
        ).format(
            g=sql.Identifier(GEOM),
            t=sql.SQL(gcol),
            srid=sql.Literal(SRID),
            a=sql.SQL("ARRAY[{}]").format(sql.SQL(", ").join(sql.Literal(t.upper()) for t in allowed)),
        )
    )
    ddl = sql.SQL("CREATE TABLE {}.{} ({})").format(
        sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(cols)
    )
    geoms = shapely.set_srid(
        frame.geometry.values.to_numpy()
        if hasattr(frame.geometry.values, "to_numpy")
        else frame.geometry.values,
        SRID,
    )
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    rows = []
    for i in range(len(frame)):
        row = [values[c][i] for c in names]
        rows.append([*row, i + 1, ewkb[i]])
    return ddl, names, types, rows


def _meta_rows(plan: Plan) -> list[tuple[str, str]]:
    rows = [("format", _FORMAT)]
    for fname in _META_FILES:
        path = plan.manifest.path if fname == MANIFEST_NAME else plan.path / fname
        if path.is_file():
            rows.append((fname, path.read_text(encoding="utf-8")))
    return rows


def _old_tables(cur: Any, schema: str) -> list[str] | None:
    """Return the layer tables of the plan the schema holds now (None when there is none)."""
    sql = _sql()
    cur.execute("SELECT to_regclass(%s)", (f'"{schema}"."{PLAN_META}"',))
    if cur.fetchone()[0] is None:
        return None
    cur.execute(
        sql.SQL("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE").format(
            sql.Identifier(schema), sql.Identifier(PLAN_META)
        )
    )
    cur.execute(
        sql.SQL("SELECT value FROM {}.{} WHERE key = %s").format(
            sql.Identifier(schema), sql.Identifier(PLAN_META)
        ),
        (MANIFEST_NAME,),
    )
    row = cur.fetchone()
    if row is None:
        return []
    try:
        layers = tomllib.loads(row[0]).get("layers", [])
    except tomllib.TOMLDecodeError:
        return []
    return [str(e.get("element")) for e in layers if isinstance(e, dict) and e.get("element")]


def write_plan(
    plan: Plan,
    dsn: str,
    *,
    schema: str | None = None,
    styles: Mapping[str, str] | None = None,
) -> list[str]:
    """Write *plan* into a PostGIS schema, replacing the plan it held, in one transaction.

    Parameters
    ----------
    plan : Plan
        The loaded plan.
    dsn : str
        ``postgresql://…`` (credentials from it, ``PGPASSWORD``, ``~/.pgpass`` or ``PG*``).
    schema : str, optional
        The schema (created if missing); default the DSN's ``?schema=``, else ``public``.
    styles : mapping, optional
        Table name -> QML, stored in ``public.layer_styles`` as each table's default style.

    Returns
    -------
    list of str
        ``schema.table`` of every table written (layers, then ``plan_meta``).

    Raises
    ------
    InputError
        The server cannot be reached or refuses (one line, no password), or the schema holds
        tables of the layers' names that lzspatial did not write.
    """
    plan = require_plan(plan, "write_plan")
    d = parse_dsn(dsn)
    if schema is not None:
        d = parse_dsn(_with_query(dsn, schema=schema))
    sql = _sql()
    psycopg = require_psycopg()
    from psycopg.types.json import Jsonb

    tables = [(name, *_table_ddl(plan, name, d.schema)) for name in plan.layer_names]
    written: list[str] = []
    with connect(d) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                if cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
                    raise InputError(
                        f"{d.shown}: the database has no PostGIS; run CREATE EXTENSION postgis in it "
                        "(as its owner or a superuser) and export again"
                    )
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(d.schema)))
                old = _old_tables(cur, d.schema)
                if old is None:
                    for name, *_ in tables:
                        found = cur.execute("SELECT to_regclass(%s)", (f'"{d.schema}"."{name}"',)).fetchone()
                        if found is not None and found[0] is not None:
                            raise InputError(
                                f"{d.shown}: table {d.label(name)} exists and was not written by lzspatial "
                                f"(no {d.label(PLAN_META)}); not replaced: choose another --schema"
                            )
                for name in dict.fromkeys([*(old or []), *(t[0] for t in tables), PLAN_META]):
                    cur.execute(
                        sql.SQL("DROP TABLE IF EXISTS {}.{}").format(
                            sql.Identifier(d.schema), sql.Identifier(name)
                        )
                    )
                for name, ddl, names, types, rows in tables:
                    cur.execute(ddl)
                    target = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
                        sql.Identifier(d.schema),
                        sql.Identifier(name),
                        sql.SQL(", ").join(sql.Identifier(c) for c in [*names, ORDER, GEOM]),
                    )
                    jsonb = [i for i, t in enumerate(types) if t == "jsonb"]
                    with cur.copy(target) as copy:
                        for row in rows:
                            for i in jsonb:
                                row[i] = None if row[i] is None else Jsonb(row[i])
                            copy.write_row(row)
                    cur.execute(
                        sql.SQL("CREATE INDEX {} ON {}.{} USING GIST ({})").format(
                            sql.Identifier(f"{name}_{GEOM}_gist"),
                            sql.Identifier(d.schema),
                            sql.Identifier(name),
                            sql.Identifier(GEOM),
                        )
                    )
                    title_zh, title_en = plan.titles(name)
                    cur.execute(
                        sql.SQL("COMMENT ON TABLE {}.{} IS {}").format(
                            sql.Identifier(d.schema),
                            sql.Identifier(name),
                            sql.Literal(f"{title_zh} / {title_en} (lzspatial plan {plan.id})"),
                        )
                    )
                    written.append(d.label(name))
                cur.execute(
                    sql.SQL("CREATE TABLE {}.{} (key text PRIMARY KEY, value text NOT NULL)").format(
                        sql.Identifier(d.schema), sql.Identifier(PLAN_META)
                    )
                )
                with cur.copy(
                    sql.SQL("COPY {}.{} (key, value) FROM STDIN").format(
                        sql.Identifier(d.schema), sql.Identifier(PLAN_META)
                    )
                ) as copy:
                    for row in _meta_rows(plan):
                        copy.write_row(row)
                written.append(d.label(PLAN_META))
                if styles:
                    _write_styles(cur, d, styles)
        except psycopg.Error as err:
            raise db_error(
                d, f"cannot write the plan into schema {d.schema!r} (nothing changed)", err
            ) from None
    return written


def _write_styles(cur: Any, d: Dsn, styles: Mapping[str, str]) -> None:
    """Replace lzspatial's rows of ``public.layer_styles`` (a savepoint: a refusal only warns)."""
    psycopg = require_psycopg()

    try:
        with cur.connection.transaction():
            cur.execute(_LAYER_STYLES_DDL)
            tables = list(styles)
            cur.execute(
                "UPDATE public.layer_styles SET useasdefault = false WHERE f_table_catalog = "
                "current_database() AND f_table_schema = %s AND f_table_name = ANY(%s)",
                (d.schema, tables),
            )
            cur.execute(
                "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() "
                "AND f_table_schema = %s AND f_table_name = ANY(%s) AND description = %s",
                (d.schema, tables, STYLE_DESCRIPTION),
            )
            cur.executemany(
                "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, type) "
                "VALUES (current_database(), %s, %s, %s, %s, XMLPARSE(DOCUMENT %s), NULL, true, %s, NULL)",
                [(d.schema, t, GEOM, t, qml, STYLE_DESCRIPTION) for t, qml in styles.items()],
            )
    except psycopg.Error as err:
        warnings.warn(
            f"{d.shown}: QGIS styles not stored in public.layer_styles "
            f"({' '.join(str(err).split())}); the layers are written",
            UserWarning,
            stacklevel=3,
        )


def _with_query(dsn: str, **keys: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in keys]
    query += list(keys.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="/"), ""))


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def _lists(obj: Any) -> Any:
    """``shapely.geometry.mapping`` output with lists instead of tuples (as parsed JSON has)."""
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    return obj


def _value(v: Any) -> Any:
    """Return a database value as JSON would give it."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and "E" not in str(v) and "." not in str(v) else float(v)
    if isinstance(v, (date, datetime, time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    return v


def _columns(cur: Any, schema: str, table: str) -> dict[str, str] | None:
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p', 'v', 'm') "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (schema, table),
    )
    rows = cur.fetchall()
    return {name: typ for name, typ in rows} if rows else None


def _read_layer(cur: Any, d: Dsn, table: str, spec: Any, vocabs: Any, problems: list[str]) -> RawLayer:
    sql = _sql()
    label = d.label(table)
    cols = _columns(cur, d.schema, table)
    if cols is None:
        problems.append(f"{label}: table not found (listed in {MANIFEST_NAME} for element {spec.element!r})")
        return RawLayer(Path(label), spec)
    geoms = [c for c, t in cols.items() if t.startswith("geometry")]
    gcol = GEOM if GEOM in geoms else geoms[0] if geoms else None
    props = [c for c, t in cols.items() if c != gcol and c != ORDER]
    order = [sql.Identifier(ORDER)] if ORDER in cols else []
    if "id" in cols:
        order.append(sql.Identifier("id"))
    select = [sql.Identifier(c) for c in props]
    if gcol is not None:
        select += [
            sql.SQL("ST_AsBinary({})").format(sql.Identifier(gcol)),
            sql.SQL("ST_SRID({})").format(sql.Identifier(gcol)),
        ]
    query = sql.SQL("SELECT {} FROM {}.{}{}").format(
        sql.SQL(", ").join(select),
        sql.Identifier(d.schema),
        sql.Identifier(table),
        sql.SQL(" ORDER BY {} NULLS LAST").format(sql.SQL(", ").join(order)) if order else sql.SQL(""),
    )
    cur.execute(query)
    rows = cur.fetchall()
    missing = [f for f in (*COMMON_FIELDS, *spec.fields) if f.required and f.name not in cols]
    for f in missing:
        first = next((r[props.index("id")] for r in rows if "id" in props), None)
        who = f"feature {first!r}" if first else "every feature"
        problems.append(
            f"{label}: {who}: field {f.name!r}: is missing: the table has no column {f.name!r} "
            f"(add it as {_SQL_TYPES[f.type]})"
        )
    if gcol is None:
        problems.append(f"{label}: field 'geometry': the table has no geometry column (add {GEOM} geometry)")
    feats = []
    for row in rows:
        p = {c: _value(v) for c, v in zip(props, row, strict=False)}
        geom: Any = None
        if gcol is not None:
            wkb, srid = row[len(props)], row[len(props) + 1]
            if wkb is not None:
                shp = shapely.from_wkb(bytes(wkb))
                if srid not in _LONLAT:
                    fid = p.get("id")
                    problems.append(
                        f"{label}: feature {fid!r}: field 'geometry': SRID {srid} is not lon/lat; "
                        f"store EPSG:{SRID} (CGCS2000) or EPSG:4326"
                    )
                geom = _lists(shapely.geometry.mapping(shp))
        feats.append({"type": "Feature", "properties": p, "geometry": geom})
    doc = {"type": "FeatureCollection", "features": feats}
    n = len(problems)
    layer = check_collection(doc, Path(label), spec, vocabs, label, problems)
    if missing:  # one line per missing column, not one per feature
        gone = {f.name for f in missing}
        problems[n:] = [p for p in problems[n:] if not any(f"field {g!r}: is missing" in p for g in gone)]
    layer.path = Path(label)
    layer.doc = doc  # type: ignore[attr-defined]
    return layer


def read_plan(dsn: str) -> Plan:
    """Read and validate the plan a PostGIS schema holds (``lzspatial.load_plan`` of ``postgresql://…?schema=S``).

    Every table is read in one REPEATABLE READ, read-only transaction (one snapshot).
    The plan's files (manifest, rules, siting, the layers as GeoJSON) are written into a
    private temporary folder that lives as long as the returned plan (rule and siting
    checks read them there); ``plan.label`` is the DSN without its password.

    Raises
    ------
    InputError
        The server cannot be reached or refuses, or the schema holds no plan.
    SchemaError
        A table breaks the schema: missing columns, wrong geometry types, vocabulary
        violations...; each problem names ``schema.table``, the feature id and the field.
    """
    d = parse_dsn(dsn)
    psycopg = require_psycopg()

    meta_label = d.label(PLAN_META)
    snapshot = Path(tempfile.mkdtemp(prefix=f"lzspatial-{d.schema}-"))
    try:
        with connect(d) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            try:
                with conn.transaction(), conn.cursor() as cur:
                    plan = _read_snapshot(cur, d, snapshot, meta_label)
            except psycopg.Error as err:
                raise db_error(d, f"cannot read the plan in schema {d.schema!r}", err) from None
    except BaseException:
        shutil.rmtree(snapshot, ignore_errors=True)
        raise
    weakref.finalize(plan, shutil.rmtree, str(snapshot), True)
    return plan


def _read_snapshot(cur: Any, d: Dsn, snapshot: Path, meta_label: str) -> Plan:
    psycopg = require_psycopg()

    sql = _sql()
    # the lock comes before the snapshot (a lock takes none): a re-export, which drops the
    # tables, either committed before it or waits until this read ends
    try:
        cur.execute(
            sql.SQL("LOCK TABLE {}.{} IN ACCESS SHARE MODE").format(
                sql.Identifier(d.schema), sql.Identifier(PLAN_META)
            )
        )
    except psycopg.errors.UndefinedTable:
        raise InputError(
            f"{d.shown}: schema {d.schema!r} holds no lzspatial plan (no table {meta_label}); "
            "write one with `lzspatial export --format postgis --dsn …`"
        ) from None
    cur.execute(
        sql.SQL("SELECT key, value FROM {}.{}").format(sql.Identifier(d.schema), sql.Identifier(PLAN_META))
    )
    meta = dict(cur.fetchall())
    if MANIFEST_NAME not in meta:
        raise PlanFileError(f"{meta_label}: no row {MANIFEST_NAME!r}; the schema holds no plan manifest")
    for fname in _META_FILES:
        if fname in meta:
            (snapshot / fname).write_text(meta[fname], encoding="utf-8")
    try:
        manifest = read_manifest(snapshot)
    except SchemaError as err:
        lines = [_relabel(p, snapshot, meta_label) for p in err.problems]
        raise SchemaError(_relabel(str(err), snapshot, meta_label), lines) from None
    except LzSpatialError as err:
        raise type(err)(_relabel(str(err), snapshot, meta_label)) from None
    names = [e.name for e in manifest.layers]
    present = [n for n in names if _columns(cur, d.schema, n) is not None]
    if present:
        cur.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(
                sql.SQL(", ").join(
                    sql.SQL("{}.{}").format(sql.Identifier(d.schema), sql.Identifier(n)) for n in present
                )
            )
        )
    problems: list[str] = []
    raws: dict[str, RawLayer] = {}
    for entry in manifest.layers:
        raws[entry.name] = _read_layer(
            cur, d, entry.name, ELEMENTS[entry.element], manifest.vocabularies, problems
        )
    for entry in manifest.layers:  # plan_files() and the checksum read the layers as files
        doc = getattr(raws[entry.name], "doc", None)
        if doc is not None:
            (snapshot / entry.file).write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    protect(snapshot)
    return assemble_plan(snapshot, manifest, raws, problems, label=d.shown)


def _relabel(text: str, snapshot: Path, meta_label: str) -> str:
    return text.replace(str(snapshot) + os.sep, f"{meta_label}:")
