"""Benchmark: site screening against the default plan and a stress plan.

Usage::

    python benchmarks/screening.py              # sizes 1e4, 1e5, 1e6 points and 1e5 parcels
    python benchmarks/screening.py --quick      # 1e4 and 1e5 only
    python benchmarks/screening.py --cli-10m    # also: the CLI on a 10-million-row CSV (peak memory)

Each measurement runs in a fresh child process (so its peak memory is its
own: VmHWM is reset just before the timed call). Times are the best of
``--repeat`` runs for lzspatial and one run for the baselines. The answers of
every engine are saved and compared: zones and control-line flags must be
identical, nearest-town ids identical, distances within 1e-6 relative.

Engines
-------
lzspatial   ``lzspatial.screen`` with every field (zone, core, park, control
            lines, six nearest distances with ids)
geopandas   the idiomatic baseline: ``sjoin`` (within) for zones and control
            lines, ``sjoin_nearest`` for towns, ``STRtree.query_nearest`` for
            axes; four answers only
duckdb      DuckDB spatial (2 threads), the same four answers, where the
            extension loads: ``pip install -e '.[bench]'`` (duckdb 1.5.5 and
            duckdb-extension-spatial 1.5.5; or ``pip install --target DIR`` them and
            run with ``PYTHONPATH=DIR``)

The stress plan (generated here, seeded) has 40 zones (Voronoi cells of the
district), 5 axes of 100 vertices, 30 towns and 14 control polygons.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SEED = 20230201


# ---------------------------------------------------------------- data


def make_stress_plan(dst: Path) -> Path:
    """Write the stress plan (a copy of the default plan with dense layers) into *dst*."""
    import geopandas as gpd
    import shapely

    from lzspatial.io import write_geojson
    from lzspatial.plan import default_plan_dir, load_plan

    src = default_plan_dir()
    shutil.copytree(src, dst, dirs_exist_ok=True)
    base = load_plan(src)
    vocab = base.vocabularies
    district = base.boundary_metric
    inner = district.buffer(-300)
    rng = np.random.default_rng(SEED)
    minx, miny, maxx, maxy = district.bounds

    def sample(n: int, area: object) -> list[shapely.Point]:
        out: list[shapely.Point] = []
        while len(out) < n:
            p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if area.contains(p):
                out.append(p)
        return out

    def common(fid: str, zh: str, en: str) -> dict[str, str]:
        return {
            "id": fid,
            "name_zh": zh,
            "name_en": en,
            "geometry_basis": "schematic",
            "source": "lzspatial benchmark stress plan (random, seeded)",
        }

    def save(name: str, rows: list[dict], geoms: list) -> None:
        frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=base.metric_crs).to_crs(4326)
        write_geojson(frame, dst / f"{name}.geojson")

    seeds = shapely.MultiPoint(sample(40, inner))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=district.envelope.buffer(1000)))
    zones = []
    for c in cells:
        part = c.intersection(district)
        polys = [g for g in shapely.get_parts(part) if g.geom_type == "Polygon"]
        if polys:
            zones.append(max(polys, key=lambda g: g.area))
    functions = list(vocab["functional_areas"])
    save(
        "zones",
        [
            {**common(f"zone-s{i:02d}", f"分区{i}", f"Zone {i}"), "functions": [functions[i % 5]]}
            for i in range(len(zones))
        ],
        zones,
    )
    axes = []
    for _ in range(5):
        ang = rng.uniform(0, np.pi)
        c = sample(1, inner)[0]
        t = np.linspace(-40_000, 40_000, 400)
        wiggle = 2_000 * np.sin(t / rng.uniform(3_000, 9_000) + rng.uniform(0, 6))
        x = c.x + t * np.cos(ang) - wiggle * np.sin(ang)
        y = c.y + t * np.sin(ang) + wiggle * np.cos(ang)
        clipped = shapely.LineString(np.column_stack([x, y])).intersection(inner)
        line = max(shapely.get_parts(clipped), key=lambda g: g.length)
        axes.append(
            shapely.LineString([line.interpolate(f, normalized=True) for f in np.linspace(0, 1, 100)])
        )
    save(
        "axes",
        [
            {**common(f"axis-s{i}", f"轴{i}", f"Axis {i}"), "role": "stress", "toward": "none"}
            for i in range(5)
        ],
        axes,
    )
    towns = sample(30, inner)
    save(
        "towns",
        [
            {
                **common(f"town-s{i:02d}", f"镇{i}", f"Town {i}"),
                "code": f"2101159{i:02d}",
                "kind": "town",
                "rank": "key" if i % 6 == 0 else "general",
                "tags": [],
                "pinyin": f"zhen {i}",
            }
            for i in range(30)
        ],
        towns,
    )
    kinds = ["eco_red_line", "basic_farmland", "urban_development_boundary"]
    blobs = []
    for c in sample(14, inner):
        r = rng.uniform(1_500, 5_000)
        ang = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        rad = r * (1 + 0.3 * np.sin(3 * ang + rng.uniform(0, 6)))
        blob = shapely.Polygon(np.column_stack([c.x + rad * np.cos(ang), c.y + rad * np.sin(ang)]))
        blobs.append(blob.intersection(inner))
    save(
        "control_lines",
        [
            {**common(f"control-s{i:02d}", f"控制线{i}", f"Control {i}"), "kind": kinds[i % 3]}
            for i in range(14)
        ],
        blobs,
    )
    load_plan(dst)  # must validate
    return dst


def random_points(plan_dir: str | None, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points over the district's bounding box, as lon/lat."""
    from lzspatial.crs import transformer
    from lzspatial.plan import load_plan

    minx, miny, maxx, maxy = load_plan(plan_dir).boundary_metric.bounds
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    lon, lat = transformer("EPSG:4550", "EPSG:4326").transform(x, y)
    return np.asarray(lon), np.asarray(lat)


