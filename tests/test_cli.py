"""The CLI shell: help, version, python -m, error handling, terminal safety."""

from __future__ import annotations

import json

from .conftest import edit_layer, feature, run_cli


def test_help_lists_commands():
    res = run_cli("--help")
    assert res.returncode == 0
    for cmd in ("validate", "info", "build"):
        assert cmd in res.stdout


def test_version():
    import lzspatial

    res = run_cli("--version")
    assert res.returncode == 0 and lzspatial.__version__ in res.stdout


def test_help_does_not_import_geopandas_or_folium():
    import subprocess
    import sys

    code = (
        "import sys; from lzspatial.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('geopandas', 'folium', 'pandas', 'shapely', 'rich')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_unknown_command_exit_2():
    res = run_cli("frobnicate")
    assert res.returncode == 2 and "No such command" in res.stderr


def test_hostile_text_does_not_reach_terminal_raw(plan_copy):
    evil = "\x1b[31mRED\x1b[0m\u202eevil"
    edit_layer(plan_copy, "parks", lambda d: feature(d, "park-timber-port")["properties"].update(kind=evil))
    res = run_cli("validate", plan_copy)
    assert res.returncode == 2
    assert "\x1b" not in res.stderr and "\u202e" not in res.stderr
    assert "\\x1b[31mRED" in res.stderr


def test_build_writes_summary(tmp_path):
    out = tmp_path / "out"
    res = run_cli("build", "--out", out)
    assert res.returncode == 0, res.stderr
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["plan"] == "liaozhong-2023"


def test_build_into_unwritable_target_is_one_line(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    res = run_cli("build", "--out", target)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    assert target.read_text() == "x"


def test_build_exits_1_on_error_violations_but_writes_everything(plan_copy, tmp_path):
    rules = plan_copy / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    assert 'subject = {layer = "zones"}\nexact = 4' in text
    rules.write_text(
        text.replace('subject = {layer = "zones"}\nexact = 4', 'subject = {layer = "zones"}\nexact = 5'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = run_cli("build", plan_copy, "--out", out)
    assert res.returncode == 1, res.stderr
    assert "1 error(s)" in res.stdout
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["check"]["error"] == 1 and (out / "structure.html").is_file()


def test_build_refuses_before_writing_when_a_subfolder_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "exports").write_text("not a folder")
    res = run_cli("build", "--out", out)
    assert res.returncode == 2 and "exports: output path exists and is not a folder" in res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["exports"]
