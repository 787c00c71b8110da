"""The plan manifest, ``plan.toml``: parsing and checking.

The manifest names the plan, its source document, its metric CRS, its layers
and its vocabularies. See ``layers/README.md`` for the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyproj

from lzspatial._util.files import name_problem
from lzspatial._util.toml import read_toml
from lzspatial.crs import warn_if_trap
from lzspatial.errors import PlanFileError, SchemaError
from lzspatial.plan.schema import ELEMENTS

__all__ = ["LayerEntry", "Manifest", "read_manifest"]

MANIFEST_NAME = "plan.toml"
_REQUIRED_VOCABS = ("functional_areas", "industry_chains", "park_kinds", "town_tags")


@dataclass(frozen=True)
class LayerEntry:
    """One layer listed in the manifest."""

    name: str
    file: str
    element: str
    title_zh: str
    title_en: str


@dataclass
class Manifest:
    """The parsed ``plan.toml``."""

    path: Path
    raw: dict[str, Any]
    layers: list[LayerEntry] = field(default_factory=list)

    @property
    def plan(self) -> dict[str, Any]:
        """The ``[plan]`` table."""
        return self.raw["plan"]

    @property
    def vocabularies(self) -> dict[str, dict[str, dict[str, str]]]:
        """``[vocabularies.NAME.VALUE]`` tables: value -> ``{"zh": ..., "en": ...}``."""
        return self.raw.get("vocabularies", {})


def _metric_crs_problem(value: str) -> str | None:
    """Return why *value* cannot be the plan's metric CRS, or None (warns on EPSG:4549)."""
    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        return f"{value!r} is not a known CRS; use a projected CRS in metres such as 'EPSG:4550'"
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        return (
            f"{value!r} is not a projected CRS in metres (areas and distances would be wrong); "
            "use for example 'EPSG:4550' (CGCS2000 3-degree Gauss-Kruger, CM 123°E)"
        )
    if crs.to_epsg() in (3857, 900913, 3395):
        return (
            f"{value!r} is a Mercator projection: its areas are off by 1/cos²(latitude) "
            "(about 1.8x at 41.5°N); use a Gauss-Kruger CRS such as 'EPSG:4550'"
        )
    warn_if_trap(value)
    return None


def _str(table: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: key {key!r} must be a non-empty string, got {value!r}")
        return ""
    return value


def read_manifest(folder: Path) -> Manifest:
    """Read and check ``plan.toml`` in *folder*.

    Raises
    ------
    PlanFileError
        The manifest is missing or not valid TOML.
    SchemaError
        The manifest is valid TOML but misses keys, names unknown elements,
        or names files outside the plan folder. Every problem is listed.
    """
    path = folder / MANIFEST_NAME
    raw = read_toml(path, PlanFileError, missing=f"manifest not found; a plan folder needs a {MANIFEST_NAME}")
    problems: list[str] = []
    where = str(path)
    plan = raw.get("plan")
    if not isinstance(plan, dict):
        problems.append(f"{where}: missing table [plan]")
        plan = {}
    for key in ("id", "title_zh", "title_en"):
        _str(plan, key, f"{where}: [plan]", problems)
    metric = _str(plan, "metric_crs", f"{where}: [plan]", problems)
    if metric:
        problem = _metric_crs_problem(metric)
        if problem:
            problems.append(f"{where}: [plan] key 'metric_crs': {problem}")
    source = raw.get("source")
    if not isinstance(source, dict):
        problems.append(f"{where}: missing table [source] (title, publisher, date)")
    else:
        for key in ("title", "publisher", "date"):
            _str(source, key, f"{where}: [source]", problems)
    vocabs = raw.get("vocabularies", {})
    if not isinstance(vocabs, dict):
        problems.append(f"{where}: [vocabularies] must be a table")
        vocabs = {}
    for name in _REQUIRED_VOCABS:
        table = vocabs.get(name)
        if not isinstance(table, dict) or not table:
            problems.append(f"{where}: [vocabularies.{name}] is missing or empty")
            continue
        for value, labels in table.items():
            if not isinstance(labels, dict) or not all(isinstance(labels.get(k), str) for k in ("zh", "en")):
                problems.append(f"{where}: [vocabularies.{name}] value {value!r} needs zh and en labels")
    entries: list[LayerEntry] = []
    layers = raw.get("layers")
    if not isinstance(layers, list) or not layers:
        problems.append(f"{where}: no [[layers]] listed")
        layers = []
    root = folder.resolve()
    seen: set[str] = set()
    for i, item in enumerate(layers, 1):
        lw = f"{where}: [[layers]] #{i}"
        if not isinstance(item, dict):
            problems.append(f"{lw}: must be a table")
            continue
        file = _str(item, "file", lw, problems)
        element = _str(item, "element", lw, problems)
        tzh = _str(item, "title_zh", lw, problems)
        ten = _str(item, "title_en", lw, problems)
        if element and element not in ELEMENTS:
            problems.append(f"{lw}: element {element!r} is unknown; use one of: {', '.join(ELEMENTS)}")
        if element in seen:
            problems.append(f"{lw}: element {element!r} is listed twice")
        seen.add(element)
        problem = name_problem(file) if file else None
        if problem:
            problems.append(f"{lw}: file {file!r}: {problem}")
            continue
        if file:
            target = (folder / file).resolve()
            if Path(file).is_absolute() or not target.is_relative_to(root):
                problems.append(
                    f"{lw}: file {file!r} lies outside the plan folder; layer files must be inside it"
                )
                continue
            if not file.endswith((".geojson", ".json")):
                problems.append(f"{lw}: file {file!r} must be a .geojson file")
                continue
        entries.append(LayerEntry(element or f"layer{i}", file, element, tzh, ten))
    if "boundary" not in seen:
        problems.append(f"{where}: the plan needs a layer with element 'boundary'")
    if problems:
        raise SchemaError(problems[0], problems)
    return Manifest(path=path, raw=raw, layers=entries)
