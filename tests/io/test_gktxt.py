"""Tests of the 国土TXT reader and writer (lzspatial.gktxt)."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.io import gktxt

DATE = "2023-02-01"
X0, Y0 = 475_000.0, 4_595_000.0  # easting, northing near Liaozhong in EPSG:4550


def _hole_poly(x: float, y: float) -> Polygon:
    return Polygon(
        box(x, y, x + 200, y + 150).exterior.coords, [box(x + 50, y + 40, x + 90, y + 80).exterior.coords]
    )


@pytest.fixture
def parcels() -> gpd.GeoDataFrame:
    """Three parcels in EPSG:4550: a square, a polygon with a hole, a MultiPolygon."""
    square = box(X0, Y0, X0 + 100.123, Y0 + 100.456)
    multi = MultiPolygon([box(X0 + 500, Y0, X0 + 560.5, Y0 + 40.25), _hole_poly(X0 + 700, Y0 + 10)])
    return gpd.GeoDataFrame(
        {
            "id": ["LZ-001", "LZ-002", "LZ-003"],
            "name_zh": ["辽中一号地块", "带洞地块", "多部件地块"],
            "use": ["工业用地", "", "住宅用地"],
        },
        geometry=[square, _hole_poly(X0 + 200, Y0 + 300), multi],
        crs="EPSG:4550",
    )


def _vertices_within(a, b, tol: float = 1e-3) -> bool:
    """Same vertex count and every vertex of each within *tol* of one of the other."""
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    if len(ca) != len(cb):
        return False
    d = np.hypot(ca[:, None, 0] - cb[None, :, 0], ca[:, None, 1] - cb[None, :, 1])
    return bool(d.min(axis=1).max() <= tol and d.min(axis=0).max() <= tol)


def _rows(text: str) -> list[list[str]]:
    body = text.split("[地块坐标]", 1)[1]
    return [line.split(",") for line in body.splitlines() if line.strip()]


def _write_read(gdf, tmp_path, **kw) -> gpd.GeoDataFrame:
    path = gktxt.write_gktxt(gdf, tmp_path / "out.txt", date=DATE, **kw)
    return gktxt.read_gktxt(path, merge_parts=True)


# ------------------------------------------------------------------ writing


def test_header_lines(parcels):
    lines = gktxt.to_gktxt_string(parcels, date=DATE, producer="辽中区自然资源局").splitlines()
    assert lines[:12] == [
        "[属性描述]",
        "格式版本号=1.01版本",
        "数据产生单位=辽中区自然资源局",
        "数据产生日期=2023-02-01",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        "带号=41",
        "精度=0.001",
        "转换参数=,,,,,,",
        "[地块坐标]",
    ]
    assert "精度=0.01" in gktxt.to_gktxt_string(parcels, date=DATE, precision=2)


def test_x_is_northing_and_y_has_zone_prefix(parcels):
    rows = [r for r in _rows(gktxt.to_gktxt_string(parcels, date=DATE)) if r[-1] != "@"]
    xs = np.array([float(r[2]) for r in rows])
    ys = np.array([float(r[3]) for r in rows])
    assert np.all((xs > 4.59e6) & (xs < 4.60e6))
    assert np.all(ys // 1_000_000 == 41)
    assert np.all(np.abs(ys - 41_000_000 - X0) < 2_000)
    assert all(re.fullmatch(r"\d+\.\d{3}", v) for r in rows for v in r[2:])


def test_block_headers_counts_and_area(parcels):
    text = gktxt.to_gktxt_string(parcels, date=DATE, use_field="use")
    rows = _rows(text)
    heads = [i for i, r in enumerate(rows) if r[-1] == "@"]
    parts = parcels.explode(index_parts=True)  # the multi-part parcel is one block per part
    assert len(heads) == len(parts) == 4
    for k, (i, geom) in enumerate(zip(heads, parts.geometry, strict=True)):
        head = rows[i]
        end = heads[k + 1] if k + 1 < len(heads) else len(rows)
        pos, part = parts.index[k]
        assert len(head) == 9
        assert int(head[0]) == end - i - 1  # 界址点数 = vertex rows incl. closing rows
        assert re.fullmatch(r"\d+\.\d{4}", head[1])
        assert abs(float(head[1]) - geom.area / 10_000) < 1e-4
        pid = parcels.id[pos] + (f"-{part + 1}" if pos == 2 else "")
        assert head[2:] == [pid, parcels.name_zh[pos], "面", "", parcels.use[pos], "", "@"]


def test_point_names_rings_and_closure(parcels):
    rows = _rows(gktxt.to_gktxt_string(parcels.iloc[[1]], date=DATE))
    assert rows[0][0] == "10"
    names = [r[0] for r in rows[1:]]
    rings = [r[1] for r in rows[1:]]
    assert names == ["J1", "J2", "J3", "J4", "J1", "J5", "J6", "J7", "J8", "J5"]
    assert rings == ["1"] * 5 + ["2"] * 5
    assert rows[1][2:] == rows[5][2:] and rows[6][2:] == rows[10][2:]
    multi = _rows(gktxt.to_gktxt_string(parcels.iloc[[2]], date=DATE))
    heads = [i for i, r in enumerate(multi) if r[-1] == "@"]
    assert heads == [0, 6]  # one block per part: 圈号 >= 2 would mean a hole
    assert [r[1] for r in multi[1:6]] == ["1"] * 5
    assert [r[1] for r in multi[7:]] == ["1"] * 5 + ["2"] * 5  # the second part and its hole
    assert [r[0] for r in multi[7:]][-5:] == ["J5", "J6", "J7", "J8", "J5"]


def _signed_area(rows: list[list[str]]) -> float:
    e = np.array([float(r[3]) for r in rows]) - 41_000_000
    n = np.array([float(r[2]) for r in rows])
    return 0.5 * float(np.sum(e[:-1] * n[1:] - e[1:] * n[:-1]))


def test_exterior_clockwise_from_north_west_holes_counter_clockwise(parcels):
    g = parcels.copy()
    g.geometry = [shapely.orient_polygons(geom, exterior_cw=False) for geom in g.geometry]  # CCW input
    rows = _rows(gktxt.to_gktxt_string(g.iloc[[1]], date=DATE))[1:]
    ext, hole = rows[:5], rows[5:]
    assert _signed_area(ext) < 0 < _signed_area(hole)
    # starts at the north-west corner: largest northing, smallest easting
    assert ext[0][2:] == ["4595450.000", f"{41_000_000 + X0 + 200:.3f}"]
    assert hole[0][2:] == ["4595380.000", f"{41_000_000 + X0 + 250:.3f}"]


def _restart(geom):
    """Start every ring two vertices later (same shape, other vertex order)."""

    def ring(r):
        c = np.asarray(r.coords)[:-1]
        c = np.roll(c, -2, axis=0)
        return np.vstack([c, c[:1]])

    if geom.geom_type == "MultiPolygon":
        return MultiPolygon([_restart(p) for p in geom.geoms])
    return Polygon(ring(geom.exterior), [ring(h) for h in geom.interiors])


def test_deterministic_bytes(parcels, tmp_path):
    a = gktxt.write_gktxt(parcels, tmp_path / "a.txt", date=DATE)
    b = gktxt.write_gktxt(parcels.copy(), tmp_path / "b.txt", date=DATE)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == gktxt.to_gktxt_string(parcels, date=DATE).encode("utf-8")
    # starting vertex and orientation of the input do not matter
    g = parcels.copy()
    g.geometry = [_restart(shapely.orient_polygons(geom, exterior_cw=False)) for geom in g.geometry]
    assert not g.geometry.geom_equals_exact(parcels.geometry, tolerance=0).any()
    assert gktxt.to_gktxt_string(g, date=DATE) == a.read_text(encoding="utf-8")


def test_default_date_uses_source_date_epoch(parcels, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1675209600")  # 2023-02-01 00:00 UTC
    assert "数据产生日期=2023-02-01" in gktxt.to_gktxt_string(parcels)


def test_crlf_option(parcels):
    text = gktxt.to_gktxt_string(parcels, date=DATE, newline="\r\n")
    assert text.count("\r\n") == text.count("\n")
    assert (
        gktxt.from_gktxt_string(text)
        .geometry.geom_equals(gktxt.from_gktxt_string(text.replace("\r\n", "\n")).geometry)
        .all()
    )


# ------------------------------------------------------------ round trips


def test_round_trip_keeps_vertices_attributes_and_area(parcels, tmp_path):
    back = _write_read(parcels, tmp_path, use_field="use")
    assert back.crs == "EPSG:4529"
    assert list(back.columns) == ["parcel_id", "name", "area_ha", "use", "geometry"]
    assert back.parcel_id.tolist() == parcels.id.tolist()
    assert back.name.tolist() == parcels.name_zh.tolist()
    assert back.use.tolist() == parcels.use.tolist()
    assert np.allclose(back.area_ha, parcels.area / 10_000, atol=1e-4)
    assert back.geometry.is_valid.all()
    in4550 = back.to_crs("EPSG:4550")
    for got, want in zip(in4550.geometry, parcels.geometry, strict=True):
        assert got.geom_type == want.geom_type
        assert _vertices_within(got, want)
        assert abs(got.area - want.area) < 1.0
    assert len(in4550.geometry[1].interiors) == 1
    assert [len(p.interiors) for p in in4550.geometry[2].geoms] == [0, 1]


def test_round_trip_from_geographic_crs(parcels, tmp_path):
    back = _write_read(parcels.to_crs(4490), tmp_path).to_crs(4550)
    for got, want in zip(back.geometry, parcels.geometry, strict=True):
        assert _vertices_within(got, want)


def test_read_with_other_crs(parcels, tmp_path):
    path = gktxt.write_gktxt(parcels, tmp_path / "p.txt", date=DATE)
    back = gktxt.read_gktxt(path, crs="EPSG:4550", merge_parts=True)
    assert back.crs == "EPSG:4550"
    assert _vertices_within(back.geometry[0], parcels.geometry[0])


def test_gbk_round_trip(parcels, tmp_path):
    path = gktxt.write_gktxt(parcels, tmp_path / "gbk.txt", date=DATE, encoding="gbk")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "辽中一号地块" in raw.decode("gbk")
    back = gktxt.read_gktxt(path, merge_parts=True)
    assert back.name.tolist() == parcels.name_zh.tolist()
    assert gktxt.read_gktxt(path, encoding="gbk", merge_parts=True).name.tolist() == parcels.name_zh.tolist()


def test_utf8_bom_and_missing_prefix(parcels, tmp_path):
    text = gktxt.to_gktxt_string(parcels, date=DATE)
    plain = re.sub(r",41(\d{6}\.\d{3})$", r",\1", text, flags=re.M)
    assert ",41475" not in plain
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + plain.encode("utf-8"))
    back = gktxt.read_gktxt(path, merge_parts=True)
    assert back.crs == "EPSG:4529"
    assert back.geometry.geom_equals_exact(
        gktxt.from_gktxt_string(text, merge_parts=True).geometry, tolerance=1e-6
    ).all()


def test_reader_is_tolerant_of_orientation_order_and_blank_lines():
    text = """[属性描述]
