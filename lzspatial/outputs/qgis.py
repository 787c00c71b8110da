"""QGIS default styles (QML) for plan layers, stored in a GeoPackage.

Every layer gets one QML style built from :mod:`lzspatial.style`, the palette
the web map uses: a categorized renderer on the element's class field (or a
single symbol), the same colours, widths and marker shapes, dashed outlines
and hollow markers for ``geometry_basis = 'schematic'`` (data-defined, so
one category keeps one legend entry) and labels on ``name_zh``.

:func:`write_layer_styles` stores the styles in the ``layer_styles`` table of
a GeoPackage, with the schema QGIS itself creates (through GDAL, FID ``id``),
so QGIS applies them when the layers are opened. Symbol layers carry their
properties both as ``<Option>`` maps (QGIS >= 3.18) and as ``<prop>``
elements (QGIS 3.0-3.16), as QGIS 3.22 writes them.

Examples
--------
>>> qml = layer_qml("parks")
>>> qml.startswith("<!DOCTYPE qgis")
True
>>> "categorizedSymbol" in qml and "name_zh" in qml
True
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from lzspatial.errors import OutputError
from lzspatial.io.gpkg import GPKG_TIME
from lzspatial.outputs.style import CLASS_FIELD, LABEL_STRIP, LABELLED, STYLES, style_for
from lzspatial.plan.labels import class_label, field_label, value_labels
from lzspatial.plan.schema import COMMON_FIELDS, ELEMENTS

__all__ = [
    "LAYER_STYLES_DDL",
    "STYLE_TIME",
    "class_expression",
    "label_expression",
    "layer_elements",
    "layer_qml",
    "style_times",
    "write_layer_styles",
]

#: Fixed ``update_time`` (and ``gpkg_contents.last_change``) of the styles, for byte-identical files.
STYLE_TIME: Final = GPKG_TIME
#: Millimetres per CSS pixel (96 dpi): the web map's widths and radii become QGIS millimetres.
MM_PER_PX: Final = 25.4 / 96
#: Stroke opacity of every outline and line, and fill opacity of markers, as on the web map.
STROKE_OPACITY: Final = 0.95
MARKER_FILL_OPACITY: Final = 0.9
#: Label font; Qt falls back to any installed CJK font when it is missing.
LABEL_FONT: Final = "Microsoft YaHei"

#: The ``layer_styles`` table exactly as QGIS creates it in a GeoPackage (via GDAL, FID ``id``).
LAYER_STYLES_DDL: Final = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
_COUNT_TRIGGER = (
    'CREATE TRIGGER "trigger_{op}_feature_count_layer_styles" AFTER {OP} ON "layer_styles" '
    "BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count {sign} 1 "
    "WHERE lower(table_name) = lower('layer_styles'); END"
)

_KIND = {
    "Polygon": "fill",
    "MultiPolygon": "fill",
    "LineString": "line",
    "MultiLineString": "line",
    "Point": "marker",
}
_SCHEMATIC = "\"geometry_basis\" = 'schematic'"
_DASH_EXPR = f"CASE WHEN {_SCHEMATIC} THEN 'dash' ELSE 'solid' END"
_UNIT_SCALE = "3x:0,0,0,0,0,0"


def _rgba(hex_color: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` -> QGIS ``r,g,b,a``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _mm(px: float) -> str:
    return f"{px * MM_PER_PX:.2f}".rstrip("0").rstrip(".")


def class_expression(element: str) -> str | None:
    """Return the categorized renderer's attribute (a field or an expression), or None.

    List fields (``functions``) are stored as JSON text in exports, so the
    class is the first array item; booleans become ``'True'``/``'False'``,
    the keys of :data:`lzspatial.style.STYLES`.

    Examples
    --------
    >>> class_expression("parks")
    'kind'
    >>> class_expression("core") is None
    True
    """
    field = CLASS_FIELD.get(element)
    if field is None or not any(k != "*" for k in STYLES.get(element, {})):
        return None
    spec = {f.name: f for f in ELEMENTS[element].fields} if element in ELEMENTS else {}
    ftype = spec[field].type if field in spec else "str"
    if ftype == "list":
        return f'regexp_substr("{field}", \'"([^"]+)"\')'
    if ftype == "bool":
        return f"if(\"{field}\", 'True', 'False')"
    return field


# ------------------------------------------------------------------ XML helpers


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    """Write *props* as an ``<Option type="Map">`` and as legacy ``<prop>`` elements."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k in sorted(props):
        ET.SubElement(opt, "Option", type="QString", name=k, value=props[k])
    for k in sorted(props):
        ET.SubElement(parent, "prop", k=k, v=props[k])


