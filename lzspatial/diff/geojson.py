"""The change geometries of a diff as RFC 7946 GeoJSON (EPSG:4326).

One feature per change, with ``change`` =

- ``added`` (B's geometry) and ``removed`` (A's geometry);
- ``before`` and ``after``: A's and B's geometry of a feature whose geometry changed;
- ``zone_transfer``: land in zone ``zone_a`` in A and in zone ``zone_b`` in B.
"""

from __future__ import annotations

from typing import Any

from lzspatial.diff.model import FeatureChange, PlanDiff
from lzspatial.io import feature_collection_text

__all__ = ["diff_geojson"]


def _props(c: FeatureChange, change: str) -> dict[str, Any]:
    return {
        "change": change,
        "layer": c.layer,
        "id": c.id,
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "geometry_basis": c.basis_b if change in ("added", "after") else c.basis_a,
        "schematic": c.schematic,
        **c.measures,
    }


def diff_geojson(diff: PlanDiff) -> str:
    """Return the change geometries of *diff* as a FeatureCollection (text, one feature per line)."""
    rows: list[tuple[dict[str, Any], Any]] = []
    for c in diff.features:
        if c.status == "added":
            rows.append((_props(c, "added"), c.geom_b))
        elif c.status == "removed":
            rows.append((_props(c, "removed"), c.geom_a))
        elif c.geometry_changed:
            rows.append((_props(c, "before"), c.geom_a))
            rows.append((_props(c, "after"), c.geom_b))
    for t in diff.transfers:
        props = {"change": "zone_transfer", **t.to_json()}
        rows.append((props, t.geometry))
    return feature_collection_text(rows, name="lzspatial_diff")
