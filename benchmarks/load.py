"""Benchmark: load and validate a plan, in bulk (``load_plan``) vs. feature by feature.

Target (issue 16, the setup of ``lzspatial diff A B``): ``load_plan`` of a plan with 10,000
features in each of eight layers (80,026 features, made by ``make_plans`` of ``diff.py``) in
at most 1.2 s (median), and the default plan (``layers/``) no slower than before.

The reference is the per-feature path the bulk path falls back to (``bulk=False``: every
feature parsed strictly and checked one by one, the layers checked across each other feature
by feature, the garbage collector left on), which is what ``load_plan`` did before. Both run
on each plan, interleaved (alternating which runs first), the same number of times; CPU time
(``time.process_time``) and wall time of the call are reported as median and min (freeing the
plan afterwards, which takes the same time on both paths, is not counted). The frames of both
are checked to be identical first.

Run: ``python benchmarks/load.py [N] [REPEAT]`` (defaults 10,000 and 5).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import diff  # noqa: E402 - the plan generator of the diff benchmark

ARGS = [x for x in sys.argv[1:] if not x.startswith("--")]
N = int(ARGS[0]) if ARGS else 10_000
REPEAT = int(ARGS[1]) if len(ARGS) > 1 else 5
TARGET_S = 1.2


def _same(a, b) -> None:
    import shapely

    assert a.layer_names == b.layer_names
    for name in a.layer_names:
        fa, fb = a[name], b[name]
        pd.testing.assert_frame_equal(fa, fb, check_exact=True, check_index_type=True)
        assert (shapely.to_wkb(fa.geometry.values) == shapely.to_wkb(fb.geometry.values)).all()


def main() -> None:
    from lzspatial.plan import default_plan_dir
    from lzspatial.plan.model import _read_folder

    diff.N = N
    root = Path(tempfile.mkdtemp(prefix="lzspatial-bench-load-"))
    try:
        big, _ = diff.make_plans(root)
        paths = {"default plan (layers/)": default_plan_dir(), f"{N:,} features per layer": big}
        ways = {"bulk (load_plan)": True, "per feature (reference)": False}
        print("| plan | path | CPU median | CPU min | wall median | wall min |")
        print("|---|---|---|---|---|---|")
        medians = {}
        for plan_name, folder in paths.items():
            _same(_read_folder(folder, bulk=True), _read_folder(folder, bulk=False))
            cpu: dict[str, list[float]] = {w: [] for w in ways}
            wall: dict[str, list[float]] = {w: [] for w in ways}
            order = list(ways)
            for rep in range(REPEAT):
                for way in order if rep % 2 == 0 else order[::-1]:
                    c, w = time.process_time(), time.perf_counter()
                    plan = _read_folder(folder, bulk=ways[way])
                    cpu[way].append(time.process_time() - c)
                    wall[way].append(time.perf_counter() - w)
                    del plan  # freeing the plan is not part of loading it
            for way in ways:
                medians[plan_name, way] = statistics.median(wall[way])
                print(
                    f"| {plan_name} | {way} | {statistics.median(cpu[way]):.3f} s | {min(cpu[way]):.3f} s "
                    f"| {statistics.median(wall[way]):.3f} s | {min(wall[way]):.3f} s |"
                )
        print(f"{REPEAT} runs each, interleaved (alternating first); frames identical on both paths")
        ours = medians[f"{N:,} features per layer", "bulk (load_plan)"]
        print(f"target {TARGET_S} s for {N:,} features per layer: {'met' if ours <= TARGET_S else 'NOT met'}")
        d_bulk = medians["default plan (layers/)", "bulk (load_plan)"]
        d_ref = medians["default plan (layers/)", "per feature (reference)"]
        print(f"default plan: bulk {d_bulk * 1000:.0f} ms vs. reference {d_ref * 1000:.0f} ms (wall median)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