# ---------------------------------------------------------------- engines (run in a child)


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _sites(kind: str, plan_dir: str | None, n: int):
    import geopandas as gpd
    import shapely

    lon, lat = random_points(plan_dir, n, SEED + n)
    if kind == "points":
        return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    from lzspatial.crs import transformer

    x, y = transformer("EPSG:4326", "EPSG:4550").transform(lon, lat)
    return gpd.GeoDataFrame(geometry=shapely.box(x, y, np.asarray(x) + 50, np.asarray(y) + 50), crs=4550)


def run_lzspatial(plan_dir, sites, repeat):
    from lzspatial.plan import load_plan
    from lzspatial.screening.engine import screen

    plan = load_plan(plan_dir)
    t0 = time.perf_counter()
    screen(sites.iloc[:10], plan)  # builds the plan index (reported separately)
    build = time.perf_counter() - t0
    best, peak, cpu = float("inf"), 0.0, float("inf")
    for _ in range(repeat):
        _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        out = screen(sites, plan)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
        peak = max(peak, _peak_mb())
    answers = {
        "zone": out["zone_id"].astype(object).fillna("").to_numpy(dtype=str),
        "in_any_control": (
            out["in_eco_red_line"] | out["in_basic_farmland"] | out["in_urban_development_boundary"]
        ).to_numpy(),
        "town": out["nearest_town_id"].astype(object).fillna("").to_numpy(dtype=str),
        "dist_town": out["dist_town_m"].to_numpy(),
        "dist_axis": out["dist_axis_m"].to_numpy(),
    }
    return best, peak, answers, {"index_build_s": build, "cpu_s": cpu}


def run_geopandas(plan_dir, sites, repeat):
    import geopandas as gpd
    import shapely

    from lzspatial.plan import load_plan

    plan = load_plan(plan_dir)
    zones = plan.layer("zones", metric=True)[["id", "geometry"]]
    control = plan.layer("control_lines", metric=True)[["kind", "geometry"]]
    towns = plan.layer("towns", metric=True)[["id", "geometry"]]
    axes = plan.layer("axes", metric=True)
    _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    pts = sites.to_crs(4550)
    z = gpd.sjoin(pts, zones, how="left", predicate="within")
    z = z[~z.index.duplicated()]
    c = gpd.sjoin(pts, control, how="inner", predicate="within")
    in_any = np.zeros(len(pts), dtype=bool)
    in_any[np.unique(c.index.to_numpy())] = True
    t = gpd.sjoin_nearest(pts, towns, how="left", distance_col="dist")
    t = t[~t.index.duplicated()]
    tree = shapely.STRtree(axes.geometry.values)
    (_, _), dist_axis = tree.query_nearest(pts.geometry.values, return_distance=True)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    answers = {
        "zone": z["id"].fillna("").to_numpy(dtype=str),
        "in_any_control": in_any,
        "town": t["id"].to_numpy(dtype=str),
        "dist_town": t["dist"].to_numpy(),
        "dist_axis": np.asarray(dist_axis),
    }
    return elapsed, _peak_mb(), answers, {"cpu_s": cpu}


