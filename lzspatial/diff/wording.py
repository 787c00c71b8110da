"""How a diff reads: Chinese-first labels and the text of measures, shared by the table and the map.

Labels come from :data:`lzspatial.plan.labels.DIFF_LABELS` (the one label table).
"""

from __future__ import annotations

from typing import Any

from lzspatial.diff.model import FeatureChange
from lzspatial.plan.labels import DIFF_LABELS, SCHEMATIC_LABEL, field_label

__all__ = ["SCHEMATIC_MARK", "change_text", "label", "measure_text", "value_text"]


def label(key: str) -> str:
    """Return the Chinese-first label ``"中文 English"`` of a diff term.

    Examples
    --------
    >>> label("added")
    '新增 added'
    """
    zh, en = DIFF_LABELS[key]
    return f"{zh} {en}"


def _num(v: float | None, nd: int) -> str:
    if v is None:
        return "–"
    return f"{v:+,.{nd}f}" if nd >= 0 else f"{v:+,}"


def measure_text(c: FeatureChange) -> str:
    """One line of measures of a feature change (metres, hectares, percent).

    Examples
    --------
    >>> c = FeatureChange("towns", "towns", "t1", "changed", "甲镇", "Jia", "point", "schematic",
    ...                   "schematic", True, {"moved_m": 812.5})
    >>> measure_text(c)
    '移动 moved 812.5 m'
    """
    m = c.measures
    if c.status in ("added", "removed"):
        if "area_ha" in m:
            return f"{m['area_ha']:,.2f} ha"
        if "length_m" in m:
            return f"{m['length_m']:,.0f} m"
        return ""
    if not c.geometry_changed:
        return ""
    if c.kind == "point":
        return f"{label('moved')} {m['moved_m']:,.1f} m"
    if c.kind == "line":
        return (
            f"{label('hausdorff')} {m['hausdorff_m']:,.1f} m; "
            f"{label('length')} {_num(m['length_delta_m'], 1)} m"
        )
    pct = m.get("area_delta_pct")
    pct_text = "" if pct is None else f" ({_num(pct, 2)} %)"
    return (
        f"{label('area')} {_num(m['area_delta_ha'], 2)} ha{pct_text}; "
        f"{label('moved')} {m['centroid_moved_m']:,.0f} m; {label('hausdorff')} {m['hausdorff_m']:,.1f} m"
    )


def value_text(v: Any, limit: int = 48) -> str:
    """Return a property value as short text (lists joined with ``, ``; missing as ``–``; cut at *limit*).

    Examples
    --------
    >>> value_text(["a", "b"]), value_text(None), value_text(True)
    ('a, b', '–', 'true')
    """
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return value_text(", ".join(value_text(x, 10**6) for x in v), limit)
    text = str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_text(c: FeatureChange) -> str:
    """Say what changed, Chinese first: ``修改 changed: 几何依据 geometry basis 示意 → 有来源; ...``."""
    if c.status != "changed":
        return label(c.status)
    parts = []
    if c.geometry_changed:
        parts.append(label("geometry"))
    for fc in c.attributes:
        zh, en = field_label(fc.field)
        parts.append(f"{zh} {en}: {value_text(fc.old)} → {value_text(fc.new)}")
    return "; ".join(parts)


#: The schematic mark shown beside schematic features.
SCHEMATIC_MARK = f"{SCHEMATIC_LABEL[0]} {SCHEMATIC_LABEL[1]}"
