"""The QGIS project (``export --format qgis``) and the GeoPackage it opens, checked with a real QGIS.

The QGIS tests run Debian's ``/usr/bin/python3`` (``python3-qgis``) on ``tests/qgis_probe.py``
under ``QT_QPA_PLATFORM=offscreen``: it opens the ``.qgz`` and the project stored in the
GeoPackage and prints what QGIS sees (layers, order, CRS, tree, renderers, value maps, label
texts, the layout exported as PDF, renders as PNG). They are slow (QGIS starts in ~3 s);
CI (CI=true) runs them and fails when QGIS is missing; locally they skip when
``/usr/bin/python3`` cannot import ``qgis.core``. The first tests need no QGIS.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from lzspatial.crs.transforms import reproject
from lzspatial.outputs.export import export_plan, gpkg_order
from lzspatial.outputs.qgis_project import PROJECT_CRS, layer_id
from lzspatial.outputs.style import (
    CLASS_FIELD,
    DEFAULT_OFF,
    DRAW_RANK,
    LABEL_STRIP,
    LABELLED,
    MAP_GROUPS,
    STYLES,
)
from tests.conftest import TESTS, in_ci

QGIS_PYTHON = "/usr/bin/python3"
PROBE = TESTS / "qgis_probe.py"
VALIDATE_GPKG = "osgeo_utils.samples.validate_gpkg"  # python3-gdal's GeoPackage validator


@pytest.fixture(scope="module")
def exported(tmp_path_factory, default_plan):
    out = tmp_path_factory.mktemp("qgis")
    files = export_plan(default_plan, out, fmt="qgis")
    return {"gpkg": files[0], "qgz": files[1], "files": files, "out": out}


# ------------------------------------------------------------------ without QGIS


def test_qgis_export_writes_gpkg_and_qgz(exported, default_plan):
    assert [p.name for p in exported["files"]] == ["liaozhong-2023.gpkg", "liaozhong-2023.qgz"]
    with zipfile.ZipFile(exported["qgz"]) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["liaozhong-2023.qgs"]
        assert infos[0].date_time == (1980, 1, 1, 0, 0, 0)  # fixed: same plan, same bytes
        qgs = zf.read(infos[0]).decode("utf-8")
    root = ET.fromstring(qgs.split("\n", 1)[1])
    sources = [e.text for e in root.iter("datasource")]
    assert sorted(sources) == sorted(f"./liaozhong-2023.gpkg|layername={n}" for n in default_plan.layer_names)
    assert root.find("properties/Paths/Absolute").text == "false"
    assert root.find("projectCrs/spatialrefsys/authid").text == PROJECT_CRS
    assert "/tmp" not in qgs and str(exported["out"]) not in qgs  # nothing of this machine


def test_project_stored_in_the_geopackage_is_the_qgz(exported, default_plan):
    """QGIS's GeoPackage project storage: qgis_projects(name, metadata JSON, content = hex of the zip)."""
    con = sqlite3.connect(exported["gpkg"])
    try:
        ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'qgis_projects'").fetchone()[0]
        rows = con.execute("SELECT name, metadata, content FROM qgis_projects").fetchall()
    finally:
        con.close()
    assert ddl == "CREATE TABLE qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)"
    assert [r[0] for r in rows] == [default_plan.id]
    meta = json.loads(rows[0][1])
    assert set(meta) == {"last_modified_time", "last_modified_user"}
    assert re.fullmatch(r"[0-9a-f]+", rows[0][2])
    assert bytes.fromhex(rows[0][2]) == exported["qgz"].read_bytes()


@pytest.mark.slow
def test_qgis_export_is_byte_identical(exported, default_plan, tmp_path):
    again = export_plan(default_plan, tmp_path, fmt="qgis")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in exported["files"]]


def test_rtree_triggers_of_geopackage_1_2(exported, default_plan):
    """validate_gpkg.py's Req 75 (GDAL 3.6): a 1.2 file has the rtree update1 trigger (1.4 has update6/7)."""
    con = sqlite3.connect(exported["gpkg"])
    try:
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        version = con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()
    assert version == 10200
    for name in default_plan.layer_names:
        for suffix in ("insert", "update1", "update2", "update3", "update4", "delete"):
            assert f"rtree_{name}_geom_{suffix}" in triggers, (name, suffix)


