"""What a rule sees: the plan's layers in the metric CRS, and selections of features.

:class:`Context` resolves a rule's selections (layer + filter) into :class:`Features`
and caches them, since rules often share selections. The kinds (:mod:`lzspatial.rules.kinds`)
read features through it; the engine (:mod:`lzspatial.rules.engine`) makes one per check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from lzspatial._util.union import union
from lzspatial.errors import InputError
from lzspatial.rules.filters import Coded

if TYPE_CHECKING:
    import geopandas as gpd

    from lzspatial.plan import Plan
    from lzspatial.rules.ruleset import Selection

__all__ = ["Context", "Features", "Found", "found", "violation_row"]


# -- data access -----------------------------------------------------------------


class Features:
    """Selected features pooled from one or more layers, geometry in the metric CRS."""

    def __init__(
        self,
        layers: Any,
        ids: Any,
        geoms: Any,
        frames: list[Any],
        label: str,
        rows: Any = None,
        validity: Callable[[], Any] | None = None,
    ) -> None:
        self.layers, self.ids, self.geoms, self.label = layers, ids, geoms, label
        self._frames, self._rows = frames, rows  # attributes, read only when a rule needs them
        self._validity = validity  # is_valid of the geometries, from the context's per-layer cache
        self._spatial: Features | None = None
        self._cache: dict[Any, Any] = {}  # derived geometry (tree, union, buffered union), made once

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """Return ``make()``, computed once per key for these features (rules often share selections)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def tree(self) -> Any:
        """Return an STRtree of the geometries (made once)."""
        return self.cached("tree", lambda: shapely.STRtree(self.geoms))

    def union(self) -> Any:
        """Return the union of the geometries (an empty polygon for none; made once)."""
        return self.cached("union", lambda: union(self.geoms))

    def __len__(self) -> int:
        return len(self.ids)

    def valid(self) -> Any:
        """Boolean array: ``shapely.is_valid`` of each geometry."""
        return self._validity() if self._validity is not None else shapely.is_valid(self.geoms)

    def spatial(self) -> Features:
        """Only features with a non-empty geometry, made valid where invalid."""
        if self._spatial is None:
            keep = ~(shapely.is_missing(self.geoms) | shapely.is_empty(self.geoms))
            geoms = self.geoms[keep].copy()
            bad = ~self.valid()[keep]
            if bad.any():
                geoms[bad] = shapely.make_valid(geoms[bad])
            rows = np.flatnonzero(keep) if self._rows is None else self._rows[keep]
            self._spatial = Features(self.layers[keep], self.ids[keep], geoms, self._frames, self.label, rows)
        return self._spatial

    def values(self, field: str) -> list[Any]:
        """Return the values of *field*, one per feature (``None`` where a layer lacks it)."""
        vals: list[Any] = []
        for frame in self._frames:
            vals += frame[field].tolist() if field in frame.columns else [None] * len(frame)
        return vals if self._rows is None else [vals[i] for i in self._rows]

    def same(self, i: Any, other: Features, j: Any) -> Any:
        """Boolean array: whether pairs (i, j) are the same feature."""
        return (self.layers[i] == other.layers[j]) & (self.ids[i] == other.ids[j])


class _CodedColumns(Mapping[str, Coded]):
    """The columns of one layer frame, each coded once when a filter first reads it."""

    def __init__(self, frame: Any) -> None:
        self._frame = frame
        self._coded: dict[str, Coded] = {}

    def __getitem__(self, field: str) -> Coded:
        if field not in self._coded:
            self._coded[field] = Coded(list(self._frame[field]))  # as Filter.evaluate reads a frame
        return self._coded[field]

    def __iter__(self) -> Any:
        return iter(self._frame.columns)

    def __len__(self) -> int:
        return len(self._frame.columns)