def _duckdb_connect():
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    try:
        con.execute("LOAD spatial")
        return con
    except Exception:  # noqa: BLE001 - try the PyPI extension packages next
        pass
    for pkg in ("duckdb_extension_spatial", "duckdb_ext"):
        try:
            mod = __import__(pkg)
        except ImportError:
            continue
        for f in Path(mod.__file__).parent.rglob("spatial.duckdb_extension"):
            if f"v{duckdb.__version__}" in str(f):
                con.execute(f"LOAD '{f}'")
                return con
    raise RuntimeError(f"duckdb {duckdb.__version__} has no spatial extension here (offline); see --help")


def run_duckdb(plan_dir, sites, repeat):
    import pyarrow as pa
    import shapely

    from lzspatial.plan import load_plan

    con = _duckdb_connect()
    plan = load_plan(plan_dir)
    pts = sites.to_crs(4550)
    x, y = shapely.get_x(pts.geometry.values), shapely.get_y(pts.geometry.values)
    con.register("p_raw", pa.table({"i": np.arange(len(x)), "x": x, "y": y}))
    for name, cols in (("zones", ["id"]), ("control_lines", ["kind"]), ("towns", ["id"]), ("axes", ["id"])):
        f = plan.layer(name, metric=True)
        con.register(
            f"{name}_raw",
            pa.table(
                {**{c: f[c].astype(str).to_numpy() for c in cols}, "wkb": shapely.to_wkb(f.geometry.values)}
            ),
        )
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT *, ST_GeomFromWKB(wkb) AS g FROM {name}_raw")
    _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute("CREATE OR REPLACE TABLE p AS SELECT i, ST_Point(x, y) AS g FROM p_raw")
    zone = con.execute(
        "SELECT p.i, min(z.id) FROM p LEFT JOIN zones z ON ST_Contains(z.g, p.g) GROUP BY p.i ORDER BY p.i"
    ).fetchnumpy()
    ctl = con.execute("SELECT DISTINCT p.i FROM p JOIN control_lines c ON ST_Contains(c.g, p.g)").fetchnumpy()
    town = con.execute(
        "SELECT p.i, arg_min(t.id, ST_Distance(p.g, t.g)), min(ST_Distance(p.g, t.g)) "
        "FROM p, towns t GROUP BY p.i ORDER BY p.i"
    ).fetchnumpy()
    axis = con.execute(
        "SELECT p.i, min(ST_Distance(p.g, a.g)) FROM p, axes a GROUP BY p.i ORDER BY p.i"
    ).fetchnumpy()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    in_any = np.zeros(len(x), dtype=bool)
    in_any[ctl["i"]] = True
    zc = list(zone)
    tc = list(town)
    answers = {
        "zone": np.array([v or "" for v in zone[zc[1]]], dtype=str),
        "in_any_control": in_any,
        "town": np.asarray(town[tc[1]], dtype=str),
        "dist_town": np.asarray(town[tc[2]], dtype=float),
        "dist_axis": np.asarray(axis[list(axis)[1]], dtype=float),
    }
    return elapsed, _peak_mb(), answers, {"duckdb": __import__("duckdb").__version__, "cpu_s": cpu}


def child(args: argparse.Namespace) -> None:
    """Run one engine on one workload; write JSON + answers."""
    sites = _sites(args.kind, args.plan, args.n)
    func = {"lzspatial": run_lzspatial, "geopandas": run_geopandas, "duckdb": run_duckdb}[args.engine]
    try:
        elapsed, peak, answers, extra = func(args.plan, sites, args.repeat)
    except Exception as err:  # noqa: BLE001 - report, do not crash the table
        Path(args.result).write_text(json.dumps({"error": f"{type(err).__name__}: {err}"}))
        return
    np.savez(args.result + ".npz", **answers)
    Path(args.result).write_text(json.dumps({"time": elapsed, "peak_mb": peak, **extra}))


# ---------------------------------------------------------------- parent


