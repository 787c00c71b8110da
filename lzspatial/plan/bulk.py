"""Plan layers in bulk: whole-layer checks for layers that are provably clean.

:func:`read_layer_bulk` reads a layer file as :func:`lzspatial.plan.layer.read_layer` does,
but checks it column by column (property values) and array by array (coordinates, geometries)
instead of feature by feature. It accepts a layer only when every check of the per-feature
reader would pass and the file parses to exactly what the strict parser returns; anything it
cannot prove (a problem, or merely something unusual such as a third coordinate) sends the
layer through the per-feature reader, which finds and words every problem. So the messages
are the per-feature reader's, whichever path a layer takes.

:func:`check_across` checks the layers across each other (ids unique across the plan,
features within the boundary) with one coordinate transform and one containment test per
layer; :func:`layer_frame` turns a layer into its GeoDataFrame.
"""

from __future__ import annotations

import array
import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from lzspatial.crs import WGS84, transformer
from lzspatial.errors import InputError
from lzspatial.io import (
    ACCEPTED_CRS_NAMES,
    parse_json_text,
    parse_json_text_unchecked_numbers,
    read_json_text,
)
from lzspatial.plan.layer import RawLayer, check_collection, feature_where
from lzspatial.plan.schema import COMMON_FIELDS, RESERVED_PROPERTIES, FieldSpec, LayerSpec

__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "BulkLayer",
    "check_across",
    "duplicate_id_problem",
    "layer_frame",
    "metric_boundary",
    "outside_problem",
    "read_layer_bulk",
    "to_metric",
]

#: Features of structure layers may stick out of the boundary by this much (m).
BOUNDARY_TOLERANCE_M = 50.0
#: A feature this far (m) from the boundary is reported as lying outside.
_SWAP_FAR_M = 50_000.0

_NONE = type(None)
#: Python types of a property value of each schema type, as JSON parses them.
_PY_TYPES: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "int": frozenset({int}),
    "float": frozenset({int, float}),
    "bool": frozenset({bool}),
    "list": frozenset({list}),
}
#: Per geometry type, the least count at each nesting level above the positions
#: (parts, rings or lines, positions), outermost first.
_LEAST: dict[str, tuple[int, ...]] = {
    "Point": (),
    "LineString": (2,),
    "Polygon": (1, 4),
    "MultiLineString": (1, 2),
    "MultiPolygon": (1, 1, 4),
}
_RAGGED = {
    "Point": shapely.GeometryType.POINT,
    "LineString": shapely.GeometryType.LINESTRING,
    "Polygon": shapely.GeometryType.POLYGON,
    "MultiLineString": shapely.GeometryType.MULTILINESTRING,
    "MultiPolygon": shapely.GeometryType.MULTIPOLYGON,
}
#: The strict parser refuses an integer of more digits than 19 (at least 10**19).
_INT_LIMIT = 10**19


class _NotProven(Exception):
    """The bulk checks cannot prove a layer clean: read it feature by feature."""


def _need(condition: object) -> None:
    if not condition:
        raise _NotProven


def _get(rows: Sequence[Any], key: str) -> list[Any]:
    """Return ``row.get(key)`` of every row (a TypeError when a row is not a dict)."""
    return list(map(_dict_get, rows, repeat(key)))


_dict_get: Any = dict.get


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


