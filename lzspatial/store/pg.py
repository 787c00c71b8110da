"""PostgreSQL connections for the plan store: DSNs, credentials kept out of every message.

A *plan DSN* is a libpq URI with lzspatial's own query keys added::

    postgresql://user@host:5432/gis?schema=liaozhong_2023      (a plan: the schema)
    postgresql://user@host:5432/gis?table=sites                (sites: a table, schema "public")
    postgresql://user@host:5432/gis?table=work.sites           (sites: schema "work")

``schema`` and ``table`` are removed before the rest goes to libpq, so every libpq key
(``sslmode``, ``host=/path/to/socket``, ``connect_timeout``...) works. Credentials come from the
URI, ``PGPASSWORD``, ``~/.pgpass`` or the other ``PG*`` variables, as libpq reads them. They never
appear in a message, a log line or an output: :attr:`Dsn.shown` drops the password, and every
error text is scrubbed of it.

psycopg 3 is the ``postgis`` extra; without it, :func:`connect` raises one line naming the extra.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from lzspatial.errors import InputError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "DEFAULT_SCHEMA",
    "Dsn",
    "connect",
    "db_error",
    "is_dsn",
    "parse_dsn",
    "quote_ident",
    "require_psycopg",
    "scrub",
]

#: The schema of a plan DSN without ``?schema=``.
DEFAULT_SCHEMA = "public"
_SCHEMES = ("postgresql://", "postgres://")
#: Identifiers lzspatial creates or accepts: plain lower-case names (no quoting surprises in QGIS).
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MISSING = "PostgreSQL support needs psycopg 3: pip install 'lzspatial[postgis]'"


def is_dsn(value: object) -> bool:
    """Return whether *value* is a ``postgresql://`` (or ``postgres://``) URI.

    Examples
    --------
    >>> is_dsn("postgresql://localhost/gis?schema=plan"), is_dsn("layers"), is_dsn(None)
    (True, False, False)
    """
    return isinstance(value, str) and value.lower().startswith(_SCHEMES)


@dataclass(frozen=True)
class Dsn:
    """A parsed plan DSN: what goes to libpq, lzspatial's keys, and a password-free form."""

    #: The URI handed to libpq (lzspatial's keys removed; the password kept).
    conninfo: str
    #: ``?schema=`` (default ``public``).
    schema: str
    #: ``?table=`` without its schema part, or None.
    table: str | None
    #: The URI without the password: the only form shown to people.
    shown: str
    #: Secrets to scrub from any text (the password, from the URI or ``PGPASSWORD``).
    secrets: tuple[str, ...]

    def label(self, table: str | None = None) -> str:
        """Return ``schema.table`` (or the schema) for messages."""
        return f"{self.schema}.{table}" if table else self.schema


def quote_ident(name: str) -> str:
    """Return *name* as a quoted SQL identifier.

    Examples
    --------
    >>> quote_ident('zones'), quote_ident('a"b')
    ('"zones"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def _ident(value: str, key: str, shown: str) -> str:
    if not _IDENT.match(value):
        raise InputError(
            f"{shown}: key {key!r}: {value!r} is not a plain name; use lower-case letters, digits "
            "and '_' (at most 63, not starting with a digit)"
        )
    return value


def parse_dsn(value: str) -> Dsn:
    """Split a plan DSN into libpq's part and lzspatial's keys (``schema``, ``table``).

    Raises
    ------
    InputError
        Not a ``postgresql://`` URI, or a schema/table that is not a plain name.

    Examples
    --------
    >>> d = parse_dsn("postgresql://ann:s3cret@db.example:5433/gis?schema=liaozhong_2023&sslmode=require")
    >>> d.schema, d.shown
    ('liaozhong_2023', 'postgresql://ann@db.example:5433/gis?schema=liaozhong_2023&sslmode=require')
    >>> d.conninfo
    'postgresql://ann:s3cret@db.example:5433/gis?sslmode=require'
    >>> parse_dsn("postgresql:///gis?table=work.sites").table
    'sites'
    """
    if not is_dsn(value):
        raise InputError("a database must be given as postgresql://[user@]host[:port]/dbname[?schema=NAME]")
    parts = urlsplit(value)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets: list[str] = []
    if parts.password:
        secrets.append(unquote(parts.password))
    secrets += [v for k, v in query if k == "password" and v]
    env_pw = os.environ.get("PGPASSWORD")
    if env_pw:
        secrets.append(env_pw)
    ours = {k: v for k, v in query if k in ("schema", "table")}
    rest = [(k, v) for k, v in query if k not in ("schema", "table")]
    netloc_shown = parts.netloc.rsplit("@", 1)
    host = netloc_shown[-1]
    user = parts.username
    shown_netloc = (quote(unquote(user), safe="") + "@" + host) if user else host
    shown_query = urlencode([(k, v) for k, v in query if k != "password"], safe="/")
    shown = urlunsplit((parts.scheme, shown_netloc, parts.path, shown_query, ""))
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(rest, safe="/"), ""))
    schema = ours.get("schema") or DEFAULT_SCHEMA
    table = ours.get("table")
    if table and "." in table:
        schema, table = table.split(".", 1)
    _ident(schema, "schema", shown)
    if table is not None:
        _ident(table, "table", shown)
    return Dsn(conninfo, schema, table, shown, tuple(s for s in secrets if s))


def scrub(text: str, dsn: Dsn) -> str:
    r"""Return *text* on one line with every secret of *dsn* replaced by ``***``.

    Examples
    --------
    >>> scrub("auth failed for s3cret\nDETAIL: x", parse_dsn("postgresql://a:s3cret@h/d"))
    'auth failed for *** DETAIL: x'
    """
    for secret in dsn.secrets:
        text = text.replace(secret, "***")
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def require_psycopg() -> Any:
    """Return the psycopg module, or raise one InputError line naming the ``postgis`` extra."""
    try:
        import psycopg
    except ImportError:
        raise InputError(_MISSING) from None
    return psycopg


def connect(dsn: Dsn, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """Open a connection; a wrong password or an unreachable server is one InputError line.

    The message names the password-free DSN and libpq's reason, scrubbed of secrets.
    """
    psycopg = require_psycopg()
    timeout = os.environ.get("PGCONNECT_TIMEOUT") or "10"
    try:
        return psycopg.connect(
            dsn.conninfo, autocommit=autocommit, connect_timeout=int(timeout) if timeout.isdigit() else 10
        )
    except psycopg.Error as err:
        raise InputError(f"{dsn.shown}: cannot connect: {scrub(str(err), dsn)}") from None


def db_error(dsn: Dsn, what: str, err: BaseException) -> InputError:
    """Return one InputError line for a database error during *what* (secrets scrubbed)."""
    return InputError(f"{dsn.shown}: {what}: {scrub(str(err), dsn)}")
