"""The plan: schema, manifest, layer reader, :class:`Plan` and :func:`load_plan`.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.plan.digest import plan_checksum, plan_files
    from lzspatial.plan.model import Plan, default_plan_dir, load_plan, require_plan

_EXPORTS = {
    "Plan": "lzspatial.plan.model",
    "default_plan_dir": "lzspatial.plan.model",
    "load_plan": "lzspatial.plan.model",
    "plan_checksum": "lzspatial.plan.digest",
    "plan_files": "lzspatial.plan.digest",
    "require_plan": "lzspatial.plan.model",
}
__all__ = [
    "Plan",
    "default_plan_dir",
    "load_plan",
    "plan_checksum",
    "plan_files",
    "require_plan",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
