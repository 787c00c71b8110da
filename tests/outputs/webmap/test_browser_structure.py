"""The structure map as a planner reads it (issue 13), in headless Chromium.

Labels that never overlap and stay by their features, the structure on by default, the 中/EN
switch, Chinese popups, pinyin-initial search, the north arrow and ratio scale, and the layout on a
phone and a laptop. By default only the labels at 1280×720, the language switch and one search run;
the rest (viewport and zoom sweeps, layout, symbols) is slow: --runslow, and always in CI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lzspatial.outputs.webmap import build_map, save_map

from .test_browser import _STAR, _visible

pytestmark = pytest.mark.browser

#: px: the farthest a label box may be from its point (or its place on a line).
NEAR = 16

VIEWPORTS = [(1280, 720), (1920, 1080), (390, 844)]


@pytest.fixture(scope="module")
def zh_page(tmp_path_factory, default_plan) -> Path:
    return save_map(build_map(default_plan, lang="zh"), tmp_path_factory.mktemp("zh") / "zh.html")


def _gap(box: dict[str, float], p: list[float]) -> float:
    dx = max(box["left"] - p[0], 0, p[0] - box["right"])
    dy = max(box["top"] - p[1], 0, p[1] - box["bottom"])
    return float((dx * dx + dy * dy) ** 0.5)


def _check_labels(p: Any, where: str) -> list[dict[str, Any]]:
    labels = [lb for lb in p.js("lzmap.labels()") if lb["shown"]]
    assert labels, where
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            w = min(a["box"]["right"], b["box"]["right"]) - max(a["box"]["left"], b["box"]["left"])
            h = min(a["box"]["bottom"], b["box"]["bottom"]) - max(a["box"]["top"], b["box"]["top"])
            assert w <= 0.5 or h <= 0.5, f"{where}: {a['text']!r} overlaps {b['text']!r}"
        if a["inside"]:  # an area named inside: the box centre was tested against the polygon
            continue
        assert _gap(a["box"], a["anchor"]) <= NEAR, f"{where}: {a['text']!r} is far from its feature"
    return labels


def _zoom(p: Any, dz: float) -> None:
    p.js("(dz) => lzmap.runtime.map.setZoom(lzmap.runtime.map.getZoom() + dz, {animate: false})", dz)
    p.page.wait_for_timeout(50)


def test_labels_never_overlap_and_stay_by_their_features(open_page, zh_page, default_plan):
    p = open_page(zh_page, viewport=(1280, 720))
    shown = {(lb["layer"], lb["id"]) for lb in _check_labels(p, "1280x720")}
    towns = default_plan["towns"]
    for fid in towns.loc[towns["rank"] == "key", "id"]:  # the towns the text names
        assert ("towns", fid) in shown, fid
    assert ("centers", "center-main") in shown
    # every structural element and every township unit has a label, shown where there is room
    texts = {lb["text"] for lb in p.js("lzmap.labels()")}
    for name in ("centers", "core", "zones", "axes", "towns", "parks", "water", "context"):
        for zh in default_plan[name]["name_zh"]:
            assert any(t.startswith(zh.split("（")[0]) for t in texts), (name, zh)


@pytest.mark.slow
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_labels_at_every_size_and_zoom(open_page, zh_page, viewport):
    p = open_page(zh_page, viewport=viewport)
    for dz in (0, 1, 1):  # the opening view, then two zoom levels in (about the centre of the view)
        _zoom(p, dz)
        labels = _check_labels(p, f"{viewport} zoom {p.js('lzmap.runtime.map.getZoom()')}")
        assert dz or any(lb["layer"] == "centers" for lb in labels)
    p.js("lzmap.setLang('en')")
    _check_labels(p, f"{viewport} en")


@pytest.mark.slow
def test_structure_on_and_detail_off_by_default(open_page, zh_page):
    p = open_page(zh_page)
    counts = p.js("lzmap.counts()")
    assert counts["control_lines"] == 0 and counts["transport"] == 0
    for name in ("boundary", "core", "zones", "axes", "centers", "towns", "parks", "water"):
        assert counts[name] > 0, name
    # each axis has its own legend entry, named as on the map
    rows = p.page.locator(".lz-legend .lz-lg-row[data-layer=axes]")
    assert rows.count() == 2
    assert "沈阳方向发展轴" in rows.nth(0).text_content() and "陆海通道发展轴" in rows.nth(1).text_content()


@pytest.mark.slow
def test_main_center_star_is_above_the_seat(open_page, zh_page):
    p = open_page(zh_page)
    top = p.js("""() => { const rt = lzmap.runtime; let star = null;
        rt.layers.centers.classes.forEach(ce => ce.feats.forEach(f => {
            if (ce.cfg.p[f.lzi][0] === 'center-main') { star = f; } }));
        const r = star.getElement().getBoundingClientRect();
        const t = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return star.getElement().contains(t); }""")
    assert top


@pytest.mark.slow
def test_north_arrow_and_ratio_scale(open_page, zh_page):
    p = open_page(zh_page)
    assert _visible(p, ".lz-north")
    text = p.page.locator(".lz-ratio").text_content()
    n = int(re.sub(r"\D", "", text.removeprefix("1:")))
    # the scale bar: its line width in px stands for the distance it names
    bar = p.page.locator(".leaflet-control-scale-line").first
    label, width = bar.text_content(), bar.bounding_box()["width"]
    metres = float(label.split()[0]) * (1000 if "km" in label else 1)
    assert text.startswith("1:") and abs(n - metres / width / (0.0254 / 96)) < 0.08 * n
    ratio = p.js("lzmap.ratio()")
    _zoom(p, 1)
    assert abs(p.js("lzmap.ratio()") - ratio / 2) < 0.06 * ratio


def test_language_switch_changes_every_text(open_page, zh_page, default_plan):
    p = open_page(zh_page)
    title = p.page.locator(".lz-title h1")
    assert title.text_content() == default_plan.title_zh
    assert "搜索" in p.page.locator(".lz-search input").get_attribute("placeholder")
    assert "图例" in p.page.locator(".lz-legend summary").text_content()
    assert p.js("document.title") == default_plan.title_zh
    assert "杨士岗镇" in p.page.locator(".lz-label[data-fid=town-210115108]").text_content()
    x, y = p.screen_xy("towns", "town-210115108")
    p.page.mouse.click(x, y)
    popup = p.page.locator(".lz-popup")
    rows = p.js("""() => Object.fromEntries(Array.from(document.querySelectorAll('.lz-popup tr'))
        .map(tr => [tr.children[0].textContent, tr.children[1].textContent]))""")
    assert rows["类型"] == "镇" and rows["等级"] == "重点镇"  # words from the label table, not "town"/"key"
    assert rows["标签"] == "国家级工业强镇"
    note = default_plan["towns"].set_index("id").loc["town-210115108"]
    assert note["note_zh"] in popup.text_content() and note["note"] not in popup.text_content()
    assert p.page.locator(".lz-popup .lz-en-only").count() == 0  # every note has its Chinese
    p.page.click(".lz-lang-en")
    assert p.js("lzmap.lang()") == "en"
    assert title.text_content() == default_plan.title_en
    assert p.js("document.title") == default_plan.title_en
    assert "Search" in p.page.locator(".lz-search input").get_attribute("placeholder")
    assert p.page.locator(".lz-legend summary").text_content() == "Legend"
    assert "Two axes" in p.page.locator(".lz-legend").text_content()
    assert p.page.locator(".lz-label[data-fid=town-210115108]").text_content() == "Yangshigang Town"
    assert "key town" in popup.text_content()  # the open popup follows
    assert note["note"] in popup.text_content() and note["note_zh"] not in popup.text_content()
    p.page.click(".lz-lang-zh")
    assert title.text_content() == default_plan.title_zh and p.errors == []


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("ysg", "杨士岗镇"),
        pytest.param("xzm", "肖寨门镇", marks=pytest.mark.slow),
        pytest.param("Ciyutuo", "茨榆坨街道", marks=pytest.mark.slow),
    ],
)
def test_search_by_pinyin_initials_fits_and_opens_the_popup(open_page, zh_page, query, name):
    p = open_page(zh_page)
    p.page.fill(".lz-search input", query)
    assert name in p.page.locator(".lz-search li").first.text_content()
    p.page.press(".lz-search input", "Enter")
    p.page.wait_for_function(
        "!lzmap.runtime.map._animatingZoom && lzmap.runtime.map.getZoom() >= 12", timeout=5000
    )
    assert 12 <= p.js("lzmap.runtime.map.getZoom()") <= 14
    assert name in p.page.locator(".lz-popup h4").text_content()


_COVERS = """() => {
    const rt = lzmap.runtime, m = rt.map, b = rt.layers.boundary.classes[0].feats[0].getBounds();
    const c = m.getContainer().getBoundingClientRect();
    const p1 = m.latLngToContainerPoint(b.getNorthWest()), p2 = m.latLngToContainerPoint(b.getSouthEast());
    const box = {left: c.left + p1.x, top: c.top + p1.y, right: c.left + p2.x, bottom: c.top + p2.y};
    const meet = (a, r) => Math.min(a.right, r.right) > Math.max(a.left, r.left)
                        && Math.min(a.bottom, r.bottom) > Math.max(a.top, r.top);
    const over = Array.from(document.querySelectorAll('.leaflet-control'))
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && meet(box, r); })
        .map(e => e.className);
    const inView = box.left >= c.left && box.top >= c.top && box.right <= c.right && box.bottom <= c.bottom;
    return {over, inView};
}"""


@pytest.mark.slow
def test_laptop_panels_leave_the_district_and_shenyang_free(open_page, zh_page, default_plan):
    p = open_page(zh_page, viewport=(1366, 768))
    res = p.js(_COVERS)
    assert res["inView"] and res["over"] == [], res
    places = default_plan["places"]
    star = p.js(_STAR, places.loc[places["kind"] == "city_centre", "id"].iloc[0])
    assert star["top"] and star["inView"] and star["starUnder"] == [] and star["labelUnder"] == [], star


@pytest.mark.slow
def test_phone_opens_folded_with_the_structure_in_view(open_page, zh_page):
    p = open_page(zh_page, viewport=(390, 844))
    for sel in (".lz-title details", ".lz-legend details", ".lz-layers details"):
        assert p.js("(s) => document.querySelector(s).open", sel) is False, sel
    res = p.js(_COVERS)
    assert res["inView"] and res["over"] == [], res
    title = p.page.locator(".lz-title")
    assert title.bounding_box()["height"] < 40  # one line
    assert not _visible(p, ".lz-title .lz-disc")
    p.page.click(".lz-title summary")  # the header unfolds on a tap
    assert _visible(p, ".lz-title .lz-disc")


def test_a_note_without_chinese_is_marked_english_only(open_page, tmp_path, default_plan):
    """A plan whose notes have no ``note_zh`` shows the English note with a visible 仅英文 marker."""
    import json
    import shutil

    folder = tmp_path / "plan"
    shutil.copytree(default_plan.path, folder)
    towns = folder / "towns.geojson"
    data = json.loads(towns.read_text(encoding="utf-8"))
    for f in data["features"]:
        f["properties"].pop("note_zh", None)
    towns.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    from lzspatial import load_plan

    page = save_map(build_map(load_plan(folder), lang="zh"), tmp_path / "en-only.html")
    p = open_page(page)
    x, y = p.screen_xy("towns", "town-210115108")
    p.page.mouse.click(x, y)
    marker = p.page.locator(".lz-popup .lz-en-only")
    assert "仅英文" in marker.first.text_content()
    assert "No public coordinates" in p.page.locator(".lz-popup").text_content()
    p.page.click(".lz-lang-en")
    assert marker.count() == 0 and p.errors == []