# ------------------------------------------------------------------ with a real QGIS


def _importable(module: str) -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    res = subprocess.run([QGIS_PYTHON, "-c", f"import {module}"], capture_output=True, check=False)
    return res.returncode == 0


def _need_qgis(module: str = "qgis.core", package: str = "qgis python3-qgis") -> None:
    """Skip locally, fail in CI, when Debian's python3 cannot import *module*."""
    if _importable(module):
        return
    if in_ci():
        pytest.fail(f"{module} missing in CI: apt-get install {package} (see .ci/run)")
    pytest.skip(f"{module} not importable by /usr/bin/python3 (apt-get install {package})")


def _probe(project: str, gpkg: Path, out: Path, *extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(out), HOME=str(out))
    res = subprocess.run(
        [QGIS_PYTHON, str(PROBE), project, str(gpkg), str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    line = next(s for s in res.stdout.splitlines() if s.startswith("LZPROBE "))
    return json.loads(line[len("LZPROBE ") :])


@pytest.fixture(scope="module")
def qgis(exported):
    _need_qgis()
    out = exported["out"] / "probe"
    out.mkdir()
    return _probe(str(exported["qgz"]), exported["gpkg"], out)


@pytest.mark.slow
def test_qgis_opens_layers_order_crs_tree(qgis, default_plan):
    assert qgis["read"] and qgis["crs"] == "EPSG:4550"
    layers = qgis["layers"]
    assert len(layers) == len(default_plan.layer_names) == 12
    assert all(info["valid"] for info in layers.values())
    for name in default_plan.layer_names:
        info = layers[layer_id(name)]
        assert info["name"] == default_plan.titles(name)[0]  # Chinese layer names
        assert info["count"] == len(default_plan[name])
    # drawing order (top first) = the web map's, reversed; the tree keeps it as a custom order
    expected = [
        layer_id(n)
        for n in sorted(default_plan.layer_names, key=lambda n: -DRAW_RANK[default_plan.element(n)])
    ]
    assert qgis["has_custom_order"] and qgis["order"] == expected
    assert qgis["order"][0] == "lzspatial_centers" and qgis["order"][-1] == "lzspatial_context"
    # the group tree, as on the web map; control lines and transport off
    groups = [(g["group"], [c["id"] for c in g["children"]]) for g in qgis["tree"]]
    assert [g for g, _ in groups] == list(MAP_GROUPS)
    for group, ids in groups:
        assert {i.removeprefix("lzspatial_") for i in ids} <= set(MAP_GROUPS[group])
    checked = {c["id"]: c["checked"] for g in qgis["tree"] for c in g["children"]}
    for name in default_plan.layer_names:
        assert checked[layer_id(name)] == (default_plan.element(name) not in DEFAULT_OFF), name


LINES = ("axes", "transport", "water")
SCHEMATIC_MARKS = re.compile(LABEL_STRIP)  # what the web map's labels leave out


@pytest.mark.slow
def test_qgis_renderers_are_the_intended_ones(qgis, default_plan):
    for name in default_plan.layer_names:
        element = default_plan.element(name)
        info = qgis["layers"][layer_id(name)]
        classes = [c for c in STYLES[element] if c != "*"]
        if classes:
            assert info["renderer"] == "categorizedSymbol", name
            assert CLASS_FIELD[element] in info["attr"]
            cats = {value: colour for value, _, colour in info["categories"]}
            assert list(cats)[: len(classes)] == classes
            for cls in classes:  # the palette: fill colour of areas and points, line colour of lines
                style = STYLES[element][cls]
                assert cats[cls] == style["color" if element in LINES else "fill"], (name, cls)
        else:
            assert info["renderer"] == "RuleRenderer", name
            assert len(info["rules"]) == 1 and info["rules"][0][0].startswith(default_plan.titles(name)[0])
    # each axis is its own legend entry, named after it (as on the web map)
    axes = {value: label for value, label, _ in qgis["layers"]["lzspatial_axes"]["categories"]}
    for _, row in default_plan["axes"].iterrows():
        assert axes[row["id"]] == f"{row['name_zh']} {row['name_en']}"
    # arrowheads on the axes (marker lines), none on the other lines
    assert "MarkerLine" in qgis["layers"]["lzspatial_axes"]["symbol_layers"]
    assert "MarkerLine" not in qgis["layers"]["lzspatial_water"]["symbol_layers"]
    # multi-part declared types (QGIS wkb types: 5 MultiLineString, 6 MultiPolygon, 1 Point)
    assert qgis["layers"]["lzspatial_zones"]["wkb"] == 6 and qgis["layers"]["lzspatial_axes"]["wkb"] == 5
    assert qgis["layers"]["lzspatial_towns"]["wkb"] == 1


@pytest.mark.slow
def test_qgis_default_styles_one_per_layer(qgis, default_plan):
    """A table added on its own gets its style; "Load style from database" lists one style per table.

    With one shared update_time QGIS 3.22 listed 122 styles for the 12 tables (the issue).
    """
    direct = qgis["direct"]
    assert sorted(direct) == sorted(default_plan.layer_names)
    for table, info in direct.items():
        assert info["renderer"] == qgis["layers"][layer_id(table)]["renderer"], table
        assert info["related"] == 1 and info["names"] == [table], table
        assert info["listed"] == len(default_plan.layer_names), table


@pytest.mark.slow
def test_qgis_value_maps_and_aliases_resolve(qgis, default_plan):
    parks = qgis["layers"]["lzspatial_parks"]
    assert parks["value_maps"]["kind"]["resolved"]["bonded_zone"] == "综合保税区"
    assert parks["aliases"]["name_zh"] == "中文名" and parks["aliases"]["kind"] == "类型"
    checked = 0
    for info in qgis["layers"].values():
        assert "geometry_basis" in info["value_maps"]
        for field, result in info["value_maps"].items():
            assert result["unresolved"] == [], (info["name"], field)
            assert result["resolved"], (info["name"], field)
            checked += len(result["resolved"])
    assert checked >= 30  # 39 distinct stored values in the default plan
    assert qgis["layers"]["lzspatial_context"]["value_maps"]["in_shenyang"]["resolved"] == {
        "False": "否",
        "True": "是",
    }


@pytest.mark.slow
def test_qgis_labels_as_on_the_web_map(qgis, default_plan):
    for name in default_plan.layer_names:
        element = default_plan.element(name)
        info = qgis["layers"][layer_id(name)]
        labelled_classes = {cls for (elem, cls) in LABELLED if elem == element}
        if not labelled_classes:
            assert not info["labels_enabled"], name
            continue
        assert info["labels_enabled"] and info["label_error"] == "", name
        frame = default_plan[name]
        for _, row in frame.iterrows():
            value = row.get(CLASS_FIELD.get(element, ""), None)
            cls = value[0] if isinstance(value, (list, np.ndarray)) else value
            should = "*" in labelled_classes or cls in labelled_classes
            got = info["labels"][row["id"]]
            if not should:
                assert got is None, (name, row["id"])
                continue
            # the web map's label: the name without its schematic marks ("（示意）", "，示意")
            assert got == SCHEMATIC_MARKS.sub("", row["name_zh"]).strip(), (name, row["id"], got)
            assert "示意" not in got
    assert qgis["layers"]["lzspatial_places"]["labels"]["liaozhong-seat"] is None  # as on the web map
    assert qgis["layers"]["lzspatial_centers"]["label_priority"] == 10


@pytest.mark.slow
def test_qgis_layout_exports_a3_pdf(qgis, default_plan):
    (layout,) = qgis["layouts"]
    assert layout["page_mm"] == [420.0, 297.0] and layout["pdf_status"] == 0
    assert {
        "QgsLayoutItemMap",
        "QgsLayoutItemLegend",
        "QgsLayoutItemPicture",
        "QgsLayoutItemScaleBar",
        "QgsLayoutItemLabel",
    } <= set(layout["items"])
    assert default_plan.title_zh in layout["labels"]
    assert any(default_plan.disclaimer["zh"] in t for t in layout["labels"])
    assert layout["map_crs"] == ["EPSG:4550"] and 100_000 < layout["map_scale"][0] < 500_000
    assert layout["scalebar_units"] == [1]  # kilometres
    assert "north_arrow" in layout["pictures"][0]
    # the legend shows the layers on at open, not the control lines
    assert (
        "lzspatial_control_lines" not in layout["legend_layers"]
        and "lzspatial_zones" in layout["legend_layers"]
    )
    info = subprocess.run(["pdfinfo", layout["pdf"]], capture_output=True, text=True, check=True).stdout
    assert re.search(
        r"Page size:\s+1190\.\d+ x 841\.\d+ pts \(A3\)|Page size:\s+1191 x 842 pts \(A3\)", info
    ), info


def _pixels(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def _to_pixel(render: dict, x: float, y: float) -> tuple[int, int]:
    x0, y0, x1, y1 = render["extent"]
    w, h = render["size"]
    return int((x - x0) / (x1 - x0) * w), int((y1 - y) / (y1 - y0) * h)


@pytest.mark.slow
def test_qgis_render_shows_zone_fills_and_labels(qgis, default_plan, exported):
    out = exported["out"] / "probe"
    render = qgis["render"]
    zones = reproject(default_plan.layer("zones"), PROJECT_CRS)
    alone = _pixels(out / "zones.png")
    for _, row in zones.iterrows():
        fill = STYLES["zones"][row["functions"][0]]
        want = np.array([int(fill["fill"][i : i + 2], 16) for i in (1, 3, 5)])
        expected = want * fill["fill_opacity"] + 255 * (1 - fill["fill_opacity"])  # over white
        p = shapely.point_on_surface(row.geometry)
        col, line = _to_pixel(render, p.x, p.y)
        got = alone[line - 2 : line + 3, col - 2 : col + 3].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - expected).max() < 12, (row["id"], got, expected)
    full, bare = _pixels(out / "map.png"), _pixels(out / "map_nolabels.png")
    assert full.shape == bare.shape
    changed = np.abs(full - bare).sum(axis=2) > 60
    assert changed.mean() > 0.005  # labels drawn
    # dark label text near every key town
    towns = reproject(default_plan.layer("towns"), PROJECT_CRS)
    for _, row in towns[towns["rank"] == "key"].iterrows():
        col, line = _to_pixel(render, row.geometry.x, row.geometry.y)
        box = changed[max(0, line - 40) : line + 40, max(0, col - 80) : col + 80]
        assert box.sum() > 20, row["id"]


@pytest.mark.slow
def test_qgis_opens_the_project_stored_in_the_geopackage(exported, default_plan, tmp_path):
    _need_qgis()
    uri = f"geopackage:{exported['gpkg']}?projectName={default_plan.id}"
    got = _probe(uri, exported["gpkg"], tmp_path, "--no-render")
    assert got["read"] and got["crs"] == "EPSG:4550"
    assert len(got["layers"]) == 12 and all(info["valid"] for info in got["layers"].values())
    assert [c["group"] for c in got["tree"]] == list(MAP_GROUPS)


@pytest.mark.slow
def test_validate_gpkg_passes(exported, default_plan, tmp_path):
    """GDAL's validate_gpkg.py (python3-gdal) accepts the GeoPackage, also a projected one."""
    _need_qgis(VALIDATE_GPKG, "python3-gdal")
    projected = export_plan(default_plan, tmp_path, fmt="gpkg", crs="EPSG:4550")[0]
    for path in (exported["gpkg"], projected):
        res = subprocess.run(
            [QGIS_PYTHON, "-m", VALIDATE_GPKG, str(path)], capture_output=True, text=True, check=False
        )
        assert res.returncode == 0 and res.stderr.strip() == "", res.stderr[-2000:]
    assert gpkg_order(default_plan, ["zones", "towns"]) == ["towns", "zones"]
