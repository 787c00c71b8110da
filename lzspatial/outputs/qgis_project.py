"""A QGIS project (``.qgz``) for a plan's GeoPackage, written as XML without PyQGIS.

:func:`project_qgs` returns the project XML (QGIS 3.22 format): the GeoPackage's
tables referenced by relative path (``./<plan id>.gpkg|layername=zones``), the
project CRS EPSG:4550, the web map's drawing order (:data:`DRAW_RANK`) as the
layer order, the layer tree grouped as :data:`MAP_GROUPS`, Chinese layer names
(the plan's ``title_zh``), the control layers and transport off, every layer
with its style (:func:`lzspatial.outputs.qgis.layer_elements`: renderer,
labels, Chinese field aliases and value maps), and an A3 landscape print
layout with the map, a legend, a north arrow, a scale bar, the title and the
schematic disclaimer.

:func:`qgz_bytes` zips it as QGIS does (one ``.qgs`` entry) with fixed
timestamps, and :func:`embed_project` stores the zip in the GeoPackage's
``qgis_projects`` table (name, metadata JSON, content = hex of the zip bytes,
as QGIS's GeoPackage project storage reads it), so that the one file opens the
whole map. Every id is fixed: the same plan gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import json
import os
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lzspatial.errors import OutputError
from lzspatial.outputs.qgis import STYLE_TIME, layer_elements
from lzspatial.outputs.style import DEFAULT_OFF, DRAW_RANK, LEGEND_RANK, MAP_GROUPS

__all__ = [
    "PROJECT_CRS",
    "PROJECTS_DDL",
    "ProjectLayer",
    "embed_project",
    "layer_id",
    "project_qgs",
    "qgz_bytes",
]

#: The project CRS: CGCS2000 3-degree Gauss-Krüger CM 123E, the plan's metric CRS (no east-west stretch).
PROJECT_CRS: Final = "EPSG:4550"
#: The ``qgis_projects`` table exactly as QGIS's GeoPackage project storage creates it.
PROJECTS_DDL: Final = "CREATE TABLE qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)"
#: QGIS version the XML follows (Debian 12's QGIS; later versions read it).
QGIS_VERSION: Final = "3.22.16-Białowieża"
#: Zip entry timestamp (the earliest a zip can hold), for byte-identical files.
ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
#: Font of the layout's texts; QGIS falls back to an installed font (and Qt to any CJK font).
LAYOUT_FONT: Final = "Noto Sans CJK SC"
#: A3 landscape, millimetres.
PAGE_W, PAGE_H = 420.0, 297.0


@dataclass(frozen=True)
class ProjectLayer:
    """One GeoPackage table as the project shows it."""

    #: Table name (the plan's layer name).
    table: str
    #: Plan element (picks style, group and drawing rank).
    element: str
    #: (zh, en) title; the zh one names the layer.
    title: tuple[str, str]
    #: Declared geometry type of the table (``MultiPolygon``, ``Point``...).
    geom_type: str
    #: Attribute columns of the table, ``fid`` first.
    fields: tuple[str, ...]
    #: Legend labels (class, zh, en) replacing the vocabulary's (the axes: their names).
    class_labels: tuple[tuple[str, str, str], ...] = ()


def layer_id(table: str) -> str:
    """Return the fixed QGIS layer id of a table.

    Examples
    --------
    >>> layer_id("zones")
    'lzspatial_zones'
    """
    return f"lzspatial_{table}"


def _uuid(n: int) -> str:
    return f"{{00000000-0000-4000-8000-{n:012d}}}"


@functools.cache
def _crs_info(crs: str) -> tuple[str, str, bool]:
    """WKT2, name and whether geographic, of an EPSG CRS (QGIS reads a CRS from its WKT, not its authid)."""
    import pyproj

    ref = pyproj.CRS.from_user_input(crs)
    return str(ref.to_wkt()), str(ref.name), bool(ref.is_geographic)


def _srs(parent: ET.Element, crs: str) -> None:
    wkt, name, geographic = _crs_info(crs)
    ref = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    ET.SubElement(ref, "wkt").text = wkt
    ET.SubElement(ref, "srid").text = crs.split(":")[1]
    ET.SubElement(ref, "authid").text = crs
    ET.SubElement(ref, "description").text = name
    ET.SubElement(ref, "geographicflag").text = "true" if geographic else "false"


def _empty_dd(parent: ET.Element, tag: str = "dataDefinedProperties") -> None:
    opt = ET.SubElement(ET.SubElement(parent, tag), "Option", type="Map")
    ET.SubElement(opt, "Option", type="QString", value="", name="name")
    ET.SubElement(opt, "Option", name="properties")
    ET.SubElement(opt, "Option", type="QString", value="collection", name="type")


def _draw_order(layers: Sequence[ProjectLayer]) -> list[ProjectLayer]:
    """Top first: the reverse of the web map's drawing order (bottom first)."""
    middle = len(DRAW_RANK) / 2
    return sorted(layers, key=lambda lay: -DRAW_RANK.get(lay.element, middle))


