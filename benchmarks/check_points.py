"""Benchmark: check 10,000 project points against the zones and control lines.

Target (issue 3): under 2 s after the plan is loaded. The same run times an idiomatic
geopandas pipeline (``sjoin`` + ``distance``) that produces the same violations with the
same measures, checks that both agree, and prints the ratio.

Run: ``python benchmarks/check_points.py [N]`` (default N = 10,000).
"""

from __future__ import annotations

import sys
import time

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
REPEAT = 3
TARGET_S = 2.0


def sel(layer, where=None):
    return {"layer": layer} if where is None else {"layer": layer, "where": where}


def rule(rid, kind, objects, **params):
    return {
        "id": rid,
        "title_zh": rid,
        "title_en": rid,
        "severity": "error",
        "kind": kind,
        "subject": sel("projects"),
        "objects": objects,
        "basis": "benchmark",
        **params,
    }


RULES = {
    "rules": [
        rule("in-district", "must_be_within", sel("boundary")),
        rule("in-zone", "must_be_within", [sel("zones"), sel("core")]),
        rule("avoid-eco", "must_not_overlap_with", sel("control_lines", "kind == 'eco_red_line'")),
        rule("avoid-farmland", "must_not_overlap_with", sel("control_lines", "kind == 'basic_farmland'")),
        rule("in-udb", "must_be_within", sel("control_lines", "kind == 'urban_development_boundary'")),
    ]
}


def make_points(plan, n, *, inside_udb=False):
    """Seeded random points: over the district's bbox, or only inside the urban development boundary."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(20230201)
    if inside_udb:
        cl = plan["control_lines"]
        area = cl.geometry[cl["kind"] == "urban_development_boundary"].union_all()
    else:
        area = plan["boundary"].geometry.iloc[0].envelope
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    xs, ys = [], []
    while sum(map(len, xs)) < n:
        x, y = rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(area, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    return gpd.GeoDataFrame(
        {"id": [f"p{i:06d}" for i in range(n)]}, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326"
    )


def baseline(plan, points):
    """Idiomatic geopandas: sjoin for membership, GeoSeries.distance for the measures."""
    import geopandas as gpd
    import pandas as pd

    pts = points.to_crs(plan.metric_crs)
    bnd = plan.layer("boundary", metric=True)
    zones = pd.concat([plan.layer("zones", metric=True), plan.layer("core", metric=True)])
    cl = plan.layer("control_lines", metric=True)
    parts = []

    def outside(rid, polys):
        inside = gpd.sjoin(pts, polys[["geometry"]], predicate="within", how="inner").index.unique()
        out = pts[~pts.index.isin(inside)]
        parts.append(
            pd.DataFrame(
                {
                    "rule_id": rid,
                    "feature_id": out["id"].values,
                    "measure": out.distance(polys.union_all()).values,
                    "geometry": out.geometry.values,
                }
            )
        )

    def inside(rid, polys):
        joined = gpd.sjoin(pts, polys[["id", "geometry"]], predicate="within", how="inner")
        depth = joined.geometry.distance(polys.boundary.union_all())
        parts.append(
            pd.DataFrame(
                {
                    "rule_id": rid,
                    "feature_id": joined["id_left"].values,
                    "measure": depth.values,
                    "geometry": joined.geometry.values,
                }
            )
        )

    outside("in-district", bnd)
    outside("in-zone", zones)
    inside("avoid-eco", cl[cl["kind"] == "eco_red_line"])
    inside("avoid-farmland", cl[cl["kind"] == "basic_farmland"])
    outside("in-udb", cl[cl["kind"] == "urban_development_boundary"])
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=plan.metric_crs).to_crs("EPSG:4326")


def best(fn, *args, **kwargs):
    times, out = [], None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return min(times), out


def scenario(plan, points):
    """Time both pipelines on *points*; check they agree; return the times and counts."""
    from lzspatial.rules.engine import check_plan

    check_plan(plan, RULES, extra_layers={"projects": points})  # warm the plan's metric layer cache
    engine_s, report = best(check_plan, plan, RULES, extra_layers={"projects": points})
    base_s, base = best(baseline, plan, points)
    got = report.violations.groupby("rule_id").size()
    want = base.groupby("rule_id").size()
    for rid in [r["id"] for r in RULES["rules"]]:
        assert got.get(rid, 0) == want.get(rid, 0), (rid, got.get(rid, 0), want.get(rid, 0))
    merged = report.violations.merge(base, on=["rule_id", "feature_id"], suffixes=("", "_base"))
    assert len(merged) == len(base)
    assert np.allclose(merged["measure"], merged["measure_base"], rtol=1e-6, atol=1e-3)
    return engine_s, base_s, len(report.violations)


def main() -> None:
    from lzspatial.plan import load_plan

    t0 = time.perf_counter()
    plan = load_plan()
    load_s = time.perf_counter() - t0
    print(
        f"check {N:,} project points x {len(RULES['rules'])} rules (boundary, zones + core, eco red line, "
        f"basic farmland, urban development boundary); best of {REPEAT}"
    )
    print(f"load_plan(): {load_s:.3f} s (not counted)")
    print(
        f"{'points':<34} {'violations':>10} {'lzspatial (s)':>14} {'geopandas sjoin (s)':>20} "
        f"{'baseline / lzspatial':>21}"
    )
    worst = 0.0
    for name, inside in (("uniform over the district bbox", False), ("inside the urban dev. boundary", True)):
        engine_s, base_s, n_viol = scenario(plan, make_points(plan, N, inside_udb=inside))
        worst = max(worst, engine_s)
        print(f"{name:<34} {n_viol:>10,} {engine_s:>14.3f} {base_s:>20.3f} {base_s / engine_s:>21.2f}")
    verdict = "PASS" if worst < TARGET_S else "FAIL"
    print(f"target: under {TARGET_S:.0f} s after load -> {verdict} (slowest {worst:.3f} s).")
    print(
        "Both pipelines give the same violations with measures within 1 mm; lzspatial also writes a "
        "message, the related feature and a sorted report row per violation."
    )


if __name__ == "__main__":
    main()
