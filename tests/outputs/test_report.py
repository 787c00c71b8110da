"""Compliance report: escaped, offline, complete and deterministic."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely

from lzspatial.outputs.report import render_report, write_report
from lzspatial.plan import load_plan
from lzspatial.rules.siting import load_siting
from lzspatial.screening.engine import screen
from tests.conftest import LAYERS, edit_layer, feature, run_cli

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


def sites():
    return gpd.GeoDataFrame(
        {"name": [HOSTILE, "parcel & co"]},
        crs=4326,
        geometry=[shapely.Point(122.72, 41.51), shapely.Point(122.75, 41.45).buffer(0.01)],
    )


def test_report_is_escaped_offline_and_complete(plan):
    res = screen(sites(), plan, "agriculture")
    html = render_report(res, plan, "agriculture")
    assert HOSTILE not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "parcel &amp; co" in html
    assert not re.search(r"https?:|//[a-z]|<script|<link|<iframe|<img|@import|url\((?!#)", html, re.I)
    assert not re.search(r"<[^>]*\s(src|href|xlink:href)=", html, re.I)
    assert html.count('<section class="site">') == 2 and html.count('<svg class="map"') == 2
    siting = load_siting(plan)
    for rid in {r for v in res["verdict_rules"] for r in str(v).split(";") if r}:
        rule = siting.rule(rid)
        assert rule.title_en.replace("&", "&amp;") in html
        assert rule.basis.replace('"', "&quot;")[:40] in html
    assert plan.disclaimer["en"][:60].replace("'", "&#x27;") in html
    assert plan.source["publisher"] in html
    assert "Area taken" in html and "占用面积" in html and "Key distances" in html
    # the polygon's area table lists the zone it takes land from, with hectares
    zone = res["zone_id"].iloc[1]
    assert zone and f"{res[f'area_ha__{zone}'].iloc[1]:,.4f}" in html


def test_hostile_plan_names_are_escaped(plan_copy):
    def evil(doc):
        feature(doc, "zone-south")["properties"]["name_en"] = HOSTILE

    edit_layer(plan_copy, "zones", evil)
    p = load_plan(plan_copy)
    res = screen(
        gpd.GeoDataFrame(geometry=[shapely.Point(122.75, 41.45).buffer(0.01)], crs=4326), p, "agriculture"
    )
    html = render_report(res, p, "agriculture")
    assert HOSTILE not in html and "&lt;img" in html


def test_report_is_deterministic_and_written_atomically(plan, tmp_path):
    res = screen(sites(), plan, "trade_logistics")
    a = render_report(res, plan, "trade_logistics")
    assert a == render_report(res.copy(), plan, "trade_logistics")
    path = write_report(a, tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") == a and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_report_needs_verdicts(plan):
    with pytest.raises(ValueError, match="industry"):
        render_report(screen(sites(), plan), plan, "agriculture")


def test_cli_report(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text(
        f'name,lon,lat\n"{HOSTILE.replace(chr(34), chr(34) * 2)}",122.72,41.51\n', encoding="utf-8"
    )
    out = tmp_path / "report.html"
    proc = run_cli("report", src, "--industry", "保税仓储加工", "--out", out)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert "siting-bonded-in-bonded-zone" in html and HOSTILE not in html
    proc = run_cli("report", src, "--out", out)
    assert proc.returncode == 2 and "--industry" in proc.stderr


def test_each_section_carries_source_disclaimer_and_legend(plan):
    res = screen(sites(), plan, "agriculture")
    html = render_report(res, plan, "agriculture")
    sections = re.findall(r'<section class="site">(.*?)</section>', html, re.S)
    assert len(sections) == 2
    disc_zh = plan.disclaimer["zh"][:30]
    disc_en = plan.disclaimer["en"][:50].replace("'", "&#x27;")
    for sec in sections:
        assert plan.source["publisher"] in sec and plan.source["date"] in sec
        assert disc_zh in sec and disc_en in sec
        legend = re.search(r'<div class="legend">(.*?)</div>', sec, re.S)
        assert legend, "no legend"
        text = legend.group(1)
        for label in ("图例 / Legend", "场地 / Site", "核心区 / Core", "dashed"):
            assert label in text, label
        # the legend's swatches use the map's colours (no external references)
        assert "<svg" in text and "href" not in text
    # the legend names the zones shown (by name) and control lines by kind, bilingual
    assert "分区 南部片区（现代农业，示意） / Zone: South zone (modern agriculture; schematic)" in sections[1]
    assert all("城镇开发边界 / Urban development boundary" in sec for sec in sections)
    assert html.count("资料来源与说明 / Source and disclaimer") == 1  # the full note at the end too


def test_report_legend_escapes_zone_names(plan_copy):
    def evil(doc):
        for f in doc["features"]:
            f["properties"]["name_en"] = HOSTILE

    edit_layer(plan_copy, "zones", evil)
    p = load_plan(plan_copy)
    res = screen(sites(), p, "agriculture")
    html = render_report(res, p, "agriculture")
    legend = re.findall(r'<div class="legend">(.*?)</div>', html, re.S)
    assert any("Zone: &lt;img" in part for part in legend) and HOSTILE not in html


def test_report_needs_sites(plan):
    with pytest.raises(ValueError, match="no sites"):
        render_report(screen(sites().iloc[:0], plan, "agriculture"), plan, "agriculture")