class _Tally:
    r"""Counts what the file's colons must add up to: object members, and colons inside strings.

    Every ``:`` of JSON text separates a member's key from its value or lies inside a string
    (an escape cannot write one unless spelt ``\u003a``). So when the text has no such escape,
    its colons number the members of all its objects plus the colons of all its strings; a
    duplicate key is one member the parsed dicts do not hold, and the sums differ.
    The tally also proves numbers within what the strict parser accepts.
    """

    def __init__(self) -> None:
        self.members = 0
        self.colons = 0

    def strings(self, values: Iterable[str]) -> None:
        self.colons += "".join(values).count(":")

    def numbers(self, values: Iterable[Any]) -> None:
        for v in values:
            _need(math.isfinite(v) if type(v) is float else abs(v) < _INT_LIMIT)

    def value(self, value: Any) -> None:
        """Any JSON value, walked in full (for the rare members the schema does not know)."""
        stack = [value]
        while stack:
            v = stack.pop()
            t = type(v)
            if t is str:
                self.colons += v.count(":")
            elif t is dict:
                self.members += len(v)
                self.colons += sum(k.count(":") for k in v)
                stack.extend(v.values())
            elif t is list:
                stack.extend(v)
            elif t is int or t is float:
                self.numbers((v,))

    def records(self, rows: Sequence[dict[str, Any]], known: Sequence[str]) -> None:
        """Objects of one kind (features, their geometries): their members, and their other members' values.

        The caller tallies the values of the *known* keys and proves every row has them (so
        that rows of no more members have no other key).
        """
        members = sum(map(len, rows))
        self.members += members
        if members == len(known) * len(rows):
            return  # every row has the known keys, so no other
        keys = list(dict.fromkeys(chain.from_iterable(rows)))
        _need(not any(":" in k for k in keys))
        for key in keys:
            if key not in known:
                self.value([row[key] for row in rows if key in row])

    def matches(self, colons: int | None) -> bool:
        """Whether the text's *colons* (see :func:`_colons`) are those the tally counted."""
        return colons == self.members + self.colons


def _colons(text: str) -> int | None:
    r"""Return the colons of JSON *text*, or None when an escape could write one (``\u003a``)."""
    if "\\" in text and ("\\u003a" in text or "\\u003A" in text):  # a rare character: a quick search
        return None
    return text.count(":")


class _Part(NamedTuple):
    """Features of one geometry type: their positions, as :func:`shapely.from_ragged_array` takes them."""

    kind: str
    at: np.ndarray | None  # the features' positions in the layer (None: every feature, in order)
    xy: np.ndarray  # lon/lat, one row per position
    offsets: tuple[np.ndarray, ...]  # innermost first


class BulkLayer(RawLayer):
    """A layer that passed the bulk checks: its geometries as an array, its properties as columns."""

    def __init__(
        self,
        path: Path,
        spec: LayerSpec,
        label: str,
        columns: dict[str, list[Any]],
        types: dict[str, set[type]],
        parts: list[_Part],
    ) -> None:
        super().__init__(path, spec)
        self.label = label
        #: Property columns in frame order: the schema's fields, then the others as first seen.
        self.columns = columns
        #: The Python types of each column's values.
        self.types = types
        self.parts = parts
        self.size = len(columns["id"])
        if len(parts) == 1:
            self.geom_array = _geometries(parts[0])
        else:
            self.geom_array = np.empty(self.size, dtype=object)
            for part in parts:
                self.geom_array[part.at] = _geometries(part)
        self.geoms = list(self.geom_array)
        self._labels: list[str] | None = None
        #: Columns as the frame holds them, where made already (string fields).
        self.frame_columns: dict[str, np.ndarray] = {}

    @property
    def props(self) -> list[dict[str, Any]]:
        """The features' properties, made again from the columns (a null and a missing key alike)."""
        rows: list[dict[str, Any]] = [{} for _ in range(self.size)]
        for key, col in self.columns.items():
            for row, value in zip(rows, col, strict=True):
                if value is not None:
                    row[key] = value
        return rows

    @props.setter
    def props(self, value: list[dict[str, Any]]) -> None:
        pass  # RawLayer starts with an empty list; the columns hold the properties

    @property
    def labels(self) -> list[str]:
        """Every feature's label, made when first asked for (messages only)."""
        if self._labels is None:
            self._labels = [self.where(i) for i in range(self.size)]
        return self._labels

    @labels.setter
    def labels(self, value: list[str]) -> None:
        self._labels = value

    def where(self, i: int) -> str:
        """How messages name feature *i*."""
        if self._labels:
            return self._labels[i]
        return feature_where(self.label, i, {"id": self.columns["id"][i]})


def _geometries(part: _Part, xy: np.ndarray | None = None) -> np.ndarray:
    """Return the geometries of *part* (at positions *xy* instead of its own, when given)."""
    return shapely.from_ragged_array(_RAGGED[part.kind], part.xy if xy is None else xy, part.offsets or None)


