"""One palette for every output: the web map, the QGIS styles and the reports.

Styles are keyed by element and, where an element has classes, by the value
of its class field (``kind``, ``rank`` or the first of ``functions``). All
colours are hex strings. Schematic geometry is drawn dashed (lines, outlines)
or hollow (points), whatever its class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lzspatial.plan.labels import SCHEMATIC_MARKS

__all__ = [
    "CLASS_FIELD",
    "DRAW_RANK",
    "LABELLED",
    "LABEL_STRIP",
    "LEGEND_RANK",
    "MAP_GROUPS",
    "DEFAULT_OFF",
    "EXTRA_STYLES",
    "SCHEMATIC_DASH",
    "STRUCTURE_ELEMENTS",
    "STYLES",
    "class_of",
    "served_codes",
    "style_for",
    "verdict_colour",
]

#: Dash pattern of schematic outlines and lines (Leaflet ``dashArray``).
SCHEMATIC_DASH = "6 4"

#: The field whose value picks the style class, per element.
CLASS_FIELD: dict[str, str] = {
    "context": "in_shenyang",
    "places": "kind",
    "zones": "functions",
    "axes": "id",
    "centers": "rank",
    "towns": "rank",
    "parks": "kind",
    "transport": "kind",
    "water": "kind",
    "control_lines": "kind",
}

_BASE: dict[str, Any] = {
    "color": "#333333",
    "weight": 1.5,
    "fill": "#cccccc",
    "fill_opacity": 0.3,
    "radius": 5,
    "marker": "circle",
}

#: element -> class value (or "*") -> style. No colour is used by two elements (a test checks it),
#: and the classes of the layers shown on open stay apart for deuteranopes (``scripts/palette_cvd.py``).
STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "boundary": {"*": {"color": "#1a1a1a", "weight": 3.5, "fill": "#ffffff", "fill_opacity": 0.0}},
    "context": {
        "True": {"color": "#8c8c8c", "weight": 1.0, "fill": "#dcd6c8", "fill_opacity": 0.35},
        "False": {"color": "#b0aca4", "weight": 1.0, "fill": "#f3f1ec", "fill_opacity": 0.35},
    },
    "places": {
        "district_seat": {"color": "#000000", "fill": "#000000", "radius": 4, "marker": "square"},
        "city_centre": {"color": "#7f0000", "fill": "#d50000", "radius": 8, "marker": "star"},
        "city": {"color": "#455a64", "fill": "#90a4ae", "radius": 4, "marker": "circle"},
    },
    "core": {"*": {"color": "#b2182b", "weight": 2.5, "fill": "#f4a582", "fill_opacity": 0.4}},
    "zones": {
        "new_industrial_expansion": {"color": "#762a83", "fill": "#f1b6da", "fill_opacity": 0.25},
        "open_up_cooperation": {"color": "#2166ac", "fill": "#92c5de", "fill_opacity": 0.25},
        "trade_logistics": {"color": "#2166ac", "fill": "#92c5de", "fill_opacity": 0.25},
        "modern_agriculture": {"color": "#8c6d1f", "fill": "#eee08a", "fill_opacity": 0.3},
        "green_development": {"color": "#1b7837", "fill": "#a6dba0", "fill_opacity": 0.25},
    },
    "axes": {
        "*": {"color": "#e66101", "weight": 5.0},
        "axis-shenyang": {"color": "#e66101", "weight": 5.0},
        "axis-land-sea": {"color": "#5e3c99", "weight": 5.0},
    },
    "centers": {
        "main": {"color": "#67001f", "fill": "#ffd700", "radius": 11, "marker": "star"},
        "secondary": {"color": "#993404", "fill": "#fdb863", "radius": 9, "marker": "diamond"},
    },
    "towns": {
        "seat": {"color": "#252525", "fill": "#fff7bc", "radius": 7, "marker": "circle"},
        "key": {"color": "#40004b", "fill": "#d01c8b", "radius": 8, "marker": "circle"},
        "general": {"color": "#4d4d4d", "fill": "#c8c8c8", "radius": 4, "marker": "circle"},
    },
    "parks": {
        "bonded_zone": {"color": "#053061", "fill": "#4393c3", "fill_opacity": 0.55},
        "development_zone": {"color": "#3f007d", "fill": "#9e9ac8", "fill_opacity": 0.5},
        "logistics_park": {"color": "#00441b", "fill": "#01665e", "fill_opacity": 0.55},
        "timber_port": {"color": "#543005", "fill": "#bf812d", "fill_opacity": 0.6},
        "customs_station": {"color": "#7f2704", "fill": "#ffff33", "fill_opacity": 0.7},
        "digital_park": {"color": "#003c30", "fill": "#c7eae5", "fill_opacity": 0.5},
    },
    "transport": {
        "railway": {"color": "#3d3d5c", "weight": 3.0},
        "expressway": {"color": "#c7a000", "weight": 3.0},
    },
    "water": {"river": {"color": "#00a6ed", "weight": 2.5}},
    "control_lines": {
        "eco_red_line": {
            "color": "#006d2c",
            "weight": 1.5,
            "fill": "#74c476",
            "fill_opacity": 0.3,
            "hatch": True,
        },
        "basic_farmland": {
            "color": "#a6761d",
            "weight": 1.0,
            "fill": "#f0e68c",
            "fill_opacity": 0.25,
            "hatch": True,
        },
        "urban_development_boundary": {
            "color": "#d6604d",
            "weight": 2.0,
            "fill": "#fddbc7",
            "fill_opacity": 0.0,
        },
    },
}

#: Elements drawn but switched off when the map opens (control lines and transport detail bury the
#: structure); the rule-check layer is off too. Everything else is on.
DEFAULT_OFF = ("control_lines", "transport", "violations")

#: Elements that carry the structure, shown together on open (the deuteranopia check covers them).
STRUCTURE_ELEMENTS = tuple(e for e in STYLES if e not in DEFAULT_OFF)


#: Styles of the layers that are not plan elements: rule-check violations by severity and
#: screened sites by verdict. The web map and the compliance report both use them.
EXTRA_STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "violations": {
        "error": {"color": "#ff0000", "weight": 3.5, "fill": "#ff4d4d", "fill_opacity": 0.12, "radius": 10},
        "warning": {"color": "#ff6f00", "weight": 2.5, "fill": "#ffab40", "fill_opacity": 0.08, "radius": 8},
        "info": {"color": "#f06292", "weight": 2.0, "fill": "#f8bbd0", "fill_opacity": 0.05, "radius": 7},
        "accepted": {"color": "#757575", "weight": 2.0, "fill": "#bdbdbd", "fill_opacity": 0.05, "radius": 7},
    },
    "sites": {
        "pass": {"color": "#1b5e20", "weight": 1.5, "fill": "#43a047", "fill_opacity": 0.55, "radius": 5},
        "conditional": {
            "color": "#e65100",
            "weight": 1.5,
            "fill": "#ffb300",
            "fill_opacity": 0.6,
            "radius": 5,
        },
        "fail": {"color": "#b71c1c", "weight": 1.5, "fill": "#e53935", "fill_opacity": 0.6, "radius": 5},
        "missing": {"color": "#616161", "weight": 1.5, "fill": "#9e9e9e", "fill_opacity": 0.5, "radius": 5},
    },
    # the review map of `lzspatial diff`: added green, removed red, the old and new geometry of a
    # changed feature, the arrows old -> new, and the area that changed hands between zones
    "changes": {
        "added": {"color": "#00a651", "weight": 3.0, "fill": "#7ee2a8", "fill_opacity": 0.45, "radius": 9},
        "removed": {"color": "#e3001b", "weight": 3.0, "fill": "#ff8f8f", "fill_opacity": 0.45, "radius": 9},
        "before": {"color": "#5c5c5c", "weight": 2.5, "fill": "#d9d9d9", "fill_opacity": 0.0, "radius": 8},
        "after": {"color": "#0057e7", "weight": 3.0, "fill": "#8fb8ff", "fill_opacity": 0.35, "radius": 9},
        "arrow": {"color": "#111111", "weight": 2.0, "fill": "#111111", "fill_opacity": 0.0, "radius": 4},
        "transfer": {"color": "#b000b5", "weight": 1.5, "fill": "#e48ae6", "fill_opacity": 0.5, "radius": 5},
    },
}


#: Drawing order (bottom first) of plan elements; unknown elements go in the middle.
DRAW_RANK = {
    "context": 0,
    "control_lines": 1,
    "zones": 2,
    "core": 3,
    "parks": 4,
    "water": 5,
    "transport": 6,
    "boundary": 7,
    "axes": 8,
    "places": 9,
    "towns": 10,
    "centers": 11,
}
#: Legend and layer-control order of plan elements.
LEGEND_RANK = {
    "boundary": 0,
    "core": 1,
    "zones": 2,
    "axes": 3,
    "centers": 4,
    "towns": 5,
    "parks": 6,
    "control_lines": 7,
    "transport": 8,
    "water": 9,
    "places": 10,
    "context": 11,
}
#: Groups of the layer tree of the QGIS project (the web map's structure first), with their elements.
MAP_GROUPS: dict[str, tuple[str, ...]] = {
    "一核四区": ("core", "zones"),
    "两轴两心": ("axes", "centers"),
    "乡镇": ("towns",),
    "园区": ("parks",),
    "三区三线": ("control_lines",),
    "交通": ("transport",),
    "水系": ("water",),
    "参考": ("boundary", "places", "context"),
}
#: Classes whose features carry permanent labels ("*": every class of the element), with their
#: priority: where labels collide, the lower number stays (structure > key towns > towns > parks >
#: context). The district seat is not labelled: the main center names the urban area.
LABELLED: dict[tuple[str, str], int] = {
    ("centers", "main"): 0,
    ("centers", "secondary"): 1,
    ("core", "*"): 1,
    ("axes", "*"): 2,
    ("zones", "*"): 3,
    ("places", "city_centre"): 3,
    ("towns", "key"): 4,
    ("towns", "seat"): 5,
    ("towns", "general"): 6,
    ("parks", "*"): 7,
    ("water", "*"): 8,
    ("context", "*"): 9,
    ("places", "city"): 9,
}


#: What a map label leaves out of a name (a regular expression, Python and QGIS/PCRE alike): the
#: schematic marks, e.g. "（示意）" or "，示意）"; the legend and the dashed style say it.
LABEL_STRIP = SCHEMATIC_MARKS  # what a map label leaves out of a name (plan/labels.py)


def class_of(element: str, props: dict[str, Any]) -> str:
    """Return the style class of a feature of *element* (``"*"`` if none).

    Examples
    --------
    >>> class_of("parks", {"kind": "timber_port"})
    'timber_port'
    >>> class_of("zones", {"functions": ["green_development", "modern_agriculture"]})
    'green_development'
    """
    field = CLASS_FIELD.get(element)
    if field is None:
        return "*"
    value = props.get(field)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value)


def style_for(element: str, cls: str = "*", *, schematic: bool = False) -> dict[str, Any]:
    """Return the full style of a class: colour, weight, fill, radius, marker, dash.

    Unknown elements or classes fall back to a neutral grey style.
    """
    table = STYLES.get(element, {})
    style = {**_BASE, **table.get(cls, table.get("*", {}))}
    style["dash"] = SCHEMATIC_DASH if schematic else None
    style["hollow"] = bool(schematic and element in ("towns", "centers", "places"))
    return style


def verdict_colour(verdict: object) -> str:
    """Return the colour of a verdict, as the web map draws it (grey when there is none).

    Examples
    --------
    >>> verdict_colour("fail")
    '#b71c1c'
    """
    sites = EXTRA_STYLES["sites"]
    return str(sites.get(str(verdict), sites["missing"])["color"])


def served_codes(frame: Any, element: str, classes: Sequence[str]) -> dict[str, list[str]]:
    """Class -> every code its features list in the class field (the class first), for list fields.

    A zone is styled by its first function; its class label names all of them.
    """
    out: dict[str, list[str]] = {}
    field_name = CLASS_FIELD.get(element)
    if field_name is None or field_name not in frame.columns:
        return out
    for cls, value in zip(classes, frame[field_name], strict=True):
        codes = out.setdefault(cls, [cls])
        if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1:  # list or 1-d array
            codes.extend(str(v) for v in list(value) if str(v) not in codes)
    return out


def class_labels(
    frame: Any, element: str, classes: Sequence[str], vocabularies: dict[str, Any], titles: tuple[str, str]
) -> dict[str, dict[str, str]]:
    """Class -> its ``{"zh", "en"}`` legend label, for the web map and the printed sheet alike.

    Layers classed by ``id`` (the axes) get one entry per feature, named by the feature;
    the others name every code the class serves (see :func:`served_codes`).
    """
    from lzspatial.plan.labels import combined_label, strip_schematic

    if CLASS_FIELD.get(element) == "id":
        blank = list(classes)
        zh = dict(zip(classes, frame.get("name_zh", blank), strict=True))
        en = dict(zip(classes, frame.get("name_en", blank), strict=True))
        return {
            c: {"zh": strip_schematic(str(zh.get(c, c))), "en": strip_schematic(str(en.get(c, c)))}
            for c in classes
        }
    served = served_codes(frame, element, classes)
    return {c: combined_label(element, served.get(c, [c]), vocabularies, titles) for c in classes}
