"""The plan: schema, manifest, layer reader, :class:`Plan` and :func:`load_plan`."""

from lzspatial.plan.model import Plan, default_plan_dir, load_plan

__all__ = ["Plan", "default_plan_dir", "load_plan"]