def read_layer_bulk(
    path: Path, spec: LayerSpec, vocabs: dict[str, Any], label: str, problems: list[str]
) -> RawLayer:
    """Read one layer file like :func:`lzspatial.plan.layer.read_layer`, checking in bulk when it can.

    Returns a :class:`BulkLayer` when the layer is provably clean; otherwise the per-feature
    reader's :class:`RawLayer`, with every problem it finds appended to *problems*.
    """
    name = label or str(path)
    try:
        text = read_json_text(path, label=name)
    except InputError as err:
        problems.append(str(err))
        return RawLayer(path, spec)
    layer = _try_bulk(text, path, spec, vocabs, name)
    if layer is not None:
        return layer
    try:
        doc = parse_json_text(text, name)
    except InputError as err:
        problems.append(str(err))
        return RawLayer(path, spec)
    return check_collection(doc, path, spec, vocabs, name, problems)


def _try_bulk(text: str, path: Path, spec: LayerSpec, vocabs: dict[str, Any], label: str) -> BulkLayer | None:
    colons = _colons(text)  # now, while the text is in the CPU's cache
    if colons is None:
        return None
    try:
        doc = parse_json_text_unchecked_numbers(text)
    except (ValueError, RecursionError):
        return None
    try:
        return _bulk_layer(doc, colons, path, spec, vocabs, label)
    except (_NotProven, TypeError, ValueError, OverflowError, shapely.errors.ShapelyError):
        # TypeError: a feature, its properties or geometry is not an object, a type is no
        # string, a coordinate no number; OverflowError: a coordinate beyond a float. The
        # per-feature reader says which and where.
        return None


_FEATURE_KEYS = ("type", "properties", "geometry")
_GEOMETRY_KEYS = ("type", "coordinates")
#: Features checked at a time: each check is a pass over them, and this many stay in the CPU's cache.
_CHUNK = 512


def _bulk_layer(
    doc: Any, colons: int, path: Path, spec: LayerSpec, vocabs: dict[str, Any], label: str
) -> BulkLayer:
    _need(type(doc) is dict and doc.get("type") == "FeatureCollection")
    tally = _Tally()
    tally.value({k: v for k, v in doc.items() if k != "features"})
    tally.members += 1  # "features"
    crs = doc.get("crs")
    if crs is not None:
        cprops = crs.get("properties") if isinstance(crs, dict) else None
        name = cprops.get("name") if isinstance(cprops, dict) else None
        _need(isinstance(name, str) and name in ACCEPTED_CRS_NAMES)
    feats = doc.get("features")
    _need(type(feats) is list and feats)
    check = _LayerCheck(spec, vocabs, len(feats), tally)
    for start in range(0, len(feats), _CHUNK):
        stop = min(start + _CHUNK, len(feats))
        chunk = feats[start:stop]
        feats[start:stop] = repeat(None, stop - start)  # what the chunk alone holds is freed after it
        check.chunk(chunk, start)
        del chunk
    folded = {k.casefold() for k in check.keys}
    _need(len(folded) == len(check.keys) and not folded & RESERVED_PROPERTIES.keys())
    _need(tally.matches(colons))
    columns = {f.name: f.values for f in check.fields}
    types = {f.name: f.types for f in check.fields}
    frame_columns = {f.name: f.frame_column() for f in check.fields}
    for key in check.keys:
        if key in check.extras:
            columns[key], types[key] = check.extras[key], check.extra_types[key]
    parts = [_joined(kind, pieces, len(feats)) for kind, pieces in sorted(check.pieces.items())]
    layer = BulkLayer(path, spec, label, columns, types, parts)
    layer.frame_columns = {k: v for k, v in frame_columns.items() if v is not None}
    for part in parts:
        if part.kind != "Point":  # a point of finite coordinates is valid
            _need(shapely.is_valid(layer.geom_array if part.at is None else layer.geom_array[part.at]).all())
    return layer


