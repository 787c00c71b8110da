"""Paper, fonts and byte-stable saving for the printed outputs (the A3 map and the PDF report).

Both printed outputs are drawn with matplotlib's object API (no ``pyplot``, so no global
figure state) under fixed rcParams, with a CJK font found through matplotlib's font
manager, and saved with fixed metadata: the same input gives the same bytes.

Examples
--------
>>> paper_mm("A3", landscape=True)
(420.0, 297.0)
>>> paper_mm("a4", landscape=False)
(210.0, 297.0)
>>> output_format("map.PDF", None)
'pdf'
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lzspatial import __version__
from lzspatial._util.atomic import write_bytes
from lzspatial.errors import InputError

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

__all__ = [
    "CJK_FONTS",
    "DPI_RANGE",
    "FORMATS",
    "MM",
    "PAPERS",
    "Sheet",
    "check_dpi",
    "cjk_font",
    "drawing",
    "font_families",
    "output_format",
    "pdf_bytes",
    "paper_mm",
    "printable",
    "save_figure",
    "settings",
]

#: ISO 216 sizes (portrait width, height) in millimetres.
PAPERS: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "A2": (420.0, 594.0),
    "A1": (594.0, 841.0),
    "A0": (841.0, 1189.0),
}
#: Output formats by file suffix.
FORMATS = ("pdf", "svg", "png")
#: Accepted raster resolutions (dots per inch) of PNG output.
DPI_RANGE = (50, 600)
#: Inches per millimetre.
MM = 1 / 25.4

#: CJK font families, best first, looked up through matplotlib's font manager.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
#: The Latin fallback, shipped with matplotlib.
_LATIN = "DejaVu Sans"


@dataclass
class Sheet:
    """What drawing text on a printed page needs: the figure, its renderer, language, fonts, size factor."""

    fig: Figure
    renderer: RendererBase
    lang: str
    families: list[str]
    k: float  # 1 on A3; scales fonts and line widths
    widths: dict[str, float] = field(default_factory=dict)  # character -> mm at 10 pt

    def t(self, pair: Sequence[str]) -> str:
        """Pick the zh or en of a (zh, en) pair (both: "zh en"), without glyphs no font has."""
        zh, en = str(pair[0]), str(pair[1])
        text = zh if self.lang == "zh" else en if self.lang == "en" else f"{zh} {en}"
        return printable(text, self.families)

    def one(self, text: object) -> str:
        """*text* as it is in every language (an id, a date), without glyphs no font has."""
        return printable(text, self.families)

    def fs(self, size: float) -> float:
        """Return *size* (pt on A3) scaled to the paper, at least 4.5 pt."""
        return max(size * self.k, 4.5)

    def width_mm(self, text: str, size: float) -> float:
        """Width of *text* at *size* pt in mm: the sum of its characters' advances (measured once each)."""
        return sum(self._char_mm(c) for c in text) * size / 10.0

    def _char_mm(self, c: str) -> float:
        w = self.widths.get(c)
        if w is None:
            from matplotlib.font_manager import FontProperties

            prop = FontProperties(family=self.families, size=10.0)
            # measured between two bars so that spaces count; the bars' width is subtracted
            bars = self.widths.get("\0bars")
            if bars is None:
                bars, _, _ = self.renderer.get_text_width_height_descent("||", prop, ismath=False)
                self.widths["\0bars"] = bars
            px, _, _ = self.renderer.get_text_width_height_descent(f"|{c}|", prop, ismath=False)
            w = self.widths[c] = (px - bars) / self.fig.dpi / MM
        return w

    def wrap(self, text: str, width_mm: float, size: float) -> list[str]:
        """Wrap *text* greedily at *width_mm*: breaks between words and between CJK characters."""
        tokens = re.findall(r"[A-Za-z0-9'’.,;:()\-/+%&]+\s*|\s+|.", text)
        lines, line = [], ""
        for tok in tokens:
            if line and self.width_mm((line + tok).rstrip(), size) > width_mm:
                lines.append(line.rstrip())
                line = tok.lstrip()
            else:
                line += tok
        if line.strip():
            lines.append(line.rstrip())
        return lines


def paper_mm(paper: str, *, landscape: bool = True) -> tuple[float, float]:
    """Return the (width, height) of an ISO paper size in millimetres.

    Raises
    ------
    InputError
        *paper* is not one of :data:`PAPERS`.
    """
    key = str(paper).strip().upper()
    if key not in PAPERS:
        raise InputError(f"`paper={paper!r}` is not a paper size; use one of {', '.join(PAPERS)}")
    w, h = PAPERS[key]
    return (h, w) if landscape else (w, h)


