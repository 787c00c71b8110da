"""Plan versions: what changed between two plans, and what it does to the rule check and to sites.

:func:`diff_plans` compares two loaded plans and returns a :class:`PlanDiff`;
:func:`revision_folder` unpacks a plan folder from git history (``HEAD~1:layers``)
so that it can be loaded; :func:`render_review_map` draws the review map and
:func:`print_diff` the terminal table. The JSON schema is in ``docs/diff.md``.

Public names are imported on first use (see :mod:`lzspatial._util.lazy`).
"""

from typing import TYPE_CHECKING

from lzspatial._util.lazy import attach

if TYPE_CHECKING:
    from lzspatial.diff.api import diff_plans
    from lzspatial.diff.geojson import diff_geojson
    from lzspatial.diff.git import is_revision, resolve_revision, revision_folder
    from lzspatial.diff.model import SCHEMA, PlanDiff
    from lzspatial.diff.render import render_review_map
    from lzspatial.diff.table import print_diff

_EXPORTS = {
    "SCHEMA": "lzspatial.diff.model",
    "PlanDiff": "lzspatial.diff.model",
    "diff_geojson": "lzspatial.diff.geojson",
    "diff_plans": "lzspatial.diff.api",
    "is_revision": "lzspatial.diff.git",
    "print_diff": "lzspatial.diff.table",
    "render_review_map": "lzspatial.diff.render",
    "resolve_revision": "lzspatial.diff.git",
    "revision_folder": "lzspatial.diff.git",
}
__all__ = [
    "SCHEMA",
    "PlanDiff",
    "diff_geojson",
    "diff_plans",
    "is_revision",
    "print_diff",
    "render_review_map",
    "resolve_revision",
    "revision_folder",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