class _LayerCheck:
    """The checks of one layer, chunk by chunk, and what they keep: columns, keys, coordinates."""

    def __init__(self, spec: LayerSpec, vocabs: dict[str, Any], size: int, tally: _Tally) -> None:
        self.fields = [_FieldCheck(f, vocabs, size) for f in (*COMMON_FIELDS, *spec.fields)]
        self.required = [check for check in self.fields if check.field.required]
        self.optional = [check for check in self.fields if not check.field.required]
        self.allowed_kinds = set(spec.geom_types)
        self.tally = tally
        #: Every property key, in the order of first appearance.
        self.keys: dict[str, None] = {}
        #: Columns of the keys the schema does not know, and their values' types.
        self.extras: dict[str, list[Any]] = {}
        self.extra_types: dict[str, set[type]] = {}
        self.pieces: dict[str, list[_Piece]] = {}

    def chunk(self, chunk: list[Any], start: int) -> None:
        """Check features ``start ...`` of the layer, adding to the columns, keys and pieces so far."""
        tally = self.tally
        # dict.get refuses anything but an object (a TypeError: not proven)
        props, geoms = _get(chunk, "properties"), _get(chunk, "geometry")
        _need(_get(chunk, "type").count("Feature") == len(chunk))
        tally.records(chunk, _FEATURE_KEYS)
        members = sum(map(len, props))
        tally.members += members
        given = 0  # values not null of the schema's fields
        for check in self.required:  # a missing required field is None, which the check refuses
            given += check(_get(props, check.name), start, tally)
        if members == given:  # no other key: the optional fields are missing
            for check in self.optional:
                check.missing(start, len(chunk))
        else:
            for check in self.optional:
                given += check(_get(props, check.name), start, tally)
        for check in self.fields:
            if check.name not in self.keys and check.types - {_NONE}:
                self.keys[check.name] = None
        if members != given:  # keys the schema does not know, or nulls: look at every key
            for key in dict.fromkeys(chain.from_iterable(props)):
                _need(":" not in key)  # (the tally counts no colon in a key)
                if key not in self.keys:
                    self.keys[key] = None
                    if not any(f.name == key for f in self.fields):
                        self.extras[key] = [None] * start
                        self.extra_types[key] = {_NONE} if start else set()
        for key, values in self.extras.items():
            col = _get(props, key)
            tally.value(col)
            values += col
            self.extra_types[key] |= _types(col)
        kinds, coords = _get(geoms, "type"), _get(geoms, "coordinates")
        tally.records(geoms, _GEOMETRY_KEYS)
        found = {kinds[0]} if kinds.count(kinds[0]) == len(kinds) else set(kinds)
        _need(found <= self.allowed_kinds)
        for kind in found:
            if len(found) == 1:
                at, these = np.arange(start, start + len(chunk)), coords
            else:
                at = np.array([start + i for i, k in enumerate(kinds) if k == kind], dtype=np.intp)
                these = [coords[i - start] for i in at]
            self.pieces.setdefault(kind, []).append(_piece(kind, at, these))


class _FieldCheck:
    """Proves the values of one field pass the per-feature field checks, a column at a time; keeps them."""

    def __init__(self, f: FieldSpec, vocabs: dict[str, Any], size: int) -> None:
        self.field = f
        self.name = f.name
        self.allowed = _PY_TYPES[f.type] if f.required else _PY_TYPES[f.type] | {_NONE}
        self.pattern = re.compile(f.pattern) if f.pattern else None
        self.vocab: set[Any] | None = None
        if isinstance(f.vocab, tuple):
            self.vocab = set(f.vocab)
        elif f.vocab is not None:
            self.vocab = set(vocabs.get(f.vocab, {}))
        self.values: list[Any] = []
        self.types: set[type] = set()
        #: A string field's column as its frame holds it (filled while the values are in the cache).
        self.strings = np.empty(size, dtype=object) if f.type == "str" else None

    def __call__(self, col: list[Any], start: int, tally: _Tally) -> int:
        """Check the values *col* of features ``start ...``; return how many are not null."""
        f = self.field
        types = _types(col)
        _need(types <= self.allowed)
        values = [v for v in col if v is not None] if _NONE in types else col
        if f.type == "str":
            if f.required:
                _need(all(map(str.strip, values)))
            if self.pattern is not None:
                _need(all(map(self.pattern.fullmatch, values)))
            tally.strings(values)
        elif f.type == "list":
            values = list(chain.from_iterable(values))
            _need(_types(values) <= {str})
            tally.strings(values)
        elif f.type in ("int", "float"):
            tally.numbers(values)
        if self.vocab is not None:
            _need(self.vocab.issuperset(values))
        self.values += col
        self.types |= types
        if self.strings is not None:
            self.strings[start : start + len(col)] = col
            if _NONE in types:  # nulls among strings are NaN in the frame, as pandas made them
                nulls = np.fromiter(map(operator.is_, col, repeat(None)), dtype=bool, count=len(col))
                self.strings[start + np.flatnonzero(nulls)] = np.nan
        return len(col) - col.count(None) if _NONE in types else len(col)

    def missing(self, start: int, count: int) -> None:
        """Record the field missing from features ``start ... start + count - 1`` (an optional field)."""
        self.values += repeat(None, count)
        self.types.add(_NONE)
        if self.strings is not None:
            self.strings[start : start + count] = np.nan  # None if the column turns out all null

    def frame_column(self) -> np.ndarray | None:
        """Return the column for the frame if a string field (nulls NaN among strings), else None."""
        if self.strings is not None and self.types == {_NONE}:
            return np.empty(len(self.strings), dtype=object)  # only nulls: None, as pandas keeps them
        return self.strings


