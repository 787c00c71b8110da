"""Validation of plan layers against the schema.

Every problem is collected, not just the first. Each message names the file,
the feature (its id, or its position when it has none) and the field.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import shapely
import shapely.geometry

from lzspatial.errors import InputError
from lzspatial.io import ACCEPTED_CRS_NAMES, parse_json_file
from lzspatial.plan.schema import COMMON_FIELDS, ID_PATTERN, RESERVED_PROPERTIES, FieldSpec, LayerSpec

__all__ = ["RawLayer", "check_collection", "check_layer_fields", "feature_where", "read_layer"]

_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "a list of strings",
}


class RawLayer:
    """Features of one layer as parsed: properties, shapely geometries, labels."""

    def __init__(self, path: Path, spec: LayerSpec) -> None:
        self.path = path
        self.spec = spec
        self.props: list[dict[str, Any]] = []
        self.geoms: list[Any] = []
        self.labels: list[str] = []

    def where(self, i: int) -> str:
        """How messages name feature *i* (its file and id): its label."""
        return self.labels[i]


def _label(i: int, props: Any) -> str:
    fid = props.get("id") if isinstance(props, dict) else None
    if isinstance(fid, str) and fid:
        return f"feature {fid!r}"
    return f"feature #{i + 1}"


def feature_where(label: str, i: int, props: Any) -> str:
    """How messages name feature *i* (0-based) of the layer *label*: by its id, else its position.

    Examples
    --------
    >>> feature_where("towns.geojson", 0, {"id": "chaoyang"}), feature_where("towns.geojson", 1, {})
    ("towns.geojson: feature 'chaoyang'", 'towns.geojson: feature #2')
    """
    return f"{label}: {_label(i, props)}"


def _iter_positions(coords: Any, depth: int) -> Any:
    if depth == 0:
        yield coords
    else:
        for c in coords:
            yield from _iter_positions(c, depth - 1)


_DEPTH = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2, "MultiPolygon": 3}


def _check_coords(coords: Any, depth: int) -> str | None:
    """Return a problem with the coordinate nesting or values, or None."""
    if depth == 0:
        if (
            not isinstance(coords, list)
            or len(coords) < 2
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)
        ):
            return f"a position must be [lon, lat] numbers, got {str(coords)[:60]!r}"
        if not all(math.isfinite(c) for c in coords):
            return f"position {coords!r} is not finite"
        return None
    if not isinstance(coords, list):
        return f"coordinates are nested wrongly near {str(coords)[:60]!r}"
    for c in coords:
        problem = _check_coords(c, depth - 1)
        if problem:
            return problem
    return None


def _check_range(gtype: str, coords: Any) -> str | None:
    xs, ys = [], []
    for pos in _iter_positions(coords, _DEPTH[gtype]):
        xs.append(pos[0])
        ys.append(pos[1])
    if not xs:
        return "geometry has no coordinates"
    bad_x = max(xs, key=abs)
    bad_y = max(ys, key=abs)
    if abs(bad_x) > 180 or abs(bad_y) > 90:
        if abs(bad_x) > 1000 or abs(bad_y) > 1000:
            return (
                f"coordinates look projected (x={bad_x!r}, y={bad_y!r}, metres?); GeoJSON must be "
                "WGS84 lon/lat (RFC 7946): reproject to EPSG:4326 first"
            )
        hint = ""
        if abs(bad_y) <= 180 and abs(bad_x) <= 90:
            hint = "; lon/lat look swapped: GeoJSON order is [longitude, latitude]"
        return f"coordinates out of lon/lat range (lon={bad_x!r}, lat={bad_y!r}){hint}"
    return None


def _check_rings_closed(gtype: str, coords: Any) -> str | None:
    polys = [coords] if gtype == "Polygon" else coords if gtype == "MultiPolygon" else []
    for p, poly in enumerate(polys, 1):
        for r, ring in enumerate(poly, 1):
            if len(ring) < 4:
                return f"polygon {p} ring {r} has {len(ring)} positions; a ring needs at least 4"
            if ring[0][:2] != ring[-1][:2]:
                return (
                    f"polygon {p} ring {r} is not closed (first {ring[0]!r} != last "
                    f"{ring[-1]!r}); repeat the first position at the end"
                )
    return None


def _parse_geometry(geom: Any, spec: LayerSpec) -> tuple[Any, str | None]:
    """Return (shapely geometry or None, problem or None)."""
    if geom is None:
        return None, "geometry is missing or null; every feature needs a geometry"
    if not isinstance(geom, dict):
        return None, f"geometry must be an object, got {type(geom).__name__}"
    gtype = geom.get("type")
    if gtype not in spec.geom_types:
        return None, (
            f"geometry type {gtype!r} is not allowed in layer {spec.element!r}; "
            f"use {' or '.join(spec.geom_types)}"
        )
    coords = geom.get("coordinates")
    problem = (
        _check_coords(coords, _DEPTH[gtype])
        or _check_range(gtype, coords)
        or _check_rings_closed(gtype, coords)
    )
    if problem:
        return None, problem
    try:
        shp = shapely.geometry.shape(geom)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as err:
        return None, f"geometry cannot be built: {err}"
    if shp.is_empty:
        return None, "geometry is empty"
    if not shp.is_valid:
        return (
            None,
            f"invalid geometry: {shapely.is_valid_reason(shp)} (fix it, e.g. in QGIS: Fix geometries)",
        )
    return shp, None


def _check_value(f: FieldSpec, value: Any, vocabs: dict[str, Any]) -> str | None:
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[f.type]
    if not ok:
        return f"must be {_TYPE_NAMES[f.type]}, got {value!r}"
    if f.type == "str" and f.required and not value.strip():
        return "must not be empty"
    if f.pattern and isinstance(value, str) and not re.fullmatch(f.pattern, value):
        return f"{value!r} does not match the pattern {f.pattern}"
    if f.vocab is not None:
        allowed = f.vocab if isinstance(f.vocab, tuple) else tuple(vocabs.get(f.vocab, {}))
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v not in allowed:
                return f"{v!r} is not allowed; use one of: {', '.join(allowed)}"
    return None


def check_layer_fields(
    props: dict[str, Any], spec: LayerSpec, vocabs: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return (field, problem) pairs for one feature's properties."""
    out = []
    for f in (*COMMON_FIELDS, *spec.fields):
        value = props.get(f.name)
        if value is None:
            if f.required:
                out.append((f.name, "is missing"))
            continue
        problem = _check_value(f, value, vocabs)
        if problem:
            out.append((f.name, problem))
    return out


