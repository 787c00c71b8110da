"""Tests of lzspatial.gcj against the independent prcoords implementation."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from lzspatial.crs import gcj
from lzspatial.errors import CRSError, InputError

prcoords = pytest.importorskip("prcoords")

N = 4000
GEOD = pyproj.Geod(ellps="WGS84")
FORWARD = [gcj.wgs84_to_gcj02, gcj.gcj02_to_bd09, gcj.wgs84_to_bd09]
INVERSE = [gcj.gcj02_to_wgs84, gcj.bd09_to_gcj02, gcj.bd09_to_wgs84]
ALL = FORWARD + INVERSE


@pytest.fixture(scope="module")
def china() -> tuple[np.ndarray, np.ndarray]:
    """Seeded random points inside the China box (plus a band at lon 105)."""
    rng = np.random.default_rng(20230201)
    lon = rng.uniform(72.01, 137.83, N)
    lat = rng.uniform(0.83, 55.82, N)
    lon[:50] = 105.0 + rng.normal(0, 1e-6, 50)  # sqrt(|lon - 105|) kink
    return lon, lat


def _ref(func, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply a prcoords function (lat, lon order) point by point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = np.array([func((la, lo)) for lo, la in zip(lon, lat, strict=True)])
    return out[:, 1], out[:, 0]


def _ref1(func, lon: float, lat: float) -> tuple[float, float]:
    """Apply a prcoords function to one point; return (lon, lat) floats."""
    x, y = _ref(func, [lon], [lat])
    return float(x[0]), float(y[0])


def _maxdiff(a, b) -> float:
    return float(max(np.max(np.abs(np.asarray(a[0]) - b[0])), np.max(np.abs(np.asarray(a[1]) - b[1]))))


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (gcj.wgs84_to_gcj02, prcoords.wgs_gcj),
        (gcj.gcj02_to_bd09, prcoords.gcj_bd),
        (gcj.wgs84_to_bd09, prcoords.wgs_bd),
    ],
)
def test_forward_matches_prcoords(china, ours, theirs):
    lon, lat = china
    assert _maxdiff(ours(lon, lat), _ref(theirs, lon, lat)) < 1e-9


@pytest.mark.parametrize(
    ("fwd", "inv"),
    [
        (gcj.wgs84_to_gcj02, gcj.gcj02_to_wgs84),
        (gcj.gcj02_to_bd09, gcj.bd09_to_gcj02),
        (gcj.wgs84_to_bd09, gcj.bd09_to_wgs84),
    ],
)
def test_round_trip_is_precise(china, fwd, inv):
    lon, lat = china
    back = inv(*fwd(lon, lat))
    assert _maxdiff(back, (lon, lat)) < 1e-9  # spec: < 1e-6 deg; we do far better


@pytest.mark.parametrize(
    ("ours", "fwd", "bored", "tol"),
    [
        # prcoords' "bored" inverses stop once a step is < 1e-5 deg, so they are
        # only ~1e-7 deg precise; ours are checked against the forward above.
        (gcj.gcj02_to_wgs84, gcj.wgs84_to_gcj02, prcoords.gcj_wgs_bored, 1e-6),
        (gcj.bd09_to_gcj02, gcj.gcj02_to_bd09, prcoords.bd_gcj_bored, 1e-6),
        (gcj.bd09_to_wgs84, gcj.wgs84_to_bd09, prcoords.bd_wgs_bored, 1e-6),
    ],
)
def test_inverse_matches_prcoords_precise_inverse(china, ours, fwd, bored, tol):
    lon, lat = fwd(*china)
    assert _maxdiff(ours(lon, lat), _ref(bored, lon, lat)) < tol


def test_inverse_beats_prcoords_rough_inverse(china):
    lon, lat = gcj.wgs84_to_gcj02(*china)
    rough = _ref(prcoords.gcj_wgs, lon, lat)
    assert _maxdiff(rough, china) > 1e-7  # the one-step inverse is metre-level
    assert _maxdiff(gcj.gcj02_to_wgs84(lon, lat), china) < 1e-9


@settings(deadline=None)
@given(
    lon=st.floats(72.004, 137.8347, allow_nan=False),
    lat=st.floats(0.8293, 55.8271, allow_nan=False),
)
def test_round_trip_hypothesis(lon, lat):
    g = gcj.wgs84_to_gcj02(lon, lat)
    assert g == pytest.approx(_ref1(prcoords.wgs_gcj, lon, lat), abs=1e-9)
    if not gcj.outside_china(*g):  # the inverse tests the box on the GCJ side
        w = gcj.gcj02_to_wgs84(*g)
        assert abs(w[0] - lon) < 1e-9 and abs(w[1] - lat) < 1e-9
    b = gcj.bd09_to_gcj02(*gcj.gcj02_to_bd09(lon, lat))
    assert abs(b[0] - lon) < 1e-9 and abs(b[1] - lat) < 1e-9


OUTSIDE = [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (100.0, 60.0), (110.0, 0.5), (72.0, 30.0)]


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE)
def test_identity_outside_china(lon, lat):
    assert gcj.outside_china(lon, lat) is True
    assert gcj.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj.gcj02_to_wgs84(lon, lat) == (lon, lat)
    # BD-09 is applied everywhere, as in the standard code and prcoords
    assert gcj.wgs84_to_bd09(lon, lat) == pytest.approx(gcj.gcj02_to_bd09(lon, lat), abs=1e-12)
    assert gcj.wgs84_to_bd09(lon, lat) == pytest.approx(_ref1(prcoords.wgs_bd, lon, lat), abs=1e-9)


def test_outside_china_array_and_box_edges():
    lon = np.array([[72.004, 72.0039], [137.8347, 137.8348]])
    lat = np.array([[0.8293, 30.0], [55.8271, 30.0]])
    out = gcj.outside_china(lon, lat)
    assert out.dtype == bool and out.shape == (2, 2)
    assert out.tolist() == [[False, True], [False, True]]
    assert gcj.outside_china(np.nan, 30.0) is False


@pytest.mark.parametrize("func", ALL)
def test_shapes_and_scalars(func):
    lon = np.full((3, 4), 122.72) + np.arange(12).reshape(3, 4) * 0.01
    lat = np.full((3, 4), 41.51)
    x, y = func(lon, lat)
    assert isinstance(x, np.ndarray) and x.shape == (3, 4) and y.shape == (3, 4)
    assert x.dtype == np.float64
    sx, sy = func(122.72, 41.51)
    assert type(sx) is float and type(sy) is float
    assert (sx, sy) == (x[0, 0], y[0, 0])
    lx, ly = func([122.72, 122.73], 41.51)  # list + broadcast scalar
    assert lx.shape == (2,) and ly[1] == pytest.approx(y[0, 1])
    ex, ey = func([], [])
    assert ex.shape == (0,) and ey.shape == (0,)
    ix, _ = func(122, 41)  # ints
    assert type(ix) is float


@pytest.mark.parametrize("func", ALL)
def test_nan_gives_nan_and_leaves_others_alone(func):
    x, y = func([np.nan, 122.72, 122.72], [41.51, np.nan, 41.51])
    assert np.isnan(x[:2]).all() and np.isnan(y[:2]).all()
    assert (x[2], y[2]) == func(122.72, 41.51)
    assert all(np.isnan(v) for v in func(np.nan, np.nan))


@pytest.mark.parametrize("func", ALL)
def test_bad_input_raises_input_error(func):
    with pytest.raises(InputError, match="lon must be a number"):
        func("east", 41.5)
    with pytest.raises(InputError, match="do not broadcast"):
        func([1.0, 2.0, 3.0], [1.0, 2.0])


def test_input_not_modified():
    lon, lat = np.array([122.72, 122.8]), np.array([41.51, 41.6])
    keep = lon.copy(), lat.copy()
    for func in ALL:
        func(lon, lat)
    assert np.array_equal(lon, keep[0]) and np.array_equal(lat, keep[1])


def test_liaozhong_shift_is_a_few_hundred_metres():
    lon, lat = 122.72, 41.51
    glon, glat = gcj.wgs84_to_gcj02(lon, lat)
    _, _, metres = GEOD.inv(lon, lat, glon, glat)
    assert 100 < metres < 1000
    wlon, wlat = gcj.gcj02_to_wgs84(glon, glat)
    assert GEOD.inv(lon, lat, wlon, wlat)[2] < 1e-3  # round trip better than 1 mm


def _square(lon: float, lat: float, d: float = 0.01) -> Polygon:
    return Polygon([(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d)])


def test_transform_geometries_keeps_structure():
    hole = _square(122.723, 41.513, 0.002).exterior.coords
    poly = Polygon(_square(122.72, 41.51).exterior.coords, [hole])
    geoms = np.array(
        [
            poly,
            MultiPolygon([poly, _square(122.8, 41.6)]),
            LineString([(122.7, 41.5), (122.8, 41.6)]),
            Point(122.72, 41.51),
            None,
            Polygon(),
        ]
    )
    out = gcj.transform_geometries(geoms, gcj.wgs84_to_gcj02)
    assert shapely.get_num_coordinates(out).tolist() == shapely.get_num_coordinates(geoms).tolist()
    assert out[4] is None and out[5].is_empty
    assert len(out[0].interiors) == 1 and out[0].is_valid
    xy = shapely.get_coordinates(geoms[0])
    expected = np.column_stack(gcj.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    np.testing.assert_array_equal(shapely.get_coordinates(out[0]), expected)
    back = gcj.transform_geometries(out, gcj.gcj02_to_wgs84)
    assert shapely.equals_exact(back[:4], geoms[:4], tolerance=1e-9).all()


def test_transform_geometries_scalar_and_z():
    p = Point(122.72, 41.51, 33.0)
    out = gcj.transform_geometries(p, gcj.wgs84_to_bd09)
    assert out.has_z and out.z == 33.0
    assert (out.x, out.y) == gcj.wgs84_to_bd09(122.72, 41.51)


def _gdf(crs=4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "v": [1, 2]},
        geometry=[_square(122.72, 41.51), Point(122.75, 41.55)],
        crs=crs,
    )


@pytest.mark.parametrize(
    ("src", "dst"), [("wgs84", "gcj02"), ("GCJ-02", "bd09"), ("bd_09", "WGS84"), ("wgs84", "bd09")]
)
def test_convert_gdf_does_not_mutate(src, dst):
    gdf = _gdf()
    before = gdf.copy()
    out = gcj.convert_gdf(gdf, src, dst)
    assert out is not gdf
    assert gdf.geometry.geom_equals_exact(before.geometry, tolerance=0).all()
    assert gdf.equals(before)
    assert out.crs == gdf.crs and list(out.columns) == list(gdf.columns)
    assert out["id"].tolist() == ["a", "b"]
    assert not out.geometry.geom_equals_exact(gdf.geometry, tolerance=1e-6).any()
    assert shapely.get_num_coordinates(out.geometry.values).tolist() == [5, 1]


def test_convert_gdf_matches_point_functions_and_round_trips():
    gdf = _gdf(4490)
    out = gcj.convert_gdf(gdf, "wgs84", "bd09")
    assert (out.geometry.iloc[1].x, out.geometry.iloc[1].y) == gcj.wgs84_to_bd09(122.75, 41.55)
    back = gcj.convert_gdf(out, "bd09", "wgs84")
    assert back.geometry.geom_equals_exact(gdf.geometry, tolerance=1e-9).all()
    same = gcj.convert_gdf(gdf, "gcj02", "gcj02")
    assert same is not gdf and same.geometry.geom_equals_exact(gdf.geometry, tolerance=0).all()


def test_convert_gdf_other_geometry_column_name():
    gdf = _gdf().rename_geometry("geom")
    out = gcj.convert_gdf(gdf, "wgs84", "gcj02")
    assert out.geometry.name == "geom" and "geometry" not in out.columns


def test_convert_gdf_errors():
    with pytest.raises(InputError, match=r"dst='mercator'.*wgs84, gcj02, bd09"):
        gcj.convert_gdf(_gdf(), "wgs84", "mercator")
    with pytest.raises(InputError, match=r"src=None"):
        gcj.convert_gdf(_gdf(), None, "wgs84")
    with pytest.raises(CRSError, match="no CRS"):
        gcj.convert_gdf(_gdf(None), "wgs84", "gcj02")
    with pytest.raises(CRSError, match="EPSG:4550"):
        gcj.convert_gdf(_gdf().to_crs(4550), "wgs84", "gcj02")
    with pytest.raises(InputError, match="expected a GeoDataFrame"):
        gcj.convert_gdf([1, 2], "wgs84", "gcj02")
