"""One palette for every output: the web map, the QGIS styles and the reports.

Styles are keyed by element and, where an element has classes, by the value
of its class field (``kind``, ``rank`` or the first of ``functions``). All
colours are hex strings. Schematic geometry is drawn dashed (lines, outlines)
or hollow (points), whatever its class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "CLASS_FIELD",
    "DRAW_RANK",
    "LABELLED",
    "LEGEND_RANK",
    "EXTRA_STYLES",
    "SCHEMATIC_DASH",
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

#: element -> class value (or "*") -> style.
STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "boundary": {"*": {"color": "#1a1a1a", "weight": 3.5, "fill": "#ffffff", "fill_opacity": 0.0}},
    "context": {
        "True": {"color": "#9e9e9e", "weight": 1.0, "fill": "#eeeeee", "fill_opacity": 0.35},
        "False": {"color": "#bdbdbd", "weight": 1.0, "fill": "#f5f5f5", "fill_opacity": 0.35},
    },
    "places": {
        "district_seat": {"color": "#000000", "fill": "#000000", "radius": 4, "marker": "square"},
        "city_centre": {"color": "#b71c1c", "fill": "#b71c1c", "radius": 8, "marker": "star"},
        "city": {"color": "#616161", "fill": "#9e9e9e", "radius": 4, "marker": "circle"},
    },
    "core": {"*": {"color": "#c62828", "weight": 2.5, "fill": "#ef5350", "fill_opacity": 0.35}},
    "zones": {
        "new_industrial_expansion": {"color": "#6a1b9a", "fill": "#ba68c8", "fill_opacity": 0.22},
        "open_up_cooperation": {"color": "#1565c0", "fill": "#64b5f6", "fill_opacity": 0.22},
        "trade_logistics": {"color": "#1565c0", "fill": "#64b5f6", "fill_opacity": 0.22},
        "modern_agriculture": {"color": "#9e9d24", "fill": "#dce775", "fill_opacity": 0.25},
        "green_development": {"color": "#2e7d32", "fill": "#81c784", "fill_opacity": 0.22},
    },
    "axes": {"*": {"color": "#d84315", "weight": 5.0}},
    "centers": {
        "main": {"color": "#b71c1c", "fill": "#ffeb3b", "radius": 11, "marker": "star"},
        "secondary": {"color": "#e65100", "fill": "#ffe082", "radius": 9, "marker": "diamond"},
    },
    "towns": {
        "seat": {"color": "#212121", "fill": "#ffffff", "radius": 7, "marker": "circle"},
        "key": {"color": "#4a148c", "fill": "#ce93d8", "radius": 8, "marker": "circle"},
        "general": {"color": "#424242", "fill": "#ffffff", "radius": 4, "marker": "circle"},
    },
    "parks": {
        "bonded_zone": {"color": "#0d47a1", "fill": "#1e88e5", "fill_opacity": 0.55},
        "development_zone": {"color": "#4a148c", "fill": "#8e24aa", "fill_opacity": 0.5},
        "logistics_park": {"color": "#006064", "fill": "#00acc1", "fill_opacity": 0.55},
        "timber_port": {"color": "#4e342e", "fill": "#8d6e63", "fill_opacity": 0.6},
        "customs_station": {"color": "#e65100", "fill": "#fb8c00", "fill_opacity": 0.7},
        "digital_park": {"color": "#1b5e20", "fill": "#00c853", "fill_opacity": 0.5},
    },
    "transport": {
        "railway": {"color": "#37474f", "weight": 3.0},
        "expressway": {"color": "#f9a825", "weight": 3.0},
    },
    "water": {"river": {"color": "#1e88e5", "weight": 2.5}},
    "control_lines": {
        "eco_red_line": {
            "color": "#2e7d32",
            "weight": 1.5,
            "fill": "#66bb6a",
            "fill_opacity": 0.3,
            "hatch": True,
        },
        "basic_farmland": {
            "color": "#f9a825",
            "weight": 1.0,
            "fill": "#fff176",
            "fill_opacity": 0.25,
            "hatch": True,
        },
        "urban_development_boundary": {
            "color": "#c62828",
            "weight": 2.0,
            "fill": "#ef9a9a",
            "fill_opacity": 0.0,
        },
    },
}


#: Styles of the layers that are not plan elements: rule-check violations by severity and
#: screened sites by verdict. The web map and the compliance report both use them.
EXTRA_STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "violations": {
        "error": {"color": "#d50000", "weight": 3.5, "fill": "#ff1744", "fill_opacity": 0.12, "radius": 10},
        "warning": {"color": "#ff1744", "weight": 2.5, "fill": "#ff5252", "fill_opacity": 0.08, "radius": 8},
        "info": {"color": "#ff8a80", "weight": 2.0, "fill": "#ff8a80", "fill_opacity": 0.05, "radius": 7},
        "accepted": {"color": "#9e9e9e", "weight": 2.0, "fill": "#bdbdbd", "fill_opacity": 0.05, "radius": 7},
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
#: Classes whose features carry permanent labels, with the label look (True = default).
LABELLED: dict[tuple[str, str], bool | str] = {
    ("towns", "key"): True,
    ("centers", "main"): True,
    ("centers", "secondary"): True,
    ("places", "city_centre"): "place",
    ("places", "city"): "muted",
}


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
