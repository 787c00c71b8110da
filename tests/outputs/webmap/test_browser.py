"""The web map in headless Chromium (Playwright on the system chromium; no download, no network).

The default run loads the pages and checks console errors, drawn features, search, hostile names
and popups; the controls (legend, measuring, scale bar, viewports), the canvas point layers, the
other search spellings and the network-traffic checks are marked slow: they run with --runslow
and always in CI.

Skipped only when chromium is missing and ``CI`` is not set; in CI a missing
chromium is a failure.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lzspatial.outputs.webmap import build_map, save_map
from lzspatial.outputs.webmap import payload as _payload
from lzspatial.plan import load_plan

from .test_map import XSS_IMG, XSS_SCRIPT, make_hostile_plan, sample_sites, sample_violations

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CANVAS_FROM = 3  # lowered threshold of the "canvas" page: point layers of 4+ features go on the canvas
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}; browser tests must run in CI (CI is set)")
    pytest.skip(f"{reason} (set CI=true to make this an error)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        _unavailable("chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory, default_plan) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("maps")
    out = {
        "default": save_map(build_map(default_plan), folder / "default.html"),
        "full": save_map(
            build_map(default_plan, violations=sample_violations(), sites=sample_sites()),
            folder / "full.html",
        ),
        "hostile": save_map(build_map(load_plan(make_hostile_plan(folder))), folder / "hostile.html"),
        "osm": save_map(build_map(default_plan, basemap="osm"), folder / "osm.html"),
    }
    with pytest.MonkeyPatch.context() as mp:  # draw small point layers the way big ones are drawn
        mp.setattr(_payload, "CANVAS_FROM", CANVAS_FROM)
        m = build_map(default_plan, sites=sample_sites().iloc[:4])
        out["canvas"] = save_map(m, folder / "canvas.html")
    return out


class Page:
    """A loaded map page with the console errors, requests and dialogs it produced."""

    def __init__(
        self, browser: Any, path: Path, *, block_network: bool = True, viewport: tuple[int, int] = (1280, 860)
    ) -> None:
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        if block_network:  # tiles would fail anyway: there is no network here
            self.page.route("http*://**/*", lambda route: route.abort())
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_selector("[data-lz-ready]", state="attached", timeout=10_000)

    def js(self, code: str, arg: Any = None) -> Any:
        return self.page.evaluate(code, arg)

    def screen_xy(self, layer: str, fid: str) -> tuple[float, float]:
        """Page coordinates of the marker of feature *fid* of *layer*."""
        return tuple(
            self.js(
                """([layer, fid]) => {
            const rt = lzmap.runtime, entry = rt.layers[layer];
            for (const ce of entry.classes) for (const f of ce.feats) {
                if (ce.cfg.p[f.lzi][0] === fid) {
                    const p = rt.map.latLngToContainerPoint(f.getLatLng());
                    const r = rt.map.getContainer().getBoundingClientRect();
                    return [r.left + p.x, r.top + p.y];
                }
            }
            return null; }""",
                [layer, fid],
            )
        )

    def centre_on(self, layer: str, fid: str) -> tuple[float, float]:
        """Pan (without animation) so that feature *fid* is in the middle; return its page coordinates."""
        self.js(
            """([layer, fid]) => {
            const rt = lzmap.runtime;
            for (const ce of rt.layers[layer].classes) for (const f of ce.feats)
                if (ce.cfg.p[f.lzi][0] === fid) rt.map.panTo(f.getLatLng(), {animate: false}); }""",
            [layer, fid],
        )
        return self.screen_xy(layer, fid)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def open_page(browser) -> Iterator[Any]:
    opened: list[Page] = []

    def _open(path: Path, **kw: Any) -> Page:
        opened.append(Page(browser, path, **kw))
        return opened[-1]

    yield _open
    for p in opened:
        p.close()


def _visible(page: Page, selector: str) -> bool:
    return page.page.locator(selector).first.is_visible()


# ---------------------------------------------------------------------------


def test_leaflet_loads_without_console_errors(open_page, pages):
    for name in ("default", "full", "hostile"):
        p = open_page(pages[name])
        assert p.js("typeof L === 'object' && L.version") == "1.9.3"
        assert p.errors == [], name


def test_drawn_features_per_layer_equal_the_data(open_page, pages, default_plan):
    p = open_page(pages["full"])
    expected = {name: len(default_plan[name]) for name in default_plan.layer_names}
    expected |= {"violations": 3, "sites": 5}
    # control lines, transport and the rule check start hidden (the structure comes first)
    off = {"control_lines", "transport", "violations"}
    assert p.js("lzmap.counts()") == {k: (0 if k in off else v) for k, v in expected.items()}
    for k in off:
        p.js("(k) => lzmap.setVisible(k, undefined, true)", k)
    dom = p.js(
        """(ids) => Object.fromEntries(ids.map(id =>
        [id, document.querySelectorAll('.leaflet-pane .lz-f.lz-l-' + id).length]))""",
        list(expected),
    )
    assert dom == expected
    assert p.js("lzmap.counts()") == expected
    # two axes, each with an arrowhead at its end and one half-way
    assert p.js("document.querySelectorAll('.lz-arrow').length") == 4


@pytest.mark.slow
def test_legend_follows_layer_visibility(open_page, pages, default_plan):
    p = open_page(pages["default"])
    for name in default_plan.layer_names:
        shown = name not in ("control_lines", "transport")  # off on open
        assert _visible(p, f".lz-legend .lz-lg-group[data-layer={name}]") is shown, name
    p.page.click(".lz-layers summary")
    assert _visible(p, ".lz-legend .lz-lg-row[data-layer=towns][data-cls=key]")
    zone_row = p.page.locator(".lz-legend .lz-lg-row[data-layer=zones][data-cls=open_up_cooperation]")
    trade = default_plan.vocabularies["functional_areas"]["trade_logistics"]
    assert trade["zh"] in zone_row.text_content() and trade["en"] in zone_row.text_content()
    p.page.click(".lz-layers input[data-layer=towns]:not([data-cls])")
    assert not _visible(p, ".lz-legend .lz-lg-group[data-layer=towns]")
    assert p.js("document.querySelectorAll('.lz-f.lz-l-towns').length") == 0
    assert _visible(p, ".lz-legend .lz-lg-group[data-layer=parks]")
    p.page.click(".lz-layers input[data-layer=towns]:not([data-cls])")
    assert _visible(p, ".lz-legend .lz-lg-group[data-layer=towns]")
    # one class of an element: open its group in the layer control, untick "key towns"
    p.js("document.querySelector('.lz-layers details[data-layer=towns]').open = true")
    p.page.click(".lz-layers input[data-layer=towns][data-cls=key]")
    assert not _visible(p, ".lz-legend .lz-lg-row[data-layer=towns][data-cls=key]")
    assert _visible(p, ".lz-legend .lz-lg-row[data-layer=towns][data-cls=general]")
    assert p.js("lzmap.counts().towns") == len(default_plan["towns"]) - 3


@pytest.mark.parametrize(
    "query",
    [
        "杨士岗",
        pytest.param("Yangshigang", marks=pytest.mark.slow),
        pytest.param("yang shi gang", marks=pytest.mark.slow),
    ],
)
def test_search_finds_zooms_and_highlights(open_page, pages, default_plan, query):
    p = open_page(pages["default"])
    zoom0 = p.js("lzmap.runtime.map.getZoom()")
    p.page.fill(".lz-search input", query)
    first = p.page.locator(".lz-search li").first
    assert "杨士岗镇" in first.text_content()
    p.page.press(".lz-search input", "Enter")
    town = default_plan["towns"].set_index("id").geometry["town-210115108"]
    p.page.wait_for_function(
        "lzmap.runtime.map.getZoom() >= 13 && !lzmap.runtime.map._animatingZoom", timeout=5000
    )
    zoom, lat, lng = p.js(
        "(() => { const m = lzmap.runtime.map, c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; })()"
    )
    assert zoom >= 13 > zoom0
    assert abs(lat - town.y) < 1e-4 and abs(lng - town.x) < 1e-4
    assert p.js("document.querySelectorAll('.lz-highlight').length") == 1


@pytest.mark.slow  # unblocked network: the slowest page; CI runs it
def test_no_network_requests_without_basemap(open_page, pages):
    p = open_page(pages["full"], block_network=False)
    p.page.fill(".lz-search input", "Ciyutuo")
    p.page.press(".lz-search input", "Enter")
    p.js("lzmap.runtime.map.zoomOut(3, {animate: false})")
    p.page.wait_for_timeout(200)
    remote = [u for u in p.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]
    assert remote == []


@pytest.mark.slow
def test_tiles_are_the_only_traffic_with_a_basemap(open_page, pages):
    p = open_page(pages["osm"])  # requests are recorded, then aborted
    remote = {u.split("/")[2] for u in p.requests if u.startswith("http")}
    assert remote == {"tile.openstreetmap.org"}


def test_hostile_names_show_as_text(open_page, pages):
    p = open_page(pages["hostile"])
    # permanent label of the key town and its tooltip on hover (a real mouse)
    labels = " ".join(p.page.locator(".lz-label").all_text_contents())
    assert XSS_IMG in labels and XSS_SCRIPT in labels
    x, y = p.screen_xy("towns", "town-210115108")
    p.page.mouse.move(x, y)
    assert XSS_IMG in p.page.locator(".lz-tip").last.text_content()
    p.page.mouse.click(x, y)
    assert p.page.locator(".lz-popup h4").text_content() == XSS_IMG
    p.js("lzmap.runtime.map.closePopup()")  # and let the popup's auto-pan finish
    p.page.wait_for_function("!(lzmap.runtime.map._panAnim && lzmap.runtime.map._panAnim._inProgress)")
    x, y = p.centre_on("towns", "town-210115109")  # the first popup's auto-pan may have moved it away
    p.page.mouse.click(x, y)
    assert p.page.locator(".lz-popup h4").text_content() == XSS_SCRIPT
    assert "{{ 7*7 }}" in p.page.locator(".lz-popup").text_content()
    # search results, title panel and legend
    p.page.fill(".lz-search input", "pwned")
    results = p.page.locator(".lz-search li .lz-sr-name").all_text_contents()
    assert XSS_IMG in results and XSS_SCRIPT in results
    assert XSS_IMG in p.page.locator(".lz-title h1").text_content()
    assert "开发区" + XSS_SCRIPT in p.page.locator(".lz-legend").text_content()
    assert p.js("document.querySelectorAll('.leaflet-container img').length") == 0
    assert p.js("typeof window.__pwned") == "undefined"
    assert p.dialogs == [] and p.errors == []


def test_violations_and_sites_popups(open_page, pages):
    p = open_page(pages["full"])
    assert not _visible(p, ".lz-legend .lz-lg-group[data-layer=violations]")  # off on open
    p.js("lzmap.setVisible('violations', undefined, true)")
    x, y = p.screen_xy("violations", "towns-far")
    p.page.mouse.click(x, y)
    text = p.page.locator(".lz-popup").text_content()
    assert "Town distance" in text and "2,500 m" in text
    assert _visible(p, ".lz-legend .lz-lg-group[data-layer=violations]")
    p.page.click(".lz-layers summary")
    p.page.click(".lz-layers input[data-layer=violations]:not([data-cls])")
    assert not _visible(p, ".lz-legend .lz-lg-group[data-layer=violations]")


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371000 * math.asin(math.sqrt(h))


def _screen_points(p: Page, pts: list[tuple[float, float]]) -> tuple[list[Any], list[Any]]:
    """Whole-pixel page coordinates of lon/lat *pts*, and the lon/lat those pixels stand for."""
    xy = p.js(
        """(pts) => { const m = lzmap.runtime.map, r = m.getContainer().getBoundingClientRect();
        return pts.map(([lon, lat]) => { const q = m.latLngToContainerPoint([lat, lon]);
                                         return [Math.round(r.left + q.x), Math.round(r.top + q.y)]; }); }""",
        pts,
    )
    ll = p.js(
        """(xy) => { const m = lzmap.runtime.map, r = m.getContainer().getBoundingClientRect();
        return xy.map(([x, y]) => {
            const l = m.containerPointToLatLng([x - r.left, y - r.top]); return [l.lng, l.lat]; }); }""",
        xy,
    )
    return xy, ll


@pytest.mark.slow
def test_measure_distance_and_area(open_page, pages):
    p = open_page(pages["default"])
    pts = [(122.70, 41.45), (122.80, 41.45), (122.80, 41.52), (122.70, 41.52)]
    xy, ll = _screen_points(p, pts)
    zoom0 = p.js("lzmap.runtime.map.getZoom()")
    p.page.click(".lz-btn-distance")
    for x, y in xy[:3]:
        p.page.mouse.click(x, y)
    p.page.mouse.dblclick(*xy[2])
    expect = _haversine(ll[0], ll[1]) + _haversine(ll[1], ll[2])
    assert abs(p.js("lzmap.measured()") - expect) < 0.001 * expect
    assert "m" in p.page.locator(".lz-measure-value").text_content()
    assert p.js("lzmap.runtime.map.getZoom()") == zoom0  # finishing did not zoom the map
    p.page.click(".lz-btn-area")
    for x, y in xy:
        p.page.mouse.click(x, y)
    p.page.mouse.dblclick(*xy[3])
    p.page.wait_for_timeout(700)
    assert p.js("lzmap.runtime.map.getZoom()") == zoom0
    # a 0.1° x 0.07° box at 41.5°N: about 8.4 km x 7.8 km = 6,500 ha
    area_ha = p.js("lzmap.measured()") / 10_000
    width = _haversine(ll[0], ll[1])
    height = _haversine(ll[1], ll[2])
    assert abs(area_ha - width * height / 10_000) < 0.01 * area_ha
    assert "ha" in p.page.locator(".lz-measure-value").text_content()


@pytest.mark.slow
def test_scale_bar_is_metric_and_fullscreen_toggles(open_page, pages):
    p = open_page(pages["default"])
    scale = p.page.locator(".leaflet-control-scale").text_content()
    assert "km" in scale or " m" in scale
    assert "mi" not in scale and "ft" not in scale
    p.page.click(".lz-btn-fullscreen")
    p.page.wait_for_timeout(100)
    assert p.js("""(() => { const c = lzmap.runtime.map.getContainer();
        return document.fullscreenElement === c || c.classList.contains('lz-fullscreen'); })()""")


@pytest.mark.slow
def test_big_point_layers_on_canvas_stay_interactive(open_page, pages, default_plan):
    p = open_page(pages["canvas"])
    assert p.errors == []
    assert p.js("document.querySelectorAll('canvas.lz-points').length") == 1
    assert p.js("document.querySelectorAll('.lz-f.lz-l-sites').length") == 0  # not SVG
    on_canvas = {n: len(default_plan[n]) for n in ("towns", "places", "centers")}
    on_canvas = {n: k for n, k in on_canvas.items() if k > CANVAS_FROM} | {"sites": 4}
    assert p.js("lzmap.pointsDrawn()") == sum(on_canvas.values())
    assert all(p.js("lzmap.counts()")[n] == k for n, k in on_canvas.items())
    # hover and click a site painted on the canvas: its (hostile) name shows as text
    x, y = p.screen_xy("sites", XSS_IMG)
    p.page.mouse.move(x, y)
    assert XSS_IMG in p.page.locator(".lz-tip").last.text_content()
    p.page.mouse.click(x, y)
    assert p.page.locator(".lz-popup h4").text_content() == XSS_IMG
    p.js("lzmap.runtime.map.closePopup()")
    # the vector layers under the canvas still answer the mouse
    p.page.wait_for_function("!(lzmap.runtime.map._panAnim && lzmap.runtime.map._panAnim._inProgress)")
    core = default_plan["core"].geometry.iloc[0].representative_point()
    x, y = p.js(
        """([lon, lat]) => { const m = lzmap.runtime.map, q = m.latLngToContainerPoint([lat, lon]);
        const r = m.getContainer().getBoundingClientRect(); return [r.left + q.x, r.top + q.y]; }""",
        [core.x, core.y],
    )
    p.page.mouse.move(x, y)
    name = default_plan["core"]["name_zh"].iloc[0]
    assert any(name in t for t in p.page.locator(".lz-tip").all_text_contents())
    # hiding one verdict class hides its points and its legend entry
    p.page.click(".lz-layers summary")
    p.js("document.querySelector('.lz-layers details[data-layer=sites]').open = true")
    p.page.click(".lz-layers input[data-layer=sites][data-cls=fail]")
    p.page.wait_for_timeout(100)
    assert p.js("lzmap.pointsDrawn()") == sum(on_canvas.values()) - 1 and p.js("lzmap.counts().sites") == 3
    assert not _visible(p, ".lz-legend .lz-lg-row[data-layer=sites][data-cls=fail]")
    assert p.js("typeof window.__pwned") == "undefined" and p.errors == []


#: Every control of the map, by a selector of its clickable (or readable) part.
CONTROLS = {
    "zoom in": ".leaflet-control-zoom-in",
    "zoom out": ".leaflet-control-zoom-out",
    "fullscreen": ".lz-btn-fullscreen",
    "measure distance": ".lz-btn-distance",
    "measure area": ".lz-btn-area",
    "search": ".lz-search input",
    "layer control": ".lz-layers summary",
    "legend toggle": ".lz-legend summary",
    "scale bar": ".leaflet-control-scale-line",
}

_UNCOVERED = """(sels) => {
    const box = (e) => e.getBoundingClientRect();
    const hit = (e) => { const r = box(e);
        const t = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return t !== null && (t === e || e.contains(t)); };
    const inside = (r) => r.width > 0 && r.left >= 0 && r.top >= 0
                          && r.right <= innerWidth && r.bottom <= innerHeight;
    const meet = (a, b) => Math.min(a.right, b.right) > Math.max(a.left, b.left)
                        && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
    const failing = (ok) => Object.keys(sels).filter((k) => !ok(document.querySelector(sels[k])));
    const covered = failing(hit), outside = failing((e) => inside(box(e)));
    const panels = Array.from(document.querySelectorAll('.leaflet-control'))
        .map(e => [e.className, box(e)]).filter(([c, r]) => r.width > 0 && r.height > 0);
    const overlaps = [];
    panels.forEach(([c1, r1], i) => panels.slice(i + 1).forEach(([c2, r2]) => {
        if (meet(r1, r2)) { overlaps.push(c1 + ' / ' + c2); } }));
    return {covered, outside, overlaps, panels: panels.map(([c]) => c)};
}"""

_STAR = """(fid) => {
    const rt = lzmap.runtime, entry = rt.layers.places, m = rt.map.getContainer().getBoundingClientRect();
    let star = null;
    entry.classes.forEach(ce => ce.feats.forEach(f => { if (ce.cfg.p[f.lzi][0] === fid) { star = f; } }));
    const el = star.getElement();
    const label = document.querySelector('.lz-label[data-layer=places][data-fid="' + fid + '"]');
    const r = el.getBoundingClientRect(), c = [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
    const t = document.elementFromPoint(c[0], c[1]);
    const meet = (a, b) => Math.min(a.right, b.right) > Math.max(a.left, b.left)
                        && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
    const within = (a) => a.left >= m.left && a.top >= m.top && a.right <= m.right && a.bottom <= m.bottom;
    const under = (a) => Array.from(document.querySelectorAll('.leaflet-control'))
        .filter(p => meet(a, p.getBoundingClientRect())).map(p => p.className);
    const lr = label.getBoundingClientRect();
    return {top: t !== null && el.contains(t), inView: within(r) && within(lr),
            starUnder: under(r), labelUnder: under(lr), label: label.textContent};
}"""


@pytest.mark.parametrize(
    "viewport",
    [
        *(
            pytest.param(v, marks=pytest.mark.slow)
            for v in [(1280, 720), (1366, 768), (1400, 900), (1920, 1080)]
        ),
    ],
)
def test_controls_and_shenyang_are_never_covered(open_page, pages, default_plan, viewport):
    p = open_page(pages["default"], viewport=viewport)
    res = p.js(_UNCOVERED, CONTROLS)
    assert res["covered"] == [] and res["outside"] == [], res
    assert res["overlaps"] == [], res  # no panel, button or scale bar on top of another
    assert any("lz-legend" in c for c in res["panels"]) and any("scale" in c for c in res["panels"])
    places = default_plan["places"]
    fid = places.loc[places["kind"] == "city_centre", "id"].iloc[0]
    star = p.js(_STAR, fid)
    assert star["top"] and star["inView"], star
    assert star["starUnder"] == [] and star["labelUnder"] == [], star
    assert "沈阳" in star["label"]
    if viewport == (1920, 1080):  # the legend shrinks with the window instead of covering the tools
        p.page.set_viewport_size({"width": 1280, "height": 720})
        p.page.wait_for_function("lzmap.runtime.map.getSize().y === 720")
        res = p.js(_UNCOVERED, CONTROLS)
        assert res["covered"] == [] and res["overlaps"] == [], res
