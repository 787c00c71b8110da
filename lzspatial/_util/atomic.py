"""Atomic file writes: a temp file in the target folder, then ``os.replace``."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lzspatial._util.files import name_problem
from lzspatial._util.guard import check_output
from lzspatial._util.lock import folder_lock
from lzspatial.errors import LzSpatialError, OutputError

__all__ = [
    "TMP_PREFIX",
    "AtomicTarget",
    "atomic_path",
    "clean_stale_temps",
    "pid_alive",
    "staged_folder",
    "write_error",
    "write_bytes",
    "write_text",
]

#: Prefix of every temp file lzspatial creates; stale ones are removed on the next run.
TMP_PREFIX = ".lzspatial-tmp-"


def _check_target(path: Path) -> Path:
    """Return where to write *path*: refuse what is not a regular file, follow a link to one."""
    if str(path) == "-":
        raise OutputError("-: this output cannot go to stdout; name a file")
    problem = name_problem(path)
    if problem:
        raise OutputError(f"{str(path)!r}: {problem}")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # the parent check says what is missing
        st = None
    except (OSError, ValueError) as err:  # ENAMETOOLONG, ELOOP, a NUL byte
        raise OutputError(f"{path}: cannot write: {getattr(err, 'strerror', None) or err}") from err
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise OutputError(
            f"{path}: the output exists and is {kind}; lzspatial only replaces regular files "
            "(use `-` to write to stdout where a command offers it)"
        )
    if st is not None and path.is_symlink():
        path = path.resolve()  # replace the file the link points to, and keep the link
    check_output(path)
    return path


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: output folder {str(parent)!r} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: output folder {str(parent)!r} is not writable")


def _probe(folder: Path) -> None:
    """Raise OSError now if no file can be made in *folder* (before any work), leaving no file.

    The probe is an unnamed file (``O_TMPFILE``): it vanishes with its descriptor, so a signal
    at any moment (Ctrl-C, SIGTERM) leaves nothing behind. Where the system or file system
    lacks it, a named file is made and removed at once.
    """
    unnamed = getattr(os, "O_TMPFILE", None)
    if unnamed is not None:
        try:
            os.close(os.open(folder, unnamed | os.O_WRONLY, 0o600))
            return
        except OSError as err:
            if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                raise
    fd, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=folder)
    try:
        os.close(fd)
    finally:
        os.unlink(name)


def _fresh_name(folder: Path, suffix: str) -> Path:
    """Return a temp file name in *folder* that nothing holds yet (``.lzspatial-tmp-<pid>-<hex><suffix>``)."""
    while True:
        tmp = folder / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}{suffix}"
        if not os.path.lexists(tmp):
            return tmp


class AtomicTarget:
    """A temp file beside *path* that becomes *path* on :meth:`commit` (``os.replace``).

    The one atomic writer of lzspatial: :func:`atomic_path`, :func:`write_bytes` and the
    streaming result writer all go through it. The temp file is named
    ``.lzspatial-tmp-<pid>-<random><suffix>`` and does not exist until the writer creates it
    (some GDAL drivers refuse an existing file). It refuses a target that exists and is not
    a regular file (a device, FIFO or folder is never renamed over), and one that is, or lies
    inside, an input of the run (:func:`lzspatial._util.guard.check_output`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = _check_target(Path(path))
        _check_parent(self.path)
        clean_stale_temps(self.path.parent, depth=0)  # a killed run's leftovers, never a live run's
        try:
            _probe(self.path.parent)
        except OSError as err:
            raise OutputError(
                f"{self.path}: cannot write into {str(self.path.parent)!r}: {err.strerror or err}"
            ) from err
        self.tmp = _fresh_name(self.path.parent, self.path.suffix)

    def commit(self) -> Path:
        """Flush the temp file to disk and rename it over the target; return the target."""
        try:
            with contextlib.suppress(FileNotFoundError):
                if not stat.S_ISREG(os.stat(self.path).st_mode):  # became a device or FIFO meanwhile
                    raise OutputError(f"{self.path}: the output is no longer a regular file; not replaced")
            if self.tmp.is_file():
                with open(self.tmp, "rb") as fh:
                    os.fsync(fh.fileno())
            os.replace(self.tmp, self.path)
        except OSError as err:
            self.discard()
            raise OutputError(f"{self.path}: cannot write: {err.strerror or err}") from err
        except BaseException:
            self.discard()
            raise
        return self.path

    def discard(self) -> None:
        """Remove the temp file, leaving the target untouched."""
        with contextlib.suppress(OSError):
            self.tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside *path*; on success rename it over *path*.

    On any exception the temp file is removed and *path* is left untouched.
    """
    target = AtomicTarget(path)
    try:
        yield target.tmp
    except BaseException:
        target.discard()
        raise
    target.commit()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write *data* to *path* atomically and return the path."""
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    except OutputError:
        raise
    except OSError as err:
        raise write_error(path, err) from err
    return path


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write *text* as UTF-8 to *path* atomically (line ends are kept as given)."""
    return write_bytes(path, text.encode("utf-8"))


_FULL = ("disk is full", "no space left", "database or disk is full", "enospc", "quota exceeded")


def write_error(path: str | os.PathLike[str], err: BaseException, what: str = "cannot write") -> OutputError:
    """Return a one-line :class:`OutputError` for a failed write (GDAL/SQLite/Arrow messages shortened).

    A full disk is named as such, whatever library reports it; other messages keep their first
    line, at most 200 characters (GDAL may quote a whole SQL statement).

    Examples
    --------
    >>> str(write_error("r.gpkg", RuntimeError("sqlite3_step(): database or disk is full (INSERT ...)")))
    'r.gpkg: cannot write: no space left on the device (disk full)'
    """
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    if getattr(err, "errno", None) == 28 or any(k in text.lower() for k in _FULL):
        text = "no space left on the device (disk full)"
    else:
        text = text.splitlines()[0] if text.splitlines() else text
        text = text if len(text) <= 200 else text[:200] + "..."
    return OutputError(f"{path}: {what}: {text}")


@contextlib.contextmanager
def staged_folder(out: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a staging folder inside *out*; when the block succeeds, move its files into *out*.

    A command that writes several files writes them all into the staging folder first, so a
    writer that refuses the data (a field-name clash, a character the encoding cannot hold)
    fails before any file in *out* is replaced. Every target is checked (regular file or
    absent, not an input) before the first one is moved; on any error the staging folder is
    removed and *out* is left as it was.
    """
    out = Path(out)
    _check_parent(out / "x")
    try:
        stage = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=".stage", dir=out))
    except OSError as err:
        raise OutputError(f"{out}: cannot write into the folder: {err.strerror or err}") from err
    try:
        try:
            yield stage
        except LzSpatialError as err:  # name the real output folder, not the staging folder
            text = str(err)
            if str(stage) in text:
                raise type(err)(text.replace(str(stage), str(out))) from err
            raise
        with folder_lock(out):  # two runs into one folder publish one after the other
            clean_stale_temps(out)
            _publish(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, out: Path) -> None:
    files = sorted(p for p in stage.rglob("*") if p.is_file() and not p.name.startswith(TMP_PREFIX))
    targets = [_check_target(out / p.relative_to(stage)) for p in files]  # all checked first
    for src, dst in zip(files, targets, strict=True):
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        except OSError as err:
            raise OutputError(f"{dst}: cannot write: {err.strerror or err}") from err


_TMP_PID = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-")


def pid_alive(pid: int) -> bool:
    """Whether process *pid* exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def clean_stale_temps(folder: str | os.PathLike[str], *, depth: int = 2) -> list[Path]:
    """Remove temp files and staging folders left in *folder* (and *depth* levels below) by a dead run.

    Only lzspatial's own temp files (``.lzspatial-tmp-<pid>-*``) whose process no longer
    exists are touched (a live run's files are left alone), and the walk is bounded, so
    pointing an output at a large folder stays cheap.
    """
    removed = []
    folder = Path(folder)
    patterns = [TMP_PREFIX + "*"] + ["*/" * d + TMP_PREFIX + "*" for d in range(1, depth + 1)]
    if folder.is_dir():
        for pattern in patterns:
            for p in sorted(folder.glob(pattern)):
                m = _TMP_PID.match(p.name)
                if m is None or pid_alive(int(m.group(1))):
                    continue
                with contextlib.suppress(OSError):
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p)
                    else:
                        p.unlink()
                    removed.append(p)
    return removed
