"""Benchmark: site screening against the default plan and a stress plan, engines interleaved.

Usage::

    python benchmarks/screening.py                      # 1e4, 1e5, 1e6 points and 1e5 parcels, 3 runs each
    python benchmarks/screening.py --quick              # 1e4 and 1e5 only
    python benchmarks/screening.py --cli-10m            # also: the CLI on a 10-million-row CSV
    python benchmarks/screening.py --dask               # also: 1e7 points in 20 files, dask 1 and 2 workers
    python benchmarks/screening.py --markdown out.md    # also write the tables as Markdown

Honest by construction:

* every engine runs the same number of times (``--runs``, default 3), interleaved (run 1 of
  every engine, then run 2 of every engine, the order rotating), each run in a fresh child
  process (so its peak memory is its own);
* the median and the minimum are reported for every engine, wall time and CPU time (all
  threads), with the thread count of each engine;
* lzspatial's plan-index build (once per plan and process) is reported separately, and a
  one-off total (index build + median run) beside it; DuckDB's setup (extension, tables) too;
* the ratios are geopandas' median over the engine's median, for wall and for CPU time;
* the machine's load average (``/proc/loadavg``) is printed before and after (the machine
  may be shared: a load above the core count means contended runs).

The answers of every engine are saved and compared: zones and control-line flags must be
identical, nearest-town ids identical, distances within 1e-6 relative.

Engines
-------
lzspatial   ``lzspatial.screen`` with every field (zone, core, park, control lines, six nearest
            distances with ids), 2 threads (``lzspatial.screening.engine.THREADS``)
geopandas   the idiomatic baseline, 1 thread: ``sjoin`` (within) for zones and control lines,
            ``sjoin_nearest`` for towns, ``STRtree.query_nearest`` for axes; four answers only
duckdb      DuckDB spatial, 2 threads, the same four answers, where the extension loads:
            ``pip install -e '.[bench]'`` (duckdb 1.5.5 and duckdb-extension-spatial 1.5.5)

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


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_lzspatial(plan_dir, sites, repeat):
    from lzspatial.plan import load_plan
    from lzspatial.screening.engine import THREADS, screen
    from lzspatial.screening.plan_index import plan_index

    plan = load_plan(plan_dir)
    plan.layer("zones", metric=True)  # the plan's layers are read before the build is timed
    t0 = time.perf_counter()
    plan_index(plan)  # built once per plan and process (reported separately)
    build = time.perf_counter() - t0
    screen(sites.iloc[:10], plan)
    base = _rss_mb()
    _reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    out = screen(sites, plan)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    answers = {
        "zone": out["zone_id"].astype(object).fillna("").to_numpy(dtype=str),
        "in_any_control": (
            out["in_eco_red_line"] | out["in_basic_farmland"] | out["in_urban_development_boundary"]
        ).to_numpy(),
        "town": out["nearest_town_id"].astype(object).fillna("").to_numpy(dtype=str),
        "dist_town": out["dist_town_m"].to_numpy(),
        "dist_axis": out["dist_axis_m"].to_numpy(),
    }
    extra = {"setup_s": build, "cpu_s": cpu, "above_input_mb": peak - base, "threads": THREADS}
    return elapsed, peak, answers, extra


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
    return elapsed, _peak_mb(), answers, {"cpu_s": cpu, "threads": 1}


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

    s0 = time.perf_counter()
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
    setup = time.perf_counter() - s0
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
    extra = {"duckdb": __import__("duckdb").__version__, "cpu_s": cpu, "setup_s": setup, "threads": 2}
    return elapsed, _peak_mb(), answers, extra


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


def measure(engine: str, kind: str, plan: str | None, n: int, run: int, tmp: Path) -> dict:
    out = tmp / f"{engine}-{kind}-{n}-{Path(plan).name if plan else 'default'}-{run}.json"
    cmd = [sys.executable, str(HERE), "--child", "--engine", engine, "--kind", kind, "--n", str(n)]
    cmd += ["--repeat", "1", "--result", str(out)] + (["--plan", plan] if plan else [])
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


def load() -> str:
    """The 1, 5 and 15 minute load averages, and the core count."""
    with open("/proc/loadavg") as fh:
        one, five, fifteen = fh.read().split()[:3]
    return f"load average {one} {five} {fifteen} on {os.cpu_count()} cores"


def interleaved(engines: list[str], kind: str, plan: str | None, n: int, runs: int, tmp: Path) -> dict:
    """Run every engine *runs* times, interleaved with a rotating order; collect each engine's runs."""
    got: dict[str, list[dict]] = {e: [] for e in engines}
    for r in range(runs):
        order = engines[r % len(engines) :] + engines[: r % len(engines)]
        for e in order:
            got[e].append(measure(e, kind, plan, n, r, tmp))
    return got


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"error": runs[0]["error"]}
    out = {"runs": len(ok), "answers": ok[-1]["answers"], "threads": ok[0].get("threads", "?")}
    for key in ("time", "cpu_s", "peak_mb", "setup_s", "above_input_mb"):
        vals = [r[key] for r in ok if key in r]
        if vals:
            out[key] = (float(np.median(vals)), float(np.min(vals)))
    return out


