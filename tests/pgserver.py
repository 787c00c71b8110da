"""A throwaway PostgreSQL + PostGIS server for the tests and benchmarks (no mock).

:class:`PgServer` runs ``initdb`` in a temp folder as an unprivileged user (``nobody`` when
run as root: PostgreSQL refuses to run as root), starts ``postgres`` on a loopback port and a
unix socket inside that folder, creates a database with the ``postgis`` extension, and stops
and removes everything on :meth:`stop`. Password authentication (SCRAM) is on, so the
tests can check that passwords never leak and that a wrong one is refused.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: Where Debian puts the server binaries (postgresql-15-postgis-3).
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
USER = "lzadmin"
PASSWORD = "Pw-7f3kq-not-in-any-output"
DBNAME = "lzspatial_test"


def find_bin() -> Path | None:
    """Return the folder of initdb/postgres with PostGIS installed beside it, or None."""
    for folder in sorted(glob.glob(_BIN_GLOB), reverse=True):
        version = Path(folder).parent.name
        if (Path(folder) / "initdb").is_file() and glob.glob(
            f"/usr/share/postgresql/{version}/extension/postgis.control"
        ):
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """A running throwaway server; :attr:`dsn` connects with the password."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="lzpg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._run_as: str | None = "nobody" if os.geteuid() == 0 else None
        if self._run_as:
            shutil.chown(self.root, self._run_as)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._run_as:
            shutil.chown(pwfile, self._run_as)
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        conf = (
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{self.root}'\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = off\nmax_connections = 40\nshared_buffers = 64MB\n"
        )
        with open(self.data / "postgresql.conf", "a") as fh:
            fh.write(conf)
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        self.dsn_base = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}"
        import psycopg

        with psycopg.connect(f"{self.dsn_base}/postgres", autocommit=True) as con:
            con.execute(f"CREATE DATABASE {DBNAME}")
        with psycopg.connect(f"{self.dsn_base}/{DBNAME}", autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
        self.dsn = f"{self.dsn_base}/{DBNAME}"

    def _pg(self, prog: str, *args: str) -> None:
        cmd = [str(self.bindir / prog), *args]
        proc = subprocess.run(
            cmd, user=self._run_as, cwd=self.root, capture_output=True, text=True, check=False, timeout=120
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{prog} failed ({proc.returncode}): {proc.stderr or proc.stdout}")

    def url(self, **query: str) -> str:
        """The DSN with lzspatial's query keys (``schema=``, ``table=``)."""
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return f"{self.dsn}?{q}" if q else self.dsn

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            for _ in range(20):
                try:
                    shutil.rmtree(self.root)
                    break
                except OSError:
                    time.sleep(0.1)
