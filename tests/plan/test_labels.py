"""One wording per fact: every verdict reads and looks the same in the map, the report and the CLI."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely import Point

from lzspatial.outputs.report import render_report
from lzspatial.outputs.style import EXTRA_STYLES, verdict_colour
from lzspatial.outputs.webmap import build_map, render_html
from lzspatial.plan.labels import VERDICT_LABELS, VERDICTS, verdict_label
from lzspatial.screening import screen
from lzspatial.screening.stream import StreamSummary

from ..conftest import run_cli


def _map_classes(plan, verdicts):
    sites = gpd.GeoDataFrame(
        {"name": [f"s{i}" for i in range(len(verdicts))], "verdict": verdicts},
        geometry=[Point(122.72, 41.51)] * len(verdicts),
        crs=4326,
    )
    html = render_html(build_map(plan, sites=sites))
    data = json.loads(re.search(r"lzspatial\.init\(map_\d+, (.*)\);\n", html, re.S).group(1))
    layer = next(lay for lay in data["layers"] if lay["id"] == "sites")
    return {c["id"]: (c, data["styles"][c["s"]]) for c in layer["classes"]}


def test_every_verdict_has_one_label_and_colour():
    assert set(VERDICTS) <= set(VERDICT_LABELS)
    zh = [verdict_label(v)[0] for v in VERDICTS]
    assert len(set(zh)) == len(zh), "two verdicts share a wording"
    colours = [verdict_colour(v) for v in VERDICTS]
    assert len(set(colours)) == len(colours), "two verdicts share a colour"


@pytest.mark.parametrize("verdict", VERDICTS)
def test_verdict_wording_and_colour_agree_in_map_report_and_cli(default_plan, verdict, capsys):
    zh, en = verdict_label(verdict)
    # the map: the legend label and the marker colour of the class
    cls, style = _map_classes(default_plan, [verdict])[verdict]
    assert cls["label"] == {"zh": zh, "en": en}
    assert style["color"] == verdict_colour(verdict) == EXTRA_STYLES["sites"][verdict]["color"]
    # the report: the verdict badge
    res = screen(
        gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(122.72, 41.51)], crs=4326),
        default_plan,
        industry="trade_logistics",
    )
    res["verdict"] = verdict
    html = render_report(res, default_plan, "trade_logistics")
    badge = re.search(r'<span class="verdict" style="background:([^"]+)">([^<]*)</span>', html)
    assert badge, "no verdict badge"
    assert badge.group(1) == verdict_colour(verdict)
    assert badge.group(2) == f"{zh} / {en}"
    # the CLI's summary line
    from lzspatial.cli.screen import _print_summary

    summary = StreamSummary(1, {"verdict": {verdict: 1}})
    _print_summary(summary, None)
    assert f"{zh} {verdict}: 1" in capsys.readouterr().out


def test_cli_screen_prints_the_shared_wording(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("name,lon,lat\na,122.945933,41.546229\nb,122.0,41.9\n", encoding="utf-8")
    r = run_cli("screen", str(csv), "--industry", "bonded_warehousing_processing")
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if "by verdict" in x)
    for code in ("pass", "fail"):
        assert f"{verdict_label(code)[0]} {code}" in line