def _data_defined(parent: ET.Element, exprs: Mapping[str, str] | None = None) -> None:
    """Write a ``<data_defined_properties>`` collection of expression properties."""
    dd = ET.SubElement(ET.SubElement(parent, "data_defined_properties"), "Option", type="Map")
    ET.SubElement(dd, "Option", type="QString", value="", name="name")
    if exprs:
        props = ET.SubElement(dd, "Option", name="properties", type="Map")
        for key in sorted(exprs):
            p = ET.SubElement(props, "Option", name=key, type="Map")
            ET.SubElement(p, "Option", name="active", type="bool", value="true")
            ET.SubElement(p, "Option", name="expression", type="QString", value=exprs[key])
            ET.SubElement(p, "Option", name="type", type="int", value="3")
    else:
        ET.SubElement(dd, "Option", name="properties")
    ET.SubElement(dd, "Option", type="QString", value="collection", name="type")


def _symbol(parent: ET.Element, name: str, kind: str) -> ET.Element:
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    _data_defined(sym)
    return sym


def _layer(sym: ET.Element, cls: str, props: Mapping[str, str], exprs: Mapping[str, str]) -> ET.Element:
    lay = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _options(lay, props)
    _data_defined(lay, exprs)
    return lay


def _line_props(color: str, width_px: float) -> dict[str, str]:
    return {
        "capstyle": "round",
        "customdash": "5;2",
        "customdash_map_unit_scale": _UNIT_SCALE,
        "customdash_unit": "MM",
        "draw_inside_polygon": "0",
        "joinstyle": "round",
        "line_color": color,
        "line_style": "solid",
        "line_width": _mm(width_px),
        "line_width_unit": "MM",
        "offset": "0",
        "offset_map_unit_scale": _UNIT_SCALE,
        "offset_unit": "MM",
        "ring_filter": "0",
        "use_custom_dash": "0",
        "width_map_unit_scale": _UNIT_SCALE,
    }


def _fill_symbol(parent: ET.Element, name: str, st: dict[str, Any]) -> None:
    sym = _symbol(parent, name, "fill")
    opacity = float(st["fill_opacity"])
    _layer(
        sym,
        "SimpleFill",
        {
            "border_width_map_unit_scale": _UNIT_SCALE,
            "color": _rgba(st["fill"], opacity),
            "joinstyle": "bevel",
            "offset": "0,0",
            "offset_map_unit_scale": _UNIT_SCALE,
            "offset_unit": "MM",
            "outline_color": _rgba(st["color"], STROKE_OPACITY),
            "outline_style": "solid",
            "outline_width": _mm(st["weight"]),
            "outline_width_unit": "MM",
            "style": "solid" if opacity > 0 else "no",
        },
        {"outlineStyle": _DASH_EXPR},
    )
    if st.get("hatch"):
        lay = _layer(
            sym,
            "LinePatternFill",
            {
                "angle": "45",
                "color": _rgba(st["color"]),
                "distance": "2",
                "distance_map_unit_scale": _UNIT_SCALE,
                "distance_unit": "MM",
                "line_width": "0.26",
                "line_width_map_unit_scale": _UNIT_SCALE,
                "line_width_unit": "MM",
                "offset": "0",
                "offset_map_unit_scale": _UNIT_SCALE,
                "offset_unit": "MM",
                "outline_width_map_unit_scale": _UNIT_SCALE,
                "outline_width_unit": "MM",
            },
            {},
        )
        sub = _symbol(lay, f"@{name}@1", "line")
        _layer(sub, "SimpleLine", _line_props(_rgba(st["color"], 0.6), 1.0), {})


