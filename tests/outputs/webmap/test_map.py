"""The web map without a browser: self-contained, escaped, deterministic, small, grouped by style."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely import LineString, Point, Polygon

from lzspatial.errors import CRSError, InputError, OutputError
from lzspatial.outputs.webmap import build_map, render_html, save_map
from lzspatial.plan import load_plan
from tests.conftest import LAYERS, edit_layer, feature, run_cli

XSS_IMG = "<img src=x onerror=window.__pwned=1>"
XSS_SCRIPT = "</script><script>window.__pwned=2</script>"
JINJA = "{{ 7*7 }}{% if 1 %}x{% endif %}"
#: Ways to turn text into markup or code, which our JS must never use.
SINKS = (".innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


# ---------------------------------------------------------------------------
# helpers (also used by test_webmap_browser.py)
# ---------------------------------------------------------------------------


def payload(html: str) -> dict[str, Any]:
    """Decode the data the page hands to ``lzspatial.init``."""
    m = re.search(r"lzspatial\.init\(map_\d+, (.*)\);\n", html, re.S)
    assert m, "no lzspatial.init call in the page"
    return json.loads(m.group(1))


def layer(data: dict[str, Any], layer_id: str) -> dict[str, Any]:
    return next(lay for lay in data["layers"] if lay["id"] == layer_id)


def names_in(data: dict[str, Any], layer_id: str) -> list[str]:
    lay = layer(data, layer_id)
    iz = lay["name"][0]
    return [row[iz] for c in lay["classes"] for row in c["p"]]


def make_hostile_plan(folder: Path) -> Path:
    """Copy the default plan and put script-injection text into names, notes, title and a vocabulary label."""
    dst = folder / "hostile"
    shutil.copytree(LAYERS, dst)

    def towns(doc: dict[str, Any]) -> None:
        feature(doc, "town-210115108")["properties"].update(name_zh=XSS_IMG, name_en=XSS_IMG)
        feature(doc, "town-210115109")["properties"].update(
            name_zh=XSS_SCRIPT, name_en=XSS_SCRIPT, note=JINJA
        )

    edit_layer(dst, "towns", towns)
    edit_layer(
        dst,
        "parks",
        lambda d: feature(d, "park-devzone")["properties"].update(
            name_zh=XSS_SCRIPT, name_en=XSS_IMG, source=XSS_IMG
        ),
    )
    toml = (dst / "plan.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        'title_en = "Liaozhong District 2023 spatial structure',
        f'title_en = "{XSS_IMG} Liaozhong District 2023 spatial structure',
        1,
    )
    toml = toml.replace(
        'development_zone = { zh = "开发区"', f'development_zone = {{ zh = "开发区{XSS_SCRIPT}"', 1
    )
    (dst / "plan.toml").write_text(toml, encoding="utf-8")
    assert XSS_IMG in tomllib.loads(toml)["plan"]["title_en"]
    return dst


def sample_violations() -> gpd.GeoDataFrame:
    """A small violations frame with the contract columns of ``CheckReport.violations``."""
    rows = [
        dict(
            rule_id="zones-no-overlap",
            severity="error",
            title_zh="分区不得重叠",
            title_en="Zones must not overlap",
            layer="zones",
            feature_id="zone-north",
            related_id="zone-east",
            measure=123456.7,
            unit="m2",
            message="zone-north overlaps zone-east by 12.35 ha",
            accepted=False,
        ),
        dict(
            rule_id="towns-far",
            severity="warning",
            title_zh="乡镇距离",
            title_en="Town distance",
            layer="towns",
            feature_id="town-210115108",
            related_id=None,
            measure=2500.0,
            unit="m",
            message="too far",
            accepted=False,
        ),
        dict(
            rule_id="parks-river",
            severity="warning",
            title_zh="园区河流",
            title_en="Park river setback",
            layer="parks",
            feature_id="park-devzone",
            related_id="river-pu",
            measure=0.0,
            unit="m",
            message="touches",
            accepted=True,
        ),
    ]
    geoms = [
        Polygon([(122.70, 41.55), (122.74, 41.55), (122.74, 41.58), (122.70, 41.58)]),
        Point(122.80, 41.62),
        LineString([(122.74, 41.53), (122.76, 41.54)]),
    ]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)


def sample_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["A site", "B site", XSS_IMG, "D site", "E site"],
            "verdict": ["pass", "conditional", "fail", None, "pass"],
            "area_ha": [1.5, 20.25, 3.0, 4.0, 0.75],
        },
        geometry=[
            Point(122.65, 41.45),
            Point(122.70, 41.40),
            Point(122.75, 41.50),
            Point(122.80, 41.45),
            Polygon([(122.60, 41.50), (122.62, 41.50), (122.62, 41.52)]),
        ],
        crs=4326,
    )


@pytest.fixture(scope="module")
def default_html(default_plan) -> str:
    return render_html(build_map(default_plan))


# ---------------------------------------------------------------------------
# self-contained
# ---------------------------------------------------------------------------


def test_page_is_self_contained(default_html):
    h = default_html
    assert not re.search(r"<script[^>]*\bsrc\s*=", h, re.I)
    assert not re.search(r"<link\b", h, re.I)
    assert not re.search(r"""\bsrc\s*=\s*["']?(https?:)?//""", h, re.I)  # no remote image/frame either
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "fontawesome", "awesome-markers"):
        assert cdn not in h.lower()
    assert "url(images/" not in h and "sourceMappingURL" not in h
    assert 'version="1.9.3"' in h  # Leaflet from xstatic-leaflet, inlined


