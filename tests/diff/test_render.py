"""The review map: self-contained, deterministic, data escaped; and in headless Chromium.

The browser tests (Playwright on the system chromium) check that both sides render,
that panning one side moves the other, that clicking a change zooms to it, and that
hostile text stays inert. Skipped only when chromium is missing and CI is not set.
"""

from __future__ import annotations

import json
import re

import pytest
import shapely

from lzspatial.diff import diff_plans, render_review_map
from lzspatial.plan import load_plan
from tests.browser import launch_browser
from tests.conftest import feature

from .pairs import Layer, copy_plan, metric_geom, set_metric_geom

HOSTILE = "<img src=x onerror=window.__pwned=1>"
SCRIPT = "</script><script>window.__pwned=2</script>"


@pytest.fixture(scope="module")
def review(tmp_path_factory, default_plan):
    root = tmp_path_factory.mktemp("review")
    b = copy_plan(root / "b")
    with Layer(b, "parks") as doc:
        g = metric_geom(doc, "park-timber-port")
        set_metric_geom(doc, "park-timber-port", shapely.affinity.translate(g, 2000, 1500))
        feature(doc, "park-timber-port")["properties"]["name_zh"] = HOSTILE
    with Layer(b, "towns") as doc:
        doc["features"].pop(0)
        feature(doc, doc["features"][3]["properties"]["id"])["properties"]["name_en"] = SCRIPT
    plan_b = load_plan(b)
    d = diff_plans(default_plan, plan_b, check=False)
    html = render_review_map(d, default_plan, plan_b)
    path = root / "review.html"
    path.write_text(html, encoding="utf-8")
    return d, html, path, plan_b


def test_self_contained_deterministic_and_escaped(review, default_plan):
    d, html, _, plan_b = review
    assert render_review_map(d, default_plan, plan_b) == html
    assert not re.search(r"<script[^>]*\ssrc\s*=|<link[^>]*\shref\s*=|https?://unpkg|cdn", html, re.I)
    assert HOSTILE not in html and SCRIPT not in html  # < > & are \u-escaped in the JSON
    data = html.split('id="lzdiff-data">', 1)[1].split("</script>", 1)[0]
    payload = json.loads(data)
    assert any(HOSTILE in c["name"] for c in payload["changes"])
    assert len(payload["changes"]) == len(d.features)


def test_page_data_is_the_payload_as_json(review, default_plan):
    """The page splices each geometry's GeoJSON text into its JSON: the bytes json.dumps gives."""
    from lzspatial.diff.render import payload
    from lzspatial.outputs.webmap.payload import script_json

    d, html, _, plan_b = review
    data = html.split('id="lzdiff-data">', 1)[1].split("</script>", 1)[0]
    dumped = json.dumps(
        payload(d, default_plan, plan_b), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    assert data == script_json(dumped)


def test_geometry_text_reads_back_and_prints_as_written():
    import numpy as np
    from hypothesis import given
    from hypothesis import strategies as st

    from lzspatial.io import geometry_to_geojson

    coord = st.floats(-1e7, 1e7, allow_nan=False) | st.sampled_from([0.0, -0.0, 1e-7, 123.0, 1e16, -2.5e-5])

    @given(st.lists(st.tuples(coord, coord), min_size=4, max_size=8))
    def check(xy):
        for g in (
            shapely.Point(xy[0]),
            shapely.LineString(xy),
            shapely.MultiPoint(xy),
            shapely.Polygon(xy + [xy[0]]).buffer(0) if len(set(xy)) > 2 else shapely.Point(xy[1]),
            shapely.GeometryCollection([shapely.Point(xy[2]), shapely.LineString(xy[:2])]),
            shapely.box(*np.sort(np.array(xy[:2]), axis=0).ravel())
            if xy[0] != xy[1]
            else shapely.Point(xy[3]),
        ):
            text = geometry_to_geojson(g)
            assert json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) == text

    check()