def _arrowheads(sym: ET.Element, name: str, st: dict[str, Any]) -> None:
    """Arrowheads of a directed line, as on the web map: one at the end, one half-way along."""
    weight = float(st["weight"])
    length_px, half_width_px = 8 + weight * 2.2, 4 + weight * 1.2  # the web map's triangle
    for i, placement in enumerate(("lastvertex", "centralpoint")):
        lay = _layer(
            sym,
            "MarkerLine",
            {
                "average_angle_length": "4",
                "average_angle_map_unit_scale": _UNIT_SCALE,
                "average_angle_unit": "MM",
                "interval": "3",
                "interval_map_unit_scale": _UNIT_SCALE,
                "interval_unit": "MM",
                "offset": "0",
                "offset_along_line": "0",
                "offset_along_line_map_unit_scale": _UNIT_SCALE,
                "offset_along_line_unit": "MM",
                "offset_map_unit_scale": _UNIT_SCALE,
                "offset_unit": "MM",
                "placement": placement,
                "ring_filter": "0",
                "rotate": "1",
            },
            {},
        )
        marker = _symbol(lay, f"@{name}@{i + 1}", "marker")
        _layer(
            marker,
            "SimpleMarker",
            {
                "angle": "0",
                "color": _rgba(st["color"], STROKE_OPACITY),
                "horizontal_anchor_point": "1",
                "joinstyle": "miter",
                "name": "filled_arrowhead",
                "offset": "0,0",
                "offset_map_unit_scale": _UNIT_SCALE,
                "offset_unit": "MM",
                "outline_color": _rgba(st["color"], STROKE_OPACITY),
                "outline_style": "no",
                "outline_width": "0",
                "outline_width_map_unit_scale": _UNIT_SCALE,
                "outline_width_unit": "MM",
                "scale_method": "diameter",
                "size": _mm(max(length_px, 2 * half_width_px)),
                "size_map_unit_scale": _UNIT_SCALE,
                "size_unit": "MM",
                "vertical_anchor_point": "1",
            },
            {},
        )


def _line_symbol(parent: ET.Element, name: str, st: dict[str, Any]) -> None:
    sym = _symbol(parent, name, "line")
    _layer(
        sym,
        "SimpleLine",
        _line_props(_rgba(st["color"], STROKE_OPACITY), st["weight"]),
        {"outlineStyle": _DASH_EXPR},
    )
    if st.get("arrows"):
        _arrowheads(sym, name, st)


def _marker_symbol(parent: ET.Element, name: str, st: dict[str, Any]) -> None:
    sym = _symbol(parent, name, "marker")
    fill = _rgba(st["fill"], MARKER_FILL_OPACITY)
    _layer(
        sym,
        "SimpleMarker",
        {
            "angle": "0",
            "color": fill,
            "horizontal_anchor_point": "1",
            "joinstyle": "bevel",
            "name": st["marker"],
            "offset": "0,0",
            "offset_map_unit_scale": _UNIT_SCALE,
            "offset_unit": "MM",
            "outline_color": _rgba(st["color"], STROKE_OPACITY),
            "outline_style": "solid",
            "outline_width": _mm(min(float(st["weight"]), 2.0)),
            "outline_width_map_unit_scale": _UNIT_SCALE,
            "outline_width_unit": "MM",
            "scale_method": "diameter",
            "size": _mm(2 * float(st["radius"])),
            "size_map_unit_scale": _UNIT_SCALE,
            "size_unit": "MM",
            "vertical_anchor_point": "1",
        },
        {"outlineStyle": _DASH_EXPR, "fillColor": f"CASE WHEN {_SCHEMATIC} THEN '0,0,0,0' ELSE '{fill}' END"},
    )


