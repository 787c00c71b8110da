"""The plan index behind :func:`lzspatial.screening.screen`: the plan's layers in a :class:`Grid`.

Which layers screening reads (zones, core, parks, control lines) and which distances it
measures (:data:`DISTANCES`), each indexed once per plan and cached.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial.plan.schema import weakest_basis
from lzspatial.rules.siting import target_geometry
from lzspatial.screening.grid import Grid, PolyLayer, SegLayer

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = ["CONTROL_KINDS", "DISTANCES", "LOGISTICS_KINDS", "PlanIndex", "plan_index"]

LOGISTICS_KINDS = ("bonded_zone", "logistics_park", "timber_port", "customs_station")
#: Control-line kinds with a flag column ``in_<kind>``.
CONTROL_KINDS = ("eco_red_line", "basic_farmland", "urban_development_boundary")


def _key_towns(f: Any) -> Any:
    return f["rank"] == "key"


def _railways(f: Any) -> Any:
    return f["kind"] == "railway"


def _logistics(f: Any) -> Any:
    return f["kind"].isin(LOGISTICS_KINDS)


#: Distance columns: name -> (layer, filter on the layer's frame).
DISTANCES: dict[str, tuple[str, Any]] = {
    "axis": ("axes", None),
    "center": ("centers", None),
    "town": ("towns", None),
    "key_town": ("towns", _key_towns),
    "railway": ("transport", _railways),
    "logistics": ("parks", _logistics),
}
#: Polygon sites up to this radius (half the bbox diagonal, m) use the grid for distances.


class PlanIndex:
    """Everything :func:`screen` needs from one plan, built once."""

    def __init__(self, plan: Plan) -> None:

        self.plan = plan
        frames = {
            n: plan.layer(n, metric=True) for n in plan.layer_names if n not in ("context", "places", "water")
        }
        bounds = np.array([f.total_bounds for f in frames.values() if len(f)])
        self.grid = Grid((bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()))
        empty = frames["boundary"].iloc[:0]
        self.frames = {n: frames.get(n, empty) for n in ("zones", "core", "parks", "control_lines")}
        # control lines are read by kind for points, whole only for polygon sites (no sub-cells)
        self.layers = {
            n: PolyLayer(list(f.geometry), self.grid, split=n != "control_lines")
            for n, f in self.frames.items()
        }
        cl = self.frames["control_lines"]
        self.kind_layers = {
            k: PolyLayer(list(cl.geometry[cl["kind"] == k]), self.grid) for k in CONTROL_KINDS
        }
        self.near: dict[str, SegLayer] = {}
        for name, (layer, flt) in DISTANCES.items():
            f = frames.get(layer, empty)
            if flt is not None and len(f):
                f = f[flt(f).to_numpy(dtype=bool)]
            polys = None
            if len(f) and bool(np.isin(shapely.get_type_id(f.geometry.values), (3, 6)).any()):
                polys = PolyLayer(list(f.geometry), self.grid)
            self.near[name] = SegLayer(f.reset_index(drop=True), self.grid, polys)
        parks = self.frames["parks"]
        #: Which parks are logistics nodes (columns of the parks' area table).
        self.logistics = _logistics(parks).to_numpy(dtype=bool) if len(parks) else np.zeros(0, dtype=bool)
        self.targets: dict[tuple[str, str], PolyLayer] = {}
        #: Cached category tables of the result columns (see :mod:`lzspatial.screening.engine`).
        self.luts: dict[str, Any] = {}
        #: The ``geometry_basis`` each answer rests on (the weakest of the features it reads).
        self.basis = self._basis(frames, empty)

    def _basis(self, frames: dict[str, Any], empty: Any) -> dict[str, str]:
        def of(frame: Any) -> str:
            return (weakest_basis(frame["geometry_basis"]) or "sourced") if len(frame) else "sourced"

        cl = self.frames["control_lines"]
        basis = {
            "zone": of(self.frames["zones"]),
            "core": of(self.frames["core"]),
            "park": of(self.frames["parks"]),
        }
        for kind in CONTROL_KINDS:  # a "no" rests on the whole layer of that kind, or on its absence
            part = cl[cl["kind"] == kind] if len(cl) else cl
            basis[f"in_{kind}"] = of(part) if len(part) else of(cl)
        for name, (layer, flt) in DISTANCES.items():
            f = frames.get(layer, empty)
            basis[f"dist_{name}"] = of(f[flt(f).to_numpy(dtype=bool)] if flt is not None and len(f) else f)
        return basis

    def target(self, siting: Any, rule: Any) -> PolyLayer:
        """Return a one-polygon layer for the target of a siting rule (cached)."""
        key = (str(siting.path), rule.id)
        if key not in self.targets:
            geom = target_geometry(self.plan, rule.target)
            self.targets[key] = PolyLayer([] if geom is None else [geom], self.grid)
        return self.targets[key]


_INDEXES: weakref.WeakKeyDictionary[Any, PlanIndex] = weakref.WeakKeyDictionary()
_BUILD = threading.Lock()


def plan_index(plan: Plan) -> PlanIndex:
    """Return the (cached) index of *plan*, built once even when threads ask together."""
    idx = _INDEXES.get(plan)
    if idx is None:
        with _BUILD:
            idx = _INDEXES.get(plan)
            if idx is None:
                idx = _INDEXES[plan] = PlanIndex(plan)
    return idx