def output_format(path: str | os.PathLike[str], fmt: str | None) -> str:
    """Return the output format: *fmt*, or the one the suffix of *path* names."""
    if fmt is None:
        fmt = Path(path).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise InputError(
                f"{path}: cannot tell the format from the suffix {Path(path).suffix!r}; "
                f"name a .pdf, .svg or .png file, or pass `fmt=`"
            )
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise InputError(f"`fmt={fmt!r}` is not a print format; use one of {', '.join(FORMATS)}")
    return fmt


def check_dpi(dpi: object) -> int:
    """Return *dpi* as an int within :data:`DPI_RANGE`, or raise :class:`InputError`."""
    lo, hi = DPI_RANGE
    if isinstance(dpi, str) and dpi.strip().isdigit():
        dpi = int(dpi)
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not lo <= dpi <= hi:
        raise InputError(f"`dpi={dpi!r}` is not a resolution; use a whole number from {lo} to {hi}")
    return dpi


@functools.cache
def cjk_font() -> str | None:
    """Return the first installed family of :data:`CJK_FONTS`, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def font_families(lang: str) -> tuple[list[str], str]:
    """Return the font family list to draw with and the language to draw in.

    Without a CJK font, warns once (naming the package to install) and falls back to
    English labels, so no text is ever drawn as boxes.
    """
    font = cjk_font()
    if font is not None:
        return [font, _LATIN], lang
    if lang != "en":
        warnings.warn(
            f"no Chinese font found (looked for {', '.join(CJK_FONTS[:3])}, ...); drawing English "
            "labels. Install one, e.g. `apt-get install fonts-noto-cjk` on Debian",
            UserWarning,
            stacklevel=3,
        )
    return [_LATIN], "en"


@functools.cache
def _charset(family: str) -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


def printable(text: object, families: list[str]) -> str:
    """Return *text* without the characters no font of *families* has (so there is no .notdef).

    Examples
    --------
    >>> printable("Liaozhong 辽中", ["DejaVu Sans"])
    'Liaozhong '
    """
    covered = [_charset(f) for f in families]
    return "".join(c for c in str(text) if c in "\n\t " or any(ord(c) in cs for cs in covered))


def settings(families: list[str]) -> dict[str, Any]:
    """Return the fixed rcParams of a printed output (not the user's matplotlibrc)."""
    import matplotlib

    rc: dict[str, Any] = {
        str(k): v for k, v in matplotlib.rcParamsDefault.items() if k not in ("backend", "interactive")
    }
    rc.update(
        {
            "font.family": families,
            "font.size": 8.0,
            "pdf.fonttype": 42,  # TrueType/CID subsets: text stays text, searchable and exact
            "pdf.compression": 6,
            "svg.fonttype": "path",  # glyph outlines: the SVG looks the same without the fonts
            "svg.hashsalt": "lzspatial",
            "path.simplify": True,
            "axes.unicode_minus": False,
            "hatch.linewidth": 0.4,
            "font.weight": "normal",  # one weight: one embedded CJK subset
        }
    )
    return rc


@contextmanager
def drawing(families: list[str]) -> Iterator[None]:
    """Draw under the fixed rcParams of :func:`settings`."""
    import matplotlib

    rc: Any = settings(families)
    with matplotlib.rc_context(rc):
        yield


def _texts(figs: Sequence[Figure]) -> list[Any]:
    from matplotlib.text import Text

    return [t for fig in figs for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _subset_font(source: Any, chars: str, out: Path) -> str:
    """Write a TrueType subset of *source* (a font path with face index) for *chars*; return its family.

    The subset keeps the glyphs' outlines (CFF curves converted to TrueType quadratics) and
    advances and drops the layout tables matplotlib does not use. Subsetting a CJK font of
    60,000 glyphs with its layout tables takes matplotlib seconds per font; this takes a fraction.
    The family name is new (so the font manager finds exactly this file); the PostScript name is
    the source's, so the PDF names the font it came from.
    """
    import hashlib

    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source), fontNumber=getattr(source, "face_index", -1), lazy=True, recalcTimestamp=False)
    opts = subset.Options(layout_features=[], notdef_outline=True, glyph_names=False, hinting=False)
    opts.name_IDs = [1, 2, 3, 4, 6]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG", "meta"]
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    if "CFF " in font:  # OpenType/CFF (Noto CJK, Source Han): convert to glyf for a TrueType file
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder, glyf.glyphs = order, {}
        for name in order:
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf[name] = pen.glyph()
        font["glyf"], font["loca"] = glyf, newTable("loca")
        del font["CFF "]
        post = font["post"]
        post.formatType, post.extraNames, post.mapping = 2.0, [], {}
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs"):
            setattr(maxp, attr, 0)
        maxp.maxZones, maxp.maxStackElements, maxp.maxSizeOfInstructions, maxp.maxComponentElements = (
            1,
            0,
            0,
            0,
        )
        font.sfntVersion = "\x00\x01\x00\x00"
        font["head"].glyphDataFormat = 0
    family = "lzspatial subset " + hashlib.sha256(f"{source}|{chars}".encode()).hexdigest()[:12]
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = family
    font.save(str(out))
    return family