def measure(engine: str, kind: str, plan: str | None, n: int, repeat: int, tmp: Path) -> dict:
    out = tmp / f"{engine}-{kind}-{n}-{Path(plan).name if plan else 'default'}.json"
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        "--engine",
        engine,
        "--kind",
        kind,
        "--n",
        str(n),
        "--repeat",
        str(repeat),
        "--result",
        str(out),
    ] + (["--plan", plan] if plan else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if not out.exists():
        return {"error": (proc.stderr.strip().splitlines() or ["no result"])[-1]}
    res = json.loads(out.read_text())
    if "error" not in res:
        res["answers"] = dict(np.load(str(out) + ".npz"))
    return res


def agree(a: dict, b: dict) -> str:
    """Compare the four shared answers; return 'yes' or what differs."""
    bad = []
    for k in ("zone", "in_any_control", "town"):
        diff = int((a[k] != b[k]).sum())
        if diff:
            bad.append(f"{k} x{diff}")
    for k in ("dist_town", "dist_axis"):
        rel = np.abs(a[k] - b[k]) / np.maximum(np.abs(b[k]), 1e-9)
        if np.nanmax(rel) > 1e-6:
            bad.append(f"{k} rel {np.nanmax(rel):.1e}")
    return "yes" if not bad else "NO: " + ", ".join(bad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine")
    ap.add_argument("--kind", default="points")
    ap.add_argument("--plan")
    ap.add_argument("--n", type=int)
    ap.add_argument("--result")
    ap.add_argument("--repeat", type=int, default=3, help="runs of lzspatial per size (best is kept)")
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 and 1e5 only")
    ap.add_argument("--cli-10m", action="store_true", help="also run the CLI on 10 million CSV rows")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000])
    rows = []
    with tempfile.TemporaryDirectory(prefix="lzbench-") as td:
        tmp = Path(td)
        stress = str(make_stress_plan(tmp / "stress"))
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)
        for plan_name, plan in (("default", None), ("stress", stress)):
            for n in sizes:
                results = {
                    e: measure(e, "points", plan, n, args.repeat if e == "lzspatial" else 1, tmp)
                    for e in ("lzspatial", "geopandas", "duckdb")
                }
                rows.append(_report_rows(plan_name, "points", n, results))
        res = {"lzspatial": measure("lzspatial", "parcels", None, 100_000, args.repeat, tmp)}
        rows.append(_report_rows("default", "parcels 50 m", 100_000, res))
        _print_table([r for group in rows for r in group])
        if args.cli_10m:
            cli_10m(tmp)


def _report_rows(plan: str, kind: str, n: int, results: dict) -> list[list[str]]:
    base = results.get("geopandas", {}).get("time")
    ours = results["lzspatial"].get("answers")
    out = []
    for engine, r in results.items():
        if "error" in r:
            label = "unavailable" if engine == "duckdb" else "error"
            print(f"{engine}: {label} ({r['error']})", flush=True)
            continue
        ratio = f"{base / r['time']:.1f}x" if base else "-"
        ok = "-" if engine == "lzspatial" else agree(ours, r["answers"]) if ours is not None else "?"
        extra = f" (index build {r['index_build_s']:.2f} s, once per plan)" if "index_build_s" in r else ""
        out.append(
            [
                plan,
                kind,
                f"{n:,}",
                engine,
                f"{r['time']:.3f}",
                f"{r.get('cpu_s', float('nan')):.3f}",
                f"{n / r['time']:,.0f}",
                f"{r['peak_mb']:,.0f}",
                ratio,
                ok,
            ]
        )
        print(
            f"{plan:8s} {kind:12s} {n:>9,} {engine:10s} {r['time']:7.3f} s (cpu {r.get('cpu_s', 0):.3f}) "
            f"{r['peak_mb']:7,.0f} MB "
            f"{ratio:>6s} agree={ok}{extra}",
            flush=True,
        )
    return out


def _print_table(rows: list[list[str]]) -> None:
    head = [
        "plan",
        "sites",
        "n",
        "engine",
        "time (s)",
        "CPU (s)",
        "sites/s",
        "peak RSS (MB)",
        "vs geopandas",
        "answers agree",
    ]
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


def cli_10m(tmp: Path) -> None:
    """Screen a 10-million-row CSV through the CLI; report time and peak memory."""
    import pandas as pd

    n = 10_000_000
    path = tmp / "points10m.csv"
    lon, lat = random_points(None, n, SEED)
    pd.DataFrame({"lon": np.round(lon, 6), "lat": np.round(lat, 6)}).to_csv(path, index=False)
    out = tmp / "out10m.parquet"
    cmd = [
        sys.executable,
        "-m",
        "lzspatial",
        "screen",
        str(path),
        "--industry",
        "trade_logistics",
        "--out",
        str(out),
    ]
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        f"p = subprocess.run({cmd!r}, capture_output=True, text=True); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
        "p.returncode); print(p.stdout + p.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    head, _, rest = proc.stdout.partition("\n")
    elapsed_s, peak_kb, code = head.split()
    elapsed, peak = float(elapsed_s), int(peak_kb) / 1024
    print(
        f"\nCLI, 10,000,000 CSV rows -> GeoParquet, with verdicts: {elapsed:.1f} s, peak RSS {peak:,.0f} MB, "
        f"exit {code}; {rest.strip().splitlines()[0] if rest.strip() else proc.stderr[-300:]}"
    )


if __name__ == "__main__":
    main()
