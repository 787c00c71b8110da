"""Shared fixtures and helpers: the default plan, editable copies of it, an in-process CLI runner.

Also the suite's switches:

- tests marked ``slow`` run only with ``--runslow`` or when ``CI`` is set (``CI=true``);
- the hypothesis profile is ``ci`` (200 examples per property) when ``CI`` is set and
  ``dev`` (20 examples) otherwise; ``--hypothesis-profile=NAME`` picks one explicitly.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
BAD = DATA / "bad"


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to a true value (as CI services do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# ---------------------------------------------------------------------------
# hypothesis profiles
# ---------------------------------------------------------------------------

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("dev", max_examples=20, **_COMMON)
settings.register_profile("ci", max_examples=200, **_COMMON)
settings.load_profile("ci" if in_ci() else "dev")


# ---------------------------------------------------------------------------
# slow tests: skipped by default, run with --runslow or in CI
# ---------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False, help="also run tests marked slow (CI=true does too)"
    )


#: Files whose parametrized cases each start a whole command (a build, a subprocess, a screening
#: run): locally only the first case of each test runs, like hypothesis' small local profile;
#: every case runs with --runslow and in CI.
FIRST_CASE_ONLY = (
    "tests/cli/test_environment.py",
    "tests/screening/test_site_columns.py",
    "tests/_util/test_atomic_guards.py",
    "tests/io/test_special_files.py",
    "tests/screening/test_results.py",
    "tests/cli/test_screen.py",
    "tests/plan/test_plan_values.py",
    "tests/test_bad_inputs.py",
    "tests/outputs/test_export.py",
    "tests/outputs/test_printmap.py",
    "tests/outputs/webmap/test_browser.py",
    "tests/outputs/webmap/test_map.py",
    "tests/screening/test_engine.py",
    "tests/screening/test_indicators.py",
    "tests/rules/test_engine.py",
    "tests/rules/test_siting.py",
    "tests/outputs/test_report.py",
    "tests/outputs/test_report_pdf.py",
    "tests/outputs/webmap/test_browser_structure.py",
    "tests/_util/test_locks.py",
    "tests/plan/test_validate.py",
)
#: Single tests that take several seconds each (signals, concurrent builds); CI runs them.
SLOW_TESTS = (
    "test_signals_leave_one_line_and_no_temp_files",
    "test_two_builds_into_one_folder_both_complete",
    "test_failing_replace_quick",
    "test_every_output_is_written_by_one_replace",
    "test_build_exits_1_on_error_violations_but_writes_everything",
    # locally the staleness test already compares a fresh build with the committed one
    "test_two_builds_are_byte_identical",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow") or in_ci():
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow or CI=true")
    seen: set[tuple[str, str]] = set()
    for item in items:
        path = item.nodeid.split("::")[0]
        func = getattr(item, "originalname", item.name)
        first = (path, func) not in seen
        seen.add((path, func))
        if (
            "slow" in item.keywords
            or func in SLOW_TESTS
            or (path in FIRST_CASE_ONLY and "[" in item.name and not first)
        ):
            item.add_marker(skip)


# ---------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def default_plan():
    from lzspatial.plan import load_plan

    return load_plan(LAYERS)


@pytest.fixture(scope="session")
def built_maps(tmp_path_factory) -> Path:
    """``lzspatial build`` of the default plan into a temporary folder, once per test process."""
    out = tmp_path_factory.mktemp("built") / "maps"
    res = run_cli("build", "--out", out)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """A writable copy of the default plan folder."""
    dst = tmp_path / "plan"
    shutil.copytree(LAYERS, dst)
    return dst


def edit_layer(folder: Path, name: str, fn: Callable[[dict[str, Any]], Any]) -> None:
    """Load ``folder/name.geojson`` as JSON, let *fn* edit it in place, write it back."""
    path = folder / f"{name}.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def feature(doc: dict[str, Any], fid: str) -> dict[str, Any]:
    """The feature with id *fid* of a FeatureCollection dict."""
    for f in doc["features"]:
        if f["properties"].get("id") == fid:
            return f
    raise KeyError(fid)


# ---------------------------------------------------------------------------
# the CLI, in process
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(env: dict[str, str] | None) -> Iterator[None]:
    """Replace ``os.environ`` by *env* (when given) for the duration of the block."""
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in env.items()})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli(
    *args: Any, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``lzspatial`` command in this process and capture what a user would see.

    Calls :func:`lzspatial.cli.main` (what the console script and ``python -m lzspatial``
    call), so library errors become one stderr line and exit code 2, bugs exit 3. *cwd*
    and *env* apply during the call only; *env* replaces the whole environment, as for
    :func:`subprocess.run`. Warnings are shown once per place, as in a fresh interpreter,
    through the CLI's own one-line warning printer. *timeout* is accepted for
    compatibility with the subprocess version and ignored.

    Returns a :class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and ``stderr``.
    """
    from lzspatial.cli import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = None
    saved_showwarning = warnings.showwarning
    with contextlib.ExitStack() as stack:
        stack.enter_context(_environment(env))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(warnings.catch_warnings())
        warnings.resetwarnings()
        warnings.simplefilter("default")  # like a fresh `python`: each warning once per place
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category)
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code
        finally:
            warnings.showwarning = saved_showwarning
    for thread in threading.enumerate():  # a fresh process would have exited; here the next test
        if thread.name == "lzspatial-check":  # must not share the machine with a dropped rule check
            thread.join(60)
    if code is None:
        returncode = 0
    elif isinstance(code, int):
        returncode = code
    else:  # sys.exit("message"): Python prints it and exits 1
        err.write(f"{code}\n")
        returncode = 1
    return subprocess.CompletedProcess(["lzspatial", *argv], returncode, out.getvalue(), err.getvalue())


def lzspatial_script() -> Path:
    """The ``lzspatial`` console script installed beside this interpreter."""
    return Path(sys.executable).parent / "lzspatial"


# ---------------------------------------------------------------------------
# PostgreSQL + PostGIS (issue 18): a throwaway server for the whole session
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A running PostgreSQL with PostGIS (tests/pgserver.py); skipped locally when missing, never in CI."""
    from tests.pgserver import PgServer, find_bin

    bindir = find_bin()
    missing = "postgresql-15-postgis-3 is not installed" if bindir is None else None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing = "psycopg is not installed (pip install -e '.[test]')"
    if missing:
        if in_ci():
            pytest.fail(f"{missing}; in CI the PostGIS tests must run")
        pytest.skip(missing)
    server = PgServer(bindir)
    try:
        yield server
    finally:
        server.stop()


# issue 15 (ArcGIS exports, lzspatial import): locally only the first case of these files' parametrized tests
FIRST_CASE_ONLY = (*FIRST_CASE_ONLY, "tests/outputs/test_plan_import.py", "tests/outputs/test_arcgis.py")
