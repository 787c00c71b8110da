"""``lzspatial build``: the main job on one plan.

Validates the plan and writes its outputs into one folder. Every file is
written atomically; temp files left by an interrupted run are removed first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from ._atomic import clean_stale_temps, write_text
from .errors import OutputError

__all__ = ["build_plan"]


def _prepare_out(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot create output folder: {err.strerror or err}") from err
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: output folder is not writable")
    clean_stale_temps(out_dir)


def build_plan(
    plan_dir: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    *,
    echo: Callable[[str], None] = lambda s: None,
) -> list[Path]:
    """Validate the plan and write its outputs into *out_dir*; return the files written."""
    from .plan import load_plan

    plan = load_plan(plan_dir)
    out = Path(out_dir)
    _prepare_out(out)
    written: list[Path] = []
    summary = plan.info()
    summary.pop("source", None)
    summary = {"lzspatial_build": 1, "source": plan.source, **summary}
    written.append(write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n"))
    echo(f"summary: {written[-1]}")
    return written
