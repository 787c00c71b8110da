"""The rule checks of the two versions, run on a worker thread while the rest of the diff goes on.

A rule check spends most of its time in GEOS and PROJ, which release Python's GIL, so on
two cores the checks of A and B overlap the work of the calling thread: loading B (the
command starts A's check as soon as A is loaded) and comparing the features. One worker
runs the checks one after the other; the results are the same objects a serial
``check_plan`` returns.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from lzspatial.errors import LzSpatialError
from lzspatial.plan.model import Plan

if TYPE_CHECKING:
    from lzspatial.rules.report import CheckReport

__all__ = ["RuleChecks", "sided"]

_SIDES = ("A", "B")


def sided(side: str, err: Exception) -> Exception:
    """Return *err* again with its message (and each listed problem) prefixed by the side."""
    from lzspatial.errors import SchemaError

    if isinstance(err, SchemaError):
        return SchemaError(f"{side}: {err}", [f"{side}: {p}" for p in err.problems])
    return type(err)(f"{side}: {err}")


def _check(plan: Plan) -> CheckReport:
    from lzspatial.rules.engine import check_plan

    return check_plan(plan)


class RuleChecks:
    """``check_plan`` of each side, each with its own ``rules.toml``, on one worker thread.

    Use it as a context manager: leaving the block cancels the checks not yet begun and
    waits for a running one (its result is dropped), so no check outlives the block.

    Examples
    --------
    >>> from lzspatial import load_plan
    >>> plan = load_plan()
    >>> with RuleChecks() as checks:
    ...     checks.start("A", plan)
    ...     checks.start("B", plan)
    ...     reports, note = checks.reports()
    >>> note is None, reports[0].has_errors
    (True, False)
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[CheckReport], Plan] | None] = queue.SimpleQueue()
        self._runs: dict[str, Future[CheckReport] | None] = {}
        self._worker: threading.Thread | None = None
        self._closed = False

    def start(self, side: str, plan: Plan) -> None:
        """Start the check of *side* ("A" or "B"); a plan without ``rules.toml`` is not checked."""
        if side not in _SIDES or side in self._runs:
            raise ValueError(f"side must be one of {_SIDES}, each started once; got {side!r}")
        if self._closed:
            raise ValueError("these checks are closed; make a new RuleChecks")
        if not (plan.path / "rules.toml").is_file():
            self._runs[side] = None
            return
        run: Future[CheckReport] = Future()
        self._runs[side] = run
        self._jobs.put((run, plan))
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="lzspatial-check", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            run, plan = job
            if not run.set_running_or_notify_cancel():
                continue  # cancelled before it began
            try:
                run.set_result(_check(plan))
            except BaseException as err:  # handed to reports(), which raises it in the caller
                run.set_exception(err)

    def reports(self) -> tuple[tuple[CheckReport, CheckReport] | None, str | None]:
        """Wait for both checks: the reports of A and B, or None and why one side has none.

        A malformed rule file raises its error, naming the side (A's first).
        """
        if set(self._runs) != set(_SIDES):
            raise ValueError("start the checks of both A and B first")
        missing = [side for side in _SIDES if self._runs[side] is None]
        if missing:
            return None, f"no rule check: {' and '.join(missing)} has no rules.toml"
        out = []
        for side in _SIDES:
            run = self._runs[side]
            assert run is not None
            try:
                out.append(run.result())
            except LzSpatialError as err:
                raise sided(side, err) from err
        return (out[0], out[1]), None

    def close(self, *, wait: bool = True) -> None:
        """Cancel the checks not yet begun; with *wait*, also wait for the one running.

        ``lzspatial diff`` closes without waiting when it stops on an error or Ctrl-C: the
        worker is a daemon thread, so the process exits at once.
        """
        self._closed = True
        for run in self._runs.values():
            if run is not None:
                run.cancel()
        self._jobs.put(None)
        if wait and self._worker is not None:
            self._worker.join()

    def __enter__(self) -> RuleChecks:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
