"""Reading and writing GeoJSON: strict on input, deterministic on output.

The reader parses plan layers with the standard :mod:`json` module so that
every problem can be reported with its file, feature and field. The writer
produces RFC 7946 GeoJSON: WGS84 lon/lat, no ``crs`` member, counter-clockwise
exterior rings, coordinates rounded, no per-feature ``bbox``, stable property
order, and byte-identical output for the same input.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd
import shapely

from lzspatial._util.atomic import write_text
from lzspatial.errors import InputError
from lzspatial.io.limits import MAX_INPUT_BYTES, read_limited

__all__ = [
    "ACCEPTED_CRS_NAMES",
    "MAX_INPUT_BYTES",
    "COLLECTION_TAIL",
    "collection_head",
    "feature_collection_text",
    "feature_text",
    "json_value",
    "geometry_to_geojson",
    "parse_json_file",
    "parse_json_text",
    "parse_json_text_unchecked_numbers",
    "read_json_text",
    "write_geojson",
]

#: ``crs`` member names accepted in plan layers (all mean WGS84/CGCS2000 lon/lat).
ACCEPTED_CRS_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "CRS84",
        "OGC:CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4490",
        "urn:ogc:def:crs:EPSG::4490",
    }
)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON (numbers must be finite)")


class _NumberError(ValueError):
    """A JSON number lzspatial cannot hold (the text is kept to find its line)."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"number {text[:40]}{'...' if len(text) > 40 else ''} {why}")
        self.text = text


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError(text, "is out of range (numbers must be finite 64-bit floats)")
    return value


def _bounded_int(text: str) -> int | float:
    if len(text.lstrip("-")) > 19:  # beyond int64: would overflow every writer
        value = float(text) if len(text) < 400 else math.inf
        if not math.isfinite(value):
            raise _NumberError(text, "is out of range (numbers must be finite 64-bit floats)")
        if abs(value) >= 2**63:
            raise _NumberError(text, "is out of range for a 64-bit integer")
    return int(text)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r} in one object (the first value would be lost silently)")
        out[key] = value
    return out


def read_json_text(path: str | os.PathLike[str], *, label: str | None = None) -> str:
    """Read a JSON file as text, refusing what no JSON parser should see.

    Refuses a file that is not a regular file or is over the input limit, an empty file,
    a UTF-8 byte-order mark and bytes that are not UTF-8, each with a message that names
    the file (*label*, else the path).

    Raises
    ------
    InputError
        With a one-line message.
    """
    path = Path(path)
    name = label or str(path)
    data = read_limited(path, InputError, label=name)  # regular files only, within the limit
    if not data.strip():
        raise InputError(f"{name}: file is empty; expected a GeoJSON FeatureCollection")
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            f"{name}: starts with a UTF-8 byte-order mark, which JSON (RFC 8259) forbids; "
            "save the file as UTF-8 without BOM"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"{name}: line {line}: bytes are not UTF-8 ({data[err.start : err.start + 4]!r}); "
            "GeoJSON must be UTF-8 (re-save it as UTF-8, e.g. from GBK)"
        ) from err


def parse_json_text(text: str, name: str) -> Any:
    """Parse JSON *text* strictly and return the value; messages name the file as *name*.

    Rejects ``NaN``/``Infinity``, numbers beyond a finite double (``1e400``) or a 64-bit
    integer, duplicate keys in one object, and nesting too deep to parse (the line and
    column where JSON itself failed).

    Raises
    ------
    InputError
        With a one-line message.
    """
    # Refuse deep nesting at a fixed depth, whatever recursion limit the host process has set
    # (a test runner or a notebook may have raised it; then 10,000 nested lists would parse).
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(min(old_limit, _frame_depth() + MAX_JSON_DEPTH))
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
            object_pairs_hook=_no_duplicate_keys,
        )
    except _NumberError as err:
        line = text[: max(text.find(err.text), 0)].count("\n") + 1
        raise InputError(f"{name}: line {line}: invalid JSON: {err}") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{name}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from err
    except ValueError as err:
        raise InputError(f"{name}: invalid JSON: {err}") from err
    except RecursionError as err:
        raise InputError(f"{name}: invalid JSON: nested too deeply to parse") from err
    finally:
        sys.setrecursionlimit(old_limit)


