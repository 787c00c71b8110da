"""Open an lzspatial QGIS project with a real QGIS (PyQGIS) and print what QGIS sees, as JSON.

Run by tests/outputs/test_qgis.py with Debian's ``/usr/bin/python3`` (which has
``python3-qgis``) under ``QT_QPA_PLATFORM=offscreen``; never imported by the tests.

    python3 tests/qgis_probe.py PROJECT GPKG OUT_DIR [--no-render]

PROJECT is a ``.qgz`` or ``geopackage:...?projectName=...``. OUT_DIR receives
``layout.pdf`` (the print layout), ``map.png`` (the project rendered with labels),
``map_nolabels.png`` and ``zones.png`` (the zones layer alone on white), with the
map-to-pixel transform of the renders in the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _text(value):
    """A feature value as JSON: None for NULL (a null QVariant), else its text."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    return str(value)


def main(project_uri: str, gpkg: str, out_dir: str, render: bool = True) -> dict:
    from qgis.core import (
        Qgis,
        QgsApplication,
        QgsExpression,
        QgsExpressionContext,
        QgsExpressionContextUtils,
        QgsLayoutExporter,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsProject,
        QgsRectangle,
        QgsRenderContext,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    app = QgsApplication([], False)
    app.initQgis()
    out = Path(out_dir)
    result: dict = {"qgis": Qgis.QGIS_VERSION}
    project = QgsProject.instance()
    result["read"] = bool(project.read(project_uri))
    result["crs"] = project.crs().authid()
    root = project.layerTreeRoot()

    def tree(node):
        items = []
        for child in node.children():
            if child.nodeType() == 0:  # group
                items.append({"group": child.name(), "checked": child.isVisible(), "children": tree(child)})
            else:
                items.append({"layer": child.name(), "id": child.layerId(), "checked": child.isVisible()})
        return items

    result["tree"] = tree(root)
    result["has_custom_order"] = root.hasCustomLayerOrder()
    result["order"] = [lay.id() for lay in root.layerOrder()]
    layers = {}
    for lid, lay in project.mapLayers().items():
        info: dict = {"name": lay.name(), "valid": lay.isValid(), "crs": lay.crs().authid()}
        if isinstance(lay, QgsVectorLayer) and lay.isValid():
            rend = lay.renderer()
            info["renderer"] = rend.type()
            info["count"] = lay.featureCount()
            info["wkb"] = lay.wkbType()
            if rend.type() == "categorizedSymbol":
                info["attr"] = rend.classAttribute()
                info["categories"] = [
                    [c.value(), c.label(), c.symbol().color().name()] for c in rend.categories()
                ]
            elif rend.type() == "RuleRenderer":
                info["rules"] = [[r.label(), r.symbol().color().name()] for r in rend.rootRule().children()]
            info["symbol_layers"] = sorted(
                {sl.layerType() for sym in rend.symbols(QgsRenderContext()) for sl in sym.symbolLayers()}
            )
            info["aliases"] = {f.name(): f.alias() for f in lay.fields()}
            # value maps: every stored value resolves through its ValueMap widget
            vm = {}
            for idx, field in enumerate(lay.fields()):
                setup = lay.editorWidgetSetup(idx)
                if setup.type() != "ValueMap":
                    continue
                # what the attribute table shows: the ValueMap field formatter's text of each stored value
                formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter("ValueMap")
                shown = {}
                for feat in lay.getFeatures():
                    value = feat.attribute(idx)
                    if value is None:
                        continue
                    shown[str(value)] = formatter.representValue(lay, idx, setup.config(), None, value)
                vm[field.name()] = {
                    "resolved": {k: v for k, v in sorted(shown.items()) if not v.startswith("(")},
                    "unresolved": sorted(k for k, v in shown.items() if v.startswith("(")),
                }
            info["value_maps"] = vm
            # virtual fields (list fields read in Chinese): their values, per feature id
            info["virtual"] = {
                field.name(): {str(f["id"]): _text(f[field.name()]) for f in lay.getFeatures()}
                for idx, field in enumerate(lay.fields())
                if lay.fields().fieldOrigin(idx) == lay.fields().OriginExpression
            }
            # labels: the expression QGIS evaluates, per feature id
            info["labels_enabled"] = lay.labelsEnabled()
            if lay.labelsEnabled() and lay.labeling() is not None:
                settings = lay.labeling().settings()
                info["label_priority"] = settings.priority
                info["label_font"] = settings.format().font().family()
                expr = QgsExpression(
                    settings.fieldName if settings.isExpression else f'"{settings.fieldName}"'
                )
                ctx = QgsExpressionContext()
                ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(lay))
                labels = {}
                for feat in lay.getFeatures():
                    ctx.setFeature(feat)
                    value = expr.evaluate(ctx)
                    labels[str(feat["id"])] = (
                        None if value is None or value == "" or str(value) == "NULL" else str(value)
                    )
                info["label_error"] = expr.evalErrorString() or expr.parserErrorString()
                info["labels"] = labels
        layers[lid] = info
    result["layers"] = layers

    # each table added on its own (not through the project): its default style from layer_styles,
    # and what "Load style from database" lists for it (styles of this table first)
    def on_its_own(table):
        alone = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        listed = alone.listStylesInDatabase()
        info = {
            "renderer": alone.renderer().type() if alone.renderer() else None,
            "related": listed[0],
            "names": list(listed[2])[: listed[0]],
            "listed": len(listed[2]),
            "labels": alone.labelsEnabled(),
        }
        del alone  # before QGIS exits
        return info

    if render:
        tables = sorted(lay.source().split("layername=")[-1] for lay in project.mapLayers().values())
        result["direct"] = {table: on_its_own(table) for table in tables}

    # the print layout exported as PDF
    manager = project.layoutManager()
    result["layouts"] = []
    for layout in manager.printLayouts() if render else []:
        page = layout.pageCollection().page(0)
        items = sorted({type(i).__name__ for i in layout.items() if hasattr(i, "uuid")})
        legend = [i for i in layout.items() if type(i).__name__ == "QgsLayoutItemLegend"]
        legend_rows = legend[0].model().rowCount() if legend else -1
        legend_layers = legend[0].model().rootGroup().findLayerIds() if legend else []
        pdf = out / "layout.pdf"
        exporter = QgsLayoutExporter(layout)
        status = exporter.exportToPdf(str(pdf), QgsLayoutExporter.PdfExportSettings())
        scalebar = [i for i in layout.items() if type(i).__name__ == "QgsLayoutItemScaleBar"]
        maps = [i for i in layout.items() if type(i).__name__ == "QgsLayoutItemMap"]
        result["layouts"].append(
            {
                "name": layout.name(),
                "page_mm": [page.pageSize().width(), page.pageSize().height()],
                "items": items,
                "legend_rows": legend_rows,
                "legend_layers": legend_layers,
                "labels": [i.text() for i in layout.items() if type(i).__name__ == "QgsLayoutItemLabel"],
                "pictures": [
                    i.picturePath() for i in layout.items() if type(i).__name__ == "QgsLayoutItemPicture"
                ],
                "scalebar_units": [s.units() for s in scalebar],
                "map_scale": [m.scale() for m in maps],
                "map_crs": [m.crs().authid() for m in maps],
                "pdf_status": int(status),
                "pdf": str(pdf),
            }
        )

    if not render:
        app.exitQgis()
        return result
    # renders: the project as opened (labels on and off) and the zones layer alone on white
    view = project.viewSettings().defaultViewExtent()
    extent = QgsRectangle(view) if not view.isEmpty() else QgsRectangle()
    visible = [lay for lay in root.layerOrder() if root.findLayer(lay.id()).isVisible()]
    width = 1200
    height = round(width * extent.height() / extent.width()) if extent.width() else 900

    def render(layer_list, path, labels=True):
        settings = QgsMapSettings()
        settings.setLayers(layer_list)
        settings.setDestinationCrs(project.crs())
        settings.setExtent(extent)
        settings.setOutputSize(QSize(width, height))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setFlag(QgsMapSettings.DrawLabeling, labels)
        settings.setTransformContext(project.transformContext())
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        job.renderedImage().save(str(path), "PNG")
        return settings

    settings = render(visible, out / "map.png")
    render(visible, out / "map_nolabels.png", labels=False)
    zones = [lay for lay in project.mapLayers().values() if lay.id().endswith("_zones")]
    render(zones, out / "zones.png", labels=False)
    ext = settings.visibleExtent()
    result["render"] = {
        "size": [width, height],
        "extent": [ext.xMinimum(), ext.yMinimum(), ext.xMaximum(), ext.yMaximum()],
        "visible": [lay.id() for lay in visible],
    }
    result["gpkg"] = gpkg
    app.exitQgis()
    return result


if __name__ == "__main__":
    data = main(*sys.argv[1:4], render="--no-render" not in sys.argv[4:])
    sys.stdout.write("\nLZPROBE " + json.dumps(data, ensure_ascii=False) + "\n")
