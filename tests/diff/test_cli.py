"""``lzspatial diff``: exit codes, formats, errors naming the side, and plans read from git history."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import LAYERS, feature, in_ci, run_cli

from .pairs import Layer, metric_geom, set_metric_geom

GIT = shutil.which("git")


def _git(repo, *args):
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    if GIT is None:
        if in_ci():
            pytest.fail("git is not installed; in CI the git-history tests must run (.ci/run installs it)")
        pytest.skip("git is not installed (apt-get install git)")
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(LAYERS, root / "plan")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "plan")
    _git(root, "commit", "-q", "-m", "v1")
    with Layer(root / "plan", "parks") as doc:
        g = metric_geom(doc, "park-timber-port")
        import shapely

        set_metric_geom(doc, "park-timber-port", shapely.affinity.translate(g, 600, 800))
        feature(doc, "park-devzone")["properties"]["name_en"] = "<img src=x onerror=window.__pwned=1>"
    _git(root, "commit", "-q", "-am", "v2")
    return root


def test_identical_exits_0(tmp_path):
    r = run_cli("diff", LAYERS, LAYERS, "--no-check", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["changed"] is False


def test_git_revisions_without_checkout(repo):
    before = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    r = run_cli("diff", "HEAD~1:plan", "HEAD:plan", "--no-check", "--format", "json", cwd=repo)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    assert doc["b"]["revision"]["commit"] == head and doc["a"]["revision"]["spec"] == "HEAD~1:plan"
    moved = {f["id"]: f for f in doc["features"]}["park-timber-port"]["measures"]["centroid_moved_m"]
    assert moved == pytest.approx(1000.0, abs=0.5)
    # a revision against the working folder, and a revision against itself
    assert run_cli("diff", "HEAD:plan", "plan", "--no-check", cwd=repo).returncode == 0
    assert run_cli("diff", "HEAD~1:plan", "HEAD~1:plan", "--no-check", cwd=repo).returncode == 0
    after = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert before == after == ""


@pytest.mark.parametrize(
    ("args", "side", "words"),
    [
        (("HEAD:plan", "HEAD~7:plan"), "B", "not a revision"),
        (("HEAD:nowhere", "plan"), "A", "not a revision"),
        (("missing-folder", "plan"), "A", "plan folder not found"),
    ],
)
def test_bad_revisions_exit_2_naming_the_side(repo, args, side, words):
    r = run_cli("diff", *args, "--no-check", cwd=repo)
    assert r.returncode == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert f"error: {side}: " in line and words in line and "Traceback" not in r.stderr


def test_not_a_repository(tmp_path):
    r = run_cli("diff", "HEAD~1:layers", LAYERS, "--no-check", cwd=tmp_path)
    assert r.returncode == 2 and "A: " in r.stderr and "not in a git repository" in r.stderr


@pytest.mark.slow
def test_schema_error_in_a_revision_names_the_revision_path(repo, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(repo, bad)
    (bad / "plan" / "parks.geojson").write_text("{not json", encoding="utf-8")
    _git(bad, "commit", "-q", "-am", "broken")
    r = run_cli("diff", "HEAD~1:plan", "HEAD:plan", "--no-check", cwd=bad)
    assert r.returncode == 2
    assert "B: HEAD:plan/parks.geojson" in r.stderr and "lzspatial-diff-" not in r.stderr


@pytest.mark.slow
def test_formats_and_out(repo, tmp_path):
    out = tmp_path / "d.geojson"
    r = run_cli(
        "diff", "HEAD~1:plan", "HEAD:plan", "--no-check", "--format", "geojson", "--out", out, cwd=repo
    )
    assert r.returncode == 1 and out.is_file()
    kinds = {f["properties"]["change"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    assert kinds == {"before", "after"}
    table = run_cli("diff", "HEAD~1:plan", "HEAD:plan", "--no-check", cwd=repo)
    assert table.returncode == 1 and "木材指定口岸" in table.stdout and "移动 moved" in table.stdout
    flat = "".join(table.stdout.split())
    assert "<imgsrc=xonerror=window.__pwned=1>" in flat  # shown as text (rich markup escaped)
    html = run_cli("diff", "HEAD~1:plan", "HEAD:plan", "--no-check", "--format", "html", cwd=repo)
    assert html.returncode == 2 and "--out" in html.stderr


@pytest.mark.slow
def test_sites_against_both_versions(tmp_path):
    from tests.conftest import REPO

    from .pairs import copy_plan, to_m

    b = copy_plan(tmp_path / "b")
    with Layer(b, "zones") as doc:
        from shapely.geometry import shape

        with Layer(b, "boundary") as bdoc:
            bnd = to_m(shape(bdoc["features"][0]["geometry"]))
        set_metric_geom(doc, "zone-east", metric_geom(doc, "zone-east").buffer(3000).intersection(bnd))
    sites = REPO / "examples" / "candidate_sites.csv"
    opts = ["--no-check", "--sites", sites, "--industry", "trade_logistics", "--format", "json"]
    r = run_cli("diff", LAYERS, b, *opts)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)["sites"]
    assert doc["sites"] == 12 and doc["industry"] == "trade_logistics"
    for site in doc["changed"]:
        assert site["changes"] and all(c["old"] != c["new"] for c in site["changes"])
    moved = [s for s in doc["changed"] if any(c["field"] == "zone_id" for c in s["changes"])]
    assert moved, "the grown east zone takes at least one example site"
    assert all(c["new"] == "zone-east" for s in moved for c in s["changes"] if c["field"] == "zone_id")
