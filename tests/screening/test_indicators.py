"""Indicators, checked against independent geopandas/pandas computations."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lzspatial.errors import InputError
from lzspatial.plan import load_plan
from lzspatial.screening.indicators import format_csv, format_json, format_table, indicators
from tests.conftest import LAYERS, REPO, run_cli

STAGES = ["signed", "landed", "resumed", "operating"]


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


@pytest.fixture(scope="module")
def data(plan):
    return indicators(plan)


def test_areas(plan, data):
    district = gpd.read_file(LAYERS / "boundary.geojson").to_crs(4550)
    d_area = district.area.iloc[0]
    assert data["district_area_ha"] == pytest.approx(d_area / 1e4)
    areas = data["areas"].set_index("id")
    for layer in ("core", "zones", "control_lines"):
        f = gpd.read_file(LAYERS / f"{layer}.geojson").to_crs(4550)
        clipped = gpd.overlay(f, district[["geometry"]], how="intersection")
        for fid, a, a_in in zip(f["id"], f.area, clipped.set_index("id").area.reindex(f["id"]), strict=True):
            assert areas.loc[fid, "area_ha"] == pytest.approx(a / 1e4, rel=1e-9)
            assert areas.loc[fid, "pct_of_district"] == pytest.approx(a_in / d_area * 100, rel=1e-6)


def test_towns_and_parks_per_zone(plan, data):
    zones = gpd.read_file(LAYERS / "zones.geojson").to_crs(4550)
    core = gpd.read_file(LAYERS / "core.geojson").to_crs(4550)
    areas = pd.concat([zones[["id", "geometry"]], core[["id", "geometry"]]], ignore_index=True)
    towns = gpd.read_file(LAYERS / "towns.geojson").to_crs(4550)
    joined = gpd.sjoin(towns, areas, predicate="intersects", how="left").drop_duplicates("id_left")
    expect = joined["id_right"].fillna("(outside zones)").value_counts()
    per = data["per_zone"].set_index("zone_id")
    for zid, n in expect.items():
        assert per.loc[zid, "towns"] == n
    assert per["towns"].sum() == len(towns)
    parks = gpd.read_file(LAYERS / "parks.geojson").to_crs(4550)
    ov = gpd.overlay(parks[["id", "geometry"]], areas.rename(columns={"id": "zone"}), how="intersection")
    ov["a"] = ov.area
    best = ov.sort_values("a").groupby("id").last()["zone"].value_counts()
    for zid, n in best.items():
        assert per.loc[zid, "parks"] == n


def test_axes_and_town_distances(plan, data):
    axes = gpd.read_file(LAYERS / "axes.geojson").to_crs(4550)
    district = gpd.read_file(LAYERS / "boundary.geojson").to_crs(4550).geometry.iloc[0]
    got = data["axes"].set_index("id")
    for fid, g in zip(axes["id"], axes.geometry, strict=True):
        assert got.loc[fid, "length_km_in_district"] == pytest.approx(g.intersection(district).length / 1000)
    towns = gpd.read_file(LAYERS / "towns.geojson").to_crs(4550)
    d = np.array([[t.distance(a) for a in axes.geometry] for t in towns.geometry]).min(axis=1)
    s = data["town_axis_distance"]
    assert s["mean_m"] == pytest.approx(d.mean()) and s["max_m"] == pytest.approx(d.max())
    assert s["max_town_id"] == towns["id"].iloc[int(d.argmax())]


def make_projects(tmp_path, plan, n=60):
    rng = np.random.default_rng(1)
    b = plan.boundary_metric
    pts = []
    while len(pts) < n:
        p = shapely.Point(rng.uniform(*b.bounds[::2]), rng.uniform(*b.bounds[1::2]))
        if b.contains(p):
            pts.append(p)
    chains = list(plan.vocabularies["industry_chains"])
    gdf = gpd.GeoDataFrame(
        {
            "status": rng.choice(STAGES, n),
            "industry": rng.choice(chains, n),
            "investment_rmb": rng.choice([5e7, 1e8, 2.5e8, 9.9e7], n),
        },
        geometry=pts,
        crs=4550,
    ).to_crs(4326)
    path = tmp_path / "projects.csv"
    pd.DataFrame(
        {
            "status": gdf["status"],
            "industry": gdf["industry"],
            "investment_rmb": gdf["investment_rmb"],
            "lon": gdf.geometry.x,
            "lat": gdf.geometry.y,
        }
    ).to_csv(path, index=False)
    return path, gdf


#: Per target, the statuses that count for it (the plan's four work counts; 复工 is not a pipeline stage).
COUNTED = {
    True: {
        "signed": {"signed", "landed", "operating"},
        "landed": {"landed", "operating"},
        "resumed": {"resumed"},
        "operating": {"operating"},
    },
    False: {s: {s} for s in STAGES},
}


@pytest.mark.parametrize("cumulative", [True, False])
def test_progress_against_targets(plan, tmp_path, cumulative):
    path, gdf = make_projects(tmp_path, plan)
    data = indicators(plan, path, cumulative=cumulative)
    p = data["projects"]
    big = gdf[gdf["investment_rmb"] >= 1e8]
    assert p["below_threshold"] == (gdf["investment_rmb"] < 1e8).sum()
    prog = p["progress"].set_index("stage")
    for s in STAGES:
        expect = int(big["status"].isin(COUNTED[cumulative][s]).sum())
        assert prog.loc[s, "count"] == expect
        assert prog.loc[s, "target"] == plan.targets[s]
        assert prog.loc[s, "pct_of_target"] == pytest.approx(100 * expect / plan.targets[s])
    by_ind = p["by_industry"].set_index("industry")
    for chain, grp in big.groupby("industry"):
        for s in STAGES:
            assert by_ind.loc[chain, s] == int(grp["status"].isin(COUNTED[cumulative][s]).sum())
    # zone, else the core, else outside: found independently with a spatial join
    zones = gpd.read_file(LAYERS / "zones.geojson")
    core = gpd.read_file(LAYERS / "core.geojson")
    jz = gpd.sjoin(big, zones[["id", "geometry"]], predicate="intersects", how="left")
    jz = jz[~jz.index.duplicated()]
    in_core = big.geometry.intersects(core.geometry.union_all())
    label = jz["id"].where(jz["id"].notna(), np.where(in_core, "core", "(outside zones)"))
    by_zone = p["by_zone"].set_index("zone_id")
    assert list(by_zone.index) == [*zones["id"], "core", "(outside zones)"]
    assert label.eq("core").any()  # the random projects do reach the core
    for zid in by_zone.index:
        grp = big[label.to_numpy() == zid]
        for s in STAGES:
            assert by_zone.loc[zid, s] == int(grp["status"].isin(COUNTED[cumulative][s]).sum()), (zid, s)
    assert by_zone["signed"].sum() == prog.loc["signed", "count"]


def test_resumed_is_not_a_pipeline_stage(plan):
    """One project of each status, plus two more resumed: resumed may exceed landed."""
    statuses = ["signed", "landed", "operating", "resumed", "resumed", "resumed"]
    gdf = gpd.GeoDataFrame(
        {"status": statuses, "industry": "agriculture", "investment_rmb": 2e8},
        geometry=[shapely.Point(122.72, 41.51)] * len(statuses),
        crs=4326,
    )
    prog = indicators(plan, gdf)["projects"]["progress"].set_index("stage")["count"].to_dict()
    assert prog == {"signed": 3, "landed": 2, "resumed": 3, "operating": 1}
    prog = indicators(plan, gdf, cumulative=False)["projects"]["progress"].set_index("stage")["count"]
    assert prog.to_dict() == {"signed": 1, "landed": 1, "resumed": 3, "operating": 1}


def test_bad_projects(plan, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "status,industry,investment_rmb,lon,lat\nsigned,agriculture,2e8,122.7,41.5\n"
        "planned,agriculture,2e8,122.7,41.5\nsigned,steel,x,122.7,41.5\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"row 3: status 'planned'.*row 4: investment_rmb 'x'.*row 4: industry"
    ):
        indicators(plan, path)
    path.write_text("status,lon,lat\nsigned,122.7,41.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        indicators(plan, path)


def test_formats(plan, tmp_path, capsys):
    path, _ = make_projects(tmp_path, plan, 20)
    data = indicators(plan, path)
    doc = json.loads(format_json(data))
    assert doc["tables"]["progress"][0]["stage"] == "signed" and doc["plan"] == plan.id
    csv = pd.read_csv(__import__("io").StringIO(format_csv(data)))
    assert list(csv.columns) == ["table", "key", "column", "value"]
    row = csv[(csv["table"] == "areas") & (csv["key"] == "core") & (csv["column"] == "area_ha")]
    assert float(row["value"].iloc[0]) == pytest.approx(data["areas"].set_index("id").loc["core", "area_ha"])
    format_table(data)
    assert "progress" in capsys.readouterr().out


def test_plan_method_and_cli(plan):
    assert plan.indicators()["plan"] == plan.id
    proc = run_cli("indicators", "--projects", REPO / "examples" / "projects.csv", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["projects"]["cumulative"] is True and len(doc["tables"]["by_zone"]) == 6
    assert [r["zone_id"] for r in doc["tables"]["by_zone"]][-2:] == ["core", "(outside zones)"]
    proc = run_cli(
        "indicators", "--projects", REPO / "examples" / "projects.csv", "--format", "json", "--no-cumulative"
    )
    assert proc.returncode == 0, proc.stderr
    flat = json.loads(proc.stdout)
    assert flat["projects"]["cumulative"] is False
    counts = {r["stage"]: r["count"] for r in flat["tables"]["progress"]}
    cum = {r["stage"]: r["count"] for r in doc["tables"]["progress"]}
    assert cum["signed"] == counts["signed"] + counts["landed"] + counts["operating"]
    assert cum["resumed"] == counts["resumed"]
    proc = run_cli("indicators", "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.startswith("table,key,column,value")
