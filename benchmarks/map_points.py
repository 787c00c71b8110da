"""Web map budgets and big point layers: lzspatial vs. GeoDataFrame.explore() and plain folium.

Run:  python benchmarks/map_points.py [--sizes 10000 100000] [--no-baselines] [--repeat 3]

Part 1 measures the default plan against its budgets (HTML <= 1 MB, ``lzspatial map``
<= 2 s cold, load <= 1 s). Part 2 draws the same random sites (points with a
``verdict`` and a name) three ways and prints, per size: HTML size, build time
(build + render to text), load time in headless Chromium and the time to zoom in
one level and repaint (is the map still usable?), with ratios to ours.

Load time = navigation start until two animation frames after the ``load`` event
(all scripts have run and the first frame with the features has been painted).
The baselines link Leaflet and friends from CDNs; offline they would stay blank,
so for a fair load time their Leaflet links are pointed at the same local
Leaflet 1.9.3 (xstatic-leaflet) and every other remote request is aborted.

Baselines:
* ``explore``: ``GeoDataFrame.explore(column="verdict")`` (geopandas defaults; needs
  matplotlib and mapclassify, which lzspatial does not depend on: install them, or
  put them on PYTHONPATH, to get this row).
* ``folium``: ``folium.GeoJson`` with a CircleMarker and a ``style_function``
  colouring by verdict, the usual hand-written folium map.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TIMEOUT_MS = 120_000
COLOURS = {"pass": "#43a047", "conditional": "#ffb300", "fail": "#e53935"}


def sites(n: int, seed: int = 42):
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame(
        {
            "name": [f"site {i}" for i in range(n)],
            "verdict": rng.choice(["pass", "conditional", "fail"], n, p=[0.6, 0.25, 0.15]),
            "area_ha": rng.uniform(0.5, 50, n).round(2),
        },
        geometry=gpd.points_from_xy(rng.uniform(122.45, 123.1, n), rng.uniform(41.2, 41.78, n)),
        crs=4326,
    )


def build_ours(plan, gdf) -> str:
    from lzspatial.outputs.webmap import build_map, render_html

    return render_html(build_map(plan, sites=gdf, site_label="name"))


def build_explore(plan, gdf) -> str:
    m = gdf.explore(column="verdict", tiles=None)
    return m.get_root().render()


def build_folium(plan, gdf) -> str:
    import folium

    m = folium.Map(location=[41.5, 122.78], zoom_start=10, tiles=None)
    folium.GeoJson(
        gdf,
        marker=folium.CircleMarker(radius=5, fill=True, fill_opacity=0.6),
        style_function=lambda f: {
            "color": COLOURS[f["properties"]["verdict"]],
            "fillColor": COLOURS[f["properties"]["verdict"]],
        },
        tooltip=folium.GeoJsonTooltip(["name"]),
    ).add_to(m)
    return m.get_root().render()


def localise(html: str) -> str:
    """Point CDN Leaflet links of a folium page at the local xstatic copy (see module docstring)."""
    import xstatic.pkg.leaflet as xl

    base = Path(xl.BASE_DIR).as_uri()
    return html.replace(
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", base + "/leaflet.js"
    ).replace("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css", base + "/leaflet.css")


_PAINTED = (
    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
)
_ZOOM = """async () => {
    const box = document.querySelector('.folium-map'), m = window[box.id];
    const t = performance.now();
    m.setZoom(m.getZoom() + 1, {animate: false});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t; }"""


def load_ms(browser, path: Path, *, zoom: bool = False) -> tuple[float | None, float | None, int]:
    """Load *path*: (ms until painted after load, ms to zoom in once and repaint, JS errors).

    A timed-out measure is ``None``.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http*://**/*", lambda route: route.abort())
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    ms = zms = None
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        ms = page.evaluate(_PAINTED)
        zms = page.evaluate(_ZOOM) if zoom else None
    except Exception:  # timeout: report it instead of a number
        pass
    finally:
        page.close()
    return ms, zms, len(errors)


def timed(fn, *args) -> tuple[float, str]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def fmt_ms(v: float | None) -> str:
    return "timeout" if v is None else f"{v:,.0f}"


def part1(browser, plan, tmp: Path, repeat: int) -> None:
    print("## Default plan (budgets: HTML <= 1 MB, `lzspatial map` <= 2 s cold, load <= 1 s)\n")
    cold = []
    for i in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "lzspatial", "map", "--out", str(tmp / f"cli{i}.html")],
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - t)
    cold_nocheck = []
    for i in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "lzspatial", "map", "--no-check", "--out", str(tmp / f"nc{i}.html")],
            check=True,
            capture_output=True,
        )
        cold_nocheck.append(time.perf_counter() - t)
    size = (tmp / "cli0.html").stat().st_size
    loads = [load_ms(browser, tmp / "cli0.html")[0] or float("nan") for _ in range(repeat)]
    print("| measure | median | runs |")
    print("|---|---|---|")
    print(f"| HTML size | {size / 1024:,.0f} KB | |")
    print(
        f"| `lzspatial map` cold (with rule check) | {statistics.median(cold):.2f} s | "
        f"{', '.join(f'{v:.2f}' for v in cold)} |"
    )
    print(
        f"| `lzspatial map --no-check` cold | {statistics.median(cold_nocheck):.2f} s | "
        f"{', '.join(f'{v:.2f}' for v in cold_nocheck)} |"
    )
    print(
        f"| load in headless Chromium | {statistics.median(loads):,.0f} ms | "
        f"{', '.join(fmt_ms(v) for v in loads)} |\n"
    )


def part2(browser, plan, tmp: Path, sizes: list[int], baselines: bool) -> None:
    print("## Point layers (sites)\n")
    print(
        "| points | map | HTML (MB) | build (s) | load (ms) | zoom in (ms) | size ratio | build ratio "
        "| load ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    builders = [("lzspatial", build_ours)]
    if baselines:
        builders += [("explore()", build_explore), ("folium style_function", build_folium)]
    for n in sizes:
        gdf = sites(n)
        ours = None
        for name, fn in builders:
            try:
                secs, html = timed(fn, plan, gdf)
            except ImportError as err:  # explore() needs matplotlib and mapclassify
                print(f"| {n:,} | {name}: not measured ({str(err).split('.')[0]}) | | | | | | | |")
                continue
            path = tmp / f"{name.split()[0].strip('()')}_{n}.html"
            path.write_text(localise(html), encoding="utf-8")
            ms, zms, errs = load_ms(browser, path, zoom=True)
            mb = len(html.encode()) / 2**20
            row = (mb, secs, ms)
            ours = ours or row
            ratio = [
                f"{row[0] / ours[0]:.1f}×",
                f"{row[1] / ours[1]:.1f}×",
                "–" if ms is None or ours[2] is None else f"{ms / ours[2]:.1f}×",
            ]
            note = f" ({errs} JS errors)" if errs else ""
            print(
                f"| {n:,} | {name}{note} | {mb:.2f} | {secs:.2f} | {fmt_ms(ms)} | {fmt_ms(zms)} | "
                + " | ".join(ratio)
                + " |"
            )
            sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--no-baselines", action="store_true", help="measure lzspatial only")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from lzspatial.plan import load_plan

    plan = load_plan()
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("chromium not found")
    with tempfile.TemporaryDirectory() as d, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        part1(browser, plan, Path(d), args.repeat)
        part2(browser, plan, Path(d), args.sizes, not args.no_baselines)
        browser.close()


if __name__ == "__main__":
    main()
