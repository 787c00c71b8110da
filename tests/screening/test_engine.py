"""Screening: matches a plain per-site shapely loop; alignment, errors, verdicts, siting rules."""

from __future__ import annotations

import math
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lzspatial.crs import transformer
from lzspatial.errors import CRSError, InputError
from lzspatial.plan import load_plan
from lzspatial.rules.siting import load_siting
from lzspatial.screening import engine as screening
from tests.conftest import LAYERS

DIST = {  # column -> (layer, filter); written out here, not imported from the code under test
    "axis": ("axes", lambda f: np.ones(len(f), bool)),
    "center": ("centers", lambda f: np.ones(len(f), bool)),
    "town": ("towns", lambda f: np.ones(len(f), bool)),
    "key_town": ("towns", lambda f: (f["rank"] == "key").to_numpy()),
    "railway": ("transport", lambda f: (f["kind"] == "railway").to_numpy()),
    "logistics": (
        "parks",
        lambda f: (
            f["kind"].isin(["bonded_zone", "logistics_park", "timber_port", "customs_station"]).to_numpy()
        ),
    ),
}


@pytest.fixture(scope="module")
def plan():
    return load_plan(LAYERS)


@pytest.fixture(scope="module")
def dense_plan(tmp_path_factory):
    """The default plan plus overlapping control polygons, a MultiPolygon zone part and more towns."""
    from lzspatial.io import write_geojson

    dst = tmp_path_factory.mktemp("dense") / "plan"
    shutil.copytree(LAYERS, dst)
    base = load_plan(dst)
    b = base.boundary_metric
    c = b.centroid
    cl = base.layer("control_lines", metric=True)
    extra = gpd.GeoDataFrame(
        [
            {
                "id": f"extra-{i}",
                "name_zh": "额外",
                "name_en": f"Extra {i}",
                "geometry_basis": "schematic",
                "source": "test",
                "kind": k,
            }
            for i, k in enumerate(["eco_red_line", "basic_farmland"])
        ],
        geometry=[c.buffer(4000), shapely.Point(c.x + 3000, c.y).buffer(3000)],
        crs=base.metric_crs,
    )
    write_geojson(pd.concat([cl, extra]).to_crs(4326), dst / "control_lines.geojson")
    return load_plan(dst)


# ---------------------------------------------------------------- the reference: a plain loop


def reference(plan, geoms_metric):
    """Per-site answers with nothing but shapely calls on each geometry."""
    zones = plan.layer("zones", metric=True)
    core = plan.layer("core", metric=True)
    parks = plan.layer("parks", metric=True)
    cl = plan.layer("control_lines", metric=True)
    dist_layers = {}  # each distance target selected once, not once per site
    for name, (layer, flt) in DIST.items():
        f = plan.layer(layer, metric=True)
        dist_layers[name] = f[flt(f)]
    out = []
    for g in geoms_metric:
        row = {}
        if g.geom_type == "Point":
            row["zone_id"] = next(
                (i for i, z in zip(zones["id"], zones.geometry, strict=False) if z.covers(g)), None
            )
            row["in_core"] = any(z.covers(g) for z in core.geometry)
            row["park_id"] = next(
                (i for i, z in zip(parks["id"], parks.geometry, strict=False) if z.covers(g)), None
            )
            for kind in ("eco_red_line", "basic_farmland", "urban_development_boundary"):
                row[f"in_{kind}"] = any(
                    z.covers(g) for z, k in zip(cl.geometry, cl["kind"], strict=False) if k == kind
                )
        else:
            areas = [g.intersection(z).area for z in zones.geometry]
            row["zone_id"] = zones["id"].iloc[int(np.argmax(areas))] if max(areas) > 0 else None
            row["in_core"] = sum(g.intersection(z).area for z in core.geometry) >= 0.5 * g.area
            pa = [g.intersection(z).area for z in parks.geometry]
            row["park_id"] = parks["id"].iloc[int(np.argmax(pa))] if max(pa) > 0 else None
            for kind in ("eco_red_line", "basic_farmland", "urban_development_boundary"):
                row[f"in_{kind}"] = any(
                    g.intersection(z).area > 0
                    for z, k in zip(cl.geometry, cl["kind"], strict=False)
                    if k == kind
                )
            for f in (core, zones, cl):
                for fid, z in zip(f["id"], f.geometry, strict=False):
                    row[f"area_ha__{fid}"] = g.intersection(z).area / 1e4
        for name, f in dist_layers.items():
            d = [g.distance(h) for h in f.geometry]
            k = int(np.argmin(d))
            row[f"dist_{name}_m"] = d[k]
            row[f"nearest_{name}_id"] = f["id"].iloc[k]
            row[f"_all_{name}"] = dict(zip(f["id"], d, strict=False))
        out.append(row)
    return out