HEAD = [
    "plan",
    "sites",
    "n",
    "engine",
    "threads",
    "runs",
    "wall median (min), s",
    "CPU median (min), s",
    "setup s (once)",
    "one-off total s",
    "peak RSS MB",
    "above input MB",
    "vs geopandas wall",
    "vs geopandas CPU",
    "answers agree",
]


def rows_for(plan: str, kind: str, n: int, results: dict[str, list[dict]]) -> list[list[str]]:
    summ = {e: summarise(r) for e, r in results.items()}
    base = summ.get("geopandas", {})
    ours = summ["lzspatial"].get("answers")
    out = []
    for engine, r in summ.items():
        if "error" in r:
            label = "unavailable" if engine == "duckdb" else "error"
            print(f"{engine}: {label} ({r['error']})", flush=True)
            continue
        wall, cpu = r["time"], r.get("cpu_s", (float("nan"),) * 2)
        setup = r.get("setup_s")
        ratio_w = f"{base['time'][0] / wall[0]:.1f}x" if "time" in base else "-"
        ratio_c = f"{base['cpu_s'][0] / cpu[0]:.1f}x" if "cpu_s" in base else "-"
        ok = "-" if engine == "lzspatial" else agree(ours, r["answers"]) if ours is not None else "?"
        out.append(
            [
                plan,
                kind,
                f"{n:,}",
                engine,
                str(r["threads"]),
                str(r["runs"]),
                f"{wall[0]:.3f} ({wall[1]:.3f})",
                f"{cpu[0]:.3f} ({cpu[1]:.3f})",
                f"{setup[0]:.2f}" if setup else "-",
                f"{setup[0] + wall[0]:.2f}" if setup else "-",
                f"{r['peak_mb'][0]:,.0f}",
                f"{r['above_input_mb'][0]:,.0f}" if "above_input_mb" in r else "-",
                ratio_w,
                ratio_c,
                ok,
            ]
        )
        print(" | ".join(out[-1]), flush=True)
    return out


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine")
    ap.add_argument("--kind", default="points")
    ap.add_argument("--plan")
    ap.add_argument("--n", type=int)
    ap.add_argument("--result")
    ap.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--runs", type=int, default=3, help="runs of every engine per workload (interleaved)")
    ap.add_argument("--quick", action="store_true", help="sizes 1e4 and 1e5 only")
    ap.add_argument("--sizes", default=None, help="comma-separated point counts (default 1e4,1e5,1e6)")
    ap.add_argument("--no-stress", action="store_true", help="the default plan only")
    ap.add_argument("--cli-10m", action="store_true", help="also run the CLI on 10 million CSV rows")
    ap.add_argument("--dask", action="store_true", help="also: 1e7 points in 20 files, dask vs the CLI")
    ap.add_argument("--markdown", type=Path, default=None, help="write the tables as Markdown here")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    sizes = (
        [int(float(v)) for v in args.sizes.split(",")]
        if args.sizes
        else [10_000, 100_000] + ([] if args.quick else [1_000_000])
    )
    md = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python benchmarks/screening.py {' '.join(sys.argv[1:])}`; python {sys.version.split()[0]}.",
        f"Before: {load()}.",
    ]
    print(md[0] + "\n" + md[1], flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="lzbench-") as td:
        tmp = Path(td)
        stress = str(make_stress_plan(tmp / "stress"))
        plans = [("default", None)] + ([] if args.no_stress else [("stress", stress)])
        for plan_name, plan in plans:
            for n in sizes:
                res = interleaved(["lzspatial", "geopandas", "duckdb"], "points", plan, n, args.runs, tmp)
                rows += rows_for(plan_name, "points", n, res)
        res = interleaved(["lzspatial"], "parcels", None, 100_000, args.runs, tmp)
        rows += rows_for("default", "parcels 50 m", 100_000, res)
        print()
        print(table(HEAD, rows))
        md += ["", table(HEAD, rows)]
        if args.cli_10m or args.dask:
            md += ["", *big_runs(tmp, args.dask)]
    md.append(f"\nAfter: {load()}.")
    print(md[-1])
    if args.markdown is not None:
        args.markdown.write_text("\n".join(md) + "\n", encoding="utf-8")


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, float, int, str]:
    """Run *cmd*; return wall s, CPU s (user + sys of the process tree), peak RSS MB, exit code, output."""
    wrapper = (
        "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
        "p = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True); "
        "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(time.perf_counter() - t, r.ru_utime + r.ru_stime, r.ru_maxrss, p.returncode); "
        "print(p.stdout + p.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, json.dumps(cmd)], capture_output=True, text=True, env=env
    )
    head, _, rest = proc.stdout.partition("\n")
    wall, cpu, peak_kb, code = head.split()
    return float(wall), float(cpu), int(peak_kb) / 1024, int(code), rest.strip()


def big_runs(tmp: Path, with_dask: bool) -> list[str]:
    """The CLI on 10 million CSV rows (one file), and with --dask the same rows in 20 files on dask."""
    import pandas as pd

    n, parts = 10_000_000, 20
    lon, lat = random_points(None, n, SEED)
    lon, lat = np.round(lon, 6), np.round(lat, 6)
    ids = np.arange(1, n + 1)
    one = tmp / "points10m.csv"  # lon, lat and an id column, as issue 17 states the goal
    pd.DataFrame({"lon": lon, "lat": lat, "id": ids}).to_csv(one, index=False)
    lines = [f"Before the 10^7 runs: {load()}.", ""]
    head = [
        "run",
        "input",
        "workers x threads",
        "wall s",
        "CPU s (all processes)",
        "peak RSS MB (largest process)",
        "exit",
    ]
    rows = []
    lz = [sys.executable, "-m", "lzspatial", "screen"]
    wall, cpu, peak, code, text = timed(
        [*lz, str(one), "--industry", "trade_logistics", "--out", str(tmp / "o.parquet")]
    )
    rows.append(
        [
            "CLI, streaming (single process)",
            "1 CSV, 10^7 rows (lon, lat, id)",
            "1 x 2",
            f"{wall:.1f}",
            f"{cpu:.1f}",
            f"{peak:,.0f}",
            str(code),
        ]
    )
    print(" | ".join(rows[-1]), text.splitlines()[0] if text else "", flush=True)
    if with_dask:
        folder = tmp / "parts"
        folder.mkdir()
        size = n // parts
        for k in range(parts):
            sl = slice(k * size, (k + 1) * size)
            pd.DataFrame({"lon": lon[sl], "lat": lat[sl], "id": ids[sl]}).to_csv(
                folder / f"part-{k:02d}.csv", index=False
            )
        tiny = tmp / "tiny"
        tiny.mkdir()
        pd.DataFrame({"lon": lon[:10], "lat": lat[:10], "id": ids[:10]}).to_csv(tiny / "t.csv", index=False)
        base = [*lz, "--engine", "dask", "--industry", "trade_logistics", "--threads-per-worker", "1"]
        over, *_ = timed([*base[:4], str(tiny), *base[4:], "--workers", "1", "--out", str(tmp / "o-tiny")])
        rows.append(
            [
                "dask, 10 rows (start, ship the plan, build the index, stop)",
                "1 CSV",
                "1 x 1",
                f"{over:.1f}",
                "-",
                "-",
                "0",
            ]
        )
        walls = {}
        for w in (1, 2):
            wall, cpu, peak, code, text = timed(
                [*base[:4], str(folder), *base[4:], "--workers", str(w), "--out", str(tmp / f"o-dask{w}")]
            )
            walls[w] = wall
            rows.append(
                [
                    "dask, LocalCluster",
                    f"{parts} CSV, 5x10^5 rows each",
                    f"{w} x 1",
                    f"{wall:.1f}",
                    f"{cpu:.1f}",
                    f"{peak:,.0f}",
                    str(code),
                ]
            )
            print(" | ".join(rows[-1]), text.splitlines()[0] if text else "", flush=True)
        per_part = (walls[1] - over) / parts
        lines += [table(head, rows), ""]
        lines.append(
            f"Per-partition cost, measured: ({walls[1]:.1f} s - {over:.1f} s overhead) / {parts} partitions "
            f"= **{per_part:.2f} s** per 5x10^5 rows on one worker process (one core)."
        )
        proj = [
            "",
            "**Projection, not a measurement**: wall time for 10^8 points (200 partitions of 5x10^5 rows) "
            "on N machines of 2 worker processes each, as overhead + ceil(200 / (2N)) x per-partition cost "
            "(assumes the input is on shared storage and its reading scales with the machines):",
            "",
            "| machines N | projected wall s |",
            "|---|---|",
        ]
        for m in (1, 2, 4, 8, 16):
            proj.append(f"| {m} | {over + -(-200 // (2 * m)) * per_part:.0f} |")
        lines += proj
    else:
        lines += [table(head, rows)]
    lines.append(f"\nAfter the 10^7 runs: {load()}.")
    return lines


if __name__ == "__main__":
    main()
