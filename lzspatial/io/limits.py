"""Input limits: the largest file lzspatial reads into memory (light: the CLI checks it first)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from lzspatial.errors import InputError

__all__ = ["MAX_INPUT_BYTES", "check_size"]

_DEFAULT_MAX_MB = 512


def MAX_INPUT_BYTES() -> int:  # noqa: N802 - reads like a constant, set by environment
    """Largest input file read into memory, from ``LZSPATIAL_MAX_INPUT_MB`` (default 512)."""
    raw = os.environ.get("LZSPATIAL_MAX_INPUT_MB", "").strip()
    if not raw:
        return _DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        mb = float("nan")
    if not math.isfinite(mb) or mb <= 0:
        raise InputError(f"LZSPATIAL_MAX_INPUT_MB={raw!r} is not a positive number of megabytes")
    return int(mb * 1024 * 1024)


def check_size(path: Path) -> None:
    """Refuse a file over the input size limit with a message naming the limit."""
    limit = MAX_INPUT_BYTES()
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"{path}: file is {size / 2**20:.4g} MB, over the input limit of "
            f"{limit / 2**20:.4g} MB; raise it with LZSPATIAL_MAX_INPUT_MB=<megabytes>"
        )