def test_no_basemap_means_no_tiles(default_html):
    data = payload(default_html)
    assert data["tiles"] == []
    assert "{z}" not in default_html


def test_jupyter_repr_is_the_same_self_contained_page(default_plan):
    m = build_map(default_plan)
    out = m._repr_html_()
    src = re.search(r'srcdoc="([^"]*)"', out)
    assert src and "<script src" not in out
    assert htmllib.unescape(src.group(1)) == render_html(m)


def test_assets_never_use_inner_html():
    from lzspatial.outputs.webmap.map import _ASSETS, _SCRIPTS

    assets = sorted(_ASSETS.glob("*.js"))
    assert sorted(p.name for p in assets) == sorted(_SCRIPTS)  # every script is inlined, none forgotten
    for path in assets:
        js = path.read_text(encoding="utf-8")
        for sink in SINKS:
            assert sink not in js, (path.name, sink)


# ---------------------------------------------------------------------------
# safe
# ---------------------------------------------------------------------------


def test_hostile_text_is_data_not_markup(tmp_path):
    h = render_html(build_map(load_plan(make_hostile_plan(tmp_path))))
    assert XSS_IMG not in h and "<script>window.__pwned" not in h
    assert h.count("<script") == h.count("</script>")  # data closed no script
    data = payload(h)  # and it decodes back to exactly what the plan says
    assert XSS_IMG in names_in(data, "towns") and XSS_SCRIPT in names_in(data, "towns")
    assert XSS_IMG in data["title"]["en"]
    parks = layer(data, "parks")
    assert any(c["label"]["zh"] == "开发区" + XSS_SCRIPT for c in parks["classes"])
    assert "<title>" + htmllib.escape("辽中区") in h and "&lt;img src=x" in h.split("</title>")[0]


def test_data_is_never_rendered_as_a_template(tmp_path):
    h = render_html(build_map(load_plan(make_hostile_plan(tmp_path))))
    notes = [row for c in layer(payload(h), "towns")["classes"] for row in c["p"]]
    cells = [v["en"] if isinstance(v, dict) else v for row in notes for v in row]  # {zh, en} for notes
    assert any(JINJA in str(v) for v in cells)


# ---------------------------------------------------------------------------
# reproducible
# ---------------------------------------------------------------------------


def test_two_builds_are_byte_identical(default_plan):
    kw = dict(violations=sample_violations(), sites=sample_sites())
    a = render_html(build_map(default_plan, **kw))
    b = render_html(build_map(default_plan, **kw))
    assert a == b
    assert not re.search(r"\b[a-z_]+_[0-9a-f]{32}\b", a)  # no folium random ids left