def _val(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def assert_matches(plan, result, geoms_metric):
    for i, ref in enumerate(reference(plan, geoms_metric)):
        got = result.iloc[i]
        for col in ("zone_id", "park_id"):
            assert _val(got[col]) == ref[col], (i, col)
        for col in ("in_core", "in_eco_red_line", "in_basic_farmland", "in_urban_development_boundary"):
            assert bool(got[col]) == ref[col], (i, col)
        for name in DIST:
            d_ref, d = ref[f"dist_{name}_m"], got[f"dist_{name}_m"]
            assert d == pytest.approx(d_ref, rel=1e-6, abs=1e-9), (i, name)
            # ids agree, or the chosen feature is (within 1e-9) as near as the reference's
            assert ref[f"_all_{name}"][got[f"nearest_{name}_id"]] == pytest.approx(d_ref, rel=1e-9, abs=1e-9)
        for col, v in ref.items():
            if col.startswith("area_ha__"):
                assert got[col] == pytest.approx(v, rel=1e-6, abs=1e-6), (i, col)


def to_lonlat(x, y):
    return transformer("EPSG:4550", "EPSG:4326").transform(np.asarray(x), np.asarray(y))


# ---------------------------------------------------------------- property tests

BOUNDS = (440_000.0, 4_545_000.0, 525_000.0, 4_645_000.0)  # the district's bbox plus 15 km
coord_x = st.floats(BOUNDS[0], BOUNDS[2], allow_nan=False)
coord_y = st.floats(BOUNDS[1], BOUNDS[3], allow_nan=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pts=st.lists(st.tuples(coord_x, coord_y), min_size=1, max_size=40))
def test_points_match_reference(plan, pts):
    x, y = np.array(pts).T
    geoms = shapely.points(x, y)
    res = screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=4550), plan)
    assert_matches(plan, res, geoms)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pts=st.lists(st.tuples(coord_x, coord_y), min_size=1, max_size=30))
def test_points_match_reference_on_dense_plan(dense_plan, pts):
    x, y = np.array(pts).T
    lon, lat = to_lonlat(x, y)
    res = screening.screen(gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326), dense_plan)
    back = transformer("EPSG:4326", "EPSG:4550").transform(lon, lat)
    assert_matches(dense_plan, res, shapely.points(*back))


site_shape = st.tuples(
    coord_x,
    coord_y,
    st.sampled_from([5.0, 50.0, 180.0, 600.0, 4000.0, 15000.0]),
    st.sampled_from(["box", "circle", "triangle", "multi"]),
)


def _polygon(x, y, r, shape):
    if shape == "box":
        return shapely.box(x - r, y - r / 2, x + r, y + r / 2)
    if shape == "circle":
        return shapely.Point(x, y).buffer(r, quad_segs=3)
    if shape == "triangle":
        return shapely.Polygon([(x, y), (x + r, y), (x, y + r)])
    return shapely.MultiPolygon(
        [shapely.box(x, y, x + r / 3, y + r / 3), shapely.box(x + r, y + r, x + 1.5 * r, y + 1.5 * r)]
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(site_shape, min_size=1, max_size=12))
def test_polygons_match_reference(plan, shapes):
    geoms = [_polygon(*s) for s in shapes]
    res = screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=4550), plan)
    assert_matches(plan, res, geoms)
    shares = res.filter(like="share_pct__zone-").sum(axis=1).to_numpy()
    assert (shares <= 100 + 1e-6).all()


def test_many_small_parcels_match_reference(plan):
    rng = np.random.default_rng(7)
    x, y = rng.uniform(455_000, 508_000, 300), rng.uniform(4_563_000, 4_627_000, 300)
    geoms = list(shapely.box(x, y, x + 50, y + 50))
    res = screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=4550), plan)
    assert_matches(plan, res, geoms)


def test_chunks_and_threads_give_the_same_answer(plan, monkeypatch):
    rng = np.random.default_rng(3)
    lon, lat = to_lonlat(rng.uniform(*BOUNDS[::2], 2000), rng.uniform(*BOUNDS[1::2], 2000))
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    whole = screening.screen(sites, plan)
    monkeypatch.setattr(screening, "CHUNK", 97)
    seen = []
    chunked = screening.screen(sites, plan, progress=seen.append)
    pd.testing.assert_frame_equal(whole, chunked)
    assert sum(seen) == 2000 and len(seen) > 10