class Context:
    """The plan (and extra layers) as a rule check reads them."""

    def __init__(self, plan: Plan, extra: Mapping[str, gpd.GeoDataFrame]) -> None:
        self.plan = plan
        self.crs = plan.metric_crs
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._selected: dict[tuple[Selection, ...], Features] = {}
        self._coded: dict[str, _CodedColumns] = {}
        self._validity: dict[str, Any] = {}
        self.fields: dict[str, set[str]] = {}
        for name in plan.layer_names:
            self.fields[name] = {c for c in plan[name].columns if c != "geometry"}
        for name, gdf in extra.items():
            if name in self.fields:
                raise InputError(f"extra layer {name!r} has the name of a plan layer; rename it")
            if getattr(gdf, "crs", None) is None:
                raise InputError(f"extra layer {name!r} has no CRS; set it, e.g. gdf.set_crs('EPSG:4326')")
            self._frames[name] = gdf.to_crs(self.crs)
            self.fields[name] = {c for c in gdf.columns if c != gdf.geometry.name}

    def frame(self, name: str) -> gpd.GeoDataFrame:
        """Return layer *name* in the metric CRS (cached)."""
        if name not in self._frames:
            self._frames[name] = self.plan.layer(name, metric=True)
        return self._frames[name]

    def _valid(self, name: str) -> Any:
        """``shapely.is_valid`` of every geometry of layer *name* (once per check: selections share it)."""
        if name not in self._validity:
            self._validity[name] = shapely.is_valid(
                np.asarray(self.frame(name).geometry.values, dtype=object)
            )
        return self._validity[name]

    def _columns(self, name: str) -> _CodedColumns:
        if name not in self._coded:
            self._coded[name] = _CodedColumns(self.frame(name))
        return self._coded[name]

    def select(self, sels: tuple[Selection, ...]) -> Features:
        """Return the features of *sels*, pooled (cached: rules often share selections)."""
        if sels in self._selected:
            return self._selected[sels]
        layers: list[str] = []
        ids: list[str] = []
        geoms: list[np.ndarray] = []
        frames: list[gpd.GeoDataFrame] = []
        parts: list[tuple[str, Any]] = []  # (layer, rows picked by the filter or None)
        for sel in sels:
            frame = self.frame(sel.layer)
            mask = None
            if sel.where is not None:
                mask = sel.where.evaluate(self._columns(sel.layer), len(frame))
                frame = frame[mask]
            parts.append((sel.layer, mask))
            fids = frame["id"].tolist() if "id" in frame.columns else [str(i) for i in frame.index]
            layers += [sel.layer] * len(frame)
            ids += fids
            geoms.append(np.asarray(frame.geometry.values, dtype=object))
            frames.append(frame)
        label = " + ".join(s.label for s in sels)

        def validity() -> Any:
            pieces = [self._valid(name) if mask is None else self._valid(name)[mask] for name, mask in parts]
            return np.concatenate(pieces) if pieces else np.zeros(0, dtype=bool)

        feats = Features(
            np.array(layers, dtype=object),
            np.array(ids, dtype=object),
            np.concatenate(geoms) if geoms else np.empty(0, dtype=object),
            frames,
            label,
            validity=validity,
        )
        self._selected[sels] = feats
        return feats


class Found:
    """The violations one rule found, column by column, in the order the rule found them.

    The keys and measures are plain lists; the messages and geometries (metric CRS) are
    made by *messages* and *geometries* only when asked for: a plan diff compares keys
    and measures only, a report shows them all.
    """

    def __init__(
        self,
        layers: list[Any],
        feature_ids: list[Any],
        related_ids: list[Any],
        measures: list[float],
        units: list[str],
        messages: Callable[[], Sequence[str]],
        geometries: Callable[[], Sequence[Any]],
    ) -> None:
        self.layers, self.feature_ids, self.related_ids = layers, feature_ids, related_ids
        self.measures, self.units = measures, units
        self._messages, self._geometries = messages, geometries

    def __len__(self) -> int:
        return len(self.feature_ids)

    def messages(self) -> list[str]:
        """One message per violation."""
        out = list(self._messages())
        if len(out) != len(self):
            raise AssertionError(f"{len(out)} messages for {len(self)} violations")
        return out

    def geometries(self) -> list[Any]:
        """One geometry (metric CRS, or None) per violation."""
        out = list(self._geometries())
        if len(out) != len(self):
            raise AssertionError(f"{len(out)} geometries for {len(self)} violations")
        return out

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Found:
        """Violation records (``violation_row``) as columns."""
        return cls(
            [r["layer"] for r in rows],
            [r["feature_id"] for r in rows],
            [r["related_id"] for r in rows],
            [float(r["measure"]) for r in rows],
            [r["unit"] for r in rows],
            lambda: [r["message"] for r in rows],
            lambda: [r["geometry"] for r in rows],
        )


def found(
    feats: Features,
    idx: Any,
    related: Sequence[Any] | None,
    measures: Any,
    units: str | Sequence[str],
    messages: Callable[[], Sequence[str]],
    geometries: Callable[[], Sequence[Any]],
) -> Found:
    """Violations of the features *idx* of *feats* (``related`` None: no related feature)."""
    idx = np.asarray(idx, dtype=np.intp)
    n = len(idx)
    return Found(
        feats.layers[idx].tolist(),
        feats.ids[idx].tolist(),
        [None] * n if related is None else list(related),
        [float(m) for m in np.asarray(measures).tolist()] if n else [],
        [units] * n if isinstance(units, str) else list(units),
        messages,
        geometries,
    )


def violation_row(
    feats: Features,
    i: int | np.integer[Any],
    related: Any,
    measure: float,
    unit: str,
    message: str,
    geom: Any,
) -> dict[str, Any]:
    """Return one violation record (the columns of ``VIOLATION_COLUMNS`` the kinds fill in)."""
    return {
        "layer": feats.layers[i],
        "feature_id": feats.ids[i],
        "related_id": related,
        "measure": float(measure),
        "unit": unit,
        "message": message,
        "geometry": geom,
    }
