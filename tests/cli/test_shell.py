"""The CLI shell, in process: help, version, error handling, terminal safety.

The real entry points (console script, ``python -m``) are smoke-tested in test_entry_points.py.
"""

from __future__ import annotations

from tests.conftest import edit_layer, feature, run_cli


def test_help_lists_commands():
    res = run_cli("--help")
    assert res.returncode == 0
    for cmd in ("validate", "info", "build"):
        assert cmd in res.stdout


def test_version():
    import lzspatial

    res = run_cli("--version")
    assert res.returncode == 0 and lzspatial.__version__ in res.stdout


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
