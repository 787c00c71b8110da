"""Atomic file writes: a temp file in the target folder, then ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lzspatial.errors import OutputError

__all__ = ["TMP_PREFIX", "AtomicTarget", "atomic_path", "clean_stale_temps", "write_bytes", "write_text"]

#: Prefix of every temp file lzspatial creates; stale ones are removed on the next run.
TMP_PREFIX = ".lzspatial-tmp-"


def _check_parent(path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; name a file to write")
    if path.exists() and not path.is_file():  # a FIFO, device or socket: never replace it
        raise OutputError(f"{path}: is not a regular file (a device, pipe or socket); name a file to write")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: output folder {str(parent)!r} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: output folder {str(parent)!r} is not writable")


class AtomicTarget:
    """A temp file beside *path* that becomes *path* on :meth:`commit` (``os.replace``).

    The one atomic writer of lzspatial: :func:`atomic_path`, :func:`write_bytes` and the
    streaming result writer all go through it. The temp file is named
    ``.lzspatial-tmp-<pid>-<random><suffix>`` and does not exist until the writer creates it
    (some GDAL drivers refuse an existing file).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        _check_parent(self.path)
        try:
            fd, tmp = tempfile.mkstemp(
                prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=self.path.suffix, dir=self.path.parent
            )
        except OSError as err:
            raise OutputError(
                f"{self.path}: cannot write into {str(self.path.parent)!r}: {err.strerror or err}"
            ) from err
        os.close(fd)
        self.tmp = Path(tmp)
        self.tmp.unlink()

    def commit(self) -> Path:
        """Flush the temp file to disk and rename it over the target; return the target."""
        try:
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
        raise OutputError(f"{path}: cannot write: {err.strerror or err}") from err
    return path


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write *text* as UTF-8 to *path* atomically (line ends are kept as given)."""
    return write_bytes(path, text.encode("utf-8"))


def clean_stale_temps(folder: str | os.PathLike[str], *, depth: int = 2) -> list[Path]:
    """Remove temp files left in *folder* (and up to *depth* levels below) by an interrupted run.

    Only lzspatial's own temp files (``.lzspatial-tmp-*``) are touched, and the walk is
    bounded, so pointing an output at a large folder stays cheap.
    """
    removed = []
    folder = Path(folder)
    patterns = [TMP_PREFIX + "*"] + ["*/" * d + TMP_PREFIX + "*" for d in range(1, depth + 1)]
    if folder.is_dir():
        for pattern in patterns:
            for p in sorted(folder.glob(pattern)):
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed.append(p)
    return removed