def _grouped(layers: Sequence[ProjectLayer]) -> list[tuple[str, list[ProjectLayer]]]:
    """Return the layer tree: groups in :data:`MAP_GROUPS` order, layers by legend rank; others last."""
    out = []
    for group, elements in MAP_GROUPS.items():
        members = [lay for lay in layers if lay.element in elements]
        members.sort(key=lambda lay: LEGEND_RANK.get(lay.element, len(LEGEND_RANK)))
        if members:
            out.append((group, members))
    rest = [lay for lay in layers if not any(lay.element in e for e in MAP_GROUPS.values())]
    if rest:
        out.append(("其他", rest))
    return out


def _tree_layer(parent: ET.Element, lay: ProjectLayer, source: str, on: bool) -> None:
    node = ET.SubElement(
        parent,
        "layer-tree-layer",
        id=layer_id(lay.table),
        name=lay.title[0],
        source=source,
        providerKey="ogr",
        checked="Qt::Checked" if on else "Qt::Unchecked",
        expanded="0",
        legend_exp="",
        legend_split_behavior="0",
        patch_size="-1,-1",
    )
    ET.SubElement(ET.SubElement(node, "customproperties"), "Option")


def _layer_tree(
    parent: ET.Element, layers: Sequence[ProjectLayer], sources: Mapping[str, str], *, legend: bool
) -> ET.Element:
    root = ET.SubElement(parent, "layer-tree-group")
    ET.SubElement(ET.SubElement(root, "customproperties"), "Option")
    for group, members in _grouped(layers):
        shown = [lay for lay in members if lay.element not in DEFAULT_OFF]
        if legend and not shown:
            continue
        node = ET.SubElement(
            root,
            "layer-tree-group",
            name=group,
            expanded="1",
            checked="Qt::Checked" if shown else "Qt::Unchecked",
        )
        ET.SubElement(ET.SubElement(node, "customproperties"), "Option")
        for lay in shown if legend else members:
            _tree_layer(node, lay, sources[lay.table], lay.element not in DEFAULT_OFF)
    if not legend:
        order = ET.SubElement(root, "custom-order", enabled="1")
        for lay in _draw_order(layers):
            ET.SubElement(order, "item").text = layer_id(lay.table)
    return root


def _maplayer(
    parent: ET.Element,
    lay: ProjectLayer,
    source: str,
    crs: str,
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]],
) -> None:
    kind = "Point" if lay.geom_type.endswith("Point") else "Line" if "Line" in lay.geom_type else "Polygon"
    children = layer_elements(
        lay.element,
        geom_type=lay.geom_type,
        vocabularies=vocabularies,
        fields=lay.fields,
        title=lay.title,
        class_labels={cls: (zh, en) for cls, zh, en in lay.class_labels},
    )
    ml = ET.SubElement(
        parent,
        "maplayer",
        type="vector",
        geometry=kind,
        wkbType=lay.geom_type,
        labelsEnabled="1" if any(c.tag == "labeling" for c in children) else "0",
        styleCategories="AllStyleCategories",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
        readOnly="0",
        autoRefreshEnabled="0",
        autoRefreshTime="0",
        refreshOnNotifyEnabled="0",
        refreshOnNotifyMessage="",
        simplifyAlgorithm="0",
        simplifyDrawingHints="1",
        simplifyDrawingTol="1",
        simplifyLocal="1",
        simplifyMaxScale="1",
        symbologyReferenceScale="-1",
        legendPlaceholderImage="",
    )
    ET.SubElement(ml, "id").text = layer_id(lay.table)
    ET.SubElement(ml, "datasource").text = source
    ET.SubElement(ml, "layername").text = lay.title[0]
    ET.SubElement(ml, "abstract").text = f"{lay.title[0]} {lay.title[1]}"
    _srs(ET.SubElement(ml, "srs"), crs)
    ET.SubElement(ml, "provider", encoding="UTF-8").text = "ogr"
    ET.SubElement(ml, "map-layer-style-manager", current="default").append(
        ET.Element("map-layer-style", name="default")
    )
    ml.extend(children)
    ET.SubElement(ml, "layerOpacity").text = "1"
    ET.SubElement(ml, "previewExpression").text = '"name_zh"'
    ET.SubElement(ml, "mapTip").text = ""