def test_points_on_boundaries_and_far_away(plan):
    zones = plan.layer("zones", metric=True)
    vertex = shapely.get_coordinates(zones.geometry.iloc[1])[3]
    far = (vertex[0] + 300_000, vertex[1] - 200_000)  # outside the grid: the GEOS fallback
    geoms = shapely.points([vertex, far])
    res = screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=4550), plan)
    assert_matches(plan, res, geoms)
    assert res["zone_id"].iloc[0] is not None and not pd.isna(res["zone_id"].iloc[0])
    assert pd.isna(res["zone_id"].iloc[1]) and res["dist_axis_m"].iloc[1] > 100_000


# ---------------------------------------------------------------- the frame contract


def test_aligned_to_index_keeps_columns_and_does_not_mutate(plan):
    sites = gpd.GeoDataFrame(
        {"name": ["b", "a", "c"], "zone_id": [1, 2, 3]},
        geometry=[
            shapely.Point(122.72, 41.51),
            shapely.Point(122.6, 41.3),
            shapely.box(122.8, 41.5, 122.81, 41.51),
        ],
        index=pd.Index(["z", "x", "y"], name="site"),
        crs=4326,
    )
    before = sites.copy()
    res = screening.screen(sites, plan)
    pd.testing.assert_frame_equal(sites, before)
    assert list(res.index) == ["z", "x", "y"] and res.index.name == "site"
    assert list(res["name"]) == ["b", "a", "c"]
    assert res.crs == sites.crs and res.geometry.equals(sites.geometry)
    assert not pd.api.types.is_integer_dtype(res["zone_id"])  # the input's zone_id was replaced
    assert np.isnan(res["site_area_ha"].iloc[0]) and res["site_area_ha"].iloc[2] > 0


@pytest.mark.parametrize(
    ("geoms", "crs", "exc", "match"),
    [
        ([shapely.Point(122.7, 41.5)], None, CRSError, "no CRS"),
        ([None], 4326, InputError, r"missing or empty geometry at index 0"),
        ([shapely.Point()], 4326, InputError, "missing or empty"),
        ([shapely.LineString([(122.7, 41.5), (122.8, 41.6)])], 4326, InputError, "unsupported geometry"),
        (
            [shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])],
            4326,
            InputError,
            "invalid polygon.*make_valid",
        ),
    ],
)
def test_bad_sites(plan, geoms, crs, exc, match):
    with pytest.raises(exc, match=match):
        screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=crs), plan)


def test_not_a_geodataframe(plan):
    with pytest.raises(InputError, match="GeoDataFrame"):
        screening.screen(pd.DataFrame({"x": [1]}), plan)


def test_screen_xy_gcj02_matches_converted_points(plan):
    prcoords = pytest.importorskip("prcoords")
    wgs = [(122.72, 41.51), (122.9, 41.6)]
    gcj = [prcoords.wgs_gcj((lat, lon)) for lon, lat in wgs]
    res = screening.screen_xy([g[1] for g in gcj], [g[0] for g in gcj], crs="gcj02", plan=plan)
    ref = screening.screen_xy([w[0] for w in wgs], [w[1] for w in wgs], plan=plan)
    assert list(res["zone_id"].astype(object)) == list(ref["zone_id"].astype(object))
    np.testing.assert_allclose(res["dist_town_m"], ref["dist_town_m"], atol=0.05)


def test_screen_xy_rejects_nan(plan):
    with pytest.raises(InputError, match="non-finite"):
        screening.screen_xy([122.7, np.nan], [41.5, 41.5], plan=plan)


# ---------------------------------------------------------------- verdicts


def _targets(plan, rule):
    """The rule's target area, assembled independently with geopandas."""
    t = rule.target
    parts = []
    z = plan.layer("zones", metric=True)
    parts += [g for g, f in zip(z.geometry, z["functions"], strict=False) if set(f) & set(t.zone_functions)]
    p = plan.layer("parks", metric=True)
    parts += list(p.geometry[p["kind"].isin(t.park_kinds)])
    c = plan.layer("control_lines", metric=True)
    parts += list(c.geometry[c["kind"].isin(t.control_lines)])
    if t.core:
        parts += list(plan.layer("core", metric=True).geometry)
    if t.district:
        parts.append(plan.boundary_metric)
    return parts


