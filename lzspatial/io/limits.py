"""Input limits: the largest file lzspatial reads into memory (light: the CLI checks it first).

The limit and the regular-file check live in :mod:`lzspatial._util.files` (the TOML reader
needs them too); this module is their face for the I/O tier.
"""

from __future__ import annotations

from pathlib import Path

from lzspatial._util.files import check_regular, max_input_bytes, read_limited
from lzspatial.errors import InputError

__all__ = ["MAX_INPUT_BYTES", "check_regular", "check_size", "read_limited"]


def MAX_INPUT_BYTES() -> int:  # noqa: N802 - reads like a constant, set by environment
    """Largest input file read into memory, from ``LZSPATIAL_MAX_INPUT_MB`` (default 512)."""
    return max_input_bytes()


def check_size(path: Path) -> None:
    """Refuse a file that is not a regular file, or is over the input size limit."""
    check_regular(path, InputError)
