"""The rule checks of A and B on a worker thread: the same answer as serial checks, errors naming the side."""

from __future__ import annotations

import gc
import pickle
import threading

import pytest

from lzspatial._util.pause import gc_paused
from lzspatial.diff import diff_plans
from lzspatial.diff.checks import RuleChecks
from lzspatial.diff.deltas import rule_delta
from lzspatial.errors import RuleError
from lzspatial.plan import load_plan
from lzspatial.rules.engine import check_plan
from tests.conftest import run_cli

from .pairs import Layer, copy_plan, metric_geom, set_metric_geom


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """The default plan with a park moved out of the urban development boundary (a rule now fails)."""
    folder = copy_plan(tmp_path_factory.mktemp("moved") / "plan")
    with Layer(folder, "parks") as doc:
        import shapely

        g = metric_geom(doc, "park-timber-port")
        set_metric_geom(doc, "park-timber-port", shapely.affinity.translate(g, 2500, 0))
    return folder


def test_threaded_checks_give_the_serial_delta(default_plan, moved):
    b = load_plan(moved)
    serial = rule_delta(check_plan(default_plan), check_plan(b))
    assert serial.newly_failing or serial.violations_added  # the move is seen by the check
    assert diff_plans(default_plan, b).rules == serial
    with RuleChecks() as checks:
        checks.start("A", default_plan)
        checks.start("B", b)
        started = diff_plans(default_plan, b, checks=checks)
    assert started.rules == serial
    assert started.to_json() == diff_plans(default_plan, b).to_json()


def test_a_malformed_rule_file_names_its_side_a_first(default_plan, tmp_path):
    bad_a, bad_b = copy_plan(tmp_path / "a"), copy_plan(tmp_path / "b")
    for folder in (bad_a, bad_b):
        (folder / "rules.toml").write_text('[[rule]]\nid = "x"\nkind = "no_such_kind"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"^B: .*rules\.toml"):
        diff_plans(default_plan, load_plan(bad_b))
    with pytest.raises(RuleError, match=r"^A: .*rules\.toml"):
        diff_plans(load_plan(bad_a), load_plan(bad_b))


def test_a_side_without_rules_gives_a_note_not_a_check(default_plan, tmp_path):
    bare = copy_plan(tmp_path / "bare")
    (bare / "rules.toml").unlink()
    d = diff_plans(default_plan, load_plan(bare))
    assert d.rules is None
    assert d.rules_note == "no rule check: B has no rules.toml"


def test_sides_are_started_once_each(default_plan):
    with RuleChecks() as checks:
        checks.start("A", default_plan)
        with pytest.raises(ValueError, match="each started once"):
            checks.start("A", default_plan)
        with pytest.raises(ValueError, match="both A and B"):
            checks.reports()
        with pytest.raises(ValueError, match="side must be"):
            checks.start("C", default_plan)
    with pytest.raises(ValueError, match="closed"):
        checks.start("B", default_plan)


def test_cli_b_that_fails_to_load_while_a_is_checked_exits_2(tmp_path):
    bad = copy_plan(tmp_path / "bad")
    (bad / "zones.geojson").write_text("{not json", encoding="utf-8")
    r = run_cli("diff", "layers", bad, "--format", "json")
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: B: ") or "B: " in r.stderr.splitlines()[0]
    assert "Traceback" not in r.stderr


def test_gc_pause_holds_until_the_last_thread_leaves():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def worker():
        with gc_paused():
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=worker)
    with gc_paused():
        t.start()
        inside.wait(10)
    assert not gc.isenabled()  # the worker's block is still running
    leave.set()
    t.join()
    assert gc.isenabled()


def test_gc_pause_keeps_a_callers_off_setting():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_plan_pickles_to_the_same_bytes_with_or_without_its_caches(moved):
    plan = load_plan(moved)
    before = pickle.dumps(plan)
    plan.layer("zones", metric=True)
    _ = plan.boundary_metric
    assert pickle.dumps(plan) == before
    again = pickle.loads(before)
    assert again.layer("zones", metric=True).crs == plan.layer("zones", metric=True).crs


def test_close_without_waiting_leaves_a_running_check_to_finish(default_plan, monkeypatch):
    """An interrupted command exits at once: close(wait=False) cancels what has not begun, waits for none."""
    import time

    from lzspatial.diff import checks as mod

    began, release = threading.Event(), threading.Event()
    real = mod._check

    def slow(plan):
        began.set()
        release.wait(30)
        return real(plan)

    monkeypatch.setattr(mod, "_check", slow)
    c = RuleChecks()
    c.start("A", default_plan)
    c.start("B", default_plan)
    assert began.wait(10)
    t = time.perf_counter()
    c.close(wait=False)
    assert time.perf_counter() - t < 1.0  # A is still running, held by the event
    runs = c._runs
    assert runs["B"].cancelled() and not runs["A"].done()
    release.set()
    assert runs["A"].result(timeout=30).plan_id == default_plan.id  # A finished on its own
    assert c._worker.daemon  # it never holds the process open
    c._worker.join(30)
    assert gc.isenabled()  # the check's GC pause ended with it
