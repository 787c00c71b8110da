"""Pause Python's cyclic garbage collector while a batch of geometry work runs.

Shapely geometries are objects the collector tracks; a rule check or a plan diff makes
hundreds of thousands of them and keeps most, so the collector's full passes (each
walking every tracked object) cost a second or more on a 10,000-feature plan and free
nothing. Reference counting still frees everything at once; cycles wait for the next pass.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["gc_paused"]


_lock = threading.Lock()
_depth = 0  # blocks inside gc_paused, over all threads
_restore = False  # whether the first of them found collection on


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with automatic garbage collection off (restored after, also on errors).

    Nested and concurrent uses are safe: collection comes back on when the last block
    (in any thread) ends, and only if it was on when the first began; a caller that had
    it off keeps it off.

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _depth, _restore
    with _lock:
        if _depth == 0:
            _restore = gc.isenabled()
        _depth += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore:
                gc.enable()
