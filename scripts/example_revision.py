"""Write a constructed example revision of the default plan (for the README's diff screenshot).

    python scripts/example_revision.py OUT_DIR

OUT_DIR gets a copy of ``layers/`` with four edits a real revision might bring. They are
made up by this script, not taken from any plan document:

- the east zone (zone-east) grows by 1.5 km into its neighbours;
- the timber port (park-timber-port) moves 2.5 km north-east;
- the land-sea axis (axis-land-sea) is re-routed through a new middle vertex;
- the 三区三线 control lines become "sourced", standing in for an official 一张图 export
  (the geometry stays the schematic one; the new source says the revision is constructed).

The output is the same for the same input, so the screenshot can be taken again.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

REPO = Path(__file__).resolve().parent.parent
TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4550", always_xy=True)
TO_DEG = Transformer.from_crs("EPSG:4550", "EPSG:4326", always_xy=True)
NOTE = "Constructed example revision (scripts/example_revision.py); not from any plan document."


def _m(geom):
    return shapely.transform(
        geom, lambda c: __import__("numpy").column_stack(TO_M.transform(c[:, 0], c[:, 1]))
    )


def _deg(geom):
    return shapely.transform(
        geom, lambda c: __import__("numpy").column_stack(TO_DEG.transform(c[:, 0], c[:, 1]))
    )


def _round(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(v, 6) for v in obj]
        return [_round(v) for v in obj]
    return obj


def _edit(folder: Path, layer: str, fn) -> None:
    path = folder / f"{layer}.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feat in doc["features"]:
        fn(feat)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _set_geom(feat, geom_m) -> None:
    g = mapping(_deg(geom_m))
    feat["geometry"] = {"type": g["type"], "coordinates": _round(g["coordinates"])}


def build(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "layers", out, ignore=shutil.ignore_patterns("README.md"))
    boundary = _m(shape(json.loads((out / "boundary.geojson").read_text("utf-8"))["features"][0]["geometry"]))

    def zones(feat):
        if feat["properties"]["id"] == "zone-east":
            grown = _m(shape(feat["geometry"])).buffer(1500, join_style="mitre").intersection(boundary)
            _set_geom(feat, grown)
            feat["properties"]["note"] = NOTE + " Grown by 1.5 km."

    def parks(feat):
        if feat["properties"]["id"] == "park-timber-port":
            _set_geom(feat, shapely.affinity.translate(_m(shape(feat["geometry"])), 1800, 1800))
            feat["properties"]["status"] = "under_construction"
            feat["properties"]["note"] = NOTE + " Moved 2.5 km north-east."

    def axes(feat):
        if feat["properties"]["id"] == "axis-land-sea":
            line = _m(shape(feat["geometry"]))
            coords = list(line.coords)
            mid = line.interpolate(0.5, normalized=True)
            bent = (mid.x + 3000, mid.y - 3000)
            first = [c for c in coords if line.project(shapely.Point(c)) < line.length / 2]
            last = [c for c in coords if line.project(shapely.Point(c)) >= line.length / 2]
            _set_geom(feat, shapely.LineString([*first, bent, *last]))
            feat["properties"]["note"] = NOTE + " Re-routed through a new middle vertex."

    def control(feat):
        p = feat["properties"]
        p["geometry_basis"] = "sourced"
        p["source"] = NOTE + " Stands for an official 一张图 export."
        p.pop("source_zh", None)

    _edit(out, "zones", zones)
    _edit(out, "parks", parks)
    _edit(out, "axes", axes)
    _edit(out, "control_lines", control)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1])))
