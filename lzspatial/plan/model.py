"""The plan: a folder of GeoJSON layers and a ``plan.toml`` manifest.

:func:`load_plan` reads and validates a plan folder (the default Liaozhong 2023
plan when no path is given) and returns a :class:`Plan`.
"""

from __future__ import annotations

import gc
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

from lzspatial._util.files import name_problem
from lzspatial._util.guard import protect
from lzspatial._util.text import esc
from lzspatial.crs import METRIC, WGS84, reproject
from lzspatial.errors import PlanFileError, SchemaError
from lzspatial.plan.bulk import (
    BOUNDARY_TOLERANCE_M,
    check_across,
    duplicate_id_problem,
    layer_frame,
    metric_boundary,
    outside_problem,
    read_layer_bulk,
    to_metric,
)
from lzspatial.plan.layer import RawLayer, read_layer
from lzspatial.plan.manifest import Manifest, read_manifest
from lzspatial.plan.schema import COMMON_FIELDS, ELEMENTS

if TYPE_CHECKING:
    from collections.abc import Mapping

    import folium

    from lzspatial.rules import CheckReport, RuleSet

__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "Plan",
    "assemble_plan",
    "check_replacement",
    "default_plan_dir",
    "load_plan",
    "require_plan",
]


def default_plan_dir() -> Path:
    """Return the folder of the default plan (Liaozhong 2023).

    In a source checkout this is ``layers/`` beside the package; in an
    installed wheel it is the copy shipped inside the package.
    """
    here = Path(__file__).resolve().parent.parent  # the lzspatial package
    for candidate in (here.parent / "layers", here / "_default_plan"):
        if (candidate / "plan.toml").is_file():
            return candidate
    raise PlanFileError(f"the default plan is not installed (looked in {here / '_default_plan'})")


def load_plan(path: str | os.PathLike[str] | None = None) -> Plan:
    """Load and validate a plan folder.

    Parameters
    ----------
    path : str or path-like, optional
        The plan folder (with ``plan.toml``), or the manifest itself. The
        default plan when omitted. A ``postgresql://…?schema=NAME`` URI reads
        the plan from PostGIS (:mod:`lzspatial.store.postgis`; the ``postgis`` extra).

    Returns
    -------
    Plan

    Raises
    ------
    PlanFileError
        The folder or manifest is missing or unreadable.
    SchemaError
        Any layer breaks the schema; ``err.problems`` lists every problem.

    Examples
    --------
    >>> plan = load_plan()
    >>> len(plan["zones"])
    4
    """
    if isinstance(path, str) and path.lower().startswith(("postgresql://", "postgres://")):
        import importlib  # the plan store is a higher tier, loaded by name only for a DSN

        return importlib.import_module("lzspatial.store.postgis").read_plan(path)
    folder = default_plan_dir() if path is None else Path(path)
    problem = name_problem(folder)
    if problem:
        raise PlanFileError(f"{str(folder)!r}: plan folder name: {problem}")
    if folder.is_file() and folder.name == "plan.toml":
        folder = folder.parent
    if not folder.is_dir():
        raise PlanFileError(f"{folder}: plan folder not found")
    protect(folder)  # no output of this run may be, or lie inside, the plan folder
    return _read_folder(folder)


def _read_folder(folder: Path, *, bulk: bool = True) -> Plan:
    """Read and check the plan in *folder*: in bulk where provable (the default), else per feature.

    ``bulk=False`` is the reference path, feature by feature throughout (tests and
    ``benchmarks/load.py`` compare the two).
    """
    manifest = read_manifest(folder)
    # Parsing a large plan makes millions of objects and none is garbage: collection passes
    # would only walk them (they take 40 % of the time to load a plan of 80,000 features).
    enabled = gc.isenabled()
    if bulk:
        gc.disable()
    try:
        problems: list[str] = []
        vocabs = manifest.vocabularies
        raws: dict[str, RawLayer] = {}
        for entry in manifest.layers:
            fpath = folder / entry.file
            label = str(fpath)
            if not fpath.exists():  # a folder or FIFO is named as such by the reader
                problems.append(
                    f"{label}: file not found (listed in {manifest.path.name} for element {entry.element!r})"
                )
                continue
            read = read_layer_bulk if bulk else read_layer
            raws[entry.name] = read(fpath, ELEMENTS[entry.element], vocabs, label, problems)
        if bulk:
            return assemble_plan(folder, manifest, raws, problems)
        _check_cross_layer(raws, problems, manifest.plan.get("metric_crs", METRIC))
        _raise_problems(problems)
        return Plan(folder, manifest, {name: _to_frame(raw) for name, raw in raws.items()})
    finally:
        if enabled:
            gc.enable()


