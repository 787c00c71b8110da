"""Reading input files safely: regular files only, within the size limit, never blocking.

Every file lzspatial reads (TOML, plan layers, sites, projects) goes through
:func:`check_regular` (and :func:`read_limited` when it is read whole), so a FIFO, a
device such as ``/dev/zero``, or a folder given as a file is refused with a message
that says what it is, before anything is opened for reading.
"""

from __future__ import annotations

import math
import os
import stat

from lzspatial._util.guard import protect
from lzspatial.errors import InputError, LzSpatialError

__all__ = ["DEFAULT_MAX_MB", "NAME_MAX", "check_regular", "max_input_bytes", "name_problem", "read_limited"]

#: Default of ``LZSPATIAL_MAX_INPUT_MB``.
DEFAULT_MAX_MB = 512


#: Longest file or folder name most file systems allow, in bytes (UTF-8).
NAME_MAX = 255


def name_problem(path: str | os.PathLike[str]) -> str | None:
    r"""Say why *path* cannot name a file on any common file system, or return None.

    Examples
    --------
    >>> name_problem("a/b.geojson") is None
    True
    >>> name_problem("a\x00b")
    'the name contains a NUL byte'
    >>> name_problem("x" * 300)[-36:]
    'is 300 bytes; file systems allow 255'
    """
    text = os.fsdecode(path)
    if "\x00" in text:
        return "the name contains a NUL byte"
    for part in text.replace("\\", "/").split("/"):
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            start = part[:20] + "..."
            return f"the name part starting {start!r} is {size} bytes; file systems allow {NAME_MAX}"
    return None


def max_input_bytes() -> int:
    """Largest input file read into memory, from ``LZSPATIAL_MAX_INPUT_MB`` (default 512)."""
    raw = os.environ.get("LZSPATIAL_MAX_INPUT_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        mb = float("nan")
    if not math.isfinite(mb) or mb <= 0 or mb > 2**40:
        raise InputError(f"LZSPATIAL_MAX_INPUT_MB={raw!r} is not a positive number of megabytes")
    return int(mb * 1024 * 1024)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def check_regular(
    path: str | os.PathLike[str],
    error: type[LzSpatialError] = InputError,
    *,
    missing: str = "file not found",
    label: str | None = None,
) -> os.stat_result:
    """Return ``os.stat(path)`` if *path* is a regular file within the size limit, else raise *error*.

    Examples
    --------
    >>> check_regular("/dev/null")
    Traceback (most recent call last):
    ...
    lzspatial.errors.InputError: /dev/null: is a device, not a regular file
    """
    name = label or str(path)
    problem = name_problem(path)
    if problem:
        raise error(f"{name!r}: {problem}")
    try:
        st = os.stat(path)
    except FileNotFoundError as err:
        raise error(f"{name}: {missing}") from err
    except (OSError, ValueError) as err:  # ENAMETOOLONG, ELOOP, EACCES, an embedded NUL byte
        why = getattr(err, "strerror", None) or str(err)
        raise error(f"{name}: cannot read: {why}") from err
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{name}: {_kind(st.st_mode)}")
    protect(path)  # no output of this run may replace it
    limit = max_input_bytes()
    if st.st_size > limit:
        raise error(
            f"{name}: file is {st.st_size / 2**20:.4g} MB, over the input limit of "
            f"{limit / 2**20:.4g} MB; raise it with LZSPATIAL_MAX_INPUT_MB=<megabytes>"
        )
    return st


def read_limited(
    path: str | os.PathLike[str],
    error: type[LzSpatialError] = InputError,
    *,
    missing: str = "file not found",
    label: str | None = None,
) -> bytes:
    """Read a whole regular file, never more than the input limit (a file that grows is refused)."""
    name = label or str(path)
    check_regular(path, error, missing=missing, label=label)
    limit = max_input_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise error(f"{name}: cannot read: {err.strerror or err}") from err
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for a FIFO or device since the check
            raise error(f"{name}: {_kind(os.fstat(fd).st_mode)}")
        chunks, total = [], 0
        while total <= limit:
            block = os.read(fd, min(1 << 24, limit + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
    except OSError as err:
        raise error(f"{name}: cannot read: {err.strerror or err}") from err
    finally:
        os.close(fd)
    if total > limit:
        raise error(f"{name}: file is over the input limit of {limit / 2**20:.4g} MB")
    return b"".join(chunks)
