"""Text helpers: HTML escaping and safe terminal output."""

from __future__ import annotations

import html
import unicodedata

__all__ = ["esc", "term_safe"]


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute.

    Examples
    --------
    >>> esc('<img src=x onerror="a">')
    '&lt;img src=x onerror=&quot;a&quot;&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def term_safe(text: object) -> str:
    r"""Return *text* with control and bidi-format characters shown as escapes.

    Terminal output must never pass ANSI escape sequences or RTL overrides
    through from data.

    Examples
    --------
    >>> term_safe("a\x1b[31mb\u202ec")
    'a\\x1b[31mb\\u202ec'
    """
    out = []
    for ch in str(text):
        if ch in "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