def parse_json_text_unchecked_numbers(text: str) -> Any:
    """Parse JSON *text* fast, checking less than :func:`parse_json_text`: for bulk readers.

    Refuses ``NaN``/``Infinity`` and nesting deeper than :func:`parse_json_text` allows, but
    keeps the last value of a duplicate key and returns numbers as the standard library
    reads them (``1e400`` is ``inf``; integers of any length). A caller must prove the
    value free of those (see :mod:`lzspatial.plan.bulk`) or parse again with
    :func:`parse_json_text`, whose messages say what is wrong.

    Raises
    ------
    ValueError or RecursionError
        Whatever :func:`json.loads` raises; the message is not meant for users.
    """
    old_limit = sys.getrecursionlimit()
    # A few levels less deep than parse_json_text allows (its hooks are frames too), so that
    # whatever it refuses as nested too deeply, this refuses as well.
    sys.setrecursionlimit(min(old_limit, _frame_depth() + MAX_JSON_DEPTH) - _DEPTH_MARGIN)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    finally:
        sys.setrecursionlimit(old_limit)


def parse_json_file(path: str | os.PathLike[str], *, label: str | None = None) -> Any:
    """Parse a JSON file strictly and return the value.

    Rejects an empty file, a UTF-8 byte-order mark, bytes that are not UTF-8,
    ``NaN``/``Infinity``, numbers beyond a finite double (``1e400``) or a 64-bit integer,
    duplicate keys in one object, and nesting too deep to parse, each with a message
    that names the file (and the line and column where JSON itself failed).
    (:func:`read_json_text`, then :func:`parse_json_text`.)

    Raises
    ------
    InputError
        With a one-line message.
    """
    text = read_json_text(path, label=label)
    return parse_json_text(text, label or str(Path(path)))


#: Deepest JSON nesting a plan file may have (GeoJSON needs fewer than ten levels).
MAX_JSON_DEPTH = 400
#: How many levels less :func:`parse_json_text_unchecked_numbers` allows than :func:`parse_json_text`.
_DEPTH_MARGIN = 10


def _frame_depth() -> int:
    frame: FrameType | None = sys._getframe()
    depth = 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _fmt(v: float, precision: int) -> str:
    r = round(float(v), precision)
    if r == 0:
        r = 0.0  # no "-0.0"
    text = repr(r)
    return text[:-2] if text.endswith(".0") else text


def _coords_text(coords: Any, precision: int) -> str:
    if len(coords) and isinstance(coords[0], (int, float)):
        return "[" + ",".join(_fmt(c, precision) for c in coords[:2]) + "]"
    return "[" + ",".join(_coords_text(c, precision) for c in coords) + "]"


def geometry_to_geojson(geom: Any, precision: int = 6, *, rfc7946: bool = True) -> str:
    """Serialise a shapely geometry as compact GeoJSON text.

    Polygons are oriented counter-clockwise outside and clockwise for holes
    (RFC 7946) when *rfc7946* is true. ``None`` becomes ``null``.

    Examples
    --------
    >>> from shapely import Point
    >>> geometry_to_geojson(Point(122.1234567, 41.5))
    '{"type":"Point","coordinates":[122.123457,41.5]}'
    """
    if geom is None or geom.is_empty:
        return "null"

    if rfc7946 and geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    mapping = shapely.geometry.mapping(geom)
    if mapping["type"] == "GeometryCollection":
        parts = ",".join(geometry_to_geojson(g, precision, rfc7946=rfc7946) for g in geom.geoms)
        return '{"type":"GeometryCollection","geometries":[' + parts + "]}"
    return (
        '{"type":'
        + json.dumps(mapping["type"])
        + ',"coordinates":'
        + _coords_text(mapping["coordinates"], precision)
        + "}"
    )