# ------------------------------------------------------------------ print layout


def _item(
    parent: ET.Element, kind: int, n: int, xywh: tuple[float, float, float, float], z: int, **attrs: str
) -> ET.Element:
    x, y, w, h = xywh
    item = ET.SubElement(
        parent,
        "LayoutItem",
        {
            "type": str(kind),
            "uuid": _uuid(n),
            "templateUuid": _uuid(n),
            "id": attrs.pop("id", ""),
            "position": f"{x:g},{y:g},mm",
            "positionOnPage": f"{x:g},{y:g},mm",
            "size": f"{w:g},{h:g},mm",
            "zValue": str(z),
            "visibility": "1",
            "positionLock": "false",
            "referencePoint": "0",
            "itemRotation": "0",
            "opacity": "1",
            "blendMode": "0",
            "excludeFromExports": "0",
            "frameJoinStyle": "miter",
            "outlineWidthM": "0.3,mm",
            "groupUuid": "",
            "frame": attrs.pop("frame", "false"),
            "background": attrs.pop("background", "false"),
            **attrs,
        },
    )
    ET.SubElement(item, "FrameColor", red="60", green="60", blue="60", alpha="255")
    ET.SubElement(item, "BackgroundColor", red="255", green="255", blue="255", alpha="255")
    obj = ET.SubElement(item, "LayoutObject")
    _empty_dd(obj)
    ET.SubElement(ET.SubElement(obj, "customproperties"), "Option")
    return item


def _font(size: float, bold: bool = False) -> str:
    """Return a QFont description (family, point size, pixel size, style hint, weight, ...)."""
    return f"{LAYOUT_FONT},{size:g},-1,5,{75 if bold else 50},0,0,0,0,0"


def _label_item(
    parent: ET.Element, n: int, xywh: tuple[float, float, float, float], text: str, size: float, **kw: str
) -> None:
    item = _item(
        parent,
        65641,
        n,
        xywh,
        10,
        labelText=text,
        htmlState="0",
        marginX="1",
        marginY="1",
        halign=kw.pop("halign", "1"),
        valign="32",
        **kw,
    )
    ET.SubElement(item, "LabelFont", description=_font(size, bold=size >= 14), style="")
    ET.SubElement(item, "FontColor", red="33", green="33", blue="33", alpha="255")


