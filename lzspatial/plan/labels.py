"""The one bilingual label table: fixed vocabularies, verdicts, control-line kinds, style classes, fields.

The web map, the compliance report, the QGIS styles, the 国土TXT export and the CLI all
read their (zh, en) wording here, so a verdict or a class reads the same everywhere.
It lives in the plan tier (not with the outputs) because the siting rules, one tier up,
quote control-line names in their reasons.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "BACK_TRANSLATION_NOTE",
    "CLASS_LABELS",
    "CONTROL_LINE_LABELS",
    "DIFF_LABELS",
    "ENGLISH_ONLY",
    "ELEMENT_LABELS",
    "FIELD_LABELS",
    "LANGS",
    "TRANSLATED",
    "SCHEMATIC_LABEL",
    "SCHEMATIC_MARKS",
    "SCHEMATIC_NOTE",
    "VERDICTS",
    "VERDICT_LABELS",
    "class_label",
    "combined_label",
    "field_label",
    "strip_schematic",
    "label_zh",
    "value_labels",
    "verdict_label",
]

#: Languages of labels: Chinese, English, or both ("中文 English").
LANGS = ("zh", "en", "both")

#: The mark of a schematic legend entry, and the legend's note on it (as on the web map).
SCHEMATIC_LABEL = ("示意", "schematic")
SCHEMATIC_NOTE = ("虚线或空心符号 = 示意性几何", "dashed or hollow = schematic geometry")

#: The note printed wherever Chinese names of plan elements are shown: the source is English.
BACK_TRANSLATION_NOTE = (
    "规划要素的中文名称（一核四区、分区、产业链等）由英文原文回译，尚未与中文原文核对。",
    "Chinese names of plan elements (the structure, zones, chains) are back-translations of the "
    "English source text, not yet checked against the Chinese original.",
)

#: English free-text fields and the field holding their Chinese version: a Chinese popup shows the
#: Chinese, or the English marked :data:`ENGLISH_ONLY` where the Chinese is missing.
TRANSLATED: dict[str, str] = {
    "note": "note_zh",
    "source": "source_zh",
    "role": "role_zh",
    "toward": "toward_zh",
}

#: Marker shown beside an English text where its Chinese version (``note_zh``, ``source_zh``) is missing.
ENGLISH_ONLY: tuple[str, str] = ("仅英文", "English only")

#: Verdicts of the siting screen, best first.
VERDICTS = ("pass", "conditional", "fail")

#: (element, class) -> (zh, en), for classes without a plan vocabulary.
CLASS_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "context": {"True": ("沈阳市辖区", "Shenyang districts"), "False": ("周边区县", "Other neighbours")},
    "places": {
        "district_seat": ("区政府驻地", "District seat"),
        "city_centre": ("沈阳市中心", "Shenyang centre"),
        "city": ("周边城市", "Nearby cities"),
    },
    "centers": {"main": ("主中心", "Main center"), "secondary": ("次中心", "Secondary center")},
    "towns": {
        "seat": ("城区街道", "Urban subdistricts"),
        "key": ("文中点名的镇", "Towns named in the plan text"),
        "general": ("一般乡镇", "Other towns"),
    },
    "transport": {"railway": ("铁路", "Railway"), "expressway": ("高速公路", "Expressway")},
    "water": {"river": ("河流", "River")},
    "control_lines": {
        "eco_red_line": ("生态保护红线", "Ecological protection red line"),
        "basic_farmland": ("永久基本农田", "Permanent basic farmland"),
        "urban_development_boundary": ("城镇开发边界", "Urban development boundary"),
    },
    "violations": {
        "error": ("错误", "Error"),
        "warning": ("警告", "Warning"),
        "info": ("提示", "Info"),
        "accepted": ("已接受的例外", "Accepted exception"),
    },
    "sites": {
        "pass": ("符合", "Pass"),
        "conditional": ("有条件符合", "Conditional"),
        "fail": ("不符合", "Fail"),
        "missing": ("无结论", "No verdict"),
    },
}

#: Schema element -> (zh, en): the generic name of a feature of the element (legends, tables).
ELEMENT_LABELS: dict[str, tuple[str, str]] = {
    "boundary": ("区界", "District boundary"),
    "context": ("周边区县", "Neighbour"),
    "places": ("参考地点", "Reference place"),
    "control_lines": ("管控线", "Control line"),
    "zones": ("分区", "Zone"),
    "core": ("核心区", "Core"),
    "water": ("水系", "Water"),
    "transport": ("交通", "Transport"),
    "axes": ("发展轴", "Development axis"),
    "parks": ("园区", "Park"),
    "towns": ("乡镇", "Town"),
    "centers": ("中心", "Center"),
}

#: Verdict -> (zh, en): the wording of the map legend, the report and the CLI.
VERDICT_LABELS: dict[str, tuple[str, str]] = CLASS_LABELS["sites"]

#: Control-line kind (三区三线) -> (zh, en).
CONTROL_LINE_LABELS: dict[str, tuple[str, str]] = CLASS_LABELS["control_lines"]

#: Vocabulary (``[vocabularies.NAME]`` of the manifest) of the style classes of an element.
_CLASS_VOCAB = {"zones": "functional_areas", "parks": "park_kinds"}

#: (element, field) -> vocabulary whose labels a popup shows for the field's values.
_FIELD_VOCAB = {
    ("zones", "functions"): "functional_areas",
    ("parks", "industries"): "industry_chains",
    ("parks", "kind"): "park_kinds",
    ("towns", "tags"): "town_tags",
}

#: (element, field) -> value -> (zh, en), for fields with a fixed vocabulary that is not a style class.
_ELEMENT_VALUES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("towns", "kind"): {"subdistrict": ("街道", "subdistrict"), "town": ("镇", "town")},
    ("towns", "rank"): {
        "seat": ("城区街道", "urban subdistrict"),
        "key": ("重点镇", "key town"),
        "general": ("一般乡镇", "other town"),
    },
}

#: Fields whose value names a style class: their values read as the class labels.
_CLASS_VALUE_FIELDS = ("kind", "rank")

#: Yes/no values (booleans are shown as "true"/"false").
_BOOLEANS = {"true": {"zh": "是", "en": "yes"}, "false": {"zh": "否", "en": "no"}}

_FIXED_VALUES = {
    "geometry_basis": {
        "sourced": {"zh": "有来源", "en": "sourced"},
        "derived": {"zh": "推算", "en": "derived"},
        "schematic": {"zh": "示意", "en": "schematic"},
    },
    "data_basis": {
        "sourced": {"zh": "有来源", "en": "sourced"},
        "derived": {"zh": "推算", "en": "derived"},
        "schematic": {"zh": "示意", "en": "schematic"},
    },
    "status": {
        "existing": {"zh": "已建", "en": "existing"},
        "under_construction": {"zh": "在建", "en": "under construction"},
        "planned": {"zh": "规划", "en": "planned"},
    },
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "id": ("编号", "id"),
    "name_zh": ("中文名", "Chinese name"),
    "name_en": ("英文名", "English name"),
    "geometry_basis": ("几何依据", "geometry basis"),
    "source": ("来源", "source"),
    "note": ("说明", "note"),
    "note_zh": ("说明（中文）", "note (Chinese)"),
    "source_zh": ("来源（中文）", "source (Chinese)"),
    "role_zh": ("作用（中文）", "role (Chinese)"),
    "toward_zh": ("指向（中文）", "toward (Chinese)"),
    "kind": ("类型", "kind"),
    "rank": ("等级", "rank"),
    "functions": ("功能", "functions"),
    "industries": ("产业链", "industry chains"),
    "status": ("状态", "status"),
    "tags": ("标签", "tags"),
    "pinyin": ("拼音", "pinyin"),
    "code": ("统计代码", "statistical code"),
    "adcode": ("行政区划代码", "adcode"),
    "in_shenyang": ("属沈阳市", "in Shenyang"),
    "role": ("作用", "role"),
    "toward": ("指向", "toward"),
    "ref": ("线路编号", "route number"),
    "rule_id": ("规则", "rule"),
    "severity": ("级别", "severity"),
    "title_zh": ("规则名称", "rule title (zh)"),
    "title_en": ("规则名称（英）", "rule title"),
    "layer": ("图层", "layer"),
    "feature_id": ("要素", "feature"),
    "related_id": ("相关要素", "related feature"),
    "measure": ("测量值", "measured value"),
    "unit": ("单位", "unit"),
    "message": ("说明", "message"),
    "accepted": ("已接受", "accepted"),
    "verdict": ("结论", "verdict"),
    "data_basis": ("数据依据", "data basis"),
}


def field_label(name: str) -> tuple[str, str]:
    """Return the (zh, en) label of a field (the field name itself when unknown).

    Examples
    --------
    >>> field_label("geometry_basis")
    ('几何依据', 'geometry basis')
    >>> field_label("area_ha")
    ('area_ha', 'area_ha')
    """
    return FIELD_LABELS.get(name, (name, name))


def class_label(
    element: str, cls: str, vocabularies: dict[str, Any], layer_title: tuple[str, str] | None
) -> dict[str, str]:
    """Return the ``{"zh", "en"}`` legend label of style class *cls* of *element*."""
    vocab = vocabularies.get(_CLASS_VOCAB.get(element, ""), {})
    if cls in vocab:
        return {"zh": str(vocab[cls].get("zh", cls)), "en": str(vocab[cls].get("en", cls))}
    if cls in CLASS_LABELS.get(element, {}):
        zh, en = CLASS_LABELS[element][cls]
        return {"zh": zh, "en": en}
    if cls == "*" and layer_title is not None:
        return {"zh": layer_title[0], "en": layer_title[1]}
    return {"zh": cls, "en": cls}


def combined_label(
    element: str, codes: list[str], vocabularies: dict[str, Any], layer_title: tuple[str, str] | None
) -> dict[str, str]:
    """Return the legend label of a class whose features serve several *codes*, naming each.

    Zones are styled by their first function; the label names every function
    the zones of the class serve, e.g. "开放合作先行区 + 商贸物流集散区".

    Examples
    --------
    >>> areas = {"a": {"zh": "甲区", "en": "area A"}, "b": {"zh": "乙区", "en": "area B"}}
    >>> vocab = {"functional_areas": areas}
    >>> combined_label("zones", ["a", "b"], vocab, None)
    {'zh': '甲区 + 乙区', 'en': 'area A + area B'}
    """
    parts = [class_label(element, c, vocabularies, layer_title) for c in codes]
    return {"zh": " + ".join(p["zh"] for p in parts), "en": " + ".join(p["en"] for p in parts)}


def value_labels(element: str, vocabularies: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """Return field -> value -> ``{"zh", "en"}`` labels shown in the popups of *element*."""
    out: dict[str, dict[str, dict[str, str]]] = dict(_FIXED_VALUES)
    for fld in _CLASS_VALUE_FIELDS:
        if element in CLASS_LABELS:
            out[fld] = {v: {"zh": zh, "en": en} for v, (zh, en) in CLASS_LABELS[element].items()}
    for (elem, fld), values in _ELEMENT_VALUES.items():
        if elem == element:
            out[fld] = {v: {"zh": zh, "en": en} for v, (zh, en) in values.items()}
    for fld in ("in_shenyang", "accepted"):
        out[fld] = _BOOLEANS
    if element == "sites":
        out["verdict"] = {v: {"zh": zh, "en": en} for v, (zh, en) in VERDICT_LABELS.items()}
    for (elem, fld), vocab in _FIELD_VOCAB.items():
        if elem == element and vocab in vocabularies:
            out[fld] = vocabularies[vocab]
    return out


def verdict_label(verdict: object) -> tuple[str, str]:
    """Return the (zh, en) wording of a verdict (``missing`` for anything else).

    Examples
    --------
    >>> verdict_label("conditional")
    ('有条件符合', 'Conditional')
    """
    return VERDICT_LABELS.get(str(verdict), VERDICT_LABELS["missing"])


def label_zh(element: str, value: str, vocabularies: dict[str, Any]) -> str:
    """Return the Chinese label of a class *value* of *element* (the value itself when unknown).

    Examples
    --------
    >>> label_zh("control_lines", "basic_farmland", {})
    '永久基本农田'
    """
    return class_label(element, value, vocabularies, None)["zh"]


#: The "schematic" mark of a name, as a regular expression (Python and QGIS expressions alike).
SCHEMATIC_MARKS = r"[，,;；]\s*(示意|schematic)(?=[）)])|\s*[（(](示意|schematic)[）)]"
_SCHEMATIC_MARKS = re.compile(SCHEMATIC_MARKS)


def strip_schematic(name: str) -> str:
    """*name* without its "schematic" mark (which the map shows by symbol and legend instead).

    Examples
    --------
    >>> strip_schematic("主中心（辽中城区，示意）"), strip_schematic("Main center (schematic)")
    ('主中心（辽中城区）', 'Main center')
    """
    return _SCHEMATIC_MARKS.sub("", name).strip()


#: Wording of ``lzspatial diff`` (terminal table, JSON-free outputs, review map): key -> (zh, en).
DIFF_LABELS: dict[str, tuple[str, str]] = {
    "title": ("方案对比", "Plan diff"),
    "layer": ("图层", "layer"),
    "feature": ("要素", "feature"),
    "change": ("变化", "change"),
    "measure": ("度量", "measure"),
    "attributes": ("属性变化", "attribute changes"),
    "added": ("新增", "added"),
    "removed": ("删除", "removed"),
    "changed": ("修改", "changed"),
    "geometry": ("几何变化", "geometry changed"),
    "attribute": ("属性", "attributes"),
    "basis": ("几何依据变化", "geometry basis changed"),
    "basis_up": ("依据增强", "basis strengthened"),
    "basis_down": ("依据减弱", "basis weakened"),
    "source": ("来源变化", "source changed"),
    "layer_added": ("新增图层", "layer added"),
    "layer_removed": ("删除图层", "layer removed"),
    "area": ("面积", "area"),
    "length": ("长度", "length"),
    "hausdorff": ("最大偏移", "Hausdorff distance"),
    "areas": ("分区与管控线面积", "areas of zones and control lines"),
    "area_by_kind": ("管控线面积（按类型）", "control-line area by kind"),
    "zone_moves": ("乡镇与园区所属分区变化", "towns and parks that changed zone"),
    "zone_a": ("原分区", "zone in A"),
    "zone_b": ("新分区", "zone in B"),
    "no_zone": ("无分区", "no zone"),
    "rules": ("规则检查对比", "rule check, A vs B"),
    "newly_failing": ("新增不通过", "newly failing"),
    "newly_passing": ("新增通过", "newly passing"),
    "measure_moved": ("测量值变化", "measured value moved"),
    "rule_added": ("新增规则", "rule added"),
    "rule_removed": ("删除规则", "rule removed"),
    "sites": ("选址结果变化", "sites whose screening changed"),
    "site": ("选址", "site"),
    "transfer": ("分区间转移面积", "area that changed hands between zones"),
    "moved": ("移动", "moved"),
    "no_change": ("无变化", "no change"),
    "schematic_note": (
        "标“示意”的要素为示意性几何，其面积与距离仅供参考",
        "features marked 'schematic' are schematic geometry; their areas and distances are indicative",
    ),
    "tolerance": ("容差", "tolerance"),
    "plan_a": ("版本 A", "version A"),
    "plan_b": ("版本 B", "version B"),
    "changes": ("变化清单", "list of changes"),
    "deltas": ("规划层面变化", "plan-level deltas"),
}