def assemble_plan(
    folder: Path,
    manifest: Manifest,
    raws: dict[str, RawLayer],
    problems: list[str],
    *,
    label: str | None = None,
) -> Plan:
    """Check the layers of a plan across each other and return the :class:`Plan`.

    The last step of :func:`load_plan`, shared by every plan source (a folder, a database):
    *raws* are the checked layers by name, *problems* what their checks found so far.

    Raises
    ------
    SchemaError
        Any problem, of the layers or across them; ``err.problems`` lists every one.
    """
    check_across(raws, problems, manifest.plan.get("metric_crs", METRIC))
    _raise_problems(problems)
    frames = {name: layer_frame(raw) for name, raw in raws.items()}
    return Plan(folder, manifest, frames, label=label)


def _raise_problems(problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - 1} more; `lzspatial validate` lists all)" if len(problems) > 1 else ""
        raise SchemaError(problems[0] + more, problems)


def check_replacement(plan: Plan, name: str, text: str) -> None:
    """Validate *plan* as it would be with the file of layer *name* replaced by *text*.

    Every layer file is read and checked as :func:`load_plan` does, the new text in
    place of layer *name*'s file (from a scratch file, reported under the real file's
    name), and the layers are checked across each other (:func:`assemble_plan`: ids
    unique across the plan, features within the boundary). Nothing in the plan folder
    is touched.

    Raises
    ------
    SchemaError
        Any problem; ``err.problems`` lists every one.
    """
    import tempfile

    vocabs = plan.manifest.vocabularies
    problems: list[str] = []
    raws: dict[str, RawLayer] = {}
    with tempfile.TemporaryDirectory(prefix="lzspatial-check-") as scratch:
        for entry in plan.manifest.layers:
            real = plan.path / entry.file
            fpath = real
            if entry.name == name:
                fpath = Path(scratch) / "layer.geojson"
                fpath.write_text(text, encoding="utf-8")
            raws[entry.name] = read_layer_bulk(fpath, ELEMENTS[entry.element], vocabs, str(real), problems)
    assemble_plan(plan.path, plan.manifest, raws, problems)


def _check_cross_layer(raws: dict[str, RawLayer], problems: list[str], metric_crs: str) -> None:
    """Duplicate ids across the plan, boundary count, containment, swapped lon/lat: feature by feature.

    The reference for :func:`lzspatial.plan.bulk.check_across`, which finds the same problems.
    """
    seen: dict[str, str] = {}
    for raw in raws.values():
        for props, where in zip(raw.props, raw.labels, strict=True):
            fid = props.get("id")
            if isinstance(fid, str):
                if fid in seen:
                    problems.append(duplicate_id_problem(where, fid, seen[fid]))
                else:
                    seen[fid] = raw.path.name
    found = metric_boundary(raws, problems, metric_crs)
    if found is None:
        return
    bnd, near, tr = found
    xy = to_metric(tr)
    for raw in raws.values():
        if not raw.spec.within_boundary:
            continue
        for geom, where in zip(raw.geoms, raw.labels, strict=True):
            if geom is None:
                continue
            g = shapely.transform(geom, xy)
            if not near.covers(g):
                problems.append(outside_problem(where, geom, g, bnd, tr))


def _to_frame(raw: RawLayer) -> gpd.GeoDataFrame:

    names = [f.name for f in (*COMMON_FIELDS, *raw.spec.fields)]
    extras: list[str] = []
    for props in raw.props:
        extras.extend(k for k in props if k not in names and k not in extras)
    cols = names + extras
    data = {c: [p.get(c) for p in raw.props] for c in cols}
    frame = gpd.GeoDataFrame(data, geometry=list(raw.geoms), crs=WGS84)
    for c in cols:
        if all(isinstance(v, str) or v is None for v in data[c]):
            frame[c] = frame[c].astype(object)
    return frame


