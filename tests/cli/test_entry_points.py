"""The two real entry points, each smoke-tested once in a subprocess (every other CLI test runs in process).

- the ``lzspatial`` console script: version, and one bad-input case (exit 2, one stderr line);
- ``python -m lzspatial``: ``--help`` works and imports no heavy module (geopandas, folium, ...).
"""

from __future__ import annotations

import subprocess
import sys

import lzspatial
from tests.conftest import lzspatial_script
from tests.test_bad_inputs import CASES, _setup


def test_console_script(tmp_path):
    """The same contract as the in-process runs holds through the installed ``lzspatial`` script."""
    script = lzspatial_script()
    assert script.is_file(), f"{script} missing: pip install -e ."
    res = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and lzspatial.__version__ in res.stdout
    args, _ = _setup(CASES[0], tmp_path)
    res = subprocess.run([str(script), *args], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_python_m_help_does_not_import_geopandas_or_folium():
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lzspatial", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0
    for cmd in ("validate", "info", "build"):
        assert cmd in res.stdout
    # -X importtime lists every imported module on stderr: "import time: self | cumulative | name"
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in res.stderr.splitlines()
        if line.count("|") == 2
    }
    assert "click" in imported and "lzspatial" in imported  # the listing works
    heavy = ("geopandas", "folium", "pandas", "shapely", "rich")
    assert sorted(m for m in heavy if m in imported) == []