class _Piece(NamedTuple):
    """Features of one geometry type among a chunk: where, their positions, their counts per level."""

    at: np.ndarray
    xy: np.ndarray
    counts: list[np.ndarray]  # outermost first


def _piece(kind: str, at: np.ndarray, coords: Sequence[Any]) -> _Piece:
    """Prove the GeoJSON coordinates of features of one geometry type as the per-feature checks do.

    Positions must be exactly [lon, lat] numbers, finite and in range; rings closed, of at
    least four positions; lines of at least two. (A level that is not a list fails: an object
    or a string yields strings, which are no number; a number has no length.)
    """
    level: Sequence[Any] = coords
    counts = []
    for least in _LEAST[kind]:
        lens = np.fromiter(map(len, level), dtype=np.int64, count=len(level))
        _need(lens.min() >= least)
        counts.append(lens)
        level = list(chain.from_iterable(level))
    _need(set(map(len, level)) == {2})
    flat = list(chain.from_iterable(level))
    _need(_types(flat) <= {float, int})  # not true or false
    xy = np.frombuffer(array.array("d", flat), dtype=np.float64).reshape(-1, 2)
    # finite and in range (NaN and inf compare false), as the strict parser and the checks require:
    _need((np.abs(xy) <= (180.0, 90.0)).all())
    if kind in ("Polygon", "MultiPolygon"):
        rings = _offsets(counts[-1])
        _need((xy[rings[:-1]] == xy[rings[1:] - 1]).all())
    return _Piece(at, xy, counts)


def _joined(kind: str, pieces: list[_Piece], n: int) -> _Part:
    """One part from the pieces of one geometry type, in order."""
    at = np.concatenate([p.at for p in pieces])
    xy = np.concatenate([p.xy for p in pieces]) if len(pieces) > 1 else pieces[0].xy
    levels = len(_LEAST[kind])
    counts = [np.concatenate([p.counts[i] for p in pieces]) for i in range(levels)]
    offsets = tuple(_offsets(c) for c in reversed(counts))
    return _Part(kind, None if len(at) == n else at, xy, offsets)


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def layer_frame(raw: RawLayer) -> gpd.GeoDataFrame:
    """Return a layer as its GeoDataFrame: the schema's fields, then others in order of first use.

    Strings stay Python objects (a column of only strings and nulls has dtype ``object``,
    nulls as NaN when it also holds strings); other columns as pandas infers them.
    """
    made: dict[str, np.ndarray] = {}
    if isinstance(raw, BulkLayer):
        columns, types, geoms, made = raw.columns, raw.types, raw.geom_array, raw.frame_columns
    else:
        names = [f.name for f in (*COMMON_FIELDS, *raw.spec.fields)]
        keys = dict.fromkeys(chain.from_iterable(raw.props))
        order = names + [k for k in keys if k not in names]
        columns = {c: _get(raw.props, c) for c in order}
        types = {c: _types(col) for c, col in columns.items()}
        geoms = np.empty(len(raw.geoms), dtype=object)
        geoms[:] = raw.geoms
    data: dict[str, Any] = {}
    for c, col in columns.items():
        if c in made:
            data[c] = pd.Series(made[c], dtype=object, copy=False)
        elif types[c] <= {str, _NONE}:
            values = np.empty(len(col), dtype=object)
            values[:] = col
            if len(types[c]) == 2:
                values[[i for i, v in enumerate(col) if v is None]] = np.nan
            data[c] = pd.Series(values, dtype=object, copy=False)
        else:
            data[c] = col
    data["geometry"] = gpd.array.from_shapely(geoms, crs=_wgs84())  # "geometry" is a reserved name
    return gpd.GeoDataFrame(data, geometry="geometry")