def require_plan(plan: object, func: str) -> Plan:
    """Return *plan* if it is a :class:`Plan`, else raise a TypeError that says how to get one.

    Domain functions take a loaded plan; only the edges (the CLI, :func:`load_plan`) turn
    a path into one.

    Examples
    --------
    >>> require_plan("layers", "screen")
    Traceback (most recent call last):
    ...
    TypeError: screen: parameter 'plan' must be a Plan, got str; load one with lzspatial.load_plan(path)
    """
    if isinstance(plan, Plan):
        return plan
    raise TypeError(
        f"{func}: parameter 'plan' must be a Plan, got {type(plan).__name__}; "
        "load one with lzspatial.load_plan(path)"
    )


class _Delegate:
    """A method of :class:`Plan` that calls ``module.func(plan, ...)`` and shares its docstring.

    The real function lives in a higher tier (rules, screening, outputs). It is imported by
    name when the method is first used, so the plan tier never imports those tiers.
    """

    def __init__(self, module: str, func: str) -> None:
        self._module, self._func = module, func

    def _target(self) -> Any:
        import importlib

        return getattr(importlib.import_module(self._module), self._func)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._target().__doc__

    def __set__(self, obj: Any, value: Any) -> None:  # a data descriptor: doctest skips it
        raise AttributeError(f"Plan.{self._func} is read-only")

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        import types

        return types.MethodType(self._target(), obj)