def _fit(extent: tuple[float, float, float, float], w: float, h: float) -> tuple[float, float, float, float]:
    """Grow *extent* (with a 4 % margin) to the aspect ratio of a w x h frame, centred."""
    x0, y0, x1, y1 = extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = (x1 - x0) / 2 * 1.04, (y1 - y0) / 2 * 1.04
    if half_w / half_h < w / h:
        half_w = half_h * w / h
    else:
        half_h = half_w * h / w
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _layout(
    parent: ET.Element,
    layers: Sequence[ProjectLayer],
    sources: Mapping[str, str],
    extent: tuple[float, float, float, float],
    title: str,
    disclaimer: str,
) -> None:
    layouts = ET.SubElement(parent, "Layouts")
    lo = ET.SubElement(
        layouts, "Layout", name="A3 结构图", units="mm", printResolution="300", worldFileMap=""
    )
    ET.SubElement(lo, "Snapper", snapToGrid="0", snapToGuides="1", snapToItems="1", tolerance="5")
    ET.SubElement(lo, "Grid", resolution="10", resUnits="mm", offsetX="0", offsetY="0", offsetUnits="mm")
    pages = ET.SubElement(lo, "PageCollection")
    page = _item(pages, 65638, 1, (0, 0, PAGE_W, PAGE_H), 0, background="true")
    page.set("size", f"{PAGE_W:g},{PAGE_H:g},mm")
    ET.SubElement(pages, "GuideCollection", visible="1")

    map_box = (10.0, 24.0, 300.0, 232.0)
    x0, y0, x1, y1 = _fit(extent, map_box[2], map_box[3])
    mp = _item(
        lo,
        65639,
        2,
        map_box,
        1,
        id="地图 map",
        frame="true",
        background="true",
        keepLayerSet="false",
        drawCanvasItems="true",
        mapRotation="0",
        followPreset="false",
        followPresetName="",
        mapFlags="0",
        labelMargin="0,mm",
        isTemporal="0",
    )
    ET.SubElement(mp, "Extent", xmin=f"{x0:.3f}", ymin=f"{y0:.3f}", xmax=f"{x1:.3f}", ymax=f"{y1:.3f}")
    _srs(ET.SubElement(mp, "crs"), PROJECT_CRS)
    ET.SubElement(mp, "LayerSet")
    ET.SubElement(mp, "AtlasMap", scalingMode="2", margin="0.1", atlasDriven="0")
    map_uuid = _uuid(2)

    legend = _item(
        lo,
        65642,
        3,
        (314.0, 24.0, 96.0, 232.0),
        3,
        id="图例 legend",
        legendFilterByMap="1",
        background="true",
        title="图例 Legend",
        map_uuid=map_uuid,
        resizeToContents="1",
        columnCount="1",
        splitLayer="0",
        equalColumnWidth="0",
        symbolWidth="7",
        symbolHeight="4",
        boxSpace="2",
        columnSpace="2",
        lineSpacing="1",
        wrapChar="",
        titleAlignment="1",
        symbolAlignment="1",
        legendFilterByAtlas="0",
        rasterBorder="0",
        fontColor="#212121",
    )
    styles = ET.SubElement(legend, "styles")
    fonts = (
        ("title", 12, 0),
        ("group", 9, 2.5),
        ("subgroup", 8, 1.5),
        ("symbol", 7, 1),
        ("symbolLabel", 7, 1),
    )
    for name, size, top in fonts:
        st = ET.SubElement(styles, "style", name=name, alignment="1", indent="0", marginTop=f"{top:g}")
        if name == "symbolLabel":
            st.set("marginLeft", "2")
        ET.SubElement(st, "styleFont", description=_font(size, bold=name in ("title", "group")), style="")
    _layer_tree(legend, layers, sources, legend=True)

    arrow = _item(
        lo,
        65640,
        4,
        (284.0, 28.0, 12.0, 20.0),
        4,
        id="指北针 north arrow",
        file=":/images/north_arrows/layout_default_north_arrow.svg",
        mode="0",
        resizeMode="0",
        anchorPoint="0",
        pictureRotation="0",
        pictureWidth="12",
        pictureHeight="20",
        northMode="0",
        northOffset="0",
        mapUuid=map_uuid,
        svgFillColor="33,33,33,255",
        svgBorderColor="33,33,33,255",
        svgBorderWidth="0.2",
    )
    del arrow

    _item(
        lo,
        65646,
        5,
        (14.0, 242.0, 60.0, 10.0),
        5,
        id="比例尺 scale bar",
        style="Single Box",
        mapUuid=map_uuid,
        unitType="km",
        unitLabel="km",
        numMapUnitsPerScaleBarUnit="1",  # QGIS's "label unit multiplier"
        numUnitsPerSegment="5",
        segmentMillimeters=f"{5000 / ((x1 - x0) / map_box[2]):.4f}",  # 5 km on the map frame
        numSegments="2",
        numSegmentsLeft="0",
        segmentSizeMode="0",
        minBarWidth="50",
        maxBarWidth="150",
        height="2.5",
        numSubdivisions="1",
        subdivisionsHeight="1.5",
        labelBarSpace="2",
        boxContentSpace="1",
        alignment="0",
        labelVerticalPlacement="0",
        labelHorizontalPlacement="0",
        outlineWidth="0.3",
        lineJoinStyle="miter",
        lineCapStyle="square",
    )
    _label_item(lo, 6, (10.0, 6.0, 400.0, 16.0), title, 16, id="标题 title")
    _label_item(lo, 7, (10.0, 259.0, 400.0, 26.0), disclaimer, 6.5, id="示意说明 disclaimer")
    _label_item(
        lo,
        8,
        (10.0, 286.0, 400.0, 6.0),
        "坐标系 CRS: CGCS2000 / 3-degree Gauss-Kruger CM 123E (EPSG:4550) · lzspatial",
        7,
        id="坐标系 CRS",
    )


# ------------------------------------------------------------------ project


