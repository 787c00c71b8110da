"""The files a plan is made of, and their checksum (the plan version a report cites).

Examples
--------
>>> from lzspatial.plan import load_plan
>>> plan = load_plan()
>>> [p.name for p in plan_files(plan)][:3]
['plan.toml', 'boundary.geojson', 'context.geojson']
>>> len(plan_checksum(plan))
64
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lzspatial.plan.model import Plan

__all__ = ["is_plan_file", "plan_checksum", "plan_files"]

#: Optional files of a plan folder beside the manifest and the layers.
_EXTRA = ("rules.toml", "siting.toml")


def plan_files(plan: Plan) -> list[Path]:
    """Return the manifest, the layer files (manifest order) and the rule files that exist."""
    files = [plan.manifest.path] + [plan.path / entry.file for entry in plan.manifest.layers]
    files += [plan.path / name for name in _EXTRA if (plan.path / name).is_file()]
    return files


def plan_checksum(plan: Plan) -> str:
    """Return the SHA-256 (hex) over the plan's files: each file's name and bytes, in order."""
    digest = hashlib.sha256()
    for path in plan_files(plan):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_plan_file(plan: Plan, path: str | os.PathLike[str]) -> bool:
    """Return whether *path* names one of the plan's files (so must never be written)."""
    target = Path(path)
    for src in plan_files(plan):
        try:
            if target.exists() and os.path.samefile(target, src):
                return True
            if target.resolve() == src.resolve():
                return True
        except OSError:
            continue
    return False
