"""Constructed plan pairs for the diff tests: edits of the default plan made in metres (EPSG:4550)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from tests.conftest import LAYERS, feature

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4550", always_xy=True)
TO_DEG = Transformer.from_crs("EPSG:4550", "EPSG:4326", always_xy=True)


def to_m(geom: Any) -> Any:
    return shapely.transform(geom, lambda c: np.column_stack(TO_M.transform(c[:, 0], c[:, 1])))


def to_deg(geom: Any) -> Any:
    return shapely.transform(geom, lambda c: np.column_stack(TO_DEG.transform(c[:, 0], c[:, 1])))


def copy_plan(dst: Path) -> Path:
    shutil.copytree(LAYERS, dst)
    return dst


class Layer:
    """Edit one layer file of a plan folder: ``with Layer(folder, "parks") as doc: ...``."""

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"{name}.geojson"

    def __enter__(self) -> dict[str, Any]:
        self.doc = json.loads(self.path.read_text(encoding="utf-8"))
        return self.doc

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.path.write_text(json.dumps(self.doc, ensure_ascii=False), encoding="utf-8")


def metric_geom(doc: dict[str, Any], fid: str) -> Any:
    return to_m(shape(feature(doc, fid)["geometry"]))


def set_metric_geom(doc: dict[str, Any], fid: str, geom_m: Any) -> None:
    """Store a metric geometry as GeoJSON degrees at full precision (no rounding)."""
    feature(doc, fid)["geometry"] = json.loads(json.dumps(mapping(to_deg(geom_m))))


def square(cx: float, cy: float, w: float, h: float) -> Any:
    return shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