def _cache_dir() -> Path | None:
    """Return the folder of cached font subsets (None when caching is off or impossible)."""
    if os.environ.get("LZSPATIAL_NO_CACHE"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lzspatial" / "fonts"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base if os.access(base, os.W_OK) else None


def _cached_subset(source: Any, chars: str, out: Path) -> str:
    """Write the subset of *source* for *chars* to *out*, from the cache when it holds it.

    The cache only saves time: a subset is a pure function of the font file and the characters,
    so a cached and a fresh one are the same bytes.
    """
    import hashlib
    import shutil

    st = os.stat(str(source))
    key = hashlib.sha256(f"{source}|{st.st_size}|{st.st_mtime_ns}|{chars}".encode()).hexdigest()[:24]
    cache = _cache_dir()
    hit = cache / f"{key}.ttf" if cache is not None else None
    family = "lzspatial subset " + hashlib.sha256(f"{source}|{chars}".encode()).hexdigest()[:12]
    if hit is not None and hit.is_file():
        shutil.copyfile(hit, out)
        return family
    _subset_font(source, chars, out)
    if hit is not None:  # atomically: a concurrent run must never read a half-written subset
        with contextlib.suppress(OSError):
            write_bytes(hit, out.read_bytes())
    return family


@contextmanager
def _embedded_subset(figs: Sequence[Figure]) -> Iterator[None]:
    """Draw the figures' text with one small TrueType subset of the CJK font, while saving a PDF."""
    import tempfile

    from matplotlib import font_manager

    font = cjk_font()
    texts = _texts(figs)
    if font is None or not texts:
        yield
        return
    source = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    chars = "".join(sorted({c for t in texts for c in t.get_text()} - {"\n", "\t"}))
    with tempfile.TemporaryDirectory(prefix="lzspatial-font-") as tmp:
        path = Path(tmp) / "subset.ttf"
        family = _cached_subset(source, chars, path)
        font_manager.fontManager.addfont(str(path))
        before = [t.get_fontfamily() for t in texts]
        for t in texts:
            t.set_fontfamily([family, _LATIN])
        try:
            yield
        finally:
            for t, fam in zip(texts, before, strict=True):
                t.set_fontfamily(fam)
            font_manager.fontManager.ttflist = [
                f for f in font_manager.fontManager.ttflist if f.name != family
            ]
            clear = getattr(font_manager.fontManager, "_findfont_cached", None)  # as addfont() does
            if clear is not None:
                clear.cache_clear()


def save_figure(fig: Figure, path: str | os.PathLike[str], fmt: str, dpi: int) -> Path:
    """Render *fig* with fixed metadata and write it atomically; return the path.

    A PDF embeds a TrueType subset of the CJK font (see :func:`_subset_font`).
    """
    meta: dict[str, Any]
    creator = f"lzspatial {__version__}"
    if fmt == "pdf":
        meta = {"Creator": creator, "Producer": creator, "CreationDate": None, "ModDate": None}
    elif fmt == "svg":
        meta = {"Creator": creator, "Date": None}
    else:
        meta = {"Software": creator}
    buf = io.BytesIO()
    if fmt == "pdf":
        with _embedded_subset([fig]):
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    else:
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    return write_bytes(path, buf.getvalue())


def pdf_bytes(figs: Sequence[Figure]) -> bytes:
    """Return a multi-page PDF of *figs* (one page each) with fixed metadata and one font subset."""
    from matplotlib.backends.backend_pdf import PdfPages

    creator = f"lzspatial {__version__}"
    meta = {"Creator": creator, "Producer": creator, "CreationDate": None, "ModDate": None}
    buf = io.BytesIO()
    with _embedded_subset(figs), PdfPages(buf, metadata=meta) as pdf:
        for fig in figs:
            pdf.savefig(fig)
    return buf.getvalue()