_SYMBOLS = {"fill": _fill_symbol, "line": _line_symbol, "marker": _marker_symbol}


def _label(element: str, value: str, vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]]) -> str:
    """Legend label ``zh en`` of a class value, from the field's vocabulary if it has one."""
    field = CLASS_FIELD.get(element)
    spec = {f.name: f for f in ELEMENTS[element].fields} if element in ELEMENTS else {}
    vocab_name = spec[field].vocab if field in spec else None
    entry = vocabularies.get(vocab_name, {}).get(value) if isinstance(vocab_name, str) else None
    if isinstance(entry, Mapping):
        return f"{entry.get('zh', '')} {entry.get('en', '')}".strip()
    label = class_label(element, value, dict(vocabularies), None)
    return f"{label['zh']} {label['en']}".strip()


def _style(element: str, cls: str = "*") -> dict[str, Any]:
    st = style_for(element, cls)
    st["arrows"] = element == "axes"  # directed axes, as on the web map
    return st


def _renderer(
    root: ET.Element,
    element: str,
    kind: str,
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]],
    title: tuple[str, str] | None,
    class_labels: Mapping[str, tuple[str, str]],
) -> None:
    attr = class_expression(element)
    draw = _SYMBOLS[kind]
    common = {"symbollevels": "0", "enableorderby": "0", "forceraster": "0", "referencescale": "-1"}
    if attr is None:
        # one class: a rule-based renderer with one rule named after the layer (its legend entry)
        rend = ET.SubElement(root, "renderer-v2", {"type": "RuleRenderer", **common})
        rules = ET.SubElement(rend, "rules", key="{00000000-0000-4000-8000-000000000000}")
        zh, en = title or (element, element)
        ET.SubElement(
            rules, "rule", key="{00000000-0000-4000-8000-000000000001}", symbol="0", label=f"{zh} {en}"
        )
        draw(ET.SubElement(rend, "symbols"), "0", _style(element))
    else:
        rend = ET.SubElement(root, "renderer-v2", {"type": "categorizedSymbol", "attr": attr, **common})
        classes = [c for c in STYLES[element] if c != "*"]
        cats = ET.SubElement(rend, "categories")
        for i, cls in enumerate(classes):
            ET.SubElement(
                cats,
                "category",
                value=cls,
                symbol=str(i),
                label=" ".join(class_labels[cls])
                if cls in class_labels
                else _label(element, cls, vocabularies),
                render="true",
            )
        ET.SubElement(cats, "category", value="", symbol=str(len(classes)), label="其他 other", render="true")
        symbols = ET.SubElement(rend, "symbols")
        for i, cls in enumerate(classes):
            draw(symbols, str(i), _style(element, cls))
        draw(symbols, str(len(classes)), _style(element, "*") if element == "axes" else style_for("", "*"))
        draw(ET.SubElement(rend, "source-symbol"), "0", style_for("", "*"))
    ET.SubElement(rend, "rotation")
    ET.SubElement(rend, "sizescale")


def _quote(text: str) -> str:
    r"""Return *text* as a QGIS expression string literal (as ``QgsExpression.quotedString`` writes it).

    Examples
    --------
    >>> print(_quote("it's a\\b"))
    'it''s a\\b'
    """
    body = text.replace("\\", "\\\\").replace("'", "''").replace("\n", "\\n").replace("\t", "\\t")
    return f"'{body}'"


def label_expression(element: str) -> str | None:
    """Return the QGIS label expression of *element*'s layer, or None when the web map labels none.

    The label is ``name_zh`` without its schematic marks, on the classes the
    web map labels (:data:`lzspatial.outputs.style.LABELLED`).

    Examples
    --------
    >>> label_expression("boundary") is None
    True
    >>> "city_centre" in label_expression("places") and "district_seat" not in label_expression("places")
    True
    """
    classes = {cls for (elem, cls) in LABELLED if elem == element}
    if not classes:
        return None
    name = f"trim(regexp_replace(\"name_zh\", {_quote(LABEL_STRIP)}, ''))"
    attr = class_expression(element)
    listed = [c for c in STYLES.get(element, {}) if c != "*"]
    if "*" in classes or attr is None or set(listed) <= classes:
        return name
    chosen = ", ".join(_quote(c) for c in listed if c in classes)
    return f"CASE WHEN {attr} IN ({chosen}) THEN {name} END"


