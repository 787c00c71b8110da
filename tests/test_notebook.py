"""The example notebook runs top to bottom (in a temp copy, so it writes nothing into the repo)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.slow  # starts a kernel and runs the whole notebook


def test_site_analysis_notebook_runs(tmp_path, monkeypatch):
    for name in ("site_analysis.ipynb", "candidate_sites.csv", "projects.csv"):
        shutil.copy(REPO / "examples" / name, tmp_path / name)
    # the kernelspec "python3" runs `python`: make that this interpreter
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + ":" + __import__("os").environ["PATH"])
    nb = nbformat.read(tmp_path / "site_analysis.ipynb", as_version=4)
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "synthetic" in text.lower()
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert (tmp_path / "site_report.html").exists()
    assert any("signed" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)