带号=41

[地块坐标]
10,3.7,x,名,面,,,,@
J5,1,4595100,475250
J6,1,4595050,475250
J7,1,4595050,475300
J8,1,4595100,475300
J5,1,4595100,475250
J1,2,4595200,475200
J2,2,4595000,475200
J3,2,4595000,475400
J4,2,4595200,475400
J1,2,4595200,475200
"""  # hole first, exterior counter-clockwise, no prefix
    geom = gktxt.from_gktxt_string(text).geometry[0]
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    assert geom.area == pytest.approx(200 * 200 - 50 * 50)


def test_island_in_hole_becomes_multipolygon():
    outer = Polygon(box(0, 0, 100, 100).exterior.coords, [box(10, 10, 90, 90).exterior.coords])
    island = box(40, 40, 60, 60)
    gdf = gpd.GeoDataFrame({"id": ["i"]}, geometry=[MultiPolygon([outer, island])], crs=4550)
    gdf.geometry = gdf.translate(X0, Y0)
    back = gktxt.from_gktxt_string(
        gktxt.to_gktxt_string(gdf, date=DATE, name_field=None), merge_parts=True
    ).to_crs(4550)
    assert back.geometry[0].geom_type == "MultiPolygon"
    assert _vertices_within(back.geometry[0], gdf.geometry[0])


@st.composite
def _polygons(draw) -> Polygon:
    x = draw(st.floats(X0 - 20_000, X0 + 20_000))
    y = draw(st.floats(Y0 - 20_000, Y0 + 20_000))
    if draw(st.booleans()):
        w = draw(st.floats(0.5, 2_000))
        h = draw(st.floats(0.5, 2_000))
        return box(x, y, x + w, y + h)
    n = draw(st.integers(3, 12))
    radius = draw(st.floats(5, 1_000))
    jitter = draw(st.lists(st.floats(0, 0.5), min_size=n, max_size=n))
    radii = draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n))
    angles = [2 * math.pi * (i + j) / n for i, j in enumerate(jitter)]
    return Polygon(
        [
            (x + radius * r * math.cos(a), y + radius * r * math.sin(a))
            for a, r in zip(angles, radii, strict=True)
        ]
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polys=st.lists(_polygons(), min_size=1, max_size=3))
def test_round_trip_hypothesis(polys):
    assume(all(p.is_valid and p.area > 1.0 for p in polys))
    gdf = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(polys))]}, geometry=polys, crs=4550)
    try:
        text = gktxt.to_gktxt_string(gdf, name_field=None, date=DATE)
    except InputError as err:  # a sliver that rounding to mm would break is refused, never written
        assert "invalid once rounded" in str(err)
        assume(False)
    back = gktxt.from_gktxt_string(text).to_crs(4550)
    assert back.parcel_id.tolist() == gdf.id.tolist()
    for got, want, area in zip(back.geometry, gdf.geometry, back.area_ha, strict=True):
        assert got.is_valid
        assert _vertices_within(got, want)
        # 地块面积 is the area of the coordinates as written (rounded to 4 decimals) ...
        assert abs(area - got.area / 10_000) <= 0.5e-4 + 1e-9
        # ... which differs from the unrounded area by at most perimeter x 0.5 mm
        assert abs(area - want.area / 10_000) <= 0.5e-4 + want.length * 0.0005 / 10_000


# ----------------------------------------------------------- write errors


def test_write_errors(parcels, tmp_path):
    with pytest.raises(CRSError, match="no CRS"):
        gktxt.to_gktxt_string(parcels.set_crs(None, allow_override=True))
    line = parcels.copy()
    line.loc[1, "geometry"] = LineString([(X0, Y0), (X0 + 1, Y0 + 1)])
    with pytest.raises(InputError, match=r"feature 1 \(index 1, id 'LZ-002'\), field 'geometry': LineString"):
        gktxt.to_gktxt_string(line)
    bow = parcels.copy()
    bow.loc[0, "geometry"] = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    with pytest.raises(InputError, match="id 'LZ-001'.*Self-intersection"):
        gktxt.to_gktxt_string(bow)
    comma = parcels.copy()
    comma.loc[2, "name_zh"] = "a,b"
    with pytest.raises(InputError, match=r"id 'LZ-003'\), field 'name_zh': value 'a,b' contains ','"):
        gktxt.to_gktxt_string(comma)
    with pytest.raises(InputError, match=r"id_field='code' is not a column"):
        gktxt.to_gktxt_string(parcels, id_field="code")
    with pytest.raises(InputError, match="no features"):
        gktxt.to_gktxt_string(parcels.iloc[[]])
    with pytest.raises(InputError, match="precision=9"):
        gktxt.to_gktxt_string(parcels, precision=9)
    with pytest.raises(InputError, match="date='1 Feb'"):
        gktxt.to_gktxt_string(parcels, date="1 Feb")
    emoji = parcels.copy()
    emoji.loc[0, "name_zh"] = "地块😀"
    with pytest.raises(InputError, match=r"gbk.txt: line 13: character '😀'"):
        gktxt.write_gktxt(emoji, tmp_path / "gbk.txt", encoding="gbk")
    with pytest.raises(OutputError, match="does not exist"):
        gktxt.write_gktxt(parcels, tmp_path / "missing" / "x.txt")
    assert not list(tmp_path.iterdir())


def test_missing_values_and_numeric_ids(parcels):
    g = parcels.copy()
    g["id"] = [1, 2, 3]
    g["name_zh"] = [None, float("nan"), "x"]
    rows = [r for r in _rows(gktxt.to_gktxt_string(g, date=DATE)) if r[-1] == "@"]
    # the 2-part parcel is one block per part
    assert [r[2:4] for r in rows] == [["1", ""], ["2", ""], ["3-1", "x"], ["3-2", "x"]]
    rows = [r for r in _rows(gktxt.to_gktxt_string(g, date=DATE, id_field=None)) if r[-1] == "@"]
    assert [r[2] for r in rows] == ["1", "2", "3-1", "3-2"]


# ------------------------------------------------------------ read errors

GOOD = """[属性描述]
坐标系=2000国家大地坐标系
带号=41
[地块坐标]
5,1.0000,p1,名称,面,,,,@
J1,1,4595100.000,41475000.000
J2,1,4595100.000,41475100.000
J3,1,4595000.000,41475100.000
J4,1,4595000.000,41475000.000
J1,1,4595100.000,41475000.000
"""


def _read_text(tmp_path, text: str) -> gpd.GeoDataFrame:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    return gktxt.read_gktxt(path, merge_parts=True)


def test_good_fixture_reads(tmp_path):
    gdf = _read_text(tmp_path, GOOD)
    assert gdf.parcel_id.tolist() == ["p1"] and gdf.area_ha[0] == 1.0
    assert gdf.geometry[0].area == pytest.approx(10_000)


@pytest.mark.parametrize(
    ("old", "new", "error", "match"),
    [
        ("[地块坐标]", "[坐标]", InputError, r"bad\.txt: no \[地块坐标\] section"),
        (
            "5,1.0000,p1",
            "6,1.0000,p1",
            InputError,
            r"bad\.txt: line 5, field 界址点数: parcel 'p1' says 6 but has 5",
        ),
        (
            "J2,1,4595100.000,",
            "J2,1,4595l00.000,",
            InputError,
            r"line 7, field X \(northing\): '4595l00.000' is not a finite number",
        ),
        (
            "J3,1,4595000.000,41475100.000",
            "J3,1,4595000.000,nan",
            InputError,
            r"line 8, field Y \(easting\): 'nan'",
        ),
        (
            "J3,1,4595000.000,41475100.000",
            "J3,1,4595000.000,41475000.000\nJ3b,1,4595000.000,41475100.000",
            InputError,
            r"field 界址点数",
        ),
        (
            "J4,1,4595000.000,41475000.000",
            "J4,1,4595000.000,41475000.000,9",
            InputError,
            r"line 9, field 点号,圈号,X,Y: 5 fields",
        ),
        (
            "5,1.0000,p1,名称,面,,,,@",
            "5,1.0000,p1,名称,面,,@",
            InputError,
            r"line 5, field parcel header: 7 fields, expected at least 9",
        ),
        ("5,1.0000,p1,名称,面", "5,1.0000,p1,名称,线", InputError, r"line 5, field 记录图形属性: '线'"),
        ("5,1.0000,p1", "五,1.0000,p1", InputError, r"line 5, field 界址点数: '五' is not an integer"),
        ("5,1.0000,p1", "5,一公顷,p1", InputError, r"line 5, field 地块面积: '一公顷'"),
        ("J2,1,4595100.000", "J2,x,4595100.000", InputError, r"line 7, field 圈号: 'x' is not an integer"),
        (
            "J2,1,4595100.000,41475100.000",
            "J2,1,41475100.000,4595100.000",
            InputError,
            r"line 7, field X: .*swap them",
        ),
        (
            "J2,1,4595100.000,41475100.000",
            "J2,1,4595100.000,475100.000",
            InputError,
            r"line 7, field Y: Y=475100.0 lacks the zone prefix unlike line 6",
        ),
        (
            "J2,1,4595100.000,41475100.000",
            "J2,1,4595100.000,5475100.000",
            InputError,
            r"line 7, field Y: .*neither a prefixed easting",
        ),
        (
            "[地块坐标]\n5,1.0000,p1,名称,面,,,,@\n",
            "[地块坐标]\n",
            InputError,
            r"line 5, field 点号: vertex row before any parcel header",
        ),
        (
            "[属性描述]\n",
            "junk\n[属性描述]\n",
            InputError,
            r"line 1, field section: data 'junk' before any section",
        ),
    ],
)
def test_malformed_files(tmp_path, old, new, error, match):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(error, match=match):
        _read_text(tmp_path, text)


def test_unclosed_ring(tmp_path):
    text = GOOD.rsplit("J1,1", 1)[0] + "J5,1,4595050.000,41475000.000\n"  # last row is not J1
    match = (
        r"bad\.txt: line 10, field X/Y: ring 1 of parcel 'p1' is not closed: last point J5 .* first point J1"
    )
    with pytest.raises(InputError, match=match):
        _read_text(tmp_path, text)


def test_invalid_parcel_names_geos_reason(tmp_path):
    bow = GOOD.replace(
        "J3,1,4595000.000,41475100.000\nJ4,1,4595000.000,41475000.000",
        "J3,1,4595000.000,41475000.000\nJ4,1,4595000.000,41475100.000",
    )
    with pytest.raises(
        InputError, match=r"line 6, field X/Y: invalid ring 1 of parcel 'p1' \(Self-intersection"
    ):
        _read_text(tmp_path, bow)
    # two valid rings that overlap: the assembled polygon is invalid
    extra = "".join(
        f"{p},2,{x},{y}\n"
        for p, x, y in [
            ("J5", 4595050, 41475050),
            ("J6", 4595050, 41475150),
            ("J7", 4595150, 41475150),
            ("J8", 4595150, 41475050),
            ("J5", 4595050, 41475050),
        ]
    )
    text = GOOD.replace("5,1.0000,p1", "10,1.0000,p1") + extra
    with pytest.raises(
        InputError, match=r"line 5, field geometry: parcel 'p1' is invalid \(Self-intersection"
    ):
        _read_text(tmp_path, text)


def test_ring_errors(tmp_path):
    short = "[地块坐标]\n3,0,p,,面,,,,@\nJ1,1,4595100,475000\nJ2,1,4595100,475100\nJ1,1,4595100,475000\n"
    with pytest.raises(InputError, match=r"line 3, field 圈号: ring 1 of parcel 'p' has 3 rows"):
        _read_text(tmp_path, short)
    split = (
        "[地块坐标]\n9,0,p1,,面,,,,@\n"
        "J1,1,4595100,475000\nJ2,1,4595100,475100\n"
        "J5,2,4595060,475040\nJ6,2,4595060,475060\nJ7,2,4595040,475060\nJ5,2,4595060,475040\n"
        "J3,1,4595000,475100\nJ4,1,4595000,475000\nJ1,1,4595100,475000\n"
    )
    with pytest.raises(
        InputError, match=r"line 9, field 圈号: ring 1 of parcel 'p1' resumes after another ring"
    ):
        _read_text(tmp_path, split)


def test_empty_coordinate_section(tmp_path):
    with pytest.raises(InputError, match="contains no parcels"):
        _read_text(tmp_path, "[属性描述]\n带号=41\n[地块坐标]\n")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("41475000.000", "40475000.000", r"line 6, field Y: Y=40475000.0 is in zone 40, expected 41"),
        ("带号=41", "带号=40", r"line 3, field 带号: '40' is not supported"),
        ("坐标系=2000国家大地坐标系", "坐标系=1980西安坐标系", r"line 2, field 坐标系: '1980西安坐标系'"),
        ("带号=41", "带号=41\n几度分带=6", r"line 4, field 几度分带: '6'"),
    ],
)
def test_crs_errors(tmp_path, old, new, match):
    with pytest.raises(CRSError, match=match):
        _read_text(tmp_path, GOOD.replace(old, new, 1))


def test_encoding_errors(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(GOOD.encode("utf-8") + b"\xff\xfe\xff")
    with pytest.raises(InputError, match=r"bin\.txt: line 11: bytes .* are not utf-8 or gb18030"):
        gktxt.read_gktxt(path)
    with pytest.raises(InputError, match="cannot read"):
        gktxt.read_gktxt(tmp_path / "nope.txt")


# ------------------------------------------------------------ header variants and multi-part blocks


@pytest.mark.parametrize(
    "head",
    [
        "5,1.0000,p1,名称,面,,,,@",  # the 9-field header
        "5,1.0000,p1,名称,面,K51,住宅用地,0701,辽中区,2023,项目甲,整治区,@",  # 13 fields (土地整治)
    ],
)
def test_reader_accepts_nine_field_and_longer_headers(head):
    back = gktxt.from_gktxt_string(GOOD.replace("5,1.0000,p1,名称,面,,,,@", head))
    assert back.parcel_id.tolist() == ["p1"] and back.name.tolist() == ["名称"]
    assert back.area.iloc[0] == pytest.approx(10_000.0)
    assert back.use.tolist() == [head.split(",")[6]]


def test_multipart_blocks_merge_back_and_stay_apart_by_default(parcels):
    text = gktxt.to_gktxt_string(parcels.iloc[[2]], date=DATE)
    apart = gktxt.from_gktxt_string(text)
    assert apart.parcel_id.tolist() == ["LZ-003-1", "LZ-003-2"]
    assert [g.geom_type for g in apart.geometry] == ["Polygon", "Polygon"]
    assert [len(g.interiors) for g in apart.geometry] == [0, 1]  # 圈号 2 of block 2 is a hole
    merged = gktxt.from_gktxt_string(text, merge_parts=True)
    assert merged.parcel_id.tolist() == ["LZ-003"]
    assert merged.area_ha.iloc[0] == pytest.approx(apart.area_ha.sum())
    got, want = merged.to_crs(4550).geometry.iloc[0], parcels.geometry.iloc[2]
    assert len(got.geoms) == 2 and shapely.hausdorff_distance(got, want) < 1e-3
    assert abs(got.area - want.area) < 1e-3
