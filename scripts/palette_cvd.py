"""Check the palette against a deuteranopia simulation: the smallest colour distance of any two classes.

Deuteranopia is simulated with the Machado, Oliveira and Fernandes (2009) matrix at severity 1.0,
applied in linear sRGB; distances are CIE76 ΔE in CIELAB (D65). Run ``python scripts/palette_cvd.py``.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

#: Machado et al. (2009), deuteranomaly at severity 1.0 (= deuteranopia), linear RGB.
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _hex_rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return _linear(r), _linear(g), _linear(b)


def simulate(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """Linear RGB as a deuteranope sees it (clipped to [0, 1])."""
    r, g, b = (min(max(sum(m * c for m, c in zip(row, rgb, strict=True)), 0.0), 1.0) for row in DEUTERANOPIA)
    return r, g, b


def lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """Linear sRGB -> CIELAB (D65)."""
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str, *, deutan: bool = True) -> float:
    """CIE76 distance of two hex colours, as a deuteranope sees them when *deutan*."""
    ra, rb = _hex_rgb(a), _hex_rgb(b)
    if deutan:
        ra, rb = simulate(ra), simulate(rb)
    la, lb = lab(ra), lab(rb)
    return float(sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5)


def key_colours(styles: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str]:
    """The colour that identifies each class: its fill for areas and points, its stroke for lines."""
    out = {}
    for element, classes in styles.items():
        for cls, st in classes.items():
            line = "fill" not in st or st.get("fill_opacity", 1) == 0
            out[f"{element}.{cls}"] = str(st["color"] if line else st["fill"])
    return out


def minimum(colours: dict[str, str], *, deutan: bool = True) -> tuple[float, str, str]:
    """The smallest pairwise distance among *colours* and the two classes it separates."""
    best = (float("inf"), "", "")
    for (ka, a), (kb, b) in itertools.combinations(sorted(colours.items()), 2):
        if a == b:  # classes that share a colour on purpose (one zone serving two areas)
            continue
        d = delta_e(a, b, deutan=deutan)
        best = min(best, (d, ka, kb))
    return best


def main() -> int:
    from lzspatial.outputs.style import STRUCTURE_ELEMENTS, STYLES

    keys = key_colours({e: STYLES[e] for e in STRUCTURE_ELEMENTS})
    d, a, b = minimum(keys, deutan=False)
    print(f"normal vision: min ΔE76 = {d:.1f} ({a} / {b})")
    d, a, b = minimum(keys)
    print(f"deuteranopia (Machado 2009): min ΔE76 = {d:.1f} ({a} / {b}) over {len(keys)} classes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
