"""Text helpers: HTML escaping and terminal-safe text."""

from __future__ import annotations

import pytest

from lzspatial._util.text import esc, term_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (3, "3"), ("<b>&\"'", "&lt;b&gt;&amp;&quot;&#x27;")],
)
def test_esc(value, expected):
    assert esc(value) == expected


def test_term_safe_shows_controls_and_bidi_as_escapes():
    text = term_safe("a\x1b[31mb\u202ec\u2028d\x00e\tf 辽中")
    assert "\x1b" not in text and "\u202e" not in text and "\u2028" not in text and "\x00" not in text
    assert text == "a\\x1b[31mb\\u202ec\\u2028d\\x00e f 辽中"