def _priority(element: str) -> str:
    """QGIS label priority (0-10, 10 first) from the web map's (0 first)."""
    ranks = [rank for (elem, _), rank in LABELLED.items() if elem == element]
    return str(max(0, 10 - min(ranks))) if ranks else "5"


def _labeling(root: ET.Element, element: str, kind: str) -> None:
    expression = label_expression(element)
    if expression is None:
        return
    settings = ET.SubElement(ET.SubElement(root, "labeling", type="simple"), "settings", calloutType="simple")
    size = {"fill": "10", "line": "8", "marker": "9"}[kind]
    text = ET.SubElement(
        settings,
        "text-style",
        {
            "fieldName": expression,
            "isExpression": "1",
            "fontFamily": LABEL_FONT,
            "namedStyle": "Regular",
            "fontSize": size,
            "fontSizeUnit": "Point",
            "fontSizeMapUnitScale": _UNIT_SCALE,
            "fontWeight": "50",
            "fontItalic": "0",
            "fontUnderline": "0",
            "fontStrikeout": "0",
            "textColor": "33,33,33,255",
            "textOpacity": "1",
            "blendMode": "0",
            "multilineHeight": "1",
            "previewBkgrdColor": "255,255,255,255",
            "textOrientation": "horizontal",
        },
    )
    ET.SubElement(
        text,
        "text-buffer",
        {
            "bufferDraw": "1",
            "bufferSize": "0.8",
            "bufferSizeUnits": "MM",
            "bufferColor": "255,255,255,255",
            "bufferOpacity": "0.85",
            "bufferNoFill": "1",
            "bufferJoinStyle": "128",
            "bufferBlendMode": "0",
            "bufferSizeMapUnitScale": _UNIT_SCALE,
        },
    )
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="0", multilineAlign="3")
    placement = {"fill": "1", "line": "2", "marker": "0"}[kind]
    ET.SubElement(
        settings,
        "placement",
        placement=placement,
        dist="1",
        distUnits="MM",
        centroidInside="1",
        centroidWhole="0",
        placementFlags="10",
        priority=_priority(element),
    )
    ET.SubElement(
        settings,
        "rendering",
        obstacle="1",
        obstacleFactor="1",
        displayAll="0",
        upsidedownLabels="0",
        labelPerPart="0",
        mergeLines="0",
        scaleVisibility="0",
        fontMinPixelSize="3",
        fontLimitPixelSize="0",
        drawLabels="1",
    )


def _fields(element: str) -> list[str]:
    """Return the columns of an export of *element*: GDAL's ``fid``, the common fields, the element's."""
    extra = [f.name for f in ELEMENTS[element].fields] if element in ELEMENTS else []
    return ["fid", *(f.name for f in COMMON_FIELDS), *extra]


