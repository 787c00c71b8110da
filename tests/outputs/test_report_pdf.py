"""The compliance report as an A4 PDF: pages, page 1 summary and metadata, per-site pages."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pypdf
import pytest
from shapely import Point

from lzspatial.outputs.paper import cjk_font
from lzspatial.outputs.report_pdf import render_report_pdf
from lzspatial.plan.digest import plan_checksum
from lzspatial.screening.engine import screen
from lzspatial.screening.sites import read_sites

from ..conftest import REPO, run_cli

A4 = (595.28, 841.89)  # pt
INDUSTRY = "bonded_warehousing_processing"
pytestmark = pytest.mark.skipif(cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)")


def _pages(data: bytes | Path) -> list[str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data) if isinstance(data, bytes) else data)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    return [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]


@pytest.fixture(scope="module")
def one_site(default_plan) -> bytes:
    sites = gpd.GeoDataFrame({"name": ["保税仓库 A"]}, geometry=[Point(122.945933, 41.546229)], crs=4326)
    return render_report_pdf(screen(sites, default_plan, INDUSTRY), default_plan, INDUSTRY, date="2024-06-01")


def test_one_site_is_summary_page_plus_one_page(one_site, default_plan):
    pages = _pages(one_site)
    assert len(pages) == 2
    first, site = pages
    for text in (
        "场地汇总",
        "审查单位",
        "经办人",
        "审核人",
        "报告编号",
        "2024-06-01",
        plan_checksum(default_plan),
    ):
        assert text in first
    assert "保税仓库A" in first and "符合" in first
    assert "第1页/共2页" in first and "第2页/共2页" in site
    for text in ("图例", "场地/Site", "所在位置", "关键距离", "siting-bonded-in-bonded-zone", "依据"):
        assert text in site


def test_same_input_and_date_give_the_same_bytes(one_site, default_plan):
    sites = gpd.GeoDataFrame({"name": ["保税仓库 A"]}, geometry=[Point(122.945933, 41.546229)], crs=4326)
    again = render_report_pdf(
        screen(sites, default_plan, INDUSTRY), default_plan, INDUSTRY, date="2024-06-01"
    )
    assert again == one_site


@pytest.mark.slow
def test_candidate_sites_fit_in_14_pages(default_plan, tmp_path):
    out = tmp_path / "report.pdf"
    res = run_cli(
        "report",
        REPO / "examples" / "candidate_sites.csv",
        "--industry",
        INDUSTRY,
        "--out",
        out,
        "--date",
        "2024-06-01",
    )
    assert res.returncode == 0, res.stderr
    pages = _pages(out)
    assert len(pages) <= 14
    sites, _ = read_sites(REPO / "examples" / "candidate_sites.csv")
    first = pages[0]
    missing = [n for n in sites["name"] if re.sub(r"\s+", "", n) not in first]
    assert not missing, f"summary lacks {missing}"
    assert all(f"/共{len(pages)}页" in p for p in pages)


@pytest.mark.slow
def test_polygon_sites_show_hectares_and_shares(default_plan):
    sites, _ = read_sites(REPO / "examples" / "candidate_parcels.geojson")
    assert (sites.geom_type == "Polygon").all() and sites["note"].str.contains("synthetic").all()
    pdf = render_report_pdf(screen(sites, default_plan, INDUSTRY), default_plan, INDUSTRY, date="2024-06-01")
    pages = _pages(pdf)
    assert len(pages) == 1 + len(sites)
    for page in pages[1:]:
        assert "占用面积" in page and "面积ha" in page and "占比%" in page


def test_cli_pdf_refuses_to_overwrite_the_input(tmp_path):
    src = tmp_path / "sites.csv"
    src.write_bytes((REPO / "examples" / "candidate_sites.csv").read_bytes())
    res = run_cli("report", src, "--industry", INDUSTRY, "--out", src, "--format", "pdf")
    assert res.returncode == 2 and "would overwrite the input" in res.stderr
    assert res.stderr.count("\n") == 1
