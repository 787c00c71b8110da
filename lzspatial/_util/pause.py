"""Pause Python's cyclic garbage collector while a batch of geometry work runs.

Shapely geometries are objects the collector tracks; a rule check or a plan diff makes
hundreds of thousands of them and keeps most, so the collector's full passes (each
walking every tracked object) cost a second or more on a 10,000-feature plan and free
nothing. Reference counting still frees everything at once; cycles wait for the next pass.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with automatic garbage collection off (restored after, also on errors).

    Nested and concurrent uses are safe: only the use that turned collection off turns it
    back on, and a caller that had it off keeps it off.

    Examples
    --------
    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