def project_qgs(
    *,
    title: str,
    gpkg_file: str,
    layers: Sequence[ProjectLayer],
    data_crs: str,
    extent: tuple[float, float, float, float],
    vocabularies: Mapping[str, Mapping[str, Mapping[str, str]]],
    layout_title: str = "",
    disclaimer: str = "",
) -> str:
    """Return the QGIS project XML of a GeoPackage's *layers*.

    Parameters
    ----------
    title : str
        Project title.
    gpkg_file : str
        The GeoPackage's file name, beside the project (referenced as ``./<name>``).
    layers : sequence of ProjectLayer
        The tables to show (any order: the project orders them).
    data_crs : str
        CRS of the tables (``EPSG:4326``...).
    extent : (xmin, ymin, xmax, ymax)
        What the canvas and the layout map show, in :data:`PROJECT_CRS`.
    vocabularies : mapping
        ``plan.vocabularies`` (legend labels and value maps).
    layout_title, disclaimer : str
        Texts of the print layout (default *title*, none).

    Returns
    -------
    str
        The ``.qgs`` XML text; the same input gives the same text.
    """
    sources = {lay.table: f"./{gpkg_file}|layername={lay.table}" for lay in layers}
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "autotransaction", active="0")
    ET.SubElement(root, "evaluateDefaultValues", active="0")
    ET.SubElement(root, "trust", active="0")
    _srs(ET.SubElement(root, "projectCrs"), PROJECT_CRS)
    _layer_tree(root, layers, sources, legend=False)
    x0, y0, x1, y1 = extent
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    ET.SubElement(canvas, "units").text = "meters"
    ext = ET.SubElement(canvas, "extent")
    for key, value in (("xmin", x0), ("ymin", y0), ("xmax", x1), ("ymax", y1)):
        ET.SubElement(ext, key).text = f"{value:.3f}"
    ET.SubElement(canvas, "rotation").text = "0"
    _srs(ET.SubElement(canvas, "destinationsrs"), PROJECT_CRS)
    ET.SubElement(canvas, "rendermaptile").text = "0"
    ET.SubElement(root, "relations")
    projectlayers = ET.SubElement(root, "projectlayers")
    for lay in sorted(layers, key=lambda lay: lay.table):
        _maplayer(projectlayers, lay, sources[lay.table], data_crs, vocabularies)
    order = ET.SubElement(root, "layerorder")
    for lay in _draw_order(layers):
        ET.SubElement(order, "layer", id=layer_id(lay.table))
    props = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(props, "Paths"), "Absolute", type="bool").text = "false"
    ET.SubElement(ET.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", type="int").text = "1"
    measure = ET.SubElement(props, "Measurement")
    ET.SubElement(measure, "DistanceUnits", type="QString").text = "km"
    ET.SubElement(measure, "AreaUnits", type="QString").text = "km2"
    ET.SubElement(ET.SubElement(props, "PAL"), "DrawRectOnly", type="bool").text = "false"
    _layout(root, layers, sources, extent, layout_title or title, disclaimer)
    view = ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    default = ET.SubElement(
        view, "DefaultViewExtent", xmin=f"{x0:.3f}", ymin=f"{y0:.3f}", xmax=f"{x1:.3f}", ymax=f"{y1:.3f}"
    )
    _srs(default, PROJECT_CRS)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def qgz_bytes(qgs: str, stem: str) -> bytes:
    """Zip project XML as a ``.qgz`` (one ``<stem>.qgs`` entry, deflated, fixed timestamp).

    Examples
    --------
    >>> qgz_bytes("<qgis/>", "p") == qgz_bytes("<qgis/>", "p")
    True
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(f"{stem}.qgs", date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.create_system = 3
        zf.writestr(info, qgs.encode("utf-8"), compresslevel=9)
    return buf.getvalue()


def embed_project(gpkg: str | os.PathLike[str], name: str, qgz: bytes, *, modified: str = STYLE_TIME) -> None:
    """Store a ``.qgz`` in the ``qgis_projects`` table of *gpkg*, as QGIS's project storage does.

    QGIS lists it under the GeoPackage in the browser and opens it from there
    (``geopackage:<file>?projectName=<name>``); relative layer paths resolve
    against the GeoPackage's folder. *modified* (fixed by default) is the
    metadata's ``last_modified_time``.

    Raises
    ------
    OutputError
        If the file is not a GeoPackage or cannot be written.
    """
    path = Path(gpkg)
    meta = json.dumps(
        {"last_modified_time": modified.rstrip("Z").split(".")[0], "last_modified_user": "lzspatial"}
    )
    con = sqlite3.connect(path)
    try:
        with con:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "gpkg_contents" not in names:
                raise OutputError(f"{path}: not a GeoPackage (no gpkg_contents table)")
            if "qgis_projects" not in names:
                con.execute(PROJECTS_DDL)
            con.execute("DELETE FROM qgis_projects WHERE name = ?", (name,))
            con.execute(
                "INSERT INTO qgis_projects (name, metadata, content) VALUES (?, ?, ?)",
                (name, meta, qgz.hex()),
            )
    except sqlite3.Error as err:
        raise OutputError(f"{path}: cannot store the QGIS project: {err}") from err
    finally:
        con.close()