def test_render_twice_gives_the_same_page(default_plan):
    m = build_map(default_plan)
    assert render_html(m) == render_html(m)


def test_cli_map_matches_library(tmp_path, default_plan):
    res = run_cli("map", LAYERS, "--no-check", "--out", tmp_path / "a.html")
    assert res.returncode == 0, res.stderr
    res2 = run_cli("map", "--no-check", cwd=tmp_path)  # default plan, default output file
    assert res2.returncode == 0, res2.stderr
    a = (tmp_path / "a.html").read_bytes()
    assert a == (tmp_path / "maps" / "structure.html").read_bytes()
    assert a == render_html(build_map(default_plan, lang="zh")).encode("utf-8")  # the CLI opens in Chinese


# ---------------------------------------------------------------------------
# small and grouped by style
# ---------------------------------------------------------------------------


def test_default_map_is_under_one_megabyte(default_html):
    assert len(default_html.encode("utf-8")) <= 1_000_000


def test_coordinates_rounded_and_no_bbox(default_plan):
    page = render_html(build_map(default_plan, sites=sample_sites()))
    data_text = re.search(r"lzspatial\.init\(map_\d+, (.*)\);\n", page, re.S).group(1)
    geoms = "".join(re.findall(r'"(?:g|xy)":(\[.*?\]),"p"', data_text))
    assert geoms and not re.search(r"\d\.\d{7,}", geoms)
    assert '"bbox"' not in data_text


def test_every_feature_is_drawn_once_from_the_data(default_plan, default_html):
    data = payload(default_html)
    for name in default_plan.layer_names:
        lay = layer(data, name)
        assert sum(len(c["p"]) for c in lay["classes"]) == len(default_plan[name])


def test_one_style_per_class_never_per_feature(default_plan):
    n = 10_000
    import numpy as np

    rng = np.random.default_rng(1)
    sites = gpd.GeoDataFrame(
        {"verdict": rng.choice(["pass", "fail", "conditional"], n)},
        geometry=gpd.points_from_xy(rng.uniform(122.5, 123, n), rng.uniform(41.2, 41.7, n)),
        crs=4326,
    )
    h = render_html(build_map(default_plan, sites=sites))
    data = payload(h)
    site_classes = layer(data, "sites")["classes"]
    assert sorted(c["id"] for c in site_classes) == ["conditional", "fail", "pass"]
    assert sum(len(c["p"]) for c in site_classes) == n
    n_classes = sum(len(lay["classes"]) for lay in data["layers"])
    assert len(data["styles"]) <= n_classes < 60
    assert all(isinstance(c["s"], int) for lay in data["layers"] for c in lay["classes"])
    assert not re.search(
        r"function\s*\(|=>", re.search(r"lzspatial\.init\(map_\d+, (.*)\);\n", h, re.S).group(1)
    )
    default_size = len(render_html(build_map(default_plan)).encode())
    assert (len(h.encode()) - default_size) / n < 60  # bytes per extra point


def test_styles_come_from_the_palette_and_schematic_is_dashed(default_html):
    from lzspatial.outputs.style import style_for

    data = payload(default_html)
    for lay in data["layers"]:
        for c in lay["classes"]:
            st = data["styles"][c["s"]]
            if lay["kind"] == "plan":
                assert st["color"] == style_for(lay["id"], c["id"], schematic=c["sch"])["color"]
            if c["sch"]:
                assert st.get("dashArray") or (c["gk"] == "pt" and st["fillOpacity"] == 0)
    assert "dashArray" not in data["styles"][layer(data, "boundary")["classes"][0]["s"]]


def test_key_towns_labelled_and_axes_directed(default_html):
    data = payload(default_html)
    towns = {c["id"]: c for c in layer(data, "towns")["classes"]}
    # every town is labelled; the key towns rank before the others when labels collide
    assert towns["key"]["lab"] < towns["seat"]["lab"] < towns["general"]["lab"]
    assert layer(data, "axes")["arrows"] is True