@pytest.mark.parametrize(
    "industry",
    ["bonded_warehousing_processing", "agriculture", "trade_logistics", "digital_industrial_internet"],
)
def test_verdicts_follow_the_rules(plan, industry):
    rng = np.random.default_rng(11)
    x, y = rng.uniform(455_000, 508_000, 400), rng.uniform(4_563_000, 4_627_000, 400)
    parks = plan.layer("parks", metric=True)
    inside = [shapely.point_on_surface(g) for g in parks.geometry]  # make sure parks are hit
    geoms = list(shapely.points(x, y)) + inside
    res = screening.screen(gpd.GeoDataFrame(geometry=geoms, crs=4550), plan, industry=industry)
    rules = load_siting(plan).rules_for(industry)
    targets = {r.id: _targets(plan, r) for r in rules}  # assembled once per rule, not per point
    for i, g in enumerate(geoms):
        fired = [r for r in rules if any(t.covers(g) for t in targets[r.id]) == (r.when == "inside")]
        expected = "fail" if any(r.verdict == "fail" for r in fired) else "conditional" if fired else "pass"
        assert res["verdict"].iloc[i] == expected, i
        cited = set(str(res["verdict_rules"].iloc[i]).split(";")) - {""}
        if fired:
            assert cited == {r.id for r in fired}
    assert set(res["verdict"]) >= {"fail"}
    assert (res["industry"] == industry).all()


def test_bonded_zone_example(plan):
    parks = plan.layer("parks", metric=True)
    bonded = parks.geometry[parks["id"] == "park-bonded-jinhai"].iloc[0]
    pts = [shapely.point_on_surface(bonded), shapely.Point(bonded.centroid.x + 8000, bonded.centroid.y)]
    res = screening.screen(gpd.GeoDataFrame(geometry=pts, crs=4550), plan, "保税仓储加工")
    outside = res.iloc[1]
    assert outside["verdict"] == "fail"
    assert "siting-bonded-in-bonded-zone" in outside["verdict_rules"]
    assert "must be inside the comprehensive bonded zone" in outside["verdict_reasons"]
    assert "综合保税区" in outside["verdict_reasons_zh"]
    assert (
        "siting-bonded-in-bonded-zone" not in str(res.iloc[0]["verdict_rules"])
        or res.iloc[0]["verdict"] == "pass"
    )


def test_polygon_verdict_uses_shares(plan):
    fl = plan.layer("control_lines", metric=True)
    farm = fl.geometry[fl["kind"] == "basic_farmland"].iloc[0]
    p = shapely.point_on_surface(farm)
    res = screening.screen(gpd.GeoDataFrame(geometry=[p.buffer(100)], crs=4550), plan, "agriculture")
    assert res["verdict"].iloc[0] == "fail"
    assert "siting-basic-farmland" in res["verdict_rules"].iloc[0]


def test_unknown_industry(plan):
    with pytest.raises(InputError, match="unknown industry 'steel'.*bonded_warehousing_processing"):
        screening.screen_xy([122.7], [41.5], plan=plan, industry="steel")


# ---------------------------------------------------------------- transformers in worker threads


@pytest.mark.parametrize("src", ["EPSG:4326", "EPSG:4490", "EPSG:3857", "EPSG:4529"])
def test_per_thread_transformer_computes_the_same_bits(src):
    original = transformer(src, "EPSG:4550")
    fast = screening._per_thread(original)
    assert fast is not original  # a single PROJ pipeline: rebuilt from its string
    rng = np.random.default_rng(11)
    if src == "EPSG:4529":
        x, y = rng.uniform(41_400_000, 41_600_000, 5000), rng.uniform(4_500_000, 4_700_000, 5000)
    elif src == "EPSG:3857":
        x, y = rng.uniform(13.5e6, 13.8e6, 5000), rng.uniform(5.0e6, 5.2e6, 5000)
    else:
        x, y = rng.uniform(-180, 180, 5000), rng.uniform(-89, 89, 5000)
    a, b = original.transform(x, y), fast.transform(x, y)
    for u, v in zip(a, b, strict=True):
        assert np.array_equal(np.asarray(u).view(np.int64), np.asarray(v).view(np.int64))
    assert screening._per_thread(original) is fast  # cached


def test_per_thread_transformer_keeps_a_choice_of_operations():
    import pyproj

    choice = pyproj.Transformer.from_crs("EPSG:4267", "EPSG:4326", always_xy=True)
    assert not choice.definition.startswith("proj=")  # PROJ picks per point: no one pipeline
    assert screening._per_thread(choice) is choice