def _field_config(
    root: ET.Element,
    element: str,
    fields: Sequence[str],
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]],
) -> None:
    """Chinese aliases of the fields, and ValueMap widgets for the fields with a vocabulary."""
    spec = {f.name: f for f in (*COMMON_FIELDS, *(ELEMENTS[element].fields if element in ELEMENTS else ()))}
    labels = value_labels(element, dict(vocabularies))
    config = ET.SubElement(root, "fieldConfiguration")
    for name in fields:
        fld = ET.SubElement(config, "field", name=name, configurationFlags="None")
        values = labels.get(name) if name in spec and spec[name].type != "list" else None
        if values:
            widget = ET.SubElement(fld, "editWidget", type="ValueMap")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            entries = ET.SubElement(opt, "Option", name="map", type="List")
            for value, label in values.items():
                entry = ET.SubElement(entries, "Option", type="Map")
                ET.SubElement(
                    entry, "Option", name=str(label.get("zh") or value), value=str(value), type="QString"
                )
        else:
            widget = ET.SubElement(fld, "editWidget", type="TextEdit")
            ET.SubElement(ET.SubElement(widget, "config"), "Option")
    # list fields (JSON array text) with a vocabulary: a virtual field reading the values in Chinese
    virtual = {
        f"{name}_zh": (name, labels[name])
        for name in fields
        if name in spec and spec[name].type == "list" and labels.get(name)
    }
    expressions = ET.SubElement(root, "expressionfields")
    for vname, (name, values) in virtual.items():
        pairs = ", ".join(f"{_quote(str(v))}, {_quote(str(lab.get('zh') or v))}" for v, lab in values.items())
        ET.SubElement(
            expressions,
            "field",
            name=vname,
            expression=(
                f'array_to_string(array_foreach(from_json("{name}"), '
                f"coalesce(map_get(map({pairs}), @element), @element)), '、')"
            ),
            type="10",
            typeName="string",
            subType="0",
            length="0",
            precision="0",
            comment=f"{field_label(name)[0]}（中文）",
        )
    aliases = ET.SubElement(root, "aliases")
    for i, name in enumerate([*fields, *virtual]):
        alias = "" if name == "fid" else field_label(name)[0]
        if name in virtual:
            alias = f"{field_label(virtual[name][0])[0]}（中文）"
        ET.SubElement(aliases, "alias", field=name, index=str(i), name=alias)


def layer_elements(
    element: str,
    *,
    geom_type: str | None = None,
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    fields: Sequence[str] | None = None,
    title: tuple[str, str] | None = None,
    class_labels: Mapping[str, tuple[str, str]] | None = None,
) -> list[ET.Element]:
    """Return the style of a layer of *element* as the XML elements a QML or a project ``maplayer`` holds.

    The renderer, the labels, the field aliases and value maps, and the blend modes;
    see :func:`layer_qml` for the parameters (*fields*: the attribute columns, default
    the schema's; *title*: the layer's (zh, en) title, the legend entry of a one-class layer;
    *class_labels*: class -> (zh, en) legend labels that replace the vocabulary's, as the web
    map names each axis after its feature).
    """
    if geom_type is None:
        geom_type = ELEMENTS[element].geom_types[-1] if element in ELEMENTS else "Polygon"
    kind = _KIND.get(geom_type, "fill")
    vocab = vocabularies or {}
    holder = ET.Element("qgis")
    _renderer(holder, element, kind, vocab, title, class_labels or {})
    _labeling(holder, element, kind)
    ET.SubElement(holder, "blendMode").text = "0"
    ET.SubElement(holder, "featureBlendMode").text = "0"
    _field_config(holder, element, list(fields) if fields is not None else _fields(element), vocab)
    return list(holder)