class Plan:
    """A loaded, validated plan.

    Layers are GeoDataFrames in EPSG:4326 (``plan["zones"]``); the metric
    versions (EPSG:4550) come from :meth:`layer` with ``metric=True``.
    Every accessor returns a copy, so callers may modify what they get.
    """

    def __init__(
        self, path: Path, manifest: Manifest, frames: dict[str, gpd.GeoDataFrame], *, label: str | None = None
    ) -> None:
        self.path = path
        #: How messages name the plan: its folder, or the database it was read from (no password).
        self.label = label if label is not None else str(path)
        self.manifest = manifest
        self._frames = frames
        self._metric: dict[str, gpd.GeoDataFrame] = {}
        self._metric_lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the plan without its caches (metric layers, lock): the same plan, the same bytes."""
        state = self.__dict__.copy()
        del state["_metric_lock"]
        state["_metric"] = {}
        state.pop("boundary_metric", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._metric_lock = threading.Lock()

    # -- metadata -----------------------------------------------------------
    @property
    def id(self) -> str:
        """The plan id."""
        return self.manifest.plan["id"]

    @property
    def title_zh(self) -> str:
        """The Chinese title."""
        return self.manifest.plan["title_zh"]

    @property
    def title_en(self) -> str:
        """The English title."""
        return self.manifest.plan["title_en"]

    @property
    def metric_crs(self) -> str:
        """The metric CRS of all geometry work (EPSG:4550 for Liaozhong)."""
        return self.manifest.plan.get("metric_crs", METRIC)

    @property
    def source(self) -> dict[str, Any]:
        """The source document: title, publisher, date."""
        return dict(self.manifest.raw.get("source", {}))

    @property
    def vocabularies(self) -> dict[str, dict[str, dict[str, str]]]:
        """The plan's vocabularies (value -> zh/en labels)."""
        return self.manifest.vocabularies

    @property
    def targets(self) -> dict[str, Any]:
        """The plan's numeric targets (``[targets]``)."""
        return dict(self.manifest.raw.get("targets", {}))

    @property
    def disclaimer(self) -> dict[str, str]:
        """The schematic disclaimer (zh and en)."""
        return dict(self.manifest.raw.get("disclaimer", {}))

    @property
    def names_note(self) -> dict[str, str]:
        """The manifest's statement that Chinese names are back-translations (``[names]``).

        Empty when the plan has no ``[names]`` table or its names are marked ``checked = true``.
        """
        names = self.manifest.raw.get("names", {})
        if not isinstance(names, dict) or names.get("checked", False) is True:
            return {}
        return {k: str(names[f"statement_{k}"]) for k in ("zh", "en") if f"statement_{k}" in names}

    @property
    def layer_names(self) -> list[str]:
        """Layer names in manifest order."""
        return list(self._frames)

    def element(self, name: str) -> str:
        """Return the schema element of layer *name* (its ``element`` in the manifest).

        Examples
        --------
        >>> load_plan().element("zones")
        'zones'
        """
        for e in self.manifest.layers:
            if e.name == name:
                return e.element
        raise KeyError(f"plan {self.id!r} has no layer {name!r}; layers: {', '.join(self._frames)}")

    def titles(self, name: str) -> tuple[str, str]:
        """Return the (zh, en) titles of layer *name*."""
        for e in self.manifest.layers:
            if e.name == name:
                return e.title_zh, e.title_en
        raise KeyError(name)

    # -- layers -------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self._frames

    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        return self.layer(name)

    def layer(self, name: str, *, metric: bool = False) -> gpd.GeoDataFrame:
        """Return layer *name* as a new GeoDataFrame.

        Parameters
        ----------
        name : str
            The layer (element) name, for example ``"zones"``.
        metric : bool
            Return it in the metric CRS (EPSG:4550) instead of EPSG:4326.
        """
        if name not in self._frames:
            raise KeyError(f"plan {self.id!r} has no layer {name!r}; layers: {', '.join(self._frames)}")
        if not metric:
            return self._frames[name].copy()
        with self._metric_lock:  # a rule check on a worker thread may ask at the same time
            if name not in self._metric:
                self._metric[name] = reproject(self._frames[name], self.metric_crs)
        return self._metric[name].copy()

    @cached_property
    def boundary_metric(self) -> Any:
        """The district boundary as one shapely geometry in the metric CRS."""
        return self.layer("boundary", metric=True).geometry.iloc[0]

    # -- summaries ----------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Summarise the plan: per layer the count, geometry bases and bbox; the area."""
        layers = {}
        for name, frame in self._frames.items():
            minx, miny, maxx, maxy = (round(float(v), 6) for v in frame.total_bounds)
            counts = frame["geometry_basis"].value_counts()
            layers[name] = {
                "features": int(len(frame)),
                "geometry_basis": {b: int(counts.get(b, 0)) for b in ("sourced", "derived", "schematic")},
                "bbox": [minx, miny, maxx, maxy],
            }
        out = {
            "plan": self.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "source": self.source,
            "metric_crs": self.metric_crs,
            "boundary_area_km2": round(self.boundary_metric.area / 1e6, 2),
            "layers": layers,
        }
        if "towns" in self._frames:
            out["key_towns"] = int((self._frames["towns"]["rank"] == "key").sum())
        if "parks" in self._frames:
            out["park_kinds"] = sorted(set(self._frames["parks"]["kind"]))
        return out

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(f)}" for n, f in self._frames.items())
        return f"<Plan {self.id!r} ({self.title_en}); {counts}>"

    def _repr_html_(self) -> str:
        info = self.info()
        rows = "".join(
            f"<tr><td>{esc(n)}</td><td>{esc(self.titles(n)[0])} / {esc(self.titles(n)[1])}</td>"
            f"<td>{d['features']}</td><td>{d['geometry_basis']['sourced']}</td>"
            f"<td>{d['geometry_basis']['derived']}</td><td>{d['geometry_basis']['schematic']}</td></tr>"
            for n, d in info["layers"].items()
        )
        return (
            f"<div><b>{esc(self.title_zh)}</b> / {esc(self.title_en)}<br>"
            f"<small>{esc(self.source.get('publisher', ''))}, {esc(self.source.get('date', ''))}; "
            f"district {info['boundary_area_km2']:,} km² ({esc(self.metric_crs)})</small>"
            "<table><thead><tr><th>layer</th><th>title</th><th>features</th><th>sourced</th>"
            f"<th>derived</th><th>schematic</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )

    # -- analysis: typed delegates to the real functions, sharing their docstrings --
    if TYPE_CHECKING:

        def check(  # noqa: D102 - the signature type checkers see; the docstring is check_plan's
            self,
            rules: RuleSet | str | os.PathLike[str] | dict[str, Any] | None = None,
            *,
            extra_layers: Mapping[str, gpd.GeoDataFrame] | None = None,
        ) -> CheckReport: ...

        def map(self, **kwargs: Any) -> folium.Map: ...  # noqa: D102

        def indicators(  # noqa: D102
            self, projects: Any = None, *, crs: str | None = None, cumulative: bool = True
        ) -> dict[str, Any]: ...

    else:
        check = _Delegate("lzspatial.rules.engine", "check_plan")
        map = _Delegate("lzspatial.outputs.webmap.map", "build_map")
        indicators = _Delegate("lzspatial.screening.indicators", "indicators")
