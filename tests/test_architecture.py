"""The architecture holds: import-linter's tier contracts pass and mypy finds no errors.

The contracts live in pyproject.toml (``[tool.importlinter]``), mypy's settings in
``[tool.mypy]``; both run from the repository root, as ``lint-imports`` and ``mypy lzspatial`` do.
"""

from __future__ import annotations

import contextlib
import io
import os

import pytest

from tests.conftest import REPO


def test_import_contracts_pass():
    from importlinter.cli import lint_imports

    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)
    assert code == 0, out.getvalue()


@pytest.mark.slow
def test_mypy_finds_no_errors():
    from mypy import api

    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        stdout, stderr, code = api.run(["lzspatial"])
    finally:
        os.chdir(cwd)
    assert code == 0, stdout + stderr
