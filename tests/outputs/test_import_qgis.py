"""A layer of our GeoPackage export edited through a real QGIS (PyQGIS), then ``lzspatial import``.

Runs Debian's ``/usr/bin/python3`` with ``qgis.core`` (packages ``qgis``, ``python3-qgis``) under
``QT_QPA_PLATFORM=offscreen``. Locally it skips when PyQGIS is missing; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import shapely

from lzspatial.outputs.export import export_plan
from lzspatial.plan import load_plan
from tests.conftest import LAYERS, in_ci, run_cli

QGIS_PYTHON = Path("/usr/bin/python3")

_EDIT = textwrap.dedent(
    """
    import json, sys
    from qgis.core import QgsApplication, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(sys.argv[1] + "|layername=zones", "zones", "ogr")
    assert layer.isValid(), "layer not valid"
    feat = next(f for f in layer.getFeatures() if f["id"] == "zone-north")
    point = feat.geometry().vertexAt(1)
    assert layer.startEditing()
    assert layer.moveVertex(point.x() + 30.0, point.y(), feat.id(), 1)
    assert layer.commitChanges(), layer.commitErrors()
    print(json.dumps({"x": point.x(), "y": point.y(), "fields": layer.fields().names()}))
    del feat, layer  # before exitQgis, or the interpreter crashes on the way out
    app.exitQgis()
    """
)


def _qgis_available() -> bool:
    if not QGIS_PYTHON.exists():
        return False
    probe = subprocess.run(
        [str(QGIS_PYTHON), "-c", "import qgis.core"], capture_output=True, env=_env(), timeout=120
    )
    return probe.returncode == 0


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, "QT_QPA_PLATFORM": "offscreen", "PYTHONNOUSERSITE": "1"}


@pytest.mark.slow
def test_qgis_edited_layer_comes_back(plan_copy, tmp_path):
    if not _qgis_available():
        if in_ci():
            pytest.fail(
                "PyQGIS is not installed; in CI the QGIS tests must run (apt-get install qgis python3-qgis)"
            )
        pytest.skip("PyQGIS not installed (apt-get install qgis python3-qgis)")
    gpkg = export_plan(
        load_plan(plan_copy), tmp_path / "x", fmt="gpkg", crs="EPSG:4550", layers="zones,parks"
    )[0]
    script = tmp_path / "edit.py"
    script.write_text(_EDIT, encoding="utf-8")
    run = subprocess.run(
        [str(QGIS_PYTHON), str(script), str(gpkg)], capture_output=True, text=True, env=_env(), timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    edited = json.loads(run.stdout.strip().splitlines()[-1])
    assert "fid" in edited["fields"]  # what QGIS shows: the GeoPackage fid, dropped on import
    before = (plan_copy / "zones.geojson").read_bytes()
    res = run_cli("import", gpkg, "--into", plan_copy, "--layer", "zones")
    assert res.returncode == 2 and "(zone-north)" in res.stderr and "--basis" in res.stderr
    assert (plan_copy / "zones.geojson").read_bytes() == before
    res = run_cli(
        "import", gpkg, "--into", plan_copy, "--layer", "zones", "--basis", "derived", "--source", "QGIS edit"
    )
    assert res.returncode == 0, res.stderr
    assert "moved: 1 (zone-north)" in res.stdout and "re-attributed: 0" in res.stdout
    plan = load_plan(plan_copy)  # the whole plan validates with the edited layer
    old = load_plan(LAYERS).layer("zones", metric=True).set_index("id").geometry["zone-north"]
    new = plan.layer("zones", metric=True).set_index("id").geometry["zone-north"]
    target = shapely.Point(edited["x"] + 30.0, edited["y"])  # where QGIS put the vertex (EPSG:4550)
    assert min(shapely.Point(c).distance(target) for c in new.exterior.coords) < 0.2  # 6-decimal storage
    assert 1.0 < shapely.hausdorff_distance(old, new) <= 30.2
    assert plan.layer("zones").set_index("id").loc["zone-north", "geometry_basis"] == "derived"


_READ = textwrap.dedent(
    """
    import json, sys
    from qgis.core import QgsApplication, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(sys.argv[1], "zones", "ogr")
    names = [f["name_zh"] for f in layer.getFeatures()]
    print(json.dumps({"valid": layer.isValid(), "crs": layer.crs().authid(), "names": names,
                      "encoding": layer.dataProvider().encoding()}, ensure_ascii=False))
    del layer
    app.exitQgis()
    """
)


@pytest.mark.slow
def test_qgis_reads_the_gbk_shapefile_with_its_cpg_and_esri_prj(default_plan, tmp_path):
    if not _qgis_available():
        if in_ci():
            pytest.fail(
                "PyQGIS is not installed; in CI the QGIS tests must run (apt-get install qgis python3-qgis)"
            )
        pytest.skip("PyQGIS not installed (apt-get install qgis python3-qgis)")
    shp = export_plan(default_plan, tmp_path, fmt="shp", layers="zones", crs="4550", encoding="gbk")[0]
    script = tmp_path / "read.py"
    script.write_text(_READ, encoding="utf-8")
    run = subprocess.run(
        [str(QGIS_PYTHON), str(script), str(shp)], capture_output=True, text=True, env=_env(), timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["valid"] and got["crs"] == "EPSG:4550" and got["encoding"] == "GBK"
    assert got["names"] == list(default_plan.layer("zones")["name_zh"])