def test_zone_legend_names_every_function_of_its_zones(default_plan, default_html):
    vocab = default_plan.vocabularies["functional_areas"]
    zones = default_plan["zones"]
    classes = {c["id"]: c for c in layer(payload(default_html), "zones")["classes"]}
    # one style group per class: zones are styled by their first function
    assert sorted(classes) == sorted({list(f)[0] for f in zones["functions"]})
    for name, functions in zip(zones["name_en"], zones["functions"], strict=True):
        label = classes[list(functions)[0]]["label"]
        for code in functions:
            assert vocab[code]["zh"] in label["zh"].split(" + "), (name, code)
            assert vocab[code]["en"] in label["en"].split(" + "), (name, code)
    # every function the zones serve is named in the legend (trade_logistics is never a first function)
    served = {code for f in zones["functions"] for code in f}
    named = {code for code in vocab if any(vocab[code]["en"] in c["label"]["en"] for c in classes.values())}
    assert "trade_logistics" in served and served <= named


# ---------------------------------------------------------------------------
# basemaps
# ---------------------------------------------------------------------------


def test_tianditu_needs_a_key(default_plan, monkeypatch):
    monkeypatch.delenv("LZSPATIAL_TIANDITU_KEY", raising=False)
    with pytest.raises(InputError, match="LZSPATIAL_TIANDITU_KEY"):
        build_map(default_plan, basemap="tianditu")
    monkeypatch.setenv("LZSPATIAL_TIANDITU_KEY", "not a key</script>")
    with pytest.raises(InputError, match="does not look like a Tianditu key"):
        build_map(default_plan, basemap="tianditu")


def test_tianditu_key_is_used_with_a_warning(default_plan, monkeypatch):
    key = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("LZSPATIAL_TIANDITU_KEY", key)
    with pytest.warns(UserWarning, match="visible|read it"):
        h = render_html(build_map(default_plan, basemap="tianditu", lang="en"))
    urls = [t["url"] for t in payload(h)["tiles"]]
    assert len(urls) == 2 and all(f"tk={key}" in u and "tianditu.gov.cn" in u for u in urls)
    assert "LAYER=eva" in urls[1]  # English annotation for lang="en"


@pytest.mark.parametrize(
    "basemap, host", [("osm", "tile.openstreetmap.org"), ("carto", "basemaps.cartocdn.com")]
)
def test_tile_basemaps(default_plan, basemap, host):
    tiles = payload(render_html(build_map(default_plan, basemap=basemap)))["tiles"]
    assert len(tiles) == 1 and host in tiles[0]["url"] and tiles[0]["options"]["attribution"]


def test_gaode_shifts_layers_but_popups_keep_wgs84(default_plan):
    from lzspatial.crs.gcj import wgs84_to_gcj02

    data = payload(render_html(build_map(default_plan, basemap="gaode")))
    assert data["shift"] == "gcj02"
    towns = default_plan["towns"]
    yang = towns[towns["id"] == "town-210115108"].geometry.iloc[0]
    cls = next(c for c in layer(data, "towns")["classes"] if c["id"] == "key")
    i = next(i for i, row in enumerate(cls["p"]) if row[0] == "town-210115108")
    shown = cls["xy"][2 * i], cls["xy"][2 * i + 1]
    expect = wgs84_to_gcj02(yang.x, yang.y)
    assert abs(shown[0] - expect[0]) < 2e-6 and abs(shown[1] - expect[1]) < 2e-6
    assert abs(shown[0] - yang.x) > 1e-3  # shifted by hundreds of metres
    assert cls["w"][i] == f"{yang.x:.6f}, {yang.y:.6f}"


@pytest.mark.parametrize(
    "kw, match", [(dict(basemap="google"), "basemap 'google'"), (dict(lang="fr"), "lang 'fr'")]
)
def test_bad_options(default_plan, kw, match):
    with pytest.raises(InputError, match=match):
        build_map(default_plan, **kw)