def _name_problems(props: dict[str, Any]) -> list[tuple[str, str]]:
    """Reserved names and names differing only in case (every export would lose or refuse one)."""
    out = []
    seen: dict[str, str] = {}
    for name in props:
        key = name.casefold()
        if key in RESERVED_PROPERTIES:
            out.append((name, f"the name is reserved for {RESERVED_PROPERTIES[key]}; rename the property"))
        elif key in seen:
            out.append(
                (
                    name,
                    f"differs from {seen[key]!r} only in case; GeoPackage and other GIS formats treat "
                    "them as one field: rename one",
                )
            )
        seen.setdefault(key, name)
    return out


def read_layer(
    path: Path, spec: LayerSpec, vocabs: dict[str, Any], label: str, problems: list[str]
) -> RawLayer:
    """Parse one layer file, appending every problem found to *problems*."""
    try:
        doc = parse_json_file(path, label=label)
    except InputError as err:
        problems.append(str(err))
        return RawLayer(path, spec)
    return check_collection(doc, path, spec, vocabs, label, problems)


def check_collection(
    doc: Any, path: Path, spec: LayerSpec, vocabs: dict[str, Any], label: str, problems: list[str]
) -> RawLayer:
    """Check a parsed FeatureCollection (from a file or a database table) like :func:`read_layer`.

    Messages start with *label* (the file, or ``schema.table``), then the feature and the field.
    """
    layer = RawLayer(path, spec)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        problems.append(f"{label}: not a GeoJSON FeatureCollection (type is {got!r})")
        return layer
    crs = doc.get("crs")
    if crs is not None:
        cprops = crs.get("properties") if isinstance(crs, dict) else None
        name = cprops.get("name") if isinstance(cprops, dict) else None
        if not isinstance(name, str) or name not in ACCEPTED_CRS_NAMES:
            problems.append(
                f"{label}: field 'crs': {name or crs!r} is not lon/lat WGS84; plan layers must be "
                "RFC 7946 (EPSG:4326/CRS84, or EPSG:4490): reproject and drop the crs member"
            )
            return layer
    feats = doc.get("features")
    if not isinstance(feats, list):
        problems.append(f"{label}: member 'features' must be a list")
        return layer
    for i, feat in enumerate(feats):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(f"{label}: feature #{i + 1}: not a GeoJSON Feature object")
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            problems.append(f"{label}: feature #{i + 1}: field 'properties' must be an object")
            continue
        where = feature_where(label, i, props)
        geom, gproblem = _parse_geometry(feat.get("geometry"), spec)
        if gproblem:
            problems.append(f"{where}: field 'geometry': {gproblem}")
        for fname, fproblem in check_layer_fields(props, spec, vocabs):
            problems.append(f"{where}: field {fname!r}: {fproblem}")
        for fname, fproblem in _name_problems(props):
            problems.append(f"{where}: field {fname!r}: {fproblem}")
        fid = props.get("id")
        if isinstance(fid, str) and not ID_PATTERN.match(fid):
            pass  # reported by the pattern check above
        layer.props.append(props)
        layer.geoms.append(geom)
        layer.labels.append(where)
    if not feats:
        problems.append(f"{label}: layer has no features")
    return layer
