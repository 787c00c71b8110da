"""Each fact has one home: a second copy of these mechanisms anywhere in the package fails here.

The house issue found each of them written two to five times, and the copies had drifted
(verdict wording, the formula guard, the GeoPackage time stamp). These tests read the
package source, so a new copy is caught in review, not by a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lzspatial

PKG = Path(lzspatial.__file__).parent
SOURCES = {p.relative_to(PKG).as_posix(): p.read_text(encoding="utf-8") for p in PKG.rglob("*.py")}


def _code(text: str) -> str:
    """The source without docstring examples (``>>>`` lines) and comments."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith((">>>", "...", "#")))


@pytest.mark.parametrize(
    ("what", "pattern", "home"),
    [
        ("bilingual labels of control lines", r"生态保护红线", {"plan/labels.py"}),
        ("verdict wording", r"有条件符合|有条件通过", {"plan/labels.py"}),
        ("the atomic rename", r"\bos\.replace\(", {"_util/atomic.py"}),
        ("the GeoPackage time pin", r"OGR_CURRENT_DATE", {"io/gpkg.py"}),
        ("GeoJSON feature text", r'\{"type":"Feature"', {"io/geojson.py"}),
        ("the formula guard", r"FORMULA_START\s*[:=]|startswith\(\(?\"=\"", {"io/csv.py"}),
        (
            "the GCJ-02/BD-09 branch",
            r"\b(gcj02_to_wgs84|bd09_to_wgs84|wgs84_to_gcj02|convert_gdf)\(",
            {"crs/gcj.py", "crs/transforms.py"},
        ),
        ("path -> Plan coercion", r"\bload_plan\(", {"plan/model.py", "cli/options.py"}),
        ("the PLAN_DIR argument", r'click\.argument\(\s*"plan_dir"', {"cli/options.py"}),
    ],
)
def test_one_home(what, pattern, home):
    found = {name for name, text in SOURCES.items() if re.search(pattern, _code(text))}
    assert found <= home, f"{what} is written outside {sorted(home)}: {sorted(found - home)}"
    assert found, f"{what}: the pattern no longer matches its home; update this test"


def test_no_private_name_crosses_a_module():
    """No module imports another module's ``_private`` name (the house rule)."""
    bad = []
    for name, text in SOURCES.items():
        for m in re.finditer(r"^\s*from (lzspatial[\w.]*) import ([^\n(]+|\([^)]*\))", text, re.M):
            names = [n.strip().split(" as ")[0] for n in m.group(2).strip("()").split(",") if n.strip()]
            bad += [f"{name}: {m.group(1)}.{n}" for n in names if n.startswith("_") and n != "__version__"]
    assert not bad, bad
