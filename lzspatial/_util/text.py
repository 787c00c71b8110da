"""Text helpers: HTML escaping and safe terminal output."""

from __future__ import annotations

import html
import unicodedata

__all__ = ["esc", "json_term_safe", "term_safe", "term_safe_lines"]


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


def term_safe_lines(text: str) -> str:
    r"""Apply :func:`term_safe` to each line of *text*, keeping the line breaks.

    Examples
    --------
    >>> term_safe_lines("a,b\u202e\nc\n")
    'a,b\\u202e\nc\n'
    """
    return "\n".join(term_safe(line) for line in text.split("\n"))


def json_term_safe(text: str) -> str:
    r"""Escape, as JSON ``\uXXXX``, the format and separator characters json.dumps leaves raw.

    ``json.dumps(..., ensure_ascii=False)`` escapes control characters but passes bidi
    overrides (U+202E) and line separators through; in a JSON document they only occur
    inside strings, where ``\uXXXX`` means the same, so the JSON value is unchanged.

    Examples
    --------
    >>> json_term_safe('{"a": "x\u202ey"}')
    '{"a": "x\\u202ey"}'
    """
    out: list[str] = []
    for ch in text:
        if ch not in "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            units = ch.encode("utf-16-be")  # a surrogate pair beyond U+FFFF, as JSON spells it
            out.extend(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))
        else:
            out.append(ch)
    return "".join(out)
