"""Hostile text in every text field: maps and reports show it literally and run no script.

Every text property of every feature, the plan titles, source and disclaimer, and the
vocabulary labels are replaced by payloads such as ``<img src=x onerror=...>``,
``</script><script>...``, ``javascript:`` URLs, quotes and RTL overrides. The map and a
compliance report are rendered and opened in headless Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import LAYERS

PAYLOADS = [
    "<img src=x onerror=window.__pwned=1>",
    "</script><script>window.__pwned=2</script>",
    "javascript:window.__pwned=3",
    "\"'><svg onload=window.__pwned=4>",
    "\u202eevil\u202c <b>bold</b> & ampersand",
    "<iframe src=javascript:alert(5)>",
]
TEXT_FIELDS = ("name_zh", "name_en", "source", "note", "role", "toward", "ref", "pinyin")


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "plan"
    shutil.copytree(LAYERS, folder)
    k = 0
    for path in sorted(folder.glob("*.geojson")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for feat in doc["features"]:
            for field in TEXT_FIELDS:
                if field in feat["properties"] or field in ("note",):
                    feat["properties"][field] = f"{PAYLOADS[k % len(PAYLOADS)]} #{k}"
                    k += 1
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    toml = folder / "plan.toml"
    raw = tomllib.loads(toml.read_text(encoding="utf-8"))
    text = toml.read_text(encoding="utf-8")
    for key in ("title_zh", "title_en"):
        text = text.replace(
            f"{key} = {_toml_str(raw['plan'][key])}", f"{key} = {_toml_str(PAYLOADS[0] + ' plan')}", 1
        )
    text = text.replace(
        f"publisher = {_toml_str(raw['source']['publisher'])}", f"publisher = {_toml_str(PAYLOADS[1])}", 1
    )
    text = text.replace(f"zh = {_toml_str(raw['disclaimer']['zh'])}", f"zh = {_toml_str(PAYLOADS[3])}", 1)
    text = text.replace(
        'trade_logistics = { zh = "商贸物流集散区"', f"trade_logistics = {{ zh = {_toml_str(PAYLOADS[0])}", 1
    )
    toml.write_text(text, encoding="utf-8")
    from lzspatial.plan import load_plan

    plan = load_plan(folder)  # still a valid plan: only text changed
    assert PAYLOADS[0] in plan.title_en
    return folder


@pytest.fixture(scope="module")
def page_factory():
    from tests.browser import launch_browser

    with launch_browser() as browser:

        def open_page(html_path: Path):
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(html_path.as_uri())
            page.wait_for_timeout(300)
            return page, dialogs

        yield open_page


def _assert_safe(page, dialogs) -> str:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x], iframe, svg[onload]').length") == 0
    return page.evaluate("document.body.innerText")


@pytest.mark.browser
@pytest.mark.slow  # every popup of a hostile plan; the default run has test_browser.py's hostile page
def test_map_with_hostile_text_runs_no_script(hostile_plan, tmp_path, page_factory):
    from lzspatial.outputs.webmap import build_map, save_map
    from lzspatial.plan import load_plan

    plan = load_plan(hostile_plan)
    out = save_map(build_map(plan), tmp_path / "map.html")
    html = out.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<script>window.__pwned" not in html
    page, dialogs = page_factory(out)
    text = _assert_safe(page, dialogs)
    assert PAYLOADS[0] + " plan" in text  # the title panel shows the text literally
    # open every popup of the parks layer: the text appears literally, nothing runs
    shown = page.evaluate("""() => {
        const out = [];
        const rt = window.lzmap.runtime, map = rt.map;
        Object.values(rt.layers).forEach(entry => entry.classes.forEach(c => (c.feats || []).forEach(f => {
            const at = f.getLatLng ? f.getLatLng() : f.getBounds().getCenter();
            rt.popup({layer: f, latlng: at});  // what a click opens
            const el = document.querySelector('.lz-popup');
            if (el) out.push(el.textContent);
            map.closePopup(); })));
        return out; }""")
    assert len(shown) > 50, f"only {len(shown)} popups opened"
    for payload in PAYLOADS[:4]:
        assert any(payload in s for s in shown), f"{payload!r} not shown literally in any popup"
    _assert_safe(page, dialogs)
    page.close()


@pytest.mark.browser
@pytest.mark.slow  # test_report.py checks the escaping without a browser in the default run
def test_report_with_hostile_text_runs_no_script(hostile_plan, tmp_path, page_factory):
    import geopandas as gpd
    from shapely import Point

    from lzspatial.outputs.report import render_report, write_report
    from lzspatial.plan import load_plan
    from lzspatial.screening.engine import screen

    plan = load_plan(hostile_plan)
    sites = gpd.GeoDataFrame(
        {"id": ["s1", "s2"], "name": [PAYLOADS[0], PAYLOADS[1]]},
        geometry=[Point(122.75, 41.52), Point(122.95, 41.50)],
        crs="EPSG:4326",
    )
    results = screen(sites, plan, industry="trade_logistics")
    out = write_report(render_report(results, plan, "trade_logistics"), tmp_path / "report.html")
    page, dialogs = page_factory(out)
    text = _assert_safe(page, dialogs)
    assert PAYLOADS[0] in text
    page.close()


def test_browser_available_in_ci():
    if os.environ.get("CI"):
        assert shutil.which("chromium"), "CI must install Debian's chromium: browser tests may not skip"
