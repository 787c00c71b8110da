"""An advisory lock on an output folder, so two runs writing into one folder take turns.

The lock is ``fcntl.flock`` on the folder itself (no lock file is left behind); a second
run waits for it up to ``LZSPATIAL_LOCK_TIMEOUT`` seconds (default 300), then stops
with a message saying another run is writing there.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path

from lzspatial.errors import InputError, OutputError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "folder_lock", "lock_timeout"]

#: Seconds a run waits for another run's lock on the same output folder.
DEFAULT_LOCK_TIMEOUT = 300.0


def lock_timeout() -> float:
    """Seconds to wait for an output folder's lock, from ``LZSPATIAL_LOCK_TIMEOUT``."""
    raw = os.environ.get("LZSPATIAL_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value < 0:
        raise InputError(f"LZSPATIAL_LOCK_TIMEOUT={raw!r} is not a number of seconds (0 or more)")
    return value


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock on *folder* for the block (wait up to *timeout* seconds)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the atomic writes still hold)
        yield
        return
    path = Path(folder)
    wait = lock_timeout() if timeout is None else timeout
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        raise OutputError(f"{path}: cannot open the output folder: {err.strerror or err}") from err
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"{path}: another lzspatial run is writing into this folder (waited {wait:g} s); "
                        "run again when it has finished, or raise LZSPATIAL_LOCK_TIMEOUT"
                    ) from None
                time.sleep(0.05)
            except OSError:  # the file system does not support locks: go on without
                break
        yield
    finally:
        os.close(fd)  # releases the lock