@functools.cache
def _wgs84() -> pyproj.CRS:
    return pyproj.CRS.from_user_input(WGS84)  # made once: every frame shares it


def to_metric(tr: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Return a :func:`shapely.transform` function: lon/lat to the metric CRS of transformer *tr*."""

    def xy(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return xy


def duplicate_id_problem(where: str, fid: str, first: str) -> str:
    """Return the message for a feature whose id an earlier feature (in file *first*) already has."""
    return f"{where}: field 'id': duplicate id {fid!r} (also in {first}); ids must be unique across the plan"


def outside_problem(where: str, geom: Any, metric: Any, bnd: Any, tr: Any) -> str:
    """Return the message for a feature not within the boundary *bnd* (metric) and its tolerance.

    *geom* is the feature's lon/lat geometry, *metric* the same in the metric CRS.
    """
    dist = (
        shapely.hausdorff_distance(metric, metric.intersection(bnd))
        if metric.intersects(bnd)
        else bnd.distance(metric)
    )
    xy = to_metric(tr)
    swapped = shapely.transform(geom, lambda c: xy(c[:, ::-1]))
    if bnd.distance(metric) > _SWAP_FAR_M and bnd.distance(swapped) < BOUNDARY_TOLERANCE_M:
        return (
            f"{where}: field 'geometry': lies {dist / 1000:.0f} km from the "
            "district; lon/lat look swapped: GeoJSON order is [longitude, latitude]"
        )
    return (
        f"{where}: field 'geometry': lies outside the district boundary "
        f"(up to {dist:,.0f} m outside; tolerance {BOUNDARY_TOLERANCE_M:.0f} m)"
    )


def metric_boundary(
    raws: Mapping[str, RawLayer], problems: list[str], metric_crs: str
) -> tuple[Any, Any, Any] | None:
    """Return the boundary in *metric_crs*, it with the tolerance added (both prepared), the transformer.

    None when there is no boundary to test against (a problem with it is appended to *problems*).
    """
    boundary = raws.get("boundary")
    if boundary is None or not boundary.geoms:
        return None
    if len(boundary.geoms) != 1:
        problems.append(
            f"{boundary.path}: the boundary layer must hold exactly one feature, found {len(boundary.geoms)}"
        )
        return None
    if boundary.geoms[0] is None:
        return None
    tr = transformer(WGS84, metric_crs)
    bnd = shapely.transform(boundary.geoms[0], to_metric(tr))
    shapely.prepare(bnd)
    near = bnd.buffer(BOUNDARY_TOLERANCE_M)  # once, not once per feature (large plans load fast)
    shapely.prepare(near)
    return bnd, near, tr


def check_across(raws: Mapping[str, RawLayer], problems: list[str], metric_crs: str) -> None:
    """Duplicate ids across the plan, boundary count, containment, swapped lon/lat.

    Each layer is transformed to *metric_crs* in one call and tested against the boundary
    in one call; only features outside are looked at one by one (for their messages).
    """
    ids = {
        name: raw.columns["id"] if isinstance(raw, BulkLayer) else _get(raw.props, "id")
        for name, raw in raws.items()
    }
    every = list(
        chain.from_iterable(
            col if isinstance(raws[name], BulkLayer) else [fid for fid in col if isinstance(fid, str)]
            for name, col in ids.items()
        )
    )  # (a bulk layer's ids are strings)
    if len(set(every)) != len(every):
        seen: dict[str, str] = {}
        for name, raw in raws.items():
            for i, fid in enumerate(ids[name]):
                if isinstance(fid, str):
                    if fid in seen:
                        problems.append(duplicate_id_problem(raw.where(i), fid, seen[fid]))
                    else:
                        seen[fid] = raw.path.name
    found = metric_boundary(raws, problems, metric_crs)
    if found is None:
        return
    bnd, near, tr = found
    xy = to_metric(tr)
    cells = _Cells(near)
    for raw in raws.values():
        if not raw.spec.within_boundary or not raw.geoms:
            continue
        for i in _outside(raw, near, tr, cells):
            geom = raw.geoms[i]
            problems.append(outside_problem(raw.where(i), geom, shapely.transform(geom, xy), bnd, tr))


def _outside(raw: RawLayer, near: Any, tr: Any, cells: _Cells) -> list[int]:
    """Positions of the features of *raw* that *near* (metric) does not cover, in order."""
    if not isinstance(raw, BulkLayer):
        return _not_covered(near, raw.geoms, np.arange(len(raw.geoms)), tr)
    out: list[int] = []
    for part in raw.parts:  # the same positions in the metric CRS, in one call
        x, y = tr.transform(part.xy[:, 0], part.xy[:, 1])
        at = np.arange(raw.size) if part.at is None else part.at
        if len(at) < _CELLS_FROM:
            miss = at[~shapely.covers(near, _geometries(part, np.column_stack([x, y])))]
            out.extend(int(i) for i in miss)
            continue
        if part.offsets:  # each feature's box, from its first to its last position
            first = np.arange(len(at))
            for level in reversed(part.offsets):
                first = level[first]
            box = [
                f.reduceat(v, first)
                for f, v in ((np.minimum, x), (np.minimum, y), (np.maximum, x), (np.maximum, y))
            ]
        else:
            box = [x, y, x, y]
        unsure = at[~cells.cover(*box)]
        out.extend(_not_covered(near, raw.geom_array, unsure, tr))
    return sorted(out)


def _not_covered(near: Any, geoms: Any, at: np.ndarray, tr: Any) -> list[int]:
    """Those of the features *at* (positions in *geoms*) that *near* does not cover, in metric."""
    chosen = np.empty(len(at), dtype=object)
    chosen[:] = [geoms[i] for i in at]
    present = ~shapely.is_missing(chosen)
    metric = shapely.transform(chosen[present], to_metric(tr))
    return [int(i) for i in at[present][~shapely.covers(near, metric)]]


#: Features of one type in one layer from which :class:`_Cells` answer for most of them.
_CELLS_FROM = 2000


class _Cells:
    """Square cells over the tolerance zone *near*, and whether it covers each, made when first asked.

    A feature whose bounding box lies within a block of at most 2 x 2 cells, all covered, is
    covered itself: the box holds the feature (a line or polygon lies within the box of its
    positions), the block holds the box, near covers each cell of the block. The cells are
    boxes of exactly the edge coordinates compared, so adjacent cells share their edges.
    """

    SIDE = 64

    def __init__(self, near: Any) -> None:
        self.near = near
        self.covered: np.ndarray | None = None

    def _make(self) -> np.ndarray:
        x0, y0, x1, y1 = self.near.bounds
        self.h = max(x1 - x0, y1 - y0, 1.0) / self.SIDE
        self.ex = x0 + self.h * np.arange(self.SIDE + 1)
        self.ey = y0 + self.h * np.arange(self.SIDE + 1)
        i, j = np.meshgrid(np.arange(self.SIDE), np.arange(self.SIDE), indexing="ij")
        return shapely.covers(self.near, shapely.box(self.ex[i], self.ey[j], self.ex[i + 1], self.ey[j + 1]))

    def cover(self, minx: np.ndarray, miny: np.ndarray, maxx: np.ndarray, maxy: np.ndarray) -> np.ndarray:
        """Return, per box, whether the covered cells surely hold it (False: not known)."""
        if self.covered is None:
            self.covered = self._make()
        with np.errstate(invalid="ignore"):
            ix = [
                np.clip(np.floor((v - self.ex[0]) / self.h), 0, self.SIDE - 1).astype(np.intp)
                for v in (minx, maxx)
            ]
            iy = [
                np.clip(np.floor((v - self.ey[0]) / self.h), 0, self.SIDE - 1).astype(np.intp)
                for v in (miny, maxy)
            ]
        (il, ih), (jl, jh) = ix, iy
        sure = (ih - il <= 1) & (jh - jl <= 1)
        sure &= (
            (self.ex[il] <= minx)
            & (maxx <= self.ex[ih + 1])
            & (self.ey[jl] <= miny)
            & (maxy <= self.ey[jh + 1])
        )
        c = self.covered
        return sure & c[il, jl] & c[il, jh] & c[ih, jl] & c[ih, jh]
