"""Answers computed from schematic layers say so: the column, the reasons, the report (issue 12 §4)."""

from __future__ import annotations

import geopandas as gpd
from shapely import Point

from lzspatial.outputs.report import render_report
from lzspatial.rules.siting import Target, target_basis
from lzspatial.screening import answer_basis, screen


def _site(lon=122.945933, lat=41.546229):
    return gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(lon, lat)], crs=4326)


def test_every_answer_has_the_basis_of_the_layer_it_reads(default_plan):
    basis = answer_basis(default_plan)
    assert {"zone", "core", "park", "in_basic_farmland", "in_eco_red_line", "dist_axis"} <= set(basis)
    cl = default_plan["control_lines"]
    farmland = set(cl.loc[cl["kind"] == "basic_farmland", "geometry_basis"])
    assert basis["in_basic_farmland"] == (
        "schematic" if "schematic" in farmland else basis["in_basic_farmland"]
    )
    assert basis["in_basic_farmland"] == "schematic"


def test_results_carry_data_basis_and_schematic_reasons(default_plan):
    res = screen(_site(), default_plan, industry="bonded_warehousing_processing")
    assert res["data_basis"].tolist() == ["schematic"]
    assert "(schematic data)" in res["verdict_reasons"].iloc[0]
    assert "（示意数据）" in res["verdict_reasons_zh"].iloc[0]


def test_sourced_target_is_not_marked(default_plan):
    assert target_basis(default_plan, Target(district=True)) == "sourced"
    assert target_basis(default_plan, Target(control_lines=("basic_farmland",))) == "schematic"


def test_report_never_says_a_plain_no_from_schematic_farmland(default_plan):
    res = screen(_site(122.0, 41.9), default_plan, industry="trade_logistics")  # outside: every answer no
    html = render_report(res, default_plan, "trade_logistics")
    assert "否（示意数据） / no (schematic data)" in html
    assert "<td>否 / no</td>" not in html