def test_screen_xy_threads_agree_with_screen(plan, monkeypatch):
    monkeypatch.setattr(screening, "CHUNK", 500)  # six chunks: the worker threads transform
    rng = np.random.default_rng(5)
    lon, lat = to_lonlat(rng.uniform(*BOUNDS[::2], 3000), rng.uniform(*BOUNDS[1::2], 3000))
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    ref = screening.screen(sites, plan, threads=1).drop(columns="geometry")
    for threads in (1, 2):
        got = screening.screen_xy(lon, lat, plan, threads=threads)
        pd.testing.assert_frame_equal(got, ref.reset_index(drop=True), check_exact=True)


# ---------------------------------------------------------------- the one-pass path for points


def _lonlat_points(n, seed):
    rng = np.random.default_rng(seed)
    lon, lat = to_lonlat(rng.uniform(*BOUNDS[::2], n), rng.uniform(*BOUNDS[1::2], n))
    return list(shapely.points(lon, lat))


@pytest.mark.parametrize("where", [0, 250, 435])
def test_polygons_in_any_chunk_give_the_mixed_answer_and_count_once(plan, monkeypatch, where):
    monkeypatch.setattr(screening, "CHUNK", 100)  # polygons go 10 to a chunk
    geoms = _lonlat_points(450, 9)
    polys = list(range(where, where + 15))
    for k in polys:
        geoms[k] = shapely.box(122.8, 41.5 + k * 1e-4, 122.81, 41.51 + k * 1e-4)
    sites = gpd.GeoDataFrame({"k": range(450)}, geometry=geoms, crs=4326)
    seen = []
    got = screening.screen(sites, plan, industry="trade_logistics", progress=seen.append)
    assert sum(seen) == 450 and min(seen) > 0
    points = screening.screen(sites.drop(index=polys), plan, industry="trade_logistics")
    polygons = screening.screen(sites.loc[polys], plan, industry="trade_logistics")
    assert got["site_area_ha"].notna().sum() == 15
    for part in (points, polygons):
        shared = [c for c in part.columns if c != "geometry"]
        pd.testing.assert_frame_equal(
            got.loc[part.index, shared], part[shared], check_dtype=False, check_categorical=False
        )


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (shapely.Point(), r"missing or empty geometry at index 'r250'"),
        (None, r"missing or empty geometry at index 'r250'"),
        (shapely.Point(np.nan, 41.5), r"non-finite coordinates at index 'r250'"),
        (shapely.LineString([(122.7, 41.5), (122.8, 41.6)]), r"unsupported geometry type .* at index 'r250'"),
    ],
)
def test_a_bad_point_in_a_late_chunk_is_named(plan, monkeypatch, bad, match):
    monkeypatch.setattr(screening, "CHUNK", 100)
    geoms = _lonlat_points(300, 4)
    geoms[250] = bad
    sites = gpd.GeoDataFrame(geometry=geoms, index=[f"r{i}" for i in range(300)], crs=4326)
    with pytest.raises(InputError, match=match):
        screening.screen(sites, plan, threads=2)


def test_bad_sites_are_reported_before_an_unknown_industry(plan):
    sites = gpd.GeoDataFrame(geometry=[shapely.Point(122.7, 41.5), None], crs=4326)
    with pytest.raises(InputError, match="missing or empty geometry at index 1"):
        screening.screen(sites, plan, industry="steel")
    with pytest.raises(InputError, match="unknown industry 'steel'"):
        screening.screen(sites.iloc[:1], plan, industry="steel")


# ---------------------------------------------------------------- outside the metric CRS


@pytest.mark.parametrize(
    "far",
    [shapely.Point(33.0, 0.0), shapely.box(33.0, 0.0, 33.1, 0.1)],
    ids=["point", "polygon"],
)
def test_site_with_no_metric_coordinates_is_named(plan, far):
    """lon 33 is 90 degrees from EPSG:4550's central meridian: the projection is infinite there."""
    near = shapely.Point(122.9, 41.5)
    sites = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[near, far], crs="EPSG:4326", index=["ok", "far-away"])
    with pytest.raises(InputError, match=r"'far-away'.*outside the area of the plan's metric CRS EPSG:4550"):
        screening.screen(sites, plan)


def test_screen_xy_names_the_position_outside_the_metric_crs(plan):
    with pytest.raises(InputError, match=r"position 1 \(33\.0, 0\.0 in EPSG:4326\) lies outside"):
        screening.screen_xy([122.9, 33.0], [41.5, 0.0], plan)