def test_plan_folder_and_language(tmp_path):
    h = render_html(build_map(load_plan(LAYERS), lang="zh"))
    data = payload(h)
    assert data["lang"] == "zh"
    assert "<title>辽中区2023年空间结构" in h and "Liaozhong District 2023" not in h.split("</title>")[0]
    with pytest.raises(TypeError, match="must be a Plan, got int; load one with lzspatial.load_plan"):
        build_map(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a Plan, got str"):
        build_map(str(LAYERS))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# violations and sites
# ---------------------------------------------------------------------------


def test_violations_layer(default_plan):
    data = payload(render_html(build_map(default_plan, violations=sample_violations())))
    lay = layer(data, "violations")
    cols = [c[0] for c in lay["cols"]]
    assert {c["id"] for c in lay["classes"]} == {"error", "warning", "accepted"}
    error = next(c for c in lay["classes"] if c["id"] == "error")
    row = error["p"][0]
    assert row[cols.index("measure")] == "123,456.7 m2 (12.35 ha)"
    assert row[lay["name"][1]] == "Zones must not overlap"
    assert all(data["styles"][c["s"]]["color"].startswith("#") for c in lay["classes"])
    assert data["layers"][0]["id"] == "violations"  # first in legend and layer control


def test_sites_coloured_by_verdict(default_plan):
    data = payload(render_html(build_map(default_plan, sites=sample_sites())))
    lay = layer(data, "sites")
    counts = {c["id"]: len(c["p"]) for c in lay["classes"]}
    assert counts == {"pass": 2, "conditional": 1, "fail": 1, "missing": 1}
    fill = {c["id"]: data["styles"][c["s"]]["fillColor"] for c in lay["classes"]}
    assert len(set(fill.values())) == 4
    assert XSS_IMG in [row[lay["name"][0]] for c in lay["classes"] for row in c["p"]]


def test_sites_input_errors(default_plan):
    bad = sample_sites()
    bad.loc[1, "verdict"] = "maybe"
    with pytest.raises(InputError, match=r"row 1: field 'verdict': 'maybe'"):
        build_map(default_plan, sites=bad)
    with pytest.raises(CRSError, match="no CRS"):
        build_map(default_plan, sites=sample_sites().set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="site_label 'nope'"):
        build_map(default_plan, sites=sample_sites(), site_label="nope")


def test_sites_in_another_crs_are_reprojected(default_plan):
    sites = sample_sites()
    data = payload(render_html(build_map(default_plan, sites=sites.to_crs(4550))))
    xy = next(c for c in layer(data, "sites")["classes"] if c["id"] == "fail")["xy"]
    assert abs(xy[0] - 122.75) < 1e-6 and abs(xy[1] - 41.5) < 1e-6


# ---------------------------------------------------------------------------
# saving and the CLI
# ---------------------------------------------------------------------------


def test_save_map_is_atomic(tmp_path, default_plan):
    m = build_map(default_plan)
    out = save_map(m, tmp_path / "m.html")
    assert out.read_text(encoding="utf-8") == render_html(m)
    assert [p.name for p in tmp_path.iterdir()] == ["m.html"]
    with pytest.raises(OutputError, match="does not exist"):
        save_map(m, tmp_path / "missing" / "m.html")


def test_cli_errors_are_one_line(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k != "LZSPATIAL_TIANDITU_KEY"}
    res = run_cli("map", "--no-check", "--basemap", "tianditu", "--out", tmp_path / "t.html", env=env)
    assert res.returncode == 2 and "LZSPATIAL_TIANDITU_KEY" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not (tmp_path / "t.html").exists()
    res = run_cli("map", "--no-check", "--out", tmp_path / "nowhere" / "m.html")
    assert res.returncode == 2 and "does not exist" in res.stderr


@pytest.mark.parametrize(
    "module",
    [
        "lzspatial.outputs.webmap.map",
        "lzspatial.outputs.webmap.payload",
        "lzspatial.plan.labels",
        "lzspatial.outputs.webmap.basemaps",
    ],
)
def test_docstring_examples(module):
    """The web map's modules carry examples (pytest --doctest-modules runs every module's examples too)."""
    import doctest
    import importlib

    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_empty_violations_and_sites_add_no_layer(default_plan):
    data = payload(
        render_html(
            build_map(default_plan, violations=sample_violations().iloc[:0], sites=sample_sites().iloc[:0])
        )
    )
    assert {lay["id"] for lay in data["layers"]} == set(default_plan.layer_names)