def layer_qml(
    element: str,
    *,
    geom_type: str | None = None,
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    fields: Sequence[str] | None = None,
    title: tuple[str, str] | None = None,
    class_labels: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """Return the QML style of a layer of *element*.

    Parameters
    ----------
    element : str
        The plan element (``"zones"``, ``"towns"``, ...), which picks the
        palette entry and the class field.
    geom_type : str, optional
        ``Polygon``, ``LineString``, ``Point`` or a Multi type; default the
        element's last (most general) schema geometry type.
    vocabularies : mapping, optional
        ``plan.vocabularies``, for the zh/en legend labels of the classes and
        the value maps of the fields.
    fields : sequence of str, optional
        The layer's attribute columns (default ``fid`` and the schema's fields).
    title : (str, str), optional
        The layer's (zh, en) title: the legend entry of a layer without classes.
    class_labels : mapping, optional
        Class -> (zh, en) legend labels replacing the vocabulary's (the axes:
        their feature names, as on the web map).

    Returns
    -------
    str
        The QML document (UTF-8 text, no trailing newline issues); the same
        input always gives the same text.
    """
    children = layer_elements(
        element,
        geom_type=geom_type,
        vocabularies=vocabularies,
        fields=fields,
        title=title,
        class_labels=class_labels,
    )
    labelled = any(c.tag == "labeling" for c in children)
    root = ET.Element(
        "qgis",
        version="3.22.0",
        styleCategories="Symbology|Labeling|Fields|Forms",
        labelsEnabled="1" if labelled else "0",
    )
    root.extend(children)
    kind = _KIND.get(
        geom_type or (ELEMENTS[element].geom_types[-1] if element in ELEMENTS else "Polygon"), "fill"
    )
    ET.SubElement(root, "layerGeometryType").text = {"marker": "0", "line": "1", "fill": "2"}[kind]
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def style_times(count: int, start: str = STYLE_TIME) -> list[str]:
    """Return *count* distinct fixed ``update_time`` values, one second apart from *start*.

    QGIS groups the styles of "Load style from database" by time; equal times list every
    style under every layer.

    Examples
    --------
    >>> style_times(2)
    ['2000-01-01T00:00:00.000Z', '2000-01-01T00:00:01.000Z']
    """
    base = _dt.datetime.strptime(start, "%Y-%m-%dT%H:%M:%S.%fZ")
    return [(base + _dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z" for i in range(count)]


def write_layer_styles(
    gpkg: str | os.PathLike[str],
    styles: Mapping[str, str],
    *,
    geometry_column: str = "geom",
    description: str = "",
    update_time: str = STYLE_TIME,
) -> None:
    """Store one default QML style per table in the ``layer_styles`` table of *gpkg*.

    Creates the table as QGIS does (registered in ``gpkg_contents`` as
    attributes, counted in ``gpkg_ogr_contents``), then inserts one row per
    table with ``useAsDefault = 1``. Call it on a GeoPackage just written
    (for example the temp file of :func:`lzspatial._atomic.atomic_path`).

    Parameters
    ----------
    gpkg : path-like
        The GeoPackage; it must exist and have no ``layer_styles`` table.
    styles : mapping
        Table name -> QML text, in the order the rows are written.
    geometry_column : str
        ``f_geometry_column`` of every row (GDAL's default ``geom``).
    description : str
        ``description`` of every row.
    update_time : str
        ``gpkg_contents.last_change`` and the first row's ``update_time``; the
        next rows are one second apart (distinct, so QGIS lists one style per
        layer), fixed by default so that the same styles give byte-identical files.

    Raises
    ------
    OutputError
        If the file is not a writable GeoPackage or already has styles.
    """
    path = Path(gpkg)
    if not path.is_file():
        raise OutputError(f"{path}: GeoPackage not found; write the layers first")
    con = sqlite3.connect(path)
    try:
        with con:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "gpkg_contents" not in names:
                raise OutputError(f"{path}: not a GeoPackage (no gpkg_contents table)")
            if "layer_styles" in names:
                raise OutputError(f"{path}: already has a layer_styles table")
            con.execute(LAYER_STYLES_DDL)
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change, min_x, min_y, max_x, max_y, srs_id) VALUES "
                "('layer_styles', 'attributes', 'layer_styles', '', ?, NULL, NULL, NULL, NULL, 0)",
                (update_time,),
            )
            if "gpkg_ogr_contents" in names:
                con.execute(
                    "INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('layer_styles', 0)"
                )
                con.execute(_COUNT_TRIGGER.format(op="insert", OP="INSERT", sign="+"))
                con.execute(_COUNT_TRIGGER.format(op="delete", OP="DELETE", sign="-"))
            con.executemany(
                'INSERT INTO "layer_styles" ("f_table_catalog", "f_table_schema", "f_table_name", '
                '"f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault", '
                '"description", "owner", "ui", "update_time") '
                "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, ?)",
                [
                    (table, geometry_column, table, qml, description, when)
                    for (table, qml), when in zip(
                        styles.items(), style_times(len(styles), update_time), strict=True
                    )
                ],
            )
    except sqlite3.Error as err:
        raise OutputError(f"{path}: cannot write QGIS styles: {err}") from err
    finally:
        con.close()
