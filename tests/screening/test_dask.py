"""The dask engine: answers equal to screen(), empty partitions, a killed worker, the missing extra.

The cluster tests start a 2-worker LocalCluster of processes and are marked slow (they run in CI).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lzspatial.cli import main
from lzspatial.errors import InputError, OutputError
from lzspatial.plan import load_plan
from lzspatial.screening import screen, screen_file
from lzspatial.screening.dask import PlanHandle, require_dask, screen_dask, screen_files
from lzspatial.screening.plan_index import plan_index


def _cli(args: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.err + out.out


def _points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(122.45, 123.05, n), rng.uniform(41.3, 41.75, n)


def _csvs(folder: Path, sizes: list[int]) -> list[Path]:
    folder.mkdir()
    paths = []
    for k, n in enumerate(sizes):
        lon, lat = _points(n, k)
        p = folder / f"sites-{k}.csv"
        pd.DataFrame({"code": [f"0{i}" for i in range(n)], "lon": lon.round(6), "lat": lat.round(6)}).to_csv(
            p, index=False
        )
        paths.append(p)
    return paths


# ---------------------------------------------------------------- fast


def test_plan_handle_unpickles_to_one_plan_per_process():
    plan = load_plan()
    h = PlanHandle(plan)
    a, b = pickle.loads(pickle.dumps(h)), pickle.loads(pickle.dumps(h))
    assert a.key == b.key == h.key
    assert a.plan is b.plan  # so the index is built once per process
    assert plan_index(a.plan) is plan_index(b.plan)


def test_missing_extra_names_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r"lzspatial\[dask\]"):
        require_dask()
    code, text = _cli(["screen", "x/*.parquet", "--engine", "dask", "--out", "o"], capsys)
    assert code == 2
    assert "pip install 'lzspatial[dask]'" in text
    assert len(text.strip().splitlines()) == 1


def test_dask_options_refused_with_the_local_engine(tmp_path, capsys):
    p = _csvs(tmp_path / "in", [3])[0]
    code, text = _cli(["screen", str(p), "--workers", "2"], capsys)
    assert code == 2
    assert "--engine dask" in text


# ---------------------------------------------------------------- a 2-worker LocalCluster


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    ) as c:
        yield c


@pytest.mark.slow
def test_screen_dask_equals_screen_row_for_row_with_an_empty_partition(cluster):
    import dask
    import dask.dataframe as dd
    from distributed import Client

    plan = load_plan()
    lon, lat = _points(3000, 7)
    sites = gpd.GeoDataFrame(
        {"name": [f"s{i}" for i in range(3000)]}, geometry=gpd.points_from_xy(lon, lat), crs=4326
    )
    expected = screen(sites, plan, "trade_logistics")
    parts = [sites.iloc[:1000], sites.iloc[1000:1000], sites.iloc[1000:]]  # the middle one is empty
    ddf = dd.from_delayed([dask.delayed(p) for p in parts], meta=sites.iloc[:0], verify_meta=False)
    with Client(cluster) as client:
        got = screen_dask(ddf, plan, "trade_logistics").compute(scheduler=client)
    assert ddf.npartitions == 3
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert isinstance(got["verdict"].dtype, pd.CategoricalDtype)
    assert list(got.dtypes) == list(expected.dtypes)


@pytest.mark.slow
def test_files_give_the_single_process_parquet(cluster, tmp_path):
    files = _csvs(tmp_path / "in", [1500, 0, 700])
    files[1].write_text("code,lon,lat\n", encoding="utf-8")  # a file with no rows: an empty partition
    plan = load_plan()
    res = screen_files(
        str(tmp_path / "in" / "*.csv"),
        tmp_path / "out",
        plan,
        "bonded_warehousing_processing",
        scheduler=cluster.scheduler_address,
    )
    assert res["sites"] == 2200
    outs = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in outs] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    for src, part in ((files[0], outs[0]), (files[2], outs[2])):
        single = tmp_path / f"{src.stem}.parquet"
        screen_file(src, single, plan, "bonded_warehousing_processing")
        assert pq.read_schema(part) == pq.read_schema(single)
        pd.testing.assert_frame_equal(pd.read_parquet(part), pd.read_parquet(single), check_exact=True)
    assert pq.read_metadata(outs[1]).num_rows == 0
    assert pq.read_schema(outs[1]) == pq.read_schema(outs[0])


@pytest.mark.slow
def test_a_bad_row_stops_the_job_with_one_line_and_no_folder(cluster, tmp_path, capsys):
    files = _csvs(tmp_path / "in", [50, 50])
    text = files[1].read_text(encoding="utf-8").splitlines()
    text[10] = "x,abc,41.5"
    files[1].write_text("\n".join(text) + "\n", encoding="utf-8")
    args = ["screen", str(tmp_path / "in"), "--engine", "dask", "--scheduler", cluster.scheduler_address]
    code, text = _cli([*args, "--out", str(tmp_path / "out")], capsys)
    assert code == 2, text
    line = text.strip()
    assert len(line.splitlines()) == 1
    assert "sites-1.csv" in line and "line 11" in line and "lon" in line
    assert not (tmp_path / "out").exists()


def _kill_a_busy_worker(client, stop: threading.Event) -> list[int]:
    """SIGKILL the first worker seen running a task (the nanny starts a new one)."""
    pids = client.run(os.getpid)
    killed = []
    while not stop.is_set() and not killed:
        for addr, tasks in client.processing().items():
            if tasks and addr in pids:
                os.kill(pids[addr], signal.SIGKILL)
                killed.append(pids[addr])
                break
        time.sleep(0.005)
    return killed


def _run_and_kill(address: str, tmp_path: Path, plan) -> tuple[object, list[int]]:
    from distributed import Client

    outcome: dict[str, object] = {}

    def job():
        try:
            outcome["res"] = screen_files(
                str(tmp_path / "in" / "*.csv"), tmp_path / "out", plan, scheduler=address
            )
        except Exception as err:  # noqa: BLE001 - inspected by the test
            outcome["err"] = err

    stop = threading.Event()
    with Client(address) as client:
        t = threading.Thread(target=job)
        t.start()
        killed = _kill_a_busy_worker(client, stop)
        t.join(300)
        stop.set()
    return outcome.get("res", outcome.get("err")), killed


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes(cluster, tmp_path):
    _csvs(tmp_path / "in", [60_000] * 4)
    plan = load_plan()
    res, killed = _run_and_kill(cluster.scheduler_address, tmp_path, plan)
    assert killed, "no worker was seen busy"
    assert isinstance(res, dict), res
    assert res["sites"] == 240_000
    got = pd.concat(pd.read_parquet(p) for p in sorted((tmp_path / "out").iterdir()))
    assert len(got) == 240_000
    assert not [p for p in (tmp_path / "out").iterdir() if not p.name.startswith("part-")]


@pytest.mark.slow
def test_a_killed_worker_without_retries_fails_with_one_line_and_no_folder(tmp_path):
    import dask
    from distributed import LocalCluster

    _csvs(tmp_path / "in", [60_000] * 4)
    plan = load_plan()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
        ) as c:
            err, killed = _run_and_kill(c.scheduler_address, tmp_path, plan)
    assert killed
    assert isinstance(err, OutputError), err
    assert "worker died" in str(err) and "nothing was written" in str(err)
    assert len(str(err).splitlines()) == 1
    assert not (tmp_path / "out").exists()