def json_value(v: Any) -> Any:
    """Convert numpy/pandas scalars and containers into plain JSON values.

    Missing and non-finite numbers become ``None`` (JSON has no NaN or Infinity).

    Examples
    --------
    >>> import numpy as np
    >>> json_value({"a": np.int64(3), "b": [np.float64("nan"), np.bool_(True)]})
    {'a': 3, 'b': [None, True]}
    """
    if v is None:
        return None
    if isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_value(x) for x in v]
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return json_value(v.tolist())
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def feature_text(props: dict[str, Any], geom: Any, precision: int = 6, *, rfc7946: bool = True) -> str:
    """Return one GeoJSON Feature as compact text (properties in their order).

    Examples
    --------
    >>> from shapely import Point
    >>> feature_text({"id": "a"}, Point(1, 2))
    '{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1,2]}}'
    """
    props_text = json.dumps(
        {str(k): json_value(v) for k, v in props.items()},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    )
    return (
        '{"type":"Feature","properties":'
        + props_text
        + ',"geometry":'
        + geometry_to_geojson(geom, precision, rfc7946=rfc7946)
        + "}"
    )


def collection_head(*, name: str | None = None, crs_name: str | None = None) -> str:
    """Return the opening of a FeatureCollection, up to and including ``"features":[``."""
    head = ['{"type":"FeatureCollection"']
    if name is not None:
        head.append('"name":' + json.dumps(name, ensure_ascii=False))
    if crs_name is not None:
        head.append('"crs":{"type":"name","properties":{"name":' + json.dumps(crs_name) + "}}")
    return ",".join(head) + ',"features":['


#: The closing of a FeatureCollection written by :func:`collection_head` and :func:`feature_text`.
COLLECTION_TAIL = "]}\n"


def feature_collection_text(
    rows: Iterable[tuple[dict[str, Any], Any]],
    *,
    precision: int = 6,
    crs_name: str | None = None,
    name: str | None = None,
    rfc7946: bool = True,
) -> str:
    """Return a FeatureCollection as text, one feature per line.

    Parameters
    ----------
    rows : iterable of (properties, geometry)
        Properties keep their order.
    precision : int
        Decimals of coordinates.
    crs_name : str, optional
        Adds a ``crs`` member (not RFC 7946; only for projected exports).
    name : str, optional
        Adds a ``name`` member (the layer name, as GDAL writes it).
    rfc7946 : bool
        Orient polygons as RFC 7946 requires.
    """
    feats = [feature_text(props, geom, precision, rfc7946=rfc7946) for props, geom in rows]
    return "\n".join([collection_head(name=name, crs_name=crs_name), ",\n".join(feats), COLLECTION_TAIL])


def write_geojson(
    gdf: Any,
    path: str | os.PathLike[str],
    *,
    precision: int = 6,
    columns: Sequence[str] | None = None,
    crs_name: str | None = None,
    name: str | None = None,
    rfc7946: bool = True,
) -> Path:
    """Write a GeoDataFrame as GeoJSON atomically (see :func:`feature_collection_text`).

    The frame must already be in the CRS wanted in the file (EPSG:4326 for
    RFC 7946). The input is not modified.
    """
    cols = list(columns) if columns is not None else [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[cols].to_dict("records") if cols else [{} for _ in range(len(gdf))]
    rows = zip(records, gdf.geometry.values, strict=True)
    text = feature_collection_text(rows, precision=precision, crs_name=crs_name, name=name, rfc7946=rfc7946)
    try:
        return write_text(path, text)
    except ValueError as err:  # e.g. NaN in properties
        raise InputError(f"{path}: cannot write GeoJSON: {err}") from err
