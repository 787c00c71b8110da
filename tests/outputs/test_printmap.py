"""The printed structure map: paper, text layer, fonts, determinism, CLI errors."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from lzspatial.outputs import paper as paper_mod
from lzspatial.outputs.paper import PAPERS
from lzspatial.outputs.printmap import print_map
from lzspatial.outputs.style import LEGEND_RANK
from lzspatial.plan.labels import BACK_TRANSLATION_NOTE, SCHEMATIC_NOTE

from ..conftest import LAYERS, run_cli

PT_PER_MM = 72 / 25.4
needs_cjk = pytest.mark.skipif(
    paper_mod.cjk_font() is None, reason="no CJK font (apt-get install fonts-noto-cjk)"
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def a3(default_plan, tmp_path_factory) -> Path:
    return print_map(default_plan, tmp_path_factory.mktemp("print") / "structure.pdf")


@pytest.fixture(scope="module")
def a3_text(a3) -> str:
    return _flat("".join(page.extract_text() for page in pypdf.PdfReader(a3).pages))


@pytest.mark.parametrize(("paper", "landscape"), [("A3", True)])
def test_page_size_is_the_paper(a3, paper, landscape):
    (page,) = pypdf.PdfReader(a3).pages
    w, h = PAPERS[paper][::-1] if landscape else PAPERS[paper]
    assert float(page.mediabox.width) == pytest.approx(w * PT_PER_MM, abs=0.5)  # 420 mm
    assert float(page.mediabox.height) == pytest.approx(h * PT_PER_MM, abs=0.5)  # 297 mm


@needs_cjk
def test_text_layer_has_title_towns_legend_and_disclaimer(a3_text, default_plan):
    assert _flat(default_plan.title_zh) in a3_text
    missing = [n for n in default_plan["towns"]["name_zh"] if _flat(n) not in a3_text]
    assert not missing, f"town names not printed: {missing}"
    for name in default_plan.layer_names:  # every legend group, in the plan's own words
        assert _flat(default_plan.titles(name)[0]) in a3_text
    for text in ("图例", SCHEMATIC_NOTE[0], default_plan.disclaimer["zh"], BACK_TRANSLATION_NOTE[0]):
        assert _flat(text) in a3_text
    assert "1:300,000" in a3_text  # the ratio scale of the district on A3
    assert "编制单位" in a3_text and "图号" in a3_text and default_plan.id in a3_text


def test_legend_order_is_the_web_maps(a3_text, default_plan):
    names = sorted(default_plan.layer_names, key=lambda n: LEGEND_RANK[default_plan.element(n)])
    heads = [_flat(default_plan.titles(n)[0]) for n in names]
    legend = a3_text[a3_text.index("图例") :]
    positions = [legend.find(h) for h in heads]
    assert all(p >= 0 for p in positions)


def _used_codes(reader) -> list[tuple[str, bytes]]:
    """(font resource, string bytes) of every text-showing operator of every page."""
    from pypdf.generic import ContentStream

    out = []
    for page in reader.pages:
        font = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                font = operands[0]
            elif op == b"Tj":
                out.append((font, bytes(operands[0].original_bytes)))
            elif op == b"TJ":
                out += [(font, bytes(o.original_bytes)) for o in operands[0] if hasattr(o, "original_bytes")]
    return out


def test_every_glyph_is_embedded_and_none_is_notdef(a3):
    reader = pypdf.PdfReader(a3)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        if font["/Subtype"] == "/Type0":  # CID fonts: an embedded TrueType subset
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, font["/BaseFont"]
            assert re.match(r"/[A-Z]{6}\+", str(font["/BaseFont"])), "not a subset"
    codes = _used_codes(reader)
    assert codes
    for name, data in codes:
        font = fonts[name].get_object()
        if font["/Subtype"] == "/Type0":  # 2-byte CIDs, mapped to glyph ids by CIDToGIDMap
            cids = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
            gids = _gids(font, cids)
        else:  # 1-byte codes of a simple font
            gids = list(data)
        assert 0 not in gids, f".notdef drawn with {font['/BaseFont']}"


def _gids(font, cids: list[int]) -> list[int]:
    cmap = font["/DescendantFonts"][0].get_object().get("/CIDToGIDMap", "/Identity")
    if not hasattr(cmap, "get_object") or str(cmap) == "/Identity":
        return cids
    table = cmap.get_object().get_data()
    return [int.from_bytes(table[2 * c : 2 * c + 2], "big") for c in cids]


def test_repeats_are_byte_identical_pdf(a3, default_plan, tmp_path):
    again = print_map(default_plan, tmp_path / "again.pdf")
    assert again.read_bytes() == a3.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_repeats_are_byte_identical(default_plan, tmp_path, fmt):
    kw = {"paper": "A4", "landscape": False, "dpi": 60}
    a = print_map(default_plan, tmp_path / f"a.{fmt}", **kw).read_bytes()
    b = print_map(default_plan, tmp_path / f"b.{fmt}", **kw).read_bytes()
    assert a == b
    assert a.startswith(b"\x89PNG" if fmt == "png" else b"<?xml")


def test_png_size_follows_paper_and_dpi(default_plan, tmp_path):
    import struct

    data = print_map(default_plan, tmp_path / "m.png", paper="A4", landscape=True, dpi=50).read_bytes()
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (int(297 / 25.4 * 50), int(210 / 25.4 * 50))


@pytest.mark.slow
def test_without_a_cjk_font_english_and_one_warning(default_plan, tmp_path, monkeypatch):
    monkeypatch.setattr(paper_mod, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fonts-noto-cjk") as caught:
        path = print_map(default_plan, tmp_path / "en.pdf", paper="A4")
    assert len(caught) == 1
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert "Legend" in text and "Ciyutuo" in text and "Yangshigang" in text  # key towns come first
    assert not re.search(r"[\u4e00-\u9fff]", text), "CJK text drawn without a CJK font (tofu)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--paper", "A5"], "--paper A5 is not a paper size; use one of A4, A3, A2, A1, A0"),
        (["--dpi", "5000"], "--dpi 5000 is not a resolution"),
        (["--dpi", "lots"], "--dpi lots is not a resolution"),
        (["--out", "map.txt"], "cannot tell the format"),
    ],
)
def test_cli_bad_options_exit_2_with_one_line(tmp_path, args, message):
    args = ["--out", str(tmp_path / "m.pdf"), *args] if "--out" not in args else args
    res = run_cli("print", *args, cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and message in res.stderr and "Traceback" not in res.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_refuses_to_overwrite_an_input(plan_copy):
    target = plan_copy / "boundary.geojson"
    before = target.read_bytes()
    res = run_cli("print", plan_copy, "--out", target, "--format", "pdf")
    assert res.returncode == 2 and "is a file of the plan" in res.stderr
    assert target.read_bytes() == before


def test_refuses_a_special_file(default_plan, tmp_path):
    import os

    from lzspatial.errors import LzSpatialError

    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    with pytest.raises(LzSpatialError, match="not a regular file"):
        print_map(default_plan, fifo)


def test_default_plan_is_the_layers_folder(default_plan):
    assert default_plan.path.resolve() == LAYERS.resolve()