@pytest.fixture(scope="module")
def page(review):
    with launch_browser() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 800})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(review[2].as_uri())
        pg.wait_for_function("window.lzdiff !== undefined")
        yield pg, errors
        pg.close()


@pytest.mark.browser
@pytest.mark.slow
def test_both_sides_render(page, review):
    pg, errors = page
    drawn = pg.evaluate("window.lzdiff.drawn")
    d = review[0]
    assert drawn["a"] > 50 and drawn["b"] == drawn["a"] - 1  # B lost one town
    assert drawn["changesA"] == sum(
        c.geom_a is not None and (c.status == "removed" or c.geometry_changed) for c in d.features
    )
    assert drawn["arrows"] >= 1
    assert pg.locator("#lzd-map-a path.leaflet-interactive").count() > 20
    assert pg.locator("#lzd-map-b path.leaflet-interactive").count() > 20
    assert pg.locator("path.lzd-arrow").count() == 2 * drawn["arrows"]
    assert errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_panning_one_side_moves_the_other(page):
    pg, _ = page
    before = pg.evaluate("[window.lzdiff.mapB.getCenter().lat, window.lzdiff.mapB.getCenter().lng]")
    box = pg.locator("#lzd-map-a").bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.mouse.down()
    pg.mouse.move(box["x"] + box["width"] / 2 - 150, box["y"] + box["height"] / 2 + 80, steps=8)
    pg.mouse.up()
    pg.wait_for_timeout(700)  # let the inertia of the drag run out
    a, b = pg.evaluate(
        "[[lzdiff.mapA.getCenter().lat, lzdiff.mapA.getCenter().lng, lzdiff.mapA.getZoom()],"
        " [lzdiff.mapB.getCenter().lat, lzdiff.mapB.getCenter().lng, lzdiff.mapB.getZoom()]]"
    )
    # Leaflet keeps whole-pixel origins: the centres agree to within a pixel
    px = pg.evaluate(
        "lzdiff.mapA.project(lzdiff.mapA.getCenter()).distanceTo(lzdiff.mapA.project(lzdiff.mapB.getCenter()))"
    )
    assert px <= 1.5 and a[2] == b[2]
    assert (b[0], b[1]) != pytest.approx(tuple(before), abs=1e-4)  # B moved with A
    pg.evaluate("lzdiff.mapB.setZoom(lzdiff.mapB.getZoom() + 1)")
    assert pg.evaluate("lzdiff.mapA.getZoom() === lzdiff.mapB.getZoom()")


@pytest.mark.browser
@pytest.mark.slow
def test_clicking_a_change_zooms_to_it(page, review):
    pg, _ = page
    d = review[0]
    i = next(k for k, c in enumerate(d.features) if c.id == "park-timber-port")
    zoom0 = pg.evaluate("lzdiff.mapA.getZoom()")
    pg.evaluate("lzdiff.mapA.setZoom(9)")
    pg.click(f'[data-change="{i}"]')
    bbox = pg.evaluate(f"lzdiff.data.changes[{i}].bbox")
    view = pg.evaluate(
        "(function(){var b = lzdiff.mapA.getBounds();"
        " return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast(),"
        " lzdiff.mapA.getZoom(), lzdiff.mapB.getZoom()];})()"
    )
    s, w, n, e, za, zb = view
    assert s <= bbox[0][0] and w <= bbox[0][1] and n >= bbox[1][0] and e >= bbox[1][1]
    assert za > max(zoom0, 9) and za == zb
    assert pg.locator(f'[data-change="{i}"].lzd-on').count() == 1


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_text_stays_inert(page):
    pg, errors = page
    assert pg.evaluate("window.__pwned") is None
    assert pg.locator("img").count() == 0
    assert HOSTILE in pg.locator("#lzd-aside").inner_text()
    # hovering the hostile feature's tooltip adds no element either
    pg.evaluate("lzdiff.mapA.setZoom(lzdiff.mapA.getZoom())")
    assert pg.evaluate("window.__pwned") is None and errors == []
